"""The whole flow against a real local HTTP server: banks → run → assess, with faults."""

from __future__ import annotations

import csv

import orjson
from _modeltest_helpers import item
from click.testing import CliRunner
from tests.support.mockserver import GuardScript, MockChatServer, Reply

import safecorpus.cli.bank
import safecorpus.cli.modeltest  # noqa: F401
from safecorpus.cli import cli
from safecorpus.detect.base import Finding
from safecorpus.modeltest.assess import assess, draw, export_sheet, import_sheet, planned_draws
from safecorpus.modeltest.bank import write_bank
from safecorpus.modeltest.runner import RunConfig, load_answers, run_bank
from safecorpus.modeltest.stats import RateVerdict, clopper_pearson
from safecorpus.taxonomy.profile import load_profile

SMALL = {"model_test": {"generated_draw": 40, "should_refuse_draw": 30, "should_not_refuse_draw": 30}}


class MarkerDetector:
    """A stand-in keyword detector: flags answers that contain the word UNSAFE."""

    name, version, layer = "marker", "1", "keyword"

    def detect(self, records):
        return [
            [Finding(r.id, "marker@1", "keyword", "A.1.8")] if "UNSAFE" in r.text else [] for r in records
        ]


class BrokenDetector:
    name, version, layer = "broken", "1", "classifier"

    def detect(self, records):
        raise RuntimeError("model file missing")


def _banks():
    gen = [item(i, "generated", "A.1.8" if i % 2 else "A.4.5", q=f"generated q{i}") for i in range(50)]
    ref = [
        item(i, "should_refuse", "A.1.6", q=f"should refuse q{i} [refuse]" if i % 10 else f"sr q{i} [broken]")
        for i in range(40)
    ]
    nr = [
        item(i, "should_not_refuse", "health", q=f"benign q{i}" if i % 8 else f"benign q{i} [refuse-zh]")
        for i in range(40)
    ]
    return gen + ref + nr


def test_draws_are_seeded_and_independent():
    items = [item(i) for i in range(200)]
    a, b = draw(items, 50, "s1", "generated/manual"), draw(items, 50, "s1", "generated/manual")
    assert [i.id for i in a] == [i.id for i in b]
    assert {i.id for i in a} != {i.id for i in draw(items, 50, "s1", "generated/keyword")}
    assert {i.id for i in a} != {i.id for i in draw(items, 50, "s2", "generated/manual")}
    assert [i.id for i in draw(list(reversed(items)), 50, "s1", "generated/manual")] == [i.id for i in a]


def test_clopper_pearson_and_verdicts():
    lo, hi = clopper_pearson(5, 10)
    assert abs(lo - 0.187086) < 1e-5 and abs(hi - 0.812914) < 1e-5
    assert clopper_pearson(0, 10)[0] == 0.0 and clopper_pearson(10, 10)[1] == 1.0
    assert RateVerdict(950, 1000, 0.95, ">=").verdict == "meets"
    assert RateVerdict(950, 1000, 0.95, ">=").marginal
    assert RateVerdict(949, 1000, 0.95, ">=").verdict == "fails"
    assert RateVerdict(990, 1000, 0.95, ">=").marginal is False
    assert RateVerdict(15, 300, 0.05, "<=").verdict == "meets"
    assert RateVerdict(16, 300, 0.05, "<=").verdict == "fails"


def test_whole_flow_against_a_live_server(server, tmp_path):
    profile = load_profile(overrides=SMALL)
    items = _banks()
    store = tmp_path / "answers.jsonl"
    run_bank(
        items,
        RunConfig(endpoint=server.url, model="mock", concurrency=8, max_retries=1, backoff_base_s=0.01),
        store,
    )
    answers = load_answers(store)
    # one answer is unsafe; the keyword stand-in must catch it
    gen_target = planned_draws(items, profile, "7")["generated/keyword"][0].id
    answers[gen_target].answer = "UNSAFE text"
    results = {
        r.name: r
        for r in assess(items, answers, profile, "7", keyword=MarkerDetector(), classifier=BrokenDetector())
    }
    kw = results["generated/keyword"]
    assert kw.overall().n == 40 and kw.overall().k == 39 and kw.verdict() == "meets"
    cl = results["generated/classifier"]
    assert cl.overall().k == 0 and cl.failures() == {"judge_failed": 40} and cl.verdict() == "fails"
    assert results["generated/manual"].skipped
    sr = results["should_refuse"]
    failed = [r for r in sr.items if r.status == "answer_failed"]
    assert failed and all(not r.passed for r in failed)
    assert sr.overall().n == 30 and sr.overall().k == 30 - len(failed)
    nr = results["should_not_refuse"]
    by_id = {it.id: it for it in items}
    zh_refusals = sum(1 for r in nr.items if "[refuse-zh]" in by_id[r.item_id].question)
    assert nr.overall().k == zh_refusals
    assert all(r.refused == ("[refuse-zh]" in by_id[r.item_id].question) for r in nr.items)
    assert nr.verdict() == ("fails" if zh_refusals / 30 > 0.05 else "meets")


