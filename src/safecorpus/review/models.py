"""Tables of the review app (migration 0004): people, sessions, items, labels, reviews, audit log.

They live in the same store as assessment results, so a reviewed label sits beside the run it checks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from safecorpus.registry.db import Base

ROLES = ("admin", "annotator", "reviewer")
QUEUES = ("source", "manual", "model")
# An item's life: open (needs labels) → review (labels in, waiting for a reviewer) → done; purged when
# its retention period is over (text gone, labels kept).
ITEM_STATES = ("open", "review", "done")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class User(Base):
    __tablename__ = "review_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))
    lang: Mapped[str] = mapped_column(String(8), default="zh")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LoginSession(Base):
    __tablename__ = "review_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("review_users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Qualification(Base):
    __tablename__ = "review_qualifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("review_users.id", ondelete="CASCADE"), index=True)
    test_version: Mapped[str] = mapped_column(String(32))
    score: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean)
    taken_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Item(Base):
    """One thing to label: a sampled record, a manual-sample record or a model answer."""

    __tablename__ = "review_items"
    __table_args__ = (
        UniqueConstraint("queue", "record_id", name="uq_review_items_queue_record"),
        Index("ix_review_items_pick", "queue", "state", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    queue: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(Text, index=True)
    run_id: Mapped[str | None] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    findings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    pii_spans: Mapped[list[Any]] = mapped_column(JSON, default=list)
    flagged_layers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    labels_needed: Mapped[int] = mapped_column(Integer, default=1)
    labels_done: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default="open")
    disagreement: Mapped[bool] = mapped_column(Boolean, default=False)
    lease_user_id: Mapped[int | None] = mapped_column(Integer)
    lease_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    final_risks: Mapped[list[Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    retain_until: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    purged_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Label(Base):
    __tablename__ = "review_labels"
    __table_args__ = (UniqueConstraint("item_id", "user_id", name="uq_review_labels_item_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("review_items.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("review_users.id"), index=True)
    risks: Mapped[list[Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Skip(Base):
    __tablename__ = "review_skips"
    __table_args__ = (UniqueConstraint("item_id", "user_id", name="uq_review_skips_item_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("review_items.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("review_users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Review(Base):
    """A reviewer's decision on an item's labels; the item's final label is the review's."""

    __tablename__ = "review_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("review_items.id", ondelete="CASCADE"), unique=True, index=True
    )
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("review_users.id"), index=True)
    decision: Mapped[str] = mapped_column(String(16))  # approve | correct
    risks: Mapped[list[Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(Base):
    """Append-only: database triggers refuse UPDATE and DELETE on this table."""

    __tablename__ = "review_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(32), index=True)
    item_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
