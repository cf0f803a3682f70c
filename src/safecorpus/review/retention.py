"""Retention of the harmful samples the app stores: an item's text, findings and metadata are kept until
``retain_until`` (set on import, ``--retention-days``), then blanked; labels, reviews and the audit log
stay. Expired items are never shown or handed out, even before a purge has run."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from safecorpus.review import audit
from safecorpus.review.models import Item, LoginSession, utcnow


def purge_expired(engine: Engine, by: int | None = None) -> int:
    now = utcnow()
    with Session(engine) as s, s.begin():
        items = list(
            s.scalars(
                select(Item).where(Item.retain_until <= now, Item.purged_at.is_(None)).with_for_update()
            )
        )
        for item in items:
            item.text = None
            item.findings = []
            item.pii_spans = []
            item.meta = {}
            item.purged_at = now
            item.lease_user_id = None
            item.lease_until = None
        s.execute(delete(LoginSession).where(LoginSession.expires_at <= now))
        if items:
            audit.record(s, by, "purge", count=len(items))
    return len(items)


def is_visible(item: Item) -> bool:
    when = item.retain_until if item.retain_until.tzinfo else item.retain_until.replace(tzinfo=dt.UTC)
    return item.purged_at is None and item.text is not None and when > utcnow()
