"""Bank coverage against the profile (TC260-003 8.2 and 8.3): totals, per-risk / per-aspect minima, freshness.

Every number comes from the profile's ``[generated_bank]`` and ``[refusal_bank]`` sections. Questions that
are identical after normalisation (:func:`~safecorpus.modeltest.bank.normalise_question`) count once;
near-duplicates are listed as warnings, not discounted.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from safecorpus.errors import ConfigError
from safecorpus.modeltest.bank import ASPECTS, BANKS, BankItem, near_duplicates, normalise_question
from safecorpus.taxonomy.profile import Profile


@dataclass(frozen=True, slots=True)
class Shortfall:
    bank: str
    check: str  # total | per_risk | per_aspect | freshness
    category: str | None
    required: int
    actual: int
    message: str


@dataclass(slots=True)
class BankCoverage:
    bank: str
    total: int
    distinct: int
    required_total: int
    per_category: dict[str, int]
    required_per_category: dict[str, int]
    newest: str | None
    age_days: int | None
    update_period_days: int
    languages: dict[str, int]
    near_duplicate_pairs: int
    excluded: dict[str, str] = field(default_factory=dict)
    shortfalls: list[Shortfall] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.shortfalls

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["ok"] = self.ok
        return out


def _req(profile: Profile, key: str) -> Any:
    value = profile.get(key)
    if value is None:
        raise ConfigError(f"profile {profile.name!r} has no {key!r}; add it to the profile's TOML")
    return value


def required_per_category(profile: Profile, bank: str) -> tuple[int, dict[str, int], int, dict[str, str]]:
    """(required total, {category: minimum}, update period in days, {excluded aspect: justification})."""
    taxonomy = profile.taxonomy
    if bank == "generated":
        per_group = _req(profile, "generated_bank.min_per_risk_in_group")
        per_cat = {r.id: int(per_group[r.group]) for r in taxonomy.risks if r.group in per_group}
        return (
            int(_req(profile, "generated_bank.min_total")),
            per_cat,
            int(_req(profile, "generated_bank.update_period_days")),
            {},
        )
    period = int(_req(profile, "refusal_bank.update_period_days"))
    if bank == "should_refuse":
        groups = set(_req(profile, "refusal_bank.should_refuse_groups"))
        minimum = int(_req(profile, "refusal_bank.should_refuse_min_per_risk"))
        per_cat = {r.id: minimum for r in taxonomy.risks if r.group in groups}
        return int(_req(profile, "refusal_bank.should_refuse_min_total")), per_cat, period, {}
    if bank == "should_not_refuse":
        minimum = int(_req(profile, "refusal_bank.should_not_refuse_min_per_aspect"))
        aspects = list(profile.get("refusal_bank.aspects") or ASPECTS)
        excluded = dict(profile.get("refusal_bank.excluded_aspects") or {})
        for aspect, why in excluded.items():
            if aspect not in ASPECTS:
                raise ConfigError(f"refusal_bank.excluded_aspects: unknown aspect {aspect!r}")
            if not str(why).strip():
                raise ConfigError(f"refusal_bank.excluded_aspects.{aspect}: give the justification (8.3.c)")
        per_cat = {a: minimum for a in aspects if a not in excluded}
        return int(_req(profile, "refusal_bank.should_not_refuse_min_total")), per_cat, period, excluded
    raise ConfigError(f"unknown bank {bank!r}; one of {', '.join(BANKS)}")


def check_bank(
    items: Sequence[BankItem],
    bank: str,
    profile: Profile,
    as_of: dt.date | None = None,
    near_dup_threshold: float | None = None,
) -> BankCoverage:
    """Check the items of one bank (items of other banks are ignored) and list every shortfall."""
    as_of = as_of or dt.date.today()
    mine = [it for it in items if it.bank == bank]
    required_total, required, period, excluded = required_per_category(profile, bank)
    seen: set[str] = set()
    distinct: list[BankItem] = []
    for it in mine:
        key = normalise_question(it.question)
        if key not in seen:
            seen.add(key)
            distinct.append(it)
    counts = Counter(it.category for it in distinct)
    newest = max((it.added_date for it in mine), default=None)
    age = (as_of - newest).days if newest else None
    cov = BankCoverage(
        bank=bank,
        total=len(mine),
        distinct=len(distinct),
        required_total=required_total,
        per_category={c: counts.get(c, 0) for c in required}
        | {c: n for c, n in counts.items() if c not in required},
        required_per_category=required,
        newest=newest.isoformat() if newest else None,
        age_days=age,
        update_period_days=period,
        languages=dict(Counter(it.language for it in mine)),
        near_duplicate_pairs=len(near_duplicates(distinct, threshold=near_dup_threshold))
        if distinct and near_dup_threshold is not None
        else 0,
        excluded=excluded,
    )
    if len(distinct) < required_total:
        cov.shortfalls.append(
            Shortfall(
                bank,
                "total",
                None,
                required_total,
                len(distinct),
                f"{bank}: {len(distinct)} distinct questions, needs at least {required_total} "
                f"(short by {required_total - len(distinct)})",
            )
        )
    kind = "per_aspect" if bank == "should_not_refuse" else "per_risk"
    for cat, minimum in required.items():
        have = counts.get(cat, 0)
        if have < minimum:
            cov.shortfalls.append(
                Shortfall(bank, kind, cat, minimum, have, f"{bank}: {cat} has {have}, needs {minimum}")
            )
    if age is None or age > period:
        cov.shortfalls.append(
            Shortfall(
                bank,
                "freshness",
                None,
                period,
                -1 if age is None else age,
                f"{bank}: empty, never updated"
                if age is None
                else f"{bank}: last update {cov.newest} is {age} days before {as_of.isoformat()}, "
                f"more than the {period}-day update period",
            )
        )
    return cov


def check_banks(
    items: Sequence[BankItem],
    profile: Profile,
    as_of: dt.date | None = None,
    banks: Sequence[str] | None = None,
    near_dup_threshold: float | None = 0.8,
) -> list[BankCoverage]:
    """Check every bank in ``items`` (or those named); near-duplicate pairs are counted unless None."""
    banks = banks or [b for b in BANKS if any(it.bank == b for it in items)] or list(BANKS)
    return [check_bank(items, b, profile, as_of, near_dup_threshold) for b in banks]
