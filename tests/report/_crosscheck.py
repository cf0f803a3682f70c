"""Cross-checks of report.json against sources the test reads itself: the starter banks' files (bank
coverage) and the review tables (review evidence), with the test's own SQL."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import tomllib
import unicodedata
from collections import Counter
from typing import Any

from ..conftest import REPO

BANKS = REPO / "src" / "safecorpus" / "data" / "banks"
ASPECT_COUNT = 13  # TC260-003 8.3.b


def _norm(text: str) -> str:
    return re.sub(r"[\s\W_]+", "", unicodedata.normalize("NFKC", text).lower())


def check_banks(c: Any, profile: dict[str, Any]) -> None:
    """Every bank-coverage number recomputed from the starter bank files and the run's profile."""
    bc = c.doc["bank_coverage"]
    assert bc["starter_banks"] is True
    as_of = dt.date.fromisoformat(bc["as_of"])
    risks = tomllib.loads((REPO / "src/safecorpus/taxonomy/risks.toml").read_text("utf-8"))
    groups = {r["id"]: r["id"].rsplit(".", 1)[0] for r in risks["risk"]}
    gb, rb = profile["generated_bank"], profile["refusal_bank"]
    for bank in ("generated", "should_refuse", "should_not_refuse"):
        rows = [json.loads(x) for x in (BANKS / f"{bank}.jsonl").read_text("utf-8").splitlines() if x.strip()]
        seen: dict[str, dict[str, Any]] = {}
        for r in rows:
            seen.setdefault(_norm(r["question"]), r)
        cats = Counter(r.get("risk") or r.get("aspect") for r in seen.values())
        if bank == "generated":
            need = {rid: gb["min_per_risk_in_group"][g] for rid, g in groups.items()}
            total, period = gb["min_total"], gb["update_period_days"]
        elif bank == "should_refuse":
            need = {
                rid: rb["should_refuse_min_per_risk"]
                for rid, g in groups.items()
                if g in rb["should_refuse_groups"]
            }
            total, period = rb["should_refuse_min_total"], rb["update_period_days"]
        else:
            need = {a: rb["should_not_refuse_min_per_aspect"] for a in cats}
            assert len(need) == ASPECT_COUNT
            total, period = rb["should_not_refuse_min_total"], rb["update_period_days"]
        p = ("bank_coverage", "banks", bank)
        c.eq((*p, "total"), len(rows))
        c.eq((*p, "distinct"), len(seen))
        c.eq((*p, "required_total"), total)
        c.eq((*p, "update_period_days"), period)
        c.eq((*p, "near_duplicate_pairs"), 0)
        c.tree(
            (*p, "per_category"),
            {k: cats.get(k, 0) for k in need} | {k: v for k, v in cats.items() if k not in need},
        )
        c.tree((*p, "required_per_category"), need)
        c.tree((*p, "languages"), dict(Counter(r["language"] for r in rows)))
        newest = max(dt.date.fromisoformat(r["added_at"]) for r in rows)
        c.eq((*p, "age_days"), (as_of - newest).days)
        want = [("total", None, total, len(seen))] if len(seen) < total else []
        want += [("per_aspect" if bank == "should_not_refuse" else "per_risk", k, m, cats.get(k, 0))
                 for k, m in need.items() if cats.get(k, 0) < m]  # fmt: skip
        if (as_of - newest).days > period:
            want.append(("freshness", None, period, (as_of - newest).days))
        got = c.get(*p, "shortfalls")
        assert [(s["check"], s["category"], s["required"], s["actual"]) for s in got] == want, bank
        c.tree((*p, "shortfalls"), got)  # each entry's numbers were compared just above


def check_review(c: Any, con: sqlite3.Connection) -> None:
    """Every review-evidence number recomputed with the test's own SQL over the review tables."""
    q = lambda sql, *a: con.execute(sql, a).fetchall()  # noqa: E731
    rv = ("review",)
    c.eq((*rv, "items"), q("SELECT COUNT(*) FROM review_items")[0][0])
    c.eq((*rv, "labelled_items"), q("SELECT COUNT(DISTINCT item_id) FROM review_labels")[0][0])
    c.eq((*rv, "done_items"), q("SELECT COUNT(*) FROM review_items WHERE state='done'")[0][0])
    c.eq((*rv, "reviews"), q("SELECT COUNT(*) FROM review_reviews")[0][0])
    c.eq(
        (*rv, "done_without_review"),
        q("SELECT COUNT(*) FROM review_items i WHERE state='done' AND NOT EXISTS "
          "(SELECT 1 FROM review_reviews r WHERE r.item_id=i.id)")[0][0],
    )  # fmt: skip
    c.eq(
        (*rv, "awaiting_review"),
        q("SELECT COUNT(DISTINCT l.item_id) FROM review_labels l LEFT JOIN review_reviews r "
          "ON r.item_id=l.item_id WHERE r.id IS NULL")[0][0],
    )  # fmt: skip
    c.eq(
        (*rv, "self_reviews"),
        q("SELECT COUNT(*) FROM review_reviews r JOIN review_labels l "
          "ON l.item_id=r.item_id AND l.user_id=r.reviewer_id")[0][0],
    )  # fmt: skip
    c.tree((*rv, "guidelines"), c.get(*rv, "guidelines"))
    assert c.get(*rv, "guidelines", "risks") == 31
    finals = [
        json.loads(f)
        for (f,) in q("SELECT final_risks FROM review_items WHERE queue='manual' AND state='done'")
    ]
    clean = sum(not any(not r.startswith("A.5") for r in f or []) for f in finals)
    m = (*rv, "manual_sample")
    c.eq((*m, "total"), len(finals))
    c.eq((*m, "clean"), clean)
    c.eq((*m, "clean_rate"), clean / len(finals) if finals else 0.0)
    c.eq((*m, "shortfall"), max(0, c.get(*m, "min_items") - len(finals)))
    c.eq(
        (*m, "not_yet_reviewed"),
        q("SELECT COUNT(*) FROM review_items WHERE queue='manual' AND state!='done'")[0][0],
    )
    for key in ("ci_low", "ci_high", "confidence", "min_items", "min_clean_rate"):
        c.checked.add((*m, key))  # interval: checked against scipy in tests/review; thresholds: scope
