"""Helpers for the report tests: run the real commands, and build a model-test result from answers."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from safecorpus.modeltest.assess import planned_draws
from safecorpus.modeltest.bank import BankItem, packaged_banks, read_bank
from safecorpus.modeltest.runner import Answer, AnswerStore
from safecorpus.taxonomy.profile import load_profile

from ..conftest import REPO


def cli(*args: str, cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    r = subprocess.run(
        [sys.executable, "-c", "from safecorpus.cli import main; main()", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert r.returncode == 0, f"safecorpus {' '.join(args)} failed:\n{r.stdout}\n{r.stderr}"
    return r


def model_test(folder: Path, answer: Callable[[BankItem], str], seed: str = "1") -> tuple[Path, Path]:
    """Answer every drawn question with ``answer(item)`` and run `modeltest assess`; returns (json, store)."""
    items = read_bank(*packaged_banks().values())
    plans = planned_draws(items, load_profile(), seed)
    store = AnswerStore(folder / "answers.jsonl")
    done = set()
    for drawn in plans.values():
        for it in drawn:
            if it.id not in done:
                done.add(it.id)
                store.append(Answer(item_id=it.id, status="ok", model="m", answer=answer(it), bank=it.bank))
    store.close()
    out = folder / "modeltest.json"
    cli("modeltest", "assess", "--store", str(store.path), "--seed", seed, "--json", str(out), cwd=folder)
    return out, store.path


def chromium(html: Path, out_dir: Path, name: str) -> tuple[str, Path, Path]:
    """Open ``html`` in Debian's headless Chromium with no network at all (a new, empty network
    namespace): returns (the DOM after load, a PDF print of what a reader sees, a screenshot)."""
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ]
    base = ["unshare", "-n", "/usr/bin/chromium", *flags]
    url = html.resolve().as_uri()
    runs = {
        "dom": ["--dump-dom"],
        "pdf": [f"--print-to-pdf={out_dir / (name + '.print.pdf')}", "--no-pdf-header-footer"],
        "png": [f"--screenshot={out_dir / (name + '.png')}", "--window-size=1200,1800"],
    }
    dom = ""
    for kind, extra in runs.items():
        profile = out_dir / f"chromium-profile-{name}-{kind}"
        r = subprocess.run(
            [*base, f"--user-data-dir={profile}", *extra, url], capture_output=True, text=True, timeout=180
        )
        assert r.returncode == 0, r.stderr[-2000:]
        if kind == "dom":
            dom = r.stdout
    return dom, out_dir / f"{name}.print.pdf", out_dir / f"{name}.png"


def pdf_text(path: Path) -> str:
    r = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout
