"""The append-only audit log: labels, reviews, reveals, logins, purges, admin changes.

Entries are added inside the transaction of the action they record, so an action and its entry land
together or not at all. The table refuses UPDATE and DELETE (triggers in migration 0004).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from safecorpus.review.models import AuditEntry, utcnow


def record(s: Session, user_id: int | None, action: str, item_id: int | None = None, **detail: Any) -> None:
    s.add(AuditEntry(at=utcnow(), user_id=user_id, action=action, item_id=item_id, detail=detail))


def entries(engine: Engine, limit: int = 200, action: str | None = None) -> list[AuditEntry]:
    with Session(engine) as s:
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if action:
            query = query.where(AuditEntry.action == action)
        return list(s.scalars(query))
