"""The annotation guideline of every risk, shipped beside the taxonomy (taxonomy/guidelines.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from safecorpus.errors import ConfigError
from safecorpus.taxonomy.risks import Risk, load_taxonomy


@dataclass(frozen=True)
class Guideline:
    risk: Risk
    counts: dict[str, str]
    not_counts: dict[str, str]


@lru_cache(maxsize=1)
def load_guidelines() -> tuple[str, dict[str, Guideline]]:
    """(version, guideline per risk id); a risk of the taxonomy without a guideline is an error."""
    raw = tomllib.loads(resources.files("safecorpus.taxonomy").joinpath("guidelines.toml").read_text("utf-8"))
    tax = load_taxonomy()
    out: dict[str, Guideline] = {}
    for row in raw["risk"]:
        risk = tax.risk(row["id"])
        out[risk.id] = Guideline(
            risk,
            {"zh": row["counts_zh"], "en": row["counts_en"]},
            {"zh": row["not_zh"], "en": row["not_en"]},
        )
    missing = [r for r in tax.ids if r not in out]
    if missing:
        raise ConfigError(f"guidelines.toml lacks a guideline for {', '.join(missing)}")
    return str(raw["version"]), out
