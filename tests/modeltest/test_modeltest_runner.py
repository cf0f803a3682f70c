from __future__ import annotations

import asyncio
import contextlib
import time

import orjson
from _modeltest_helpers import ANSWER, REFUSAL, item
from tests.support.mockserver import MockChatServer, Reply

from safecorpus.modeltest.runner import AnswerStore, RunConfig, Runner, run_bank


def _cfg(server, **kw):
    base = dict(
        endpoint=server.url, model="mock", concurrency=8, timeout_s=2.0, max_retries=3, backoff_base_s=0.01
    )
    base.update(kw)
    return RunConfig(**base)


def test_answers_refusals_and_token_counts_are_stored(server, tmp_path):
    items = [item(0, q="plain [refuse]"), item(1, q="plain question")]
    store = tmp_path / "a.jsonl"
    counts = run_bank(items, _cfg(server), store)
    assert counts == {"asked": 2, "ok": 2, "failed": 0, "skipped": 0}
    answers = AnswerStore(store).answers
    assert answers[items[0].id].answer == REFUSAL
    a = answers[items[1].id]
    assert a.answer == ANSWER and a.completion_tokens == len(ANSWER) and a.prompt_tokens > 0
    assert a.latency_s is not None and a.raw["choices"][0]["message"]["content"] == ANSWER


def test_faults_end_as_retried_answers_or_failures_with_reasons(server, tmp_path):
    items = [
        item(0, q="a [flaky] one"),  # 500 twice, then answers
        item(1, q="a [broken] one"),  # 503 every time
        item(2, q="a [badjson] one"),  # malformed JSON every time
        item(3, q="a [drop] one"),  # connection dropped once
        item(4, q="a [forbidden] one"),  # 403: not retried
        item(5, q="a [slow] one"),  # slower than the timeout
    ]
    store = tmp_path / "a.jsonl"
    run_bank(items, _cfg(server, timeout_s=0.2, max_retries=2), store)
    ans = AnswerStore(store).answers
    flaky, broken, bad, drop, forbidden, slow = (ans[i.id] for i in items)
    assert flaky.ok and flaky.attempts == 3 and flaky.answer == ANSWER
    assert drop.ok and drop.attempts == 2
    assert not broken.ok and "HTTP 503" in broken.error and broken.attempts == 3 and broken.answer is None
    assert not bad.ok and "malformed JSON" in bad.error
    assert not forbidden.ok and forbidden.attempts == 1 and "HTTP 403" in forbidden.error
    assert not slow.ok and "timed out" in slow.error
    assert server.requests["a [forbidden] one"] == 1


def test_killed_run_restarted_reasks_nothing_answered(tmp_path):
    items = [item(i, q=f"question number {i}") for i in range(60)]
    store = tmp_path / "a.jsonl"
    with MockChatServer(lambda q, a: Reply(text="fine", delay=0.05)) as srv:
        cfg = RunConfig(endpoint=srv.url, model="mock", concurrency=4, timeout_s=5)

        async def killed() -> None:
            runner = Runner(cfg, AnswerStore(store))
            task = asyncio.create_task(runner.run(items))
            while len(runner.store.answers) < 20:
                await asyncio.sleep(0.01)
            task.cancel()  # the process is killed part-way: questions in flight are lost
            with contextlib.suppress(asyncio.CancelledError):
                await task
            runner.store.close()

        asyncio.run(killed())
        with store.open("ab") as fh:  # a torn last line, as a kill mid-write leaves
            fh.write(b'{"item_id": "gener')
        first = dict(srv.requests)
        done_before = AnswerStore(store).answered()
        assert 20 <= len(done_before) < 60
        counts = run_bank(items, cfg, store)
        assert counts["skipped"] == len(done_before)
        for it in items:
            if it.id in done_before:
                assert srv.requests[it.question] == first[it.question] == 1, it.id
        assert AnswerStore(store).answered() == {it.id for it in items}
        # a third run asks nothing at all
        total = sum(srv.requests.values())
        assert run_bank(items, cfg, store)["asked"] == 0
        assert sum(srv.requests.values()) == total
    lines = store.read_bytes().splitlines()
    assert sum(1 for ln in lines if ln.startswith(b'{"item_id": "gener') and not ln.endswith(b"}")) == 1
    assert all(orjson.loads(ln)["status"] == "ok" for ln in lines if ln.endswith(b"}"))


