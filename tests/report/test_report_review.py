"""`safecorpus report` with review-store data: the manual sample, annotation governance (5.3) and the
corrected prevalence per source come from the review tables, each figure recomputed with our own SQL."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from safecorpus.assess.prevalence import corrected_prevalence
from safecorpus.registry.db import open_store
from safecorpus.report.build import build_report
from safecorpus.review.importers import manual_items, run_items
from safecorpus.review.models import Item
from safecorpus.review.queues import add_items, claim, submit_label, submit_review
from safecorpus.review.store import open_review_store
from tests.review.conftest import make_user

from ..conftest import REPO
from ._build import cli
from ._crosscheck import check_review
from .test_report_demo import Checker

DEMO = REPO / "examples" / "demo-corpus"
MANUAL = 60
MANUAL_REVIEWED = 40


def _violating(iid: int, flagged: bool) -> list[str]:
    """A fixed, uneven truth: most flagged items violate, a few unflagged ones are misses."""
    return ["A.1.6"] if (flagged and iid % 5 != 0) or (not flagged and iid % 11 == 0) else []


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("report-review")
    cli("assess", str(DEMO), "--no-progress", cwd=root)
    db = root / ".safecorpus" / "safecorpus.db"
    engine = open_review_store(f"sqlite:///{db}")
    here = os.getcwd()
    os.chdir(root)  # the run stores its evidence paths relative to where assess ran
    try:
        items, counts = run_items(engine)
    finally:
        os.chdir(here)
    assert counts["missing"] == 0
    add_items(engine, items, double_share=0)
    add_items(engine, manual_items(DEMO, size=MANUAL), double_share=0)
    ann, rita = make_user(engine, "ann", "annotator"), make_user(engine, "rita", "reviewer")
    with Session(engine) as s:
        flagged = {i.id: bool(i.flagged_layers) for i in s.query(Item)}
    for queue in ("source", "manual"):
        while (iid := claim(engine, ann, queue)) is not None:
            submit_label(engine, ann, iid, _violating(iid, flagged[iid]))
    done = 0
    while (iid := claim(engine, rita, "source", mode="review")) is not None:
        submit_review(engine, rita, iid, _violating(iid, flagged[iid]))
    while done < MANUAL_REVIEWED and (iid := claim(engine, rita, "manual", mode="review")) is not None:
        submit_review(engine, rita, iid, _violating(iid, flagged[iid]))
        done += 1
    engine.dispose()
    doc = build_report(open_store(f"sqlite:///{db}"), root / "out", lang="zh", pdf=False, attachments=False)
    return root, doc


def test_review_numbers_equal_the_store(reviewed: tuple[Path, dict]) -> None:
    root, _ = reviewed
    con = sqlite3.connect(root / ".safecorpus" / "safecorpus.db")
    c = Checker(json.loads((root / "out" / "report.json").read_text()))
    assert c.doc["review"]["present"] is True
    check_review(c, con)
    assert c.doc["review"]["manual_sample"]["total"] == MANUAL_REVIEWED
    assert c.doc["review"]["awaiting_review"] == MANUAL - MANUAL_REVIEWED
    q = lambda sql, *a: con.execute(sql, a).fetchall()  # noqa: E731
    run_id = q("SELECT id FROM runs ORDER BY started_at DESC LIMIT 1")[0][0]
    corrected_sources = 0
    for name, sampled, violations, census in q(
        "SELECT name, sampled, violations, census FROM source_results WHERE run_id=?", run_id
    ):
        cell = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
        for layers, final in q(
            "SELECT flagged_layers, final_risks FROM review_items WHERE queue='source' AND state='done' "
            "AND source=? AND run_id=?",
            name,
            run_id,
        ):
            bad = any(not r.startswith("A.5") for r in json.loads(final))
            cell[("t" if bad else "f") + "p" if json.loads(layers) else ("f" if bad else "t") + "n"] += 1
        row = next(s for s in c.doc["sources"] if s["name"] == name)
        if not sum(cell.values()):
            assert row["corrected"] is None
            continue
        corrected_sources += 1
        want = corrected_prevalence(
            violations, sampled, **cell, calibration="stratified", census=bool(census)
        )
        got = row["corrected"]
        assert (got["rate"], got["low"], got["high"]) == pytest.approx((want.rate, want.low, want.high))
        assert got["flagged"] == violations and got["reviewed"] == sum(cell.values())
    assert corrected_sources >= 2


def test_matrix_rows_evidenced_from_the_review_store(reviewed: tuple[Path, dict]) -> None:
    root, doc = reviewed
    rows = {r["clause"]: r for r in doc["conformance"]}
    manual = rows["TC260-003 9.2.a"]
    assert manual["status"] == "needs_manual_evidence"  # 40 reviewed is below 4,000: incomplete
    assert f"{4000 - MANUAL_REVIEWED}" in manual["evidence"]["en"] and "样本不足" in manual["evidence"]["zh"]
    for clause in ("TC260-003 5.3.a.2", "TC260-003 5.3.a.3", "TC260-003 5.3.b.4", "TC260-003 5.3.c.2"):
        assert rows[clause]["status"] == "conforms", rows[clause]
    assert "31/31" in rows["TC260-003 5.3.b.4"]["evidence"]["en"]
    assert "0 by the label's own annotator" in rows["TC260-003 5.3.a.3"]["evidence"]["en"]
    html = (root / "out" / "report.html").read_text("utf-8")
    assert "人工复核校正后" in html and 'class="corrected"' in html


def test_skipped_reasons_in_chinese() -> None:
    from safecorpus.report.conformance_review import skipped_zh

    assert skipped_zh("no judging sheet imported (--manual SHEET)") == "未导入人工评判表（--manual SHEET）"
    assert skipped_zh("no classifier detector available") == "没有可用的classifier检测器"
    assert skipped_zh("something new") == "something new"  # unknown reasons are kept, not dropped


def test_bank_rows_from_the_starter_banks(reviewed: tuple[Path, dict]) -> None:
    _, doc = reviewed
    rows = {r["clause"]: r for r in doc["conformance"]}
    bc = doc["bank_coverage"]
    for clause, bank in (
        ("TC260-003 8.2.a–b", "generated"),
        ("TC260-003 8.3.a", "should_refuse"),
        ("TC260-003 8.3.b", "should_not_refuse"),
    ):
        short = [f for f in bc["banks"][bank]["shortfalls"] if f["check"] != "freshness"]
        assert rows[clause]["status"] == ("does_not_conform" if short else "conforms"), clause
        assert (
            f"{bc['banks'][bank]['distinct']}/{bc['banks'][bank]['required_total']}"
            in rows[clause]["evidence"]["en"]
        )
    assert "starter banks" in rows["TC260-003 8.2.a–b"]["evidence"]["en"]
    fresh = all(c["age_days"] <= c["update_period_days"] for c in bc["banks"].values())
    assert rows["TC260-003 8.2.d, 8.3.d"]["status"] == ("conforms" if fresh else "does_not_conform")


def test_bank_files_given_to_the_report(reviewed: tuple[Path, dict]) -> None:
    root, _ = reviewed
    src = REPO / "src" / "safecorpus" / "data" / "banks" / "should_not_refuse.jsonl"
    small = root / "small-bank.jsonl"
    small.write_text("".join(src.read_text("utf-8").splitlines(keepends=True)[:30]), "utf-8")
    cli("report", "--out", "banks", "--lang", "en", "--no-pdf", "--bank-file", str(small), cwd=root)
    doc = json.loads((root / "banks" / "report.json").read_text())
    bc = doc["bank_coverage"]
    assert bc["files"] == ["small-bank.jsonl"] and bc["starter_banks"] is False
    assert list(bc["banks"]) == ["should_not_refuse"] and bc["banks"]["should_not_refuse"]["total"] == 30
    rows = {r["clause"]: r for r in doc["conformance"]}
    assert rows["TC260-003 8.3.b"]["status"] == "does_not_conform"
    assert rows["TC260-003 8.2.a–b"]["status"] == "needs_manual_evidence"  # no generated bank given
