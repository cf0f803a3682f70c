"""What the review store evidences for the report: the manual sample (TC260-003 9.2.a), annotation
governance (5.3.a.2 qualification, 5.3.a.3 separate roles, 5.3.b.4 rules for every risk, 5.3.c.2 every
safety label reviewed) and the corrected prevalence per source.

Each figure is one query over the store's review tables, so the report's test can recompute it with its
own SQL. An empty review store (no items) gives ``present: False``, and the clauses stay "needs manual
evidence".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from safecorpus.assess import manual_sample
from safecorpus.review.calibration import manual_sample_counts
from safecorpus.review.corrected import corrected_table
from safecorpus.review.guidelines import load_guidelines
from safecorpus.review.models import Item, Label, Qualification, Review, User
from safecorpus.taxonomy.risks import load_taxonomy


def _people(s: Session) -> list[dict[str, Any]]:
    """Everyone who labelled or reviewed: role, and whether a passed qualification preceded their first
    action (the app hands out no item without one) and how long the latest pass is valid."""
    first: dict[int, Any] = {}
    for uid, at in [
        *s.execute(select(Label.user_id, func.min(Label.created_at)).group_by(Label.user_id)),
        *s.execute(select(Review.reviewer_id, func.min(Review.created_at)).group_by(Review.reviewer_id)),
    ]:
        first[uid] = min(first.get(uid, at), at)
    out = []
    for uid, at in sorted(first.items()):
        user = s.get(User, uid)
        passed = (Qualification.user_id == uid) & Qualification.passed.is_(True)
        before = s.scalar(select(func.count(Qualification.id)).where(passed, Qualification.taken_at <= at))
        latest = s.scalar(select(func.max(Qualification.expires_at)).where(passed))
        out.append(
            {
                "username": user.username if user else str(uid),
                "role": user.role if user else None,
                "active": bool(user.active) if user else False,
                "qualified_before_first_label": bool(before),
                "qualification_valid_until": latest.isoformat() if latest else None,
            }
        )
    return out


def review_evidence(
    engine: Engine, min_items: int, min_clean_rate: float, confidence: float
) -> dict[str, Any]:
    """The review store's evidence, judged against the run's profile thresholds."""
    with Session(engine) as s:
        items = s.scalar(select(func.count(Item.id))) or 0
        if not items:
            return {"present": False}
        labelled = s.scalar(select(func.count(func.distinct(Label.item_id)))) or 0
        done = s.scalar(select(func.count(Item.id)).where(Item.state == "done")) or 0
        reviewed = s.scalar(select(func.count(Review.id))) or 0
        done_unreviewed = (
            s.scalar(
                select(func.count(Item.id))
                .outerjoin(Review, Review.item_id == Item.id)
                .where(Item.state == "done", Review.id.is_(None))
            )
            or 0
        )
        self_reviews = (
            s.scalar(
                select(func.count(Review.id)).join(
                    Label, and_(Label.item_id == Review.item_id, Label.user_id == Review.reviewer_id)
                )
            )
            or 0
        )
        people = _people(s)
    clean, total, waiting = manual_sample_counts(engine)
    manual = manual_sample.manual_sample_result(clean, total, min_items, min_clean_rate, confidence)
    _, guides = load_guidelines()
    risks = load_taxonomy().ids
    return {
        "present": True,
        "items": items,
        "labelled_items": labelled,
        "done_items": done,
        "reviews": reviewed,
        "done_without_review": done_unreviewed,
        "awaiting_review": labelled - reviewed,
        "self_reviews": self_reviews,
        "people": people,
        "guidelines": {
            "risks": len(risks),
            "covered": sum(r in guides for r in risks),
            "missing": [r for r in risks if r not in guides],
        },
        "manual_sample": {**manual.to_dict(), "not_yet_reviewed": waiting},
        "corrected_prevalence": corrected_table(engine, confidence),
    }
