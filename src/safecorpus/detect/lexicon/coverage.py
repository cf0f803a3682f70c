"""Keyword-library coverage against a profile's minima (TC260-8.1): totals, per-risk counts, age."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from safecorpus.detect.lexicon.library import Lexicon
from safecorpus.detect.lexicon.normalize import canonical_terms
from safecorpus.taxonomy.profile import Profile


def lexicon_coverage(lexicon: Lexicon, profile: Profile, today: dt.date | None = None) -> dict[str, Any]:
    """Count distinct canonical terms (variants are not terms) per risk and compare with the minima."""
    per_risk: dict[str, set[str]] = {}
    canonical_all: set[str] = set()
    topics: Counter[str] = Counter()
    for term, canonical in zip(lexicon.terms, canonical_terms([t.term for t in lexicon.terms]), strict=True):
        if not canonical:
            continue
        canonical_all.add(canonical)
        per_risk.setdefault(term.risk, set()).add(canonical)
        if term.topic:
            topics[f"{term.risk}/{term.topic}"] += 1
    min_total = int(profile.get("lexicon.min_total", 0))
    rows = []
    for risk in profile.taxonomy.risks:
        minimum = profile.lexicon_minimum(risk.id)
        count = len(per_risk.get(risk.id, ()))
        if minimum or count:
            rows.append(
                {
                    "risk": risk.id,
                    "name_en": risk.en,
                    "name_zh": risk.zh,
                    "count": count,
                    "minimum": minimum,
                    "meets": count >= minimum,
                }
            )
    shortfalls = [r | {"short_by": r["minimum"] - r["count"]} for r in rows if not r["meets"]]
    total = len(canonical_all)
    period = int(profile.get("lexicon.update_period_days", 0))
    age = lexicon.age_days(today)
    stale = bool(period) and (age is None or age > period)
    return {
        "lexicon": lexicon.ident,
        "updated_at": lexicon.updated_at.isoformat() if lexicon.updated_at else None,
        "age_days": age,
        "update_period_days": period,
        "stale": stale,
        "total": total,
        "min_total": min_total,
        "meets_total": total >= min_total,
        "per_risk": rows,
        "per_topic": dict(sorted(topics.items())),
        "shortfalls": shortfalls,
        "meets": total >= min_total and not shortfalls,
    }
