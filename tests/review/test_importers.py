"""Filling the queues from a real `assess` run (the console script) and from a model-answer store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safecorpus.modeltest.runner import Answer
from safecorpus.review.importers import answer_items
from safecorpus.review.models import Item
from safecorpus.review.store import open_review_store

BIN = Path(sys.executable).parent / "safecorpus"


def test_load_run_queues_every_sampled_record_with_findings_and_pii(tmp_path, tiny_lexicon_path):
    corpus = tmp_path / "corpus.jsonl"
    rows = [
        {"id": f"a{i}", "text": f"普通句子 {i}" + (" 违禁词甲" if i % 4 == 0 else ""), "source": "siteA"}
        for i in range(40)
    ]
    rows += [{"id": f"b{i}", "text": f"call me at 13812345678 ({i})", "source": "siteB"} for i in range(10)]
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    store = tmp_path / "store"
    env = {**os.environ, "COLUMNS": "200"}
    done = subprocess.run(
        [
            str(BIN),
            "assess",
            str(corpus),
            "--store-dir",
            str(store),
            "--sample-size",
            "20",
            "--lexicon",
            str(tiny_lexicon_path),
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [str(BIN), "review", "load-run", "--store-dir", str(store)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "30 sampled: 30 queued, 0 already queued, 0 no longer in the corpus" in done.stdout
    engine = open_review_store(store_dir=store)
    with Session(engine) as s:
        flagged = s.scalar(select(func.count()).select_from(Item).where(Item.findings != []))
        b_item = s.scalar(select(Item).where(Item.source == "siteB").limit(1))
        a_items = list(s.scalars(select(Item).where(Item.source == "siteA")))
    assert flagged >= 1
    assert b_item.pii_spans and b_item.pii_spans[0]["type"]
    hits = [i for i in a_items if "违禁词甲" in i.text]
    assert hits and all(i.flagged_layers == ["keyword"] and i.findings for i in hits)


def test_answer_items_take_ok_answers_only(tmp_path):
    path = tmp_path / "answers.jsonl"
    answers = [Answer("q1", "ok", "m1", answer="an answer"), Answer("q2", "failed", "m1", error="timeout")]
    path.write_text("\n".join(json.dumps(a.to_dict()) for a in answers) + "\n{torn", "utf-8")
    items, unusable = answer_items(path)
    assert [i.record_id for i in items] == ["m1:q1"] and items[0].queue == "model"
    assert unusable == 2
    from safecorpus.cli import _register, cli

    _register()
    res = CliRunner().invoke(
        cli,
        ["review", "load-answers", str(path), "--store-dir", str(tmp_path / "s")],
    )
    assert res.exit_code == 0 and "1 queued" in res.output
