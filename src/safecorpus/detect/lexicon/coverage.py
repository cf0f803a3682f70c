"""Keyword-library coverage against a profile's minima (TC260-8.1): totals, per-risk and per-topic
counts, weights, age.

``nonconformances`` lists what a report must show as not conforming: a library older than the profile's
update period (a warning on every run, never a failed run), a risk below its minimum, a total below the
minimum. Each entry has ``clause``, ``kind``, ``message`` and the figures behind it.
"""

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
    per_topic: dict[str, set[str]] = {}
    weights: dict[str, Counter[float]] = {}
    for term, canonical in zip(lexicon.terms, canonical_terms([t.term for t in lexicon.terms]), strict=True):
        if not canonical:
            continue
        canonical_all.add(canonical)
        per_risk.setdefault(term.risk, set()).add(canonical)
        weights.setdefault(term.risk, Counter())[term.weight] += 1
        if term.topic:
            per_topic.setdefault(f"{term.risk}/{term.topic}", set()).add(canonical)
    min_total = int(profile.get("lexicon.min_total", 0))
    rows: list[dict[str, Any]] = []
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
                    "mean_weight": _mean(weights.get(risk.id)),
                }
            )
    shortfalls = [r | {"short_by": r["minimum"] - r["count"]} for r in rows if not r["meets"]]
    total = len(canonical_all)
    period = int(profile.get("lexicon.update_period_days", 0))
    age = lexicon.age_days(today)
    stale = bool(period) and (age is None or age > period)
    nonconformances = _nonconformances(lexicon, stale, age, period, shortfalls, total, min_total)
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
        "per_topic": {tag: len(per_topic[tag]) for tag in sorted(per_topic)},
        "weights": {f"{w:g}": n for w, n in sorted(sum(weights.values(), Counter()).items(), reverse=True)},
        "shortfalls": shortfalls,
        "meets": total >= min_total and not shortfalls,
        "nonconformances": nonconformances,
    }


def _mean(counter: Counter[float] | None) -> float | None:
    if not counter:
        return None
    n = sum(counter.values())
    return round(sum(w * c for w, c in counter.items()) / n, 3)


def _nonconformances(
    lexicon: Lexicon,
    stale: bool,
    age: int | None,
    period: int,
    shortfalls: list[dict[str, Any]],
    total: int,
    min_total: int,
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if stale:
        when = f"updated {age} days ago" if age is not None else "has no updated_at date"
        out.append(
            {
                "clause": "TC260-003 8.1.c",
                "kind": "lexicon_stale",
                "message": f"keyword library {lexicon.ident} {when}; the profile asks for an update "
                f"every {period} days",
                "updated_at": lexicon.updated_at.isoformat() if lexicon.updated_at else None,
                "age_days": age,
                "update_period_days": period,
            }
        )
    if total < min_total:
        out.append(
            {
                "clause": "TC260-003 8.1.a",
                "kind": "lexicon_total_short",
                "message": f"keyword library {lexicon.ident} has {total} distinct terms; minimum {min_total}",
                "count": total,
                "minimum": min_total,
            }
        )
    for s in shortfalls:
        out.append(
            {
                "clause": "TC260-003 8.1.b",
                "kind": "lexicon_risk_short",
                "message": f"{s['risk']} has {s['count']} distinct terms; minimum {s['minimum']}",
                "risk": s["risk"],
                "count": s["count"],
                "minimum": s["minimum"],
            }
        )
    return out
