"""Export reviewed labels in the ``classifier train`` format: one JSON object per line with ``text`` and
``risks`` (empty = safe), plus ``id``, ``source`` and ``queue`` for provenance. Only reviewed items go out;
items whose text retention has removed are counted, not written."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import orjson
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from safecorpus.review.models import Item


def export_labels(
    engine: Engine, out: str | Path, queues: Sequence[str] = ("source", "manual")
) -> dict[str, int]:
    written = purged = 0
    with Session(engine) as s, Path(out).open("wb") as fh:
        query = select(Item).where(Item.state == "done", Item.queue.in_(list(queues))).order_by(Item.id)
        for item in s.scalars(query):
            if item.text is None:
                purged += 1
                continue
            doc = {
                "text": item.text,
                "risks": list(item.final_risks or []),
                "id": item.record_id,
                "source": item.source,
                "queue": item.queue,
            }
            fh.write(orjson.dumps(doc) + b"\n")
            written += 1
    return {"written": written, "purged_not_written": purged}
