"""A real local Ray cluster (a head node and a worker node on 127.0.0.1) gives the local executor's bytes."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from safecorpus.pipeline import FilterConfig, run_filter
from safecorpus.taxonomy.profile import load_profile
from tests.pipeline.corpus import write_corpus

pytest.importorskip("ray")
RAY = shutil.which("ray", path=str(Path(os.sys.executable).parent)) or shutil.which("ray")
OBJECT_STORE = str(100 * 1024 * 1024)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _started(proc: subprocess.Popen, log: Path, text: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return
        if proc.poll() is not None:
            raise RuntimeError(f"ray start exited: {log.read_text()[-2000:]}")
        time.sleep(0.5)
    raise RuntimeError(f"ray did not start in {timeout}s: {log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def ray_cluster():
    if RAY is None:
        pytest.skip("the ray command is not installed")
    tmp = Path(tempfile.mkdtemp(prefix="scray", dir="/tmp"))
    port = _free_port()
    # a private $HOME: a token another Ray left in ~/.ray/auth_token must not apply to this cluster
    (tmp / "home").mkdir()
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "HOME": str(tmp / "home")}
    common = ["--num-cpus", "1", "--object-store-memory", OBJECT_STORE, "--block", "--disable-usage-stats"]
    procs = []
    try:
        head_log = tmp / "head.log"
        head = subprocess.Popen(
            [RAY, "start", "--head", "--node-ip-address", "127.0.0.1", "--port", str(port),
             "--include-dashboard", "false", "--temp-dir", str(tmp), *common],
            stdout=head_log.open("w"), stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )  # fmt: skip
        procs.append(head)
        _started(head, head_log, "Ray runtime started")
        worker_log = tmp / "worker.log"
        worker = subprocess.Popen(
            [RAY, "start", "--address", f"127.0.0.1:{port}", "--node-ip-address", "127.0.0.1", *common],
            stdout=worker_log.open("w"), stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )  # fmt: skip
        procs.append(worker)
        _started(worker, worker_log, "Ray runtime started")
        yield f"127.0.0.1:{port}"
    finally:
        for proc in reversed(procs):  # --block: stopping the `ray start` process stops its node
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.mark.slow
def test_ray_cluster_output_is_identical_to_local(tmp_path, tiny_lexicon_path, ray_cluster):
    import ray

    corpus = write_corpus(tmp_path / "in", files=4, per_file=600)
    common = dict(
        profile=load_profile(), lexicon=str(tiny_lexicon_path), pii=False, shard_size=250, dedup="near"
    )
    local = run_filter(FilterConfig(str(corpus), str(tmp_path / "local"), **common))  # type: ignore[arg-type]
    ray.init(address=ray_cluster, log_to_driver=False)
    try:
        assert len([n for n in ray.nodes() if n["Alive"]]) == 2
        remote = run_filter(
            FilterConfig(str(corpus), str(tmp_path / "ray"), executor="ray", address=ray_cluster, **common)  # type: ignore[arg-type]
        )
    finally:
        ray.shutdown()
    assert remote["records"] == local["records"]
    for sub in ("data", "ledger", "findings"):
        a = {p.name: p.read_bytes() for p in (tmp_path / "local" / sub).iterdir()}
        b = {p.name: p.read_bytes() for p in (tmp_path / "ray" / sub).iterdir()}
        assert a == b and a


@pytest.mark.slow
def test_ray_applies_the_consent_ledger(tmp_path, tiny_lexicon_path, ray_cluster):
    """The compact consent lookup travels in the job spec to Ray workers: same bytes as local."""
    import json

    import ray

    from safecorpus.consent.ledger import ConsentLedger
    from safecorpus.consent.records import Consent

    src = tmp_path / "in" / "chat.jsonl"
    src.parent.mkdir()
    rows = [
        {"id": f"r{i}", "user_id": f"u{i % 4}", "text": f"第{i}条：请打13912345678找我"} for i in range(40)
    ]
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    granted, withdrawn = dt.datetime(2024, 1, 1, tzinfo=dt.UTC), dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    ledger = ConsentLedger(
        [
            Consent("u0", "consent", "training", "v1", granted_at=granted),
            Consent("u1", "consent", "training", "v1", granted_at=granted, withdrawn_at=withdrawn),
        ]
    )
    common = dict(profile=load_profile(), lexicon=str(tiny_lexicon_path), shard_size=7, consent=ledger)
    local = run_filter(FilterConfig(str(src.parent), str(tmp_path / "local"), **common))  # type: ignore[arg-type]
    ray.init(address=ray_cluster, log_to_driver=False)
    try:
        remote = run_filter(
            FilterConfig(
                str(src.parent), str(tmp_path / "ray"), executor="ray", address=ray_cluster, **common
            )  # type: ignore[arg-type]
        )
    finally:
        ray.shutdown()
    assert remote["records"] == local["records"]
    assert local["records"]["removed_reasons"] == {"consent_withdrawn": 10}
    assert local["records"]["consent_verdicts"] == {
        "consent_withdrawn": 10,
        "pi_needs_consent": 20,
        "pi_with_basis": 10,
    }
    for sub in ("data", "ledger"):
        a = {p.name: p.read_bytes() for p in (tmp_path / "local" / sub).iterdir()}
        b = {p.name: p.read_bytes() for p in (tmp_path / "ray" / sub).iterdir()}
        assert a == b and a
    kept = [json.loads(x) for p in (tmp_path / "ray" / "data").iterdir() for x in p.read_text().splitlines()]
    assert len(kept) == 30 and not any(r["user_id"] == "u1" for r in kept)
