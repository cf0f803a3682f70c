"""Policy profiles: every threshold of a regime in one place, overridable per project.

The engine is policy-neutral: it reads numbers from a profile and never hard-codes the standard's.
"""

from __future__ import annotations

import copy
import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import orjson

from safecorpus.errors import ConfigError
from safecorpus.keyspec import check, required
from safecorpus.taxonomy.risks import Taxonomy, load_taxonomy
from safecorpus.taxonomy.schema import PROFILE, PROFILE_FILE

DEFAULT_PROFILE = "gbt45654-2025"


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

    def fingerprint(self, config: Mapping[str, Any] | None = None) -> str:
        """16 hex digits of the SHA-256 of the merged profile (plus the project configuration's
        sections that change results), as canonical JSON: equal settings give equal fingerprints,
        whatever their order, layering or spelling of numbers (``0`` and ``0.0`` in a number field)."""
        return fingerprint(self.data, config)

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


def fingerprint(profile: Mapping[str, Any], config: Mapping[str, Any] | None = None) -> str:
    """The stable fingerprint of a merged profile and a project configuration (see Profile.fingerprint)."""
    doc = {"profile": profile, "config": dict(config or {})}
    canonical = orjson.dumps(doc, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    return hashlib.sha256(canonical).hexdigest()[:16]


def load_profile(
    name_or_path: str | None = None,
    overrides: dict[str, Any] | None = None,
    overrides_origin: str = "safecorpus.toml [profile]",
) -> Profile:
    """Load a packaged profile by name, or a profile TOML by path, then apply ``overrides``.

    Each layer is checked against the schema before merging (so an error names its file), and the merged
    profile once more for required keys. ``overrides_origin`` names where the overrides came from.
    """
    name_or_path = name_or_path or DEFAULT_PROFILE
    if name_or_path in packaged_profiles():
        text = (
            resources.files("safecorpus.taxonomy")
            .joinpath(f"profiles/{name_or_path}.toml")
            .read_text("utf-8")
        )
        where = f"packaged profile {name_or_path}"
        data = check(tomllib.loads(text), PROFILE, where)
        origin = [f"packaged:{name_or_path}"]
    elif name_or_path.endswith(".toml") or Path(name_or_path).exists():
        path = Path(name_or_path)
        data = check(_read_toml(path), PROFILE_FILE, str(path))
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
        data = _deep_merge(data, check(overrides, PROFILE, overrides_origin))
        origin.append(overrides_origin)
    required(data, PROFILE, " + ".join(origin))
    return Profile(data, tuple(origin))
