"""A run killed part-way (SIGKILL) and started again finishes with byte-identical output."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.pipeline.corpus import write_corpus


def _cmd(corpus: Path, out: Path, lexicon: Path, workers: int) -> list[str]:
    return [
        sys.executable, "-c", "from safecorpus.cli import main; main()", "filter", str(corpus), str(out),
        "--no-assessment", "--no-pii", "--lexicon", str(lexicon), "--shard-size", "20",
        "--workers", str(workers),
        "--dedup", "near", "--format", "jsonl.zst", "--no-progress", "--store-dir", str(out.parent / "store"),
    ]  # fmt: skip


def _snapshot(out: Path) -> dict[str, bytes]:
    files = {}
    for sub in ("data", "ledger", "findings"):
        for p in sorted((out / sub).iterdir()):
            files[f"{sub}/{p.name}"] = p.read_bytes()
    manifest = json.loads((out / "manifest.json").read_text())
    for key in ("started_at", "finished_at"):
        manifest.pop(key)
    files["manifest"] = json.dumps(manifest, sort_keys=True).encode()
    return files


@pytest.mark.slow
@pytest.mark.parametrize(("workers", "kill_after"), [(1, 1), (1, 4), (2, 2)])
def test_killed_run_resumes_to_identical_output(tmp_path, tiny_lexicon_path, workers, kill_after):
    corpus = write_corpus(tmp_path / "in", files=4, per_file=70)
    ref = tmp_path / "ref"
    subprocess.run(_cmd(corpus, ref, tiny_lexicon_path, 1), check=True, capture_output=True)
    out = tmp_path / "out"
    proc = subprocess.Popen(_cmd(corpus, out, tiny_lexicon_path, workers), start_new_session=True)
    deadline = time.monotonic() + 60
    state = out / "_state"
    while time.monotonic() < deadline and proc.poll() is None:
        done = len(list(state.glob("*.done.json"))) if state.exists() else 0
        if done >= kill_after:
            break
        time.sleep(0.005)
    killed = proc.poll() is None
    if killed:
        os.killpg(proc.pid, signal.SIGKILL)  # the run and its pool workers
    proc.wait()
    assert killed, "the run finished before it could be killed; make the corpus larger"
    assert not (out / "manifest.json").exists()
    subprocess.run(_cmd(corpus, out, tiny_lexicon_path, workers), check=True, capture_output=True)
    assert _snapshot(out) == _snapshot(ref)
    assert not [p for p in out.rglob(".*tmp-*")]
