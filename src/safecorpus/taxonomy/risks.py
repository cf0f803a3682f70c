"""The risk taxonomy (Appendix A), loaded from packaged data so other regimes can ship their own."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from safecorpus.errors import ConfigError


@dataclass(frozen=True, slots=True)
class RiskGroup:
    id: str
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class Risk:
    id: str
    zh: str
    en: str
    group: str
    topics: tuple[str, ...] = field(default_factory=tuple)
    data: bool = True  # applies to training data (A.5 concerns model output only)

    def name(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True, slots=True)
class Taxonomy:
    name: str
    groups: tuple[RiskGroup, ...]
    risks: tuple[Risk, ...]

    def risk(self, risk_id: str) -> Risk:
        for risk in self.risks:
            if risk.id == risk_id:
                return risk
        raise KeyError(risk_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.risks)

    @property
    def data_ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.risks if r.data)

    def in_group(self, group_id: str) -> tuple[Risk, ...]:
        return tuple(r for r in self.risks if r.group == group_id)

    def validate_tag(self, tag: str) -> tuple[str, str | None]:
        """Split a tag such as ``A.1.8/gambling`` into (risk id, topic) and check both exist."""
        risk_id, _, topic = tag.partition("/")
        try:
            risk = self.risk(risk_id)
        except KeyError:
            raise ConfigError(f"unknown risk id {risk_id!r}; expected one of A.1.1 … A.5.2") from None
        if topic and topic not in risk.topics:
            raise ConfigError(
                f"unknown topic {topic!r} under {risk_id}; known topics: {', '.join(risk.topics) or 'none'}"
            )
        return risk_id, topic or None


def _parse(name: str, text: str) -> Taxonomy:
    raw = tomllib.loads(text)
    groups = tuple(RiskGroup(g["id"], g["zh"], g["en"]) for g in raw["group"])
    risks = tuple(
        Risk(
            id=r["id"],
            zh=r["zh"],
            en=r["en"],
            group=r["id"].rsplit(".", 1)[0],
            topics=tuple(r.get("topics", ())),
            data=bool(r.get("data", True)),
        )
        for r in raw["risk"]
    )
    return Taxonomy(name=name, groups=groups, risks=risks)


@lru_cache(maxsize=4)
def load_taxonomy(name: str = "tc260") -> Taxonomy:
    """Load a packaged taxonomy by name (``tc260`` is Appendix A of TC260-003 / GB/T 45654)."""
    files = {"tc260": "risks.toml"}
    if name not in files:
        raise ConfigError(f"unknown taxonomy {name!r}; packaged: {', '.join(files)}")
    text = resources.files("safecorpus.taxonomy").joinpath(files[name]).read_text("utf-8")
    return _parse(name, text)
