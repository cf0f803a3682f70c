"""Agreement, calibration counts, the manual-sample result, export, retention, qualification, guidelines."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import text, update
from sqlalchemy.orm import Session

from safecorpus.assess import stats
from safecorpus.review import qualification, retention
from safecorpus.review.agreement import agreement, cohen_kappa
from safecorpus.review.calibration import calibration_counts, manual_sample_result
from safecorpus.review.export import export_labels
from safecorpus.review.guidelines import load_guidelines
from safecorpus.review.models import Item
from safecorpus.review.queues import NewItem, add_items, claim, submit_label, submit_review
from safecorpus.taxonomy.risks import load_taxonomy
from tests.review.conftest import make_user


def _label_all(engine, annotators, reviewer, queue, decide):
    """Label every open item (each annotator in turn) with decide(item_id, user), then review with the
    first label."""
    progress = True
    while progress:
        progress = False
        for user in annotators:
            iid = claim(engine, user, queue)
            if iid is not None:
                submit_label(engine, user, iid, decide(iid, user))
                progress = True
    while (iid := claim(engine, reviewer, queue, mode="review")) is not None:
        submit_review(engine, reviewer, iid, decide(iid, None))


def test_cohen_kappa_known_values():
    assert cohen_kappa([(True, True), (False, False)] * 5).kappa == pytest.approx(1.0)
    # 20 items: both yes 5, both no 10, disagree 5 -> po .75, pa=.35 pb=.3 -> pe=.56 -> k=.4318
    pairs = [(True, True)] * 5 + [(False, False)] * 10 + [(True, False)] * 2 + [(False, True)] * 1
    pairs += [(True, False)] * 2
    k = cohen_kappa(pairs)
    pa, pb = 9 / 20, 6 / 20
    pe = pa * pb + (1 - pa) * (1 - pb)
    assert k.kappa == pytest.approx((15 / 20 - pe) / (1 - pe))
    assert cohen_kappa([(False, False)] * 4).kappa is None


def test_agreement_calibration_manual_and_export(engine, tmp_path):
    a, b = make_user(engine, "ann", "annotator"), make_user(engine, "bob", "annotator")
    rev = make_user(engine, "rita", "reviewer")
    items = [
        NewItem("source", "web", f"r{i}", f"text {i}", flagged_layers=["keyword"] if i % 3 == 0 else [])
        for i in range(30)
    ]
    add_items(engine, items, double_share=1.0)
    # truth: every 3rd item violates, plus item 1 (a miss of the keyword layer); bob over-flags item 2

    def decide(iid, user):
        n = iid - 1
        if n % 3 == 0 or n == 1:
            return ["A.1.6"]
        return ["A.2.4"] if (user is not None and user.username == "bob" and n == 2) else []

    _label_all(engine, [a, b], rev, "source", decide)
    kap = agreement(engine)
    assert kap["groups"]["A.1"].n == 30 and kap["groups"]["A.1"].kappa == pytest.approx(1.0)
    assert kap["groups"]["A.2"].kappa is not None and kap["groups"]["A.2"].observed == pytest.approx(29 / 30)
    assert set(kap["annotators"]) == {"ann", "bob"}
    counts = calibration_counts(engine, "web")
    kw = counts["keyword"]
    assert (kw.flagged_violating, kw.flagged_clean, kw.unflagged_violating, kw.unflagged_clean) == (
        10,
        0,
        1,
        19,
    )
    assert counts["any"].n == 30

    # the manual sample: 50 reviewed, 2 violating -> clean 48/50 with its exact interval
    add_items(engine, [NewItem("manual", "web", f"m{i}", f"m {i}") for i in range(50)], double_share=0)
    _label_all(engine, [a], rev, "manual", lambda iid, _u: ["A.4.6"] if iid in (31, 40) else [])
    res = manual_sample_result(engine)
    assert res["reviewed"] == 50 and res["clean"] == 48 and res["verdict"] == "incomplete"
    low, high = stats.clopper_pearson(48, 50)
    assert (res["ci_low"], res["ci_high"]) == pytest.approx((low, high))

    out = tmp_path / "labels.jsonl"
    assert export_labels(engine, out) == {"written": 80, "purged_not_written": 0}
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert all(set(r) >= {"text", "risks"} and isinstance(r["risks"], list) for r in rows)
    assert sum(bool(r["risks"]) for r in rows) == 11 + 2
    from safecorpus.cli.classifier import _read_labelled  # the trainer's own reader accepts the file

    texts, risks = _read_labelled(out)
    assert len(texts) == 80 and sum(map(bool, risks)) == 13


def test_retention_blanks_text_keeps_labels_and_hides_items(engine, tmp_path):
    a, rev = make_user(engine, "ann", "annotator"), make_user(engine, "rita", "reviewer")
    add_items(engine, [NewItem("source", "web", f"r{i}", "t") for i in range(3)], double_share=0)
    iid = claim(engine, a, "source")
    submit_label(engine, a, iid, [])
    submit_review(engine, rev, claim(engine, rev, "source", mode="review"), [])
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    with Session(engine) as s:
        s.execute(update(Item).values(retain_until=past))
        s.commit()
        item = s.get(Item, 2)
        assert not retention.is_visible(item)
    assert claim(engine, a, "source") is None  # expired items are never handed out
    assert retention.purge_expired(engine) == 3
    with Session(engine) as s:
        assert s.scalar(text("SELECT count(*) FROM review_items WHERE text IS NULL")) == 3
        assert s.scalar(text("SELECT count(*) FROM review_labels")) == 1
    assert export_labels(engine, tmp_path / "x.jsonl") == {"written": 0, "purged_not_written": 1}


def test_qualification_pass_mark_and_expiry(engine):
    user = make_user(engine, "newbie", "annotator", qualified=False)
    assert qualification.valid_until(engine, user) is None
    test = qualification.load_test()
    assert not qualification.take(engine, user, {}).passed  # all clean answers miss the violating items
    assert qualification.valid_until(engine, user) is None
    q = qualification.take(engine, user, {i: sorted(r)[:1] for i, _t, r in test.items})
    assert q.passed and q.score == 1.0
    until = qualification.valid_until(engine, user)
    assert until is not None
    later = until + dt.timedelta(seconds=1)
    assert qualification.valid_until(engine, user, now=later) is None


def test_every_risk_has_a_guideline_in_both_languages():
    version, gl = load_guidelines()
    assert version and set(gl) == set(load_taxonomy().ids) and len(gl) == 31
    for g in gl.values():
        assert all(g.counts[lang] and g.not_counts[lang] for lang in ("zh", "en"))


def test_cli_users_queues_export(tmp_path, monkeypatch):
    from safecorpus.cli import _register, cli

    _register()
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        "\n".join(json.dumps({"id": f"d{i}", "text": f"文本 {i}", "source": "s"}) for i in range(20)) + "\n",
        "utf-8",
    )
    store = str(tmp_path / "store")
    runner = CliRunner()
    monkeypatch.setenv("SAFECORPUS_PASSWORD", "a-long-passphrase")
    res = runner.invoke(cli, ["review", "add-user", "boss", "--role", "admin", "--store-dir", store])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["review", "set-active", "boss", "--no", "--store-dir", store])
    assert res.exit_code == 0 and "suspended" in res.output
    from safecorpus.review.accounts import authenticate
    from safecorpus.review.store import open_review_store

    assert authenticate(open_review_store(store_dir=store), "boss", "a-long-passphrase") is None
    res = runner.invoke(cli, ["review", "set-active", "ghost", "--yes", "--store-dir", store])
    assert res.exit_code != 0 and "no user" in str(res.exception or res.output)
    res = runner.invoke(cli, ["review", "load-manual", str(corpus), "--size", "10", "--store-dir", store])
    assert res.exit_code == 0 and "10 drawn, 10 queued" in res.output
    assert "below the standard's 4,000" in res.output
    res = runner.invoke(cli, ["review", "stats", "--store-dir", store])
    assert json.loads(res.output)["progress"]["manual"]["open"] == 10
    res = runner.invoke(cli, ["review", "export", "--out", str(tmp_path / "o.jsonl"), "--store-dir", store])
    assert res.exit_code == 0 and "wrote 0 reviewed labels" in res.output
