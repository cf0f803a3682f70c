"""The whole flow against a real local HTTP server: banks → run → assess, with faults."""

from __future__ import annotations

import csv

import orjson
from _modeltest_helpers import item
from click.testing import CliRunner

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
    assert draws["generated/classifier"]["verdict"] == "not assessed"
    assert "should_refuse" in res.output and "95% CI" in res.output


def test_cli_bank_stats_json(tmp_path):
    out = tmp_path / "stats.json"
    res = CliRunner().invoke(cli, ["bank", "stats", "--as-of", "2026-11-28", "--json", str(out)])
    assert res.exit_code == 0, res.output
    doc = orjson.loads(out.read_bytes())
    banks = {b["bank"]: b for b in doc["banks"]}
    assert banks["should_not_refuse"]["ok"]
    assert any(s["category"] == "A.1.1" for s in banks["generated"]["shortfalls"])
