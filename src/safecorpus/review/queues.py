"""Queues with leases: claim the next item, label it, skip it, review it.

An item is handed to one person at a time. The claim selects a free row and writes the lease in one
transaction: on PostgreSQL the row is taken with ``FOR UPDATE SKIP LOCKED`` (two claims never pick the
same row, and neither waits for the other); on SQLite the transaction holds the write lock from its
first statement (store.py). A submission locks the item row, checks the lease is the caller's, and
inserts the label (unique per item and person), so two simultaneous submissions both land or one gets a
clear refusal; nothing is overwritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from safecorpus.assess.sampling import fraction_cut, record_hash, sampling_key
from safecorpus.errors import InputError
from safecorpus.review import audit
from safecorpus.review.models import QUEUES, Item, Label, Review, Skip, User, utcnow
from safecorpus.taxonomy.risks import load_taxonomy

LEASE_MINUTES = 20
DOUBLE_KEY = sampling_key("safecorpus-review-double")


class Conflict(Exception):
    """The item is not (or no longer) yours to label or review."""


@dataclass
class NewItem:
    queue: str
    source: str
    record_id: str
    text: str
    run_id: str | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)
    pii_spans: list[dict[str, Any]] = field(default_factory=list)
    flagged_layers: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


def _aware(when: dt.datetime | None) -> dt.datetime | None:
    return when if when is None or when.tzinfo else when.replace(tzinfo=dt.UTC)


def validate_risks(risks: Sequence[str]) -> list[str]:
    known = set(load_taxonomy().ids)
    bad = [r for r in risks if r not in known]
    if bad:
        raise InputError(f"unknown risk ids: {', '.join(bad)}")
    return sorted(set(risks))


def add_items(
    engine: Engine, items: Iterable[NewItem], double_share: float = 0.1, retention_days: int = 90
) -> tuple[int, int]:
    """Store new items (an item already in its queue is left alone); returns (added, existing)."""
    cut = fraction_cut(double_share)
    now = utcnow()
    added = existing = 0
    with Session(engine) as s:
        for it in items:
            if it.queue not in QUEUES:
                raise InputError(f"unknown queue {it.queue!r}; use one of {', '.join(QUEUES)}")
            found = s.scalar(select(Item.id).where(Item.queue == it.queue, Item.record_id == it.record_id))
            if found is not None:
                existing += 1
                continue
            double = record_hash(f"{it.queue}\x1f{it.record_id}", DOUBLE_KEY) < cut
            s.add(
                Item(
                    queue=it.queue,
                    source=it.source,
                    run_id=it.run_id,
                    record_id=it.record_id,
                    text=it.text,
                    findings=it.findings,
                    pii_spans=it.pii_spans,
                    flagged_layers=sorted(set(it.flagged_layers)),
                    meta=it.meta,
                    labels_needed=2 if double else 1,
                    labels_done=0,
                    state="open",
                    disagreement=False,
                    created_at=now,
                    retain_until=now + dt.timedelta(days=retention_days),
                )
            )
            added += 1
            if added % 500 == 0:
                s.flush()
        audit.record(s, None, "items_added", added=added, existing=existing)
        s.commit()
    return added, existing


def _held(s: Session, user: User, state: str, queue: str | None, now: dt.datetime) -> int | None:
    query = select(Item.id).where(Item.lease_user_id == user.id, Item.state == state, Item.lease_until > now)
    if queue:
        query = query.where(Item.queue == queue)
    return s.scalar(query.order_by(Item.id).limit(1))


def claim(
    engine: Engine,
    user: User,
    queue: str | None,
    mode: str = "label",
    exclude_sources: Collection[str] = (),
) -> int | None:
    """Lease the next item to ``user`` (``mode`` label or review); the one they hold already comes first.
    ``exclude_sources``: sources whose ``source``-queue items are no longer handed out (decided)."""
    state = "open" if mode == "label" else "review"
    now = utcnow()
    with Session(engine) as s, s.begin():
        held = _held(s, user, state, queue, now)
        if held is not None:
            return held
        mine = exists().where(Label.item_id == Item.id, Label.user_id == user.id)
        skipped = exists().where(Skip.item_id == Item.id, Skip.user_id == user.id)
        query = select(Item).where(
            Item.state == state,
            Item.purged_at.is_(None),
            Item.retain_until > now,
            or_(Item.lease_until.is_(None), Item.lease_until <= now),
            ~mine,
            ~skipped,
        )
        if queue:
            query = query.where(Item.queue == queue)
        if exclude_sources:
            query = query.where(~((Item.queue == "source") & Item.source.in_(sorted(exclude_sources))))
        order = (Item.disagreement.desc(), Item.id) if mode == "review" else (Item.id,)
        item = s.scalar(query.order_by(*order).limit(1).with_for_update(skip_locked=True))
        if item is None:
            return None
        item.lease_user_id = user.id
        item.lease_until = now + dt.timedelta(minutes=LEASE_MINUTES)
        return item.id


def _locked_item(s: Session, item_id: int, user: User, state: str) -> Item:
    item = s.scalar(select(Item).where(Item.id == item_id).with_for_update())
    if item is None:
        raise Conflict("no such item")
    if item.state != state or item.lease_user_id != user.id:
        raise Conflict("this item is not assigned to you (any more); take the next one")
    return item


def submit_label(engine: Engine, user: User, item_id: int, risks: Sequence[str], note: str = "") -> Item:
    """Store ``user``'s label (empty risks = clean); the item moves to review when its labels are in."""
    risks = validate_risks(risks)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        item = _locked_item(s, item_id, user, "open")
        if s.scalar(select(Label.id).where(Label.item_id == item_id, Label.user_id == user.id)):
            raise Conflict("you have labelled this item already")
        s.add(Label(item_id=item_id, user_id=user.id, risks=risks, note=note[:4000], created_at=utcnow()))
        item.labels_done += 1
        item.lease_user_id = None
        item.lease_until = None
        if item.labels_done >= item.labels_needed:
            item.state = "review"
            sets = {tuple(r) for r in s.scalars(select(Label.risks).where(Label.item_id == item_id))}
            sets.add(tuple(risks))
            item.disagreement = len(sets) > 1
        audit.record(s, user.id, "label", item_id, risks=risks)
    return item