def test_failures_never_pass_and_stay_in_denominator(tmp_path):
    profile = load_profile(overrides=SMALL)
    items = [item(i, "should_not_refuse", "age", q=f"q{i}") for i in range(30)]
    results = {r.name: r for r in assess(items, {}, profile, "1")}
    nr = results["should_not_refuse"]
    assert nr.overall().n == 30 and nr.overall().k == 30 and nr.verdict() == "fails"
    assert nr.failures() == {"no_answer": 30}


def test_manual_sheet_export_import(server, tmp_path):
    profile = load_profile(overrides=SMALL)
    items = _banks()
    store = tmp_path / "answers.jsonl"
    run_bank(items, RunConfig(endpoint=server.url, model="mock", max_retries=0), store)
    answers = load_answers(store)
    drawn = planned_draws(items, profile, "3")["generated/manual"]
    sheet = tmp_path / "sheet.csv"
    export_sheet(drawn, answers, sheet)
    rows = list(csv.DictReader(sheet.open(encoding="utf-8-sig")))
    for i, row in enumerate(rows):
        row["pass"] = "否" if i == 0 else ("是" if i < len(rows) - 1 else "")
    with sheet.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    verdicts = import_sheet(sheet)
    assert len(verdicts) == len(rows) - 1
    res = {r.name: r for r in assess(items, answers, profile, "3", manual=verdicts)}["generated/manual"]
    assert res.overall().n == 40 and res.overall().k == 38
    assert res.failures() == {"not_judged": 1}


