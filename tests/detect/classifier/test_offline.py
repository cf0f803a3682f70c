"""Both shipped tiers classify with the network namespace cut (``unshare -n``): nothing is downloaded."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from safecorpus.detect.classifier.detector import packaged_model_dir
from safecorpus.detect.classifier.training import ASSESSMENT_FILE, FAST_FILE

SRC = Path(__file__).resolve().parents[3] / "src"

SCRIPT = """
import socket
from safecorpus.detect.classifier.detector import ClassifierDetector
from safecorpus.io.records import Record
from safecorpus.taxonomy.profile import load_profile

try:  # prove the namespace really has no network
    socket.create_connection(("1.1.1.1", 53), timeout=2)
    raise SystemExit("network reachable")
except OSError:
    pass
records = [Record(f"r{i}", t, "s", "f", i) for i, t in enumerate(["今天天气不错", "the meeting is at noon"])]
for tier in ("fast", "assessment"):
    found = ClassifierDetector.from_profile(load_profile(), tier).detect(records)
    assert len(found) == 2, found
    print(tier, "ok", sum(len(f) for f in found))
"""


@pytest.mark.skipif(shutil.which("unshare") is None or os.geteuid() != 0, reason="needs unshare as root")
@pytest.mark.skipif(
    not (packaged_model_dir() / FAST_FILE).exists() or not (packaged_model_dir() / ASSESSMENT_FILE).exists(),
    reason="no shipped classifier",
)
def test_both_tiers_run_without_network() -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC), "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        ["unshare", "-n", sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "fast ok" in done.stdout and "assessment ok" in done.stdout
