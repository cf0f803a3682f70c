"""`assess --sequential` on the demo corpus: clear sources stop early, verdicts and evidence hold."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from safecorpus.assess.runner import AssessConfig, run_assessment
from safecorpus.taxonomy.profile import load_profile

from ..conftest import REPO

DEMO = REPO / "examples" / "demo-corpus"
BIN = Path(sys.executable).parent / "safecorpus"


@pytest.fixture(scope="module")
def summaries(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    store = tmp_path_factory.mktemp("store")
    profile = load_profile()
    fixed = run_assessment(AssessConfig(corpus=DEMO, profile=profile, store_dir=store))
    seq = run_assessment(AssessConfig(corpus=DEMO, profile=profile, store_dir=store, sequential=True))
    return fixed, seq


def test_sequential_design_is_named_in_the_summary(summaries: tuple[dict, dict]) -> None:
    fixed, seq = summaries
    assert fixed["sampling"]["per_source_design"] == "fixed" and fixed["sampling"]["sequential"] is None
    design = seq["sampling"]["sequential"]
    assert seq["sampling"]["per_source_design"] == "sequential"
    assert (design["p0"], design["p1"], design["alpha"], design["beta"]) == (0.03, 0.07, 0.05, 0.05)
    assert design["error_at_p0"] <= 0.05 and design["error_at_p1"] <= 0.05
    assert seq["sampling"]["per_source_sample_size"] == design["max_items"]
    json.dumps(seq)


def test_clear_sources_stop_early_with_the_same_verdicts(summaries: tuple[dict, dict]) -> None:
    fixed, seq = summaries
    by_name = {s["name"]: s for s in seq["sources"]}
    for source in fixed["sources"]:
        got = by_name[source["name"]]
        if source["verdict"] in ("pass", "blacklist") and not source["census"]:
            assert got["verdict"] == source["verdict"], source["name"]
            assert got["sampled"] < source["sampled"], source["name"]
            assert got["sequential"]["stopped_by"].endswith("-boundary")
    assert by_name["forum-dump"]["verdict"] == "blacklist"
    assert by_name["forum-dump"]["sampled"] < 50
    assert sum(s["sampled"] for s in seq["sources"]) < 0.5 * sum(s["sampled"] for s in fixed["sources"])


def test_intervals_and_evidence_rest_on_the_items_used(summaries: tuple[dict, dict]) -> None:
    _, seq = summaries
    for source in seq["sources"]:
        info = source["sequential"]
        assert info["items_used"] == source["sampled"] <= info["items_available"]
        assert source["ci_low"] <= source["rate"] <= source["ci_high"]
        lines = Path(source["sampled_ids_file"]).read_text("utf-8").splitlines()
        rows = [line.split("\t") for line in lines[2:]]
        assert len(rows) == source["sampled"]
        assert sum(int(r[2]) for r in rows) == source["violations"]
        hashes = [int(r[0], 16) for r in rows]
        assert hashes == sorted(hashes), "items are judged in hash-rank order"


def test_a_cap_below_the_design_leaves_close_sources_inconclusive(tmp_path: Path) -> None:
    config = AssessConfig(
        corpus=DEMO, profile=load_profile(), store_dir=tmp_path, sequential=True, sample_size=20
    )
    summary = run_assessment(config)
    by_name = {s["name"]: s for s in summary["sources"]}
    assert by_name["news-portal.example.cn"]["verdict"] == "inconclusive"
    assert by_name["news-portal.example.cn"]["sequential"]["stopped_by"] == "cut-short"
    assert all(s["sampled"] <= 20 for s in summary["sources"])


def test_cli_sequential_flag_and_profile_switch(tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "200"}
    out = tmp_path / "seq.json"
    (tmp_path / "safecorpus.toml").write_text("[profile.source.sequential]\nenabled = true\n", "utf-8")
    proc = subprocess.run(
        [str(BIN), "assess", str(DEMO), "--no-progress", "--json", str(out), "--store-dir", "store"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Sequential design" in proc.stdout and "early stop" in proc.stdout
    assert json.loads(out.read_text())["sampling"]["per_source_design"] == "sequential"
    proc = subprocess.run(
        [str(BIN), "assess", str(DEMO), "--fixed", "--no-progress", "--store-dir", "store"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Sequential design" not in proc.stdout
