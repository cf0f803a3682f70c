"""The guard judge against a real local HTTP server scripted to answer like each guard model, to be slow,
to fail and to return unreadable text: every item ends judged or failed with a reason, never silently safe."""

from __future__ import annotations

import pytest

from safecorpus.detect.guard.judge import GuardConfig, GuardItem, GuardJudge
from tests.support.mockserver import GuardScript, MockChatServer


def config(url: str, tmp_path, template: str, **kw) -> GuardConfig:
    base = {
        "endpoint": url,
        "model": "guard",
        "template": template,
        "cache_path": str(tmp_path / "cache.sqlite"),
        "timeout_s": 2.0,
        "max_retries": 2,
        "backoff_base_s": 0.01,
        "concurrency": 4,
    }
    return GuardConfig(**(base | kw))


@pytest.mark.parametrize(
    ("template", "fmt", "cat", "risks"),
    [
        ("qwen3guard", "qwen3guard", "Violent", ["A.1.6"]),
        ("llamaguard3", "llamaguard", "S8", ["A.3.1"]),
        ("llamaguard4", "llamaguard", "S5", ["A.4.3", "A.4.4"]),
        ("rubric", "rubric", "A.2.5", ["A.2.5"]),
    ],
)
def test_each_template_format_is_judged(tmp_path, template, fmt, cat, risks):
    with MockChatServer(GuardScript(fmt)) as srv:
        judge = GuardJudge(config(srv.url, tmp_path, template))
        res = judge.judge(
            [GuardItem("a", f"text [[unsafe:{cat}]]"), GuardItem("b", "plain text", "a question")]
        )
    assert res[0].status == "judged" and res[0].flagged and res[0].verdict.risks == risks
    assert res[1].status == "judged" and res[1].flagged is False


def test_faults_end_retried_or_failed_with_reasons(tmp_path):
    items = [
        GuardItem("ok", "fine"),
        GuardItem("flaky", "x [[error:2]]"),  # two 500s, then an answer: retried
        GuardItem("down", "x [[down]]"),  # 503 every time
        GuardItem("garbage", "x [[garbage]]"),  # unreadable every time
        GuardItem("garbage_once", "x [[garbage_once]] [[unsafe:S1]]"),  # unreadable, then a verdict
        GuardItem("slow", "x [[slow:3]]"),  # slower than the 2 s timeout
    ]
    with MockChatServer(GuardScript("llamaguard")) as srv:
        judge = GuardJudge(config(srv.url, tmp_path, "llamaguard3"))
        res = {r.id: r for r in judge.judge(items)}
    assert res["ok"].status == "judged" and res["ok"].flagged is False
    assert res["flaky"].status == "judged" and res["flaky"].attempts == 3
    assert res["garbage_once"].status == "judged" and res["garbage_once"].flagged
    for key, reason in (("down", "HTTP 503"), ("garbage", "unusable answer"), ("slow", "timed out")):
        assert res[key].status == "failed" and res[key].flagged is None, key
        assert reason in res[key].error and "after 3 attempts" in res[key].error
    s = judge.summary.to_dict()
    assert s["items"] == 6 and s["judged"] == 3 and s["failed"] == 3
    assert s["retries"] == 2 + 2 + 2 + 1 + 2 and s["requests"] == 6 + s["retries"]
    assert s["failure_reasons"] == {"HTTP 503": 1, "timed out": 1, "unusable answer": 1}
    assert (
        s["prompt_tokens"] > 0 and s["latency_p50_s"] is not None and s["latency_p95_s"] >= s["latency_p50_s"]
    )


def test_rerun_asks_nothing_already_judged_but_asks_failures_again(tmp_path):
    items = [
        GuardItem(str(i), f"text {i}" + (" [[unsafe:Violent]]" if i % 3 == 0 else "")) for i in range(12)
    ]
    items.append(GuardItem("bad", "x [[garbage]]"))
    script = GuardScript("qwen3guard")
    with MockChatServer(script) as srv:
        first = GuardJudge(config(srv.url, tmp_path, "qwen3guard", max_retries=0))
        r1 = first.judge(items)
        first.close()
        calls = script.calls
        second = GuardJudge(config(srv.url, tmp_path, "qwen3guard", max_retries=0))
        r2 = second.judge(items)
    assert script.calls - calls == 1  # only the failed item is asked again
    assert second.summary.cache_hits == 12 and second.summary.requests == 1
    assert [r.flagged for r in r1] == [r.flagged for r in r2]
    assert r2[-1].status == "failed"


def test_controversial_counts_as_unsafe_unless_configured(tmp_path):
    item = [GuardItem("c", "x [[controversial:Politically Sensitive Topics]]")]
    with MockChatServer(GuardScript("qwen3guard")) as srv:
        strict = GuardJudge(config(srv.url, tmp_path, "qwen3guard", cache_path=None)).judge(item)[0]
        lenient = GuardJudge(
            config(srv.url, tmp_path, "qwen3guard", cache_path=None, controversial="safe")
        ).judge(item)[0]
    assert strict.flagged is True and lenient.flagged is False