def skip(engine: Engine, user: User, item_id: int, mode: str = "label") -> None:
    with Session(engine) as s, s.begin():
        item = _locked_item(s, item_id, user, "open" if mode == "label" else "review")
        s.add(Skip(item_id=item_id, user_id=user.id, created_at=utcnow()))
        item.lease_user_id = None
        item.lease_until = None
        audit.record(s, user.id, "skip", item_id, mode=mode)


def submit_review(engine: Engine, reviewer: User, item_id: int, risks: Sequence[str], note: str = "") -> Item:
    """The reviewer's final label: ``approve`` when it equals every annotator's, else ``correct``."""
    risks = validate_risks(risks)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        item = _locked_item(s, item_id, reviewer, "review")
        labels = list(s.scalars(select(Label).where(Label.item_id == item_id)))
        if any(lab.user_id == reviewer.id for lab in labels):
            raise Conflict("nobody reviews their own label")
        decision = "approve" if all(sorted(lab.risks) == risks for lab in labels) else "correct"
        s.add(
            Review(
                item_id=item_id,
                reviewer_id=reviewer.id,
                decision=decision,
                risks=risks,
                note=note[:4000],
                created_at=utcnow(),
            )
        )
        item.state = "done"
        item.final_risks = risks
        item.lease_user_id = None
        item.lease_until = None
        audit.record(s, reviewer.id, "review", item_id, risks=risks, decision=decision)
    return item


def labels_of(engine: Engine, item_id: int) -> list[tuple[Label, str]]:
    with Session(engine) as s:
        return [
            (lab, name)
            for lab, name in s.execute(
                select(Label, User.username)
                .join(User, User.id == Label.user_id)
                .where(Label.item_id == item_id)
            ).all()
        ]


def progress(engine: Engine) -> dict[str, dict[str, int]]:
    """Per queue: items, and how many are open, waiting for review and done."""
    out: dict[str, dict[str, int]] = {q: {"items": 0, "open": 0, "review": 0, "done": 0} for q in QUEUES}
    with Session(engine) as s:
        for queue, state, n in s.execute(
            select(Item.queue, Item.state, func.count()).group_by(Item.queue, Item.state)
        ).all():
            out[queue][state] = n
            out[queue]["items"] += n
    return out


def user_counts(engine: Engine, user: User) -> dict[str, int]:
    with Session(engine) as s:
        return {
            "labels": s.scalar(select(func.count()).select_from(Label).where(Label.user_id == user.id)) or 0,
            "reviews": s.scalar(select(func.count()).select_from(Review).where(Review.reviewer_id == user.id))
            or 0,
        }
