"""Corrected prevalence per source and layer from a stored assess run and reviewed labels of its sample."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from safecorpus.assess.prevalence import corrected_prevalence
from safecorpus.registry.db import SourceResult
from safecorpus.review.corrected import corrected_table
from safecorpus.review.queues import NewItem, add_items
from safecorpus.review.store import open_review_store
from tests.review.conftest import make_user, stored_run
from tests.review.server import LiveServer
from tests.review.test_app_security import login
from tests.review.test_statistics import _label_all

SCREENED = 40
FLAGGED = {i: ["keyword"] for i in range(8)} | {8: ["classifier"], 9: ["classifier"]}
VIOLATING = set(range(7)) | {8, 20, 21}  # 3 flagged items are clean, 2 unflagged items are misses


def seed_run(engine, run_id: str = "run1", census: bool = False) -> None:
    """A stored assess run for source ``web`` (40 sampled, 10 flagged) and its sample as review items."""
    with Session(engine) as s:
        s.add(stored_run(run_id, SCREENED, 80))
        s.add(
            SourceResult(
                run_id=run_id,
                name="web",
                read=80,
                rejected=0,
                sampled=SCREENED,
                violations=10,
                rate=0.25,
                ci_low=0.1,
                ci_high=0.4,
                census=int(census),
                verdict="fail",
                needed_sample_size=None,
                top_risks=[],
                layers={"keyword": 8, "classifier": 2},
                sampled_ids_file="x",
            )
        )
        s.commit()
    items = [
        NewItem("source", "web", f"r{i}", f"t {i}", run_id=run_id, flagged_layers=FLAGGED.get(i, []))
        for i in range(SCREENED)
    ]
    add_items(engine, items, double_share=0)


def review_all(engine) -> None:
    ann, rev = make_user(engine, "ann", "annotator"), make_user(engine, "rita", "reviewer")
    _label_all(engine, [ann], rev, "source", lambda iid, _u: ["A.1.6"] if iid - 1 in VIOLATING else [])


def test_corrected_prevalence_uses_the_run_and_the_stratified_design(engine):
    seed_run(engine)
    review_all(engine)
    table = corrected_table(engine)
    row = table["web"]
    assert row["run_id"] == "run1" and row["screened"] == SCREENED
    for layer, flagged, tp, fp, fn, tn in (("keyword", 8, 7, 1, 3, 29), ("any", 10, 8, 2, 2, 28)):
        got = row["layers"][layer]
        want = corrected_prevalence(flagged, SCREENED, tp=tp, fn=fn, fp=fp, tn=tn, calibration="stratified")
        assert got["calibration"] == "stratified" and got["reviewed"] == SCREENED
        assert (got["rate"], got["low"], got["high"]) == pytest.approx((want.rate, want.low, want.high))
    # the whole sample reviewed: the two-phase estimate is the reviewed violating share itself
    assert row["layers"]["any"]["rate"] == pytest.approx(len(VIOLATING) / SCREENED)
    assert row["layers"]["keyword"]["rate"] == pytest.approx(len(VIOLATING) / SCREENED)


def test_no_run_no_row(engine):
    add_items(engine, [NewItem("source", "web", "r1", "t")], double_share=0)
    assert corrected_table(engine) == {}


def test_stats_cli_and_page_show_corrected_prevalence(tmp_path):
    from safecorpus.cli import _register, cli

    _register()
    store = tmp_path / "store"
    engine = open_review_store(store_dir=str(store))
    seed_run(engine)
    review_all(engine)
    runner = CliRunner()
    res = runner.invoke(cli, ["review", "stats", "--store-dir", str(store)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["corrected_prevalence"]["web"]["layers"]["any"]["rate"] == pytest.approx(0.25)
    assert doc["manual_sample"]["verdict"] == "incomplete" and doc["manual_sample"]["reviewed"] == 0
    res = runner.invoke(cli, ["review", "stats", "--table", "--store-dir", str(store)])
    assert res.exit_code == 0, res.output
    line = next(x for x in res.output.splitlines() if x.startswith("web") and " any " in x)
    assert "10/40" in line and "25.00%" in line
    make_user(engine, "boss", "admin")
    with LiveServer(engine) as server:
        page = login(server.url, "rita").get("/stats")
        assert page.status_code == 200
        table = page.text[page.text.index('id="corrected"') :]
        assert "keyword" in table and "25.00%" in table and "10 / 40" in table
    engine.dispose()
