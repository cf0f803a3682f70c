"""Policy profiles: every threshold of a regime in one place, overridable per project.

The engine is policy-neutral: it reads numbers from a profile and never hard-codes the standard's.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from safecorpus.errors import ConfigError
from safecorpus.taxonomy.risks import Taxonomy, load_taxonomy

DEFAULT_PROFILE = "gbt45654-2025"

# (dotted key, type, low, high): checked after overrides are merged so a typo fails loudly.
_CHECKS: tuple[tuple[str, type, float, float], ...] = (
    ("source.max_violation_rate", float, 0.0, 1.0),
    ("source.sample_size", int, 1, 10**9),
    ("source.confidence", float, 0.5, 0.9999),
    ("manual_sample.min_items", int, 1, 10**9),
    ("manual_sample.min_clean_rate", float, 0.0, 1.0),
    ("technical_sample.fraction", float, 0.0, 1.0),
    ("technical_sample.min_clean_rate", float, 0.0, 1.0),
    ("lexicon.min_total", int, 0, 10**9),
    ("lexicon.update_period_days", int, 0, 10**6),
    ("decision.min_score", float, 0.0, 1.0),
)


def packaged_profiles() -> list[str]:
    folder = resources.files("safecorpus.taxonomy").joinpath("profiles")
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


@dataclass(frozen=True)
class Profile:
    """A merged policy profile. ``origin`` says where each layer came from, for the report."""

    data: dict[str, Any]
    origin: tuple[str, ...]

    @property
    def name(self) -> str:
        return str(self.data["name"])

    @property
    def taxonomy(self) -> Taxonomy:
        return load_taxonomy(self.data.get("taxonomy", "tc260"))

    def get(self, dotted: str, default: Any = None) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    @property
    def data_risk_ids(self) -> tuple[str, ...]:
        groups = set(self.data.get("data_risk_groups", ()))
        return tuple(r.id for r in self.taxonomy.risks if r.group in groups)

    def lexicon_minimum(self, risk_id: str) -> int:
        """The keyword-library minimum for one risk (0 when the profile sets none)."""
        per_group = self.get("lexicon.min_per_risk_in_group", {}) or {}
        return int(per_group.get(risk_id.rsplit(".", 1)[0], 0))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the line it names") from None


def _validate(data: dict[str, Any], origin: str) -> None:
    probe = Profile(data, (origin,))
    for key, kind, low, high in _CHECKS:
        value = probe.get(key)
        if value is None:
            raise ConfigError(f"{origin}: profile key {key!r} is missing")
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise ConfigError(f"{origin}: {key} must be a whole number, got {value!r}")
        if kind is float and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ConfigError(f"{origin}: {key} must be a number, got {value!r}")
        if not low <= value <= high:
            raise ConfigError(f"{origin}: {key} = {value!r} is out of range [{low}, {high}]")


def load_profile(name_or_path: str | None = None, overrides: dict[str, Any] | None = None) -> Profile:
    """Load a packaged profile by name, or a profile TOML by path, then apply ``overrides``."""
    name_or_path = name_or_path or DEFAULT_PROFILE
    if name_or_path in packaged_profiles():
        text = (
            resources.files("safecorpus.taxonomy")
            .joinpath(f"profiles/{name_or_path}.toml")
            .read_text("utf-8")
        )
        data = tomllib.loads(text)
        origin = [f"packaged:{name_or_path}"]
    elif name_or_path.endswith(".toml") or Path(name_or_path).exists():
        path = Path(name_or_path)
        data = _read_toml(path)
        base = data.pop("extends", None)
        if base:
            data = _deep_merge(load_profile(base).data, data)
        origin = [str(path)]
    else:
        raise ConfigError(
            f"unknown profile {name_or_path!r}; packaged profiles: {', '.join(packaged_profiles())}, "
            "or give the path of a profile .toml"
        )
    if overrides:
        data = _deep_merge(data, overrides)
        origin.append("safecorpus.toml [profile]")
    _validate(data, " + ".join(origin))
    return Profile(data, tuple(origin))
