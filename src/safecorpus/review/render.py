"""Cut an item's text into segments for the item view: detector findings highlighted, personal data
masked until revealed. Segments are plain strings; the template escapes them (never ``|safe``)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Segment:
    text: str
    risks: list[str] = field(default_factory=list)
    pii: str | None = None
    masked: bool = False


def segments(
    text: str, findings: list[dict[str, Any]], pii: list[dict[str, Any]], reveal: bool
) -> list[Segment]:
    spans = [f for f in findings if f.get("start") is not None and f.get("end") is not None]
    cuts = {0, len(text)}
    for sp in [*spans, *pii]:
        cuts.update((max(0, min(len(text), sp["start"])), max(0, min(len(text), sp["end"]))))
    bounds = sorted(cuts)
    out: list[Segment] = []
    for a, b in itertools.pairwise(bounds):
        if a == b:
            continue
        risks = sorted({f["risk"] for f in spans if f["start"] <= a and b <= f["end"]})
        hit = next((p for p in pii if p["start"] <= a and b <= p["end"]), None)
        if hit is not None and not reveal:
            if a == max(0, hit["start"]):
                out.append(Segment(f"[{hit['type']}]", risks, hit["type"], masked=True))
            continue
        out.append(Segment(text[a:b], risks, hit["type"] if hit else None))
    return out


def record_findings(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Findings with no span (a classifier's score for the whole record)."""
    return [f for f in findings if f.get("start") is None]