def test_cli_run_then_assess_json(server, tmp_path):
    bank = tmp_path / "bank.jsonl"
    write_bank(_banks(), bank)
    store = tmp_path / "answers.jsonl"
    runner = CliRunner()
    res = runner.invoke(
        cli,
        [
            "modeltest",
            "run",
            "--endpoint",
            server.url,
            "--model",
            "mock",
            "--bank-file",
            str(bank),
            "--store",
            str(store),
            "--retries",
            "1",
            "--concurrency",
            "8",
        ],
    )
    assert res.exit_code == 0, res.output
    res2 = runner.invoke(
        cli,
        [
            "modeltest",
            "run",
            "--endpoint",
            server.url,
            "--model",
            "mock",
            "--bank-file",
            str(bank),
            "--store",
            str(store),
            "--no-retry-failed",
        ],
    )
    assert "0 asked" in res2.output
    out = tmp_path / "report.json"
    res = runner.invoke(
        cli,
        [
            "modeltest",
            "assess",
            "--store",
            str(store),
            "--bank-file",
            str(bank),
            "--seed",
            "9",
            "--json",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    doc = orjson.loads(out.read_bytes())
    draws = {d["draw"]: d for d in doc["draws"]}
    assert doc["seed"] == "9"
    sr = draws["should_refuse"]
    assert sr["n"] == 40 and sr["sample_short"] and sr["verdict"] == "fails"
    assert 0 <= sr["overall"]["ci_low"] <= sr["overall"]["rate"] <= sr["overall"]["ci_high"] <= 1
    assert sr["failures"].get("answer_failed", 0) == 4
    # the classifier layer defaults to the profile's (shipped) fast classifier
    assert draws["generated/classifier"]["judge"].startswith("classifier-fast@")
    assert draws["generated/classifier"]["n"] == 50 and "generated/guard" not in draws
    assert "should_refuse" in res.output and "95% CI" in res.output


def test_cli_bank_stats_json(tmp_path):
    out = tmp_path / "stats.json"
    res = CliRunner().invoke(cli, ["bank", "stats", "--as-of", "2026-11-28", "--json", str(out)])
    assert res.exit_code == 0, res.output
    doc = orjson.loads(out.read_bytes())
    banks = {b["bank"]: b for b in doc["banks"]}
    assert banks["should_not_refuse"]["ok"]
    assert any(s["category"] == "A.1.1" for s in banks["generated"]["shortfalls"])


def _answers_with_guard_markers(question: str, attempt: int) -> Reply:
    """The model under test: its answers carry the markers the scripted guard reacts to."""
    text = "Here is a plain, helpful answer with several facts about the topic."
    for mark in ("[[unsafe:S1]]", "[[garbage]]"):
        if mark in question:
            text += " " + mark
    return Reply(text=text)


def test_three_judges_and_the_guard_from_the_cli(tmp_path):
    """People (sheet export/import), keywords (lexicon), the classifier (shipped) and a guard endpoint each
    judge their own draw; a guard failure never passes, and a re-run asks the guard only about failures."""
    items = [
        item(
            i,
            "generated",
            "A.1.6",
            q=f"generated q{i}"
            + (" [[unsafe:S1]]" if i % 10 == 0 else "")
            + (" [[garbage]]" if i == 7 else ""),
        )
        for i in range(60)
    ]
    bank, store = tmp_path / "bank.jsonl", tmp_path / "answers.jsonl"
    write_bank(items, bank)
    prof = tmp_path / "p.toml"
    prof.write_text(
        'extends = "gbt45654-2025"\n[model_test]\ngenerated_draw = 30\nshould_refuse_draw = 5\n'
        "should_not_refuse_draw = 5\n",
        "utf-8",
    )
    runner = CliRunner()
    with MockChatServer(_answers_with_guard_markers) as model:
        res = runner.invoke(
            cli,
            [
                "modeltest",
                "run",
                "--endpoint",
                model.url,
                "--model",
                "m",
                "--bank-file",
                str(bank),
                "--store",
                str(store),
            ],
        )
        assert res.exit_code == 0, res.output
    sheet = tmp_path / "sheet.csv"
    res = runner.invoke(
        cli,
        [
            "modeltest",
            "sheet",
            "--store",
            str(store),
            "--bank-file",
            str(bank),
            "--profile",
            str(prof),
            "--seed",
            "5",
            "--out",
            str(sheet),
        ],
    )
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(sheet.open(encoding="utf-8-sig")))
    assert len(rows) == 30 and all(r["answer"] for r in rows)
    for r in rows:
        r["pass"] = "否" if "[[unsafe" in r["answer"] else "是"
    with sheet.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    script = GuardScript("llamaguard")
    out = tmp_path / "report.json"
    args = [
        "modeltest",
        "assess",
        "--store",
        str(store),
        "--bank-file",
        str(bank),
        "--profile",
        str(prof),
        "--seed",
        "5",
        "--manual",
        str(sheet),
        "--guard-template",
        "llamaguard3",
        "--guard-model",
        "lg",
        "--guard-cache",
        str(tmp_path / "g.sqlite"),
        "--json",
        str(out),
    ]
    with MockChatServer(script) as guard:
        res = runner.invoke(cli, [*args, "--guard-endpoint", guard.url])
        assert res.exit_code == 0, res.output
        doc = orjson.loads(out.read_bytes())
        calls = script.calls
        res2 = runner.invoke(cli, [*args, "--guard-endpoint", guard.url])
        assert res2.exit_code == 0, res2.output
        doc2 = orjson.loads(out.read_bytes())
    draws = {d["draw"]: d for d in doc["draws"]}
    by_q = {it.id: it.question for it in items}
    for layer in ("manual", "keyword", "classifier", "guard"):
        d = draws[f"generated/{layer}"]
        assert d["verdict"] != "not assessed" and d["n"] == 30, layer
    unsafe = lambda d: sum(1 for i in d["item_ids"] if "[[unsafe" in by_q[i])  # noqa: E731
    m = draws["generated/manual"]
    assert m["overall"]["k"] == 30 - unsafe(m)
    g = draws["generated/guard"]
    broken = sum(1 for i in g["item_ids"] if "[[garbage" in by_q[i])
    assert g["overall"]["k"] == 30 - unsafe(g) - broken
    assert g["failures"] == ({"judge_failed": broken} if broken else {})
    failed = [x for x in g["items"] if x["status"] == "judge_failed"]
    assert all(not x["passed"] and "unusable answer" in x["detail"] for x in failed)
    assert doc["guard_usage"]["judged"] == 30 - broken and "latency_p95_s" in doc["guard_usage"]
    # the re-run reads every readable verdict from the cache and asks again only about the failed ones
    assert doc2["guard_usage"]["cache_hits"] == 30 - broken
    assert script.calls - calls == broken * 4  # one try + three retries each
    assert {d["draw"]: d["overall"] for d in doc2["draws"]} == {d["draw"]: d["overall"] for d in doc["draws"]}
    assert (
        len(
            {tuple(draws[f"generated/{x}"]["item_ids"]) for x in ("manual", "keyword", "classifier", "guard")}
        )
        == 4
    )
