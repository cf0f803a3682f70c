"""`safecorpus stats …` through the real console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent / "safecorpus"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [str(BIN), "stats", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120
    )


def test_correct_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "c.json"
    proc = run(
        "correct",
        "--flagged",
        "200",
        "--screened",
        "2000",
        "--tp",
        "80",
        "--fn",
        "20",
        "--fp",
        "10",
        "--tn",
        "190",
        "--json",
        str(out),
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())["corrected_prevalence"]
    assert abs(doc["rate"] - 0.05 / 0.75) < 1e-12 and doc["low"] <= doc["rate"] <= doc["high"]
    assert "corrected prevalence 6.7%" in proc.stdout


def test_correct_refuses_impossible_counts_without_traceback(tmp_path: Path) -> None:
    proc = run(
        "correct",
        "--flagged",
        "20",
        "--screened",
        "10",
        "--tp",
        "1",
        "--fn",
        "1",
        "--fp",
        "1",
        "--tn",
        "1",
        cwd=tmp_path,
    )
    assert proc.returncode == 2 and "cannot exceed" in proc.stderr and "Traceback" not in proc.stderr


def test_undefined_correction_says_why(tmp_path: Path) -> None:
    proc = run(
        "correct",
        "--flagged",
        "120",
        "--screened",
        "2000",
        "--tp",
        "5",
        "--fn",
        "5",
        "--fp",
        "10",
        "--tn",
        "10",
        cwd=tmp_path,
    )
    assert proc.returncode == 0 and "undefined" in proc.stdout and "≤ 1" in proc.stderr


def test_manual_sample_verdicts_and_gate(tmp_path: Path) -> None:
    proc = run("manual-sample", "--clean", "3900", "--total", "4000", "--fail-unless-meets", cwd=tmp_path)
    assert proc.returncode == 0 and "meets" in proc.stdout
    proc = run("manual-sample", "--clean", "1000", "--total", "1000", "--fail-unless-meets", cwd=tmp_path)
    assert proc.returncode == 3 and "incomplete" in proc.stdout and "3,000 more" in proc.stdout


def test_sequential_plan_table(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    proc = run("sequential-plan", "--rates", "0.01,0.05,0.1", "--json", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert doc["fixed"]["n"] == 309 and doc["design"]["max_items"] == 500
    assert [round(r["rate"], 3) for r in doc["operating_characteristics"]] == [0.01, 0.05, 0.1]
    assert "Matching fixed-size design: 309 items" in proc.stdout


def test_sequential_plan_band_options(tmp_path: Path) -> None:
    proc = run("sequential-plan", "--p0", "0.02", "--p1", "0.08", "--rates", "0.05", cwd=tmp_path)
    assert proc.returncode == 0 and "band 2.0%–8.0%" in proc.stdout
    proc = run("sequential-plan", "--p0", "0.06", cwd=tmp_path)
    assert proc.returncode == 2 and "band" in proc.stderr and "Traceback" not in proc.stderr


def test_sequential_check(tmp_path: Path) -> None:
    proc = run("sequential-check", "--items", "10", "--violations", "1", cwd=tmp_path)
    assert proc.returncode == 0 and "go on" in proc.stdout
    out = tmp_path / "r.json"
    proc = run("sequential-check", "--items", "72", "--violations", "0", "--json", str(out), cwd=tmp_path)
    assert proc.returncode == 0 and "stop: pass" in proc.stdout
    assert json.loads(out.read_text())["result"]["ci_high"] < 0.06
    proc = run("sequential-check", "--items", "200", "--violations", "0", cwd=tmp_path)
    assert proc.returncode == 2 and "stopped earlier" in proc.stderr