def test_failed_items_are_reasked_on_restart_unless_told_not_to(tmp_path):
    calls = {"n": 0}

    def script(q, attempt):
        calls["n"] += 1
        return Reply(status=500) if attempt < 2 else Reply(text="now fine")

    items = [item(0, q="eventually fine")]
    store = tmp_path / "a.jsonl"
    with MockChatServer(script) as srv:
        cfg = RunConfig(endpoint=srv.url, model="m", max_retries=0, backoff_base_s=0.01)
        run_bank(items, cfg, store)
        assert not AnswerStore(store).answers[items[0].id].ok
        cfg.retry_failed = False
        assert run_bank(items, cfg, store)["asked"] == 0
        cfg.retry_failed = True
        run_bank(items, cfg, store)
        run_bank(items, cfg, store)
        assert AnswerStore(store).answers[items[0].id].answer == "now fine"


def test_rate_limit_spaces_requests(tmp_path):
    items = [item(i, q=f"q{i}") for i in range(10)]
    with MockChatServer(lambda q, a: Reply(text="ok")) as srv:
        t0 = time.perf_counter()
        run_bank(
            items,
            RunConfig(endpoint=srv.url, model="m", concurrency=10, requests_per_second=20),
            tmp_path / "a.jsonl",
        )
        assert time.perf_counter() - t0 >= 9 / 20 - 0.02


def test_api_key_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MY_TEST_KEY", "secret-value")
    with MockChatServer(lambda q, a: Reply(text="ok")) as srv:
        cfg = RunConfig(endpoint=srv.url, model="m", api_key_env="MY_TEST_KEY")
        run_bank([item(0, q="q0")], cfg, tmp_path / "a.jsonl")
        assert srv.last_headers["authorization"] == "Bearer secret-value"


def test_requests_really_run_concurrently(tmp_path):
    """320 answers of 200 ms at concurrency 32 need 2 s when concurrent and 64 s when serial; the timing
    figure itself (1,000 questions, < 8.2 s) is measured by benchmarks/modeltest_throughput.py."""
    items = [item(i, q=f"throughput question {i}") for i in range(320)]
    with MockChatServer(lambda q, a: Reply(text="fine", delay=0.2)) as srv:
        t0 = time.perf_counter()
        counts = run_bank(items, RunConfig(endpoint=srv.url, model="m", concurrency=32), tmp_path / "a.jsonl")
        wall = time.perf_counter() - t0
    assert counts["ok"] == 320
    assert wall < 20.0, wall


def test_sigkilled_cli_run_restarted_reasks_nothing_answered(tmp_path):
    """The real console command, killed with SIGKILL part-way, then started again."""
    import os
    import signal
    import subprocess
    import sys

    from safecorpus.modeltest.bank import write_bank

    items = [item(i, q=f"kill test question {i}") for i in range(80)]
    bank, store = tmp_path / "bank.jsonl", tmp_path / "answers.jsonl"
    write_bank(items, bank)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    with MockChatServer(lambda q, a: Reply(text="fine", delay=0.1)) as srv:
        cmd = [
            sys.executable,
            "-c",
            "from safecorpus.cli import main; main()",
            "modeltest",
            "run",
            "--endpoint",
            srv.url,
            "--model",
            "mock",
            "--bank-file",
            str(bank),
            "--store",
            str(store),
            "--concurrency",
            "2",
        ]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if store.exists() and store.read_bytes().count(b"\n") >= 20:
                break
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        done_before = AnswerStore(store).answered()
        assert 20 <= len(done_before) < 80
        asked_before = dict(srv.requests)
        res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
        assert f"{len(done_before)} already answered" in res.stdout
        for it in items:
            if it.id in done_before:
                assert srv.requests[it.question] == asked_before[it.question] == 1, it.id
        assert AnswerStore(store).answered() == {it.id for it in items}
