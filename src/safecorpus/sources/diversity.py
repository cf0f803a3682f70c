"""The diversity view (TC260-003 5.1.b, GB/T 45652 6.1.b): sources per (modality, language), and the
domestic/foreign mix against a configurable cap."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from safecorpus.sources.catalog import SourceEntry

DEFAULT_MIN_SOURCES = 2
DEFAULT_MAX_FOREIGN_SHARE = 0.5


def languages_of(entry: SourceEntry) -> list[str]:
    return [lang.strip() for lang in (entry.languages or "").split(";") if lang.strip()]


def diversity(
    entries: list[SourceEntry],
    records: dict[str, int] | None = None,
    *,
    min_sources: int = DEFAULT_MIN_SOURCES,
    max_foreign_share: float = DEFAULT_MAX_FOREIGN_SHARE,
) -> dict[str, Any]:
    """Cells of (modality, language) with their sources; a cell with fewer than ``min_sources`` is flagged.

    ``records`` (source name -> records read) weights the domestic/foreign share by volume when given;
    otherwise each source counts once.
    """
    cells: dict[tuple[str, str], list[str]] = defaultdict(list)
    unknown: list[str] = []
    for e in entries:
        langs = languages_of(e)
        if not e.modality or not langs:
            unknown.append(e.name)
            continue
        for lang in langs:
            cells[(e.modality, lang)].append(e.name)
    rows = [
        {
            "modality": m,
            "language": lang,
            "sources": sorted(names),
            "count": len(names),
            "flagged": len(names) < min_sources,
        }
        for (m, lang), names in sorted(cells.items())
    ]
    weight = {e.name: (records or {}).get(e.name, 0) if records else 1 for e in entries}
    domestic = sum(weight[e.name] for e in entries if e.origin == "domestic")
    foreign = sum(weight[e.name] for e in entries if e.origin == "foreign")
    undeclared = sum(weight[e.name] for e in entries if e.origin not in ("domestic", "foreign"))
    known = domestic + foreign
    share = foreign / known if known else 0.0
    return {
        "min_sources_per_type": min_sources,
        "cells": rows,
        "flagged_cells": sum(r["flagged"] for r in rows),
        "sources_without_modality_or_language": unknown,
        "origin": {
            "weighted_by": "records" if records else "sources",
            "domestic": domestic,
            "foreign": foreign,
            "undeclared": undeclared,
            "foreign_share": share,
            "max_foreign_share": max_foreign_share,
            "within_cap": share <= max_foreign_share,
        },
    }
