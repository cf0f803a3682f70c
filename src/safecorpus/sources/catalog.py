"""The sources file (YAML or CSV): provenance metadata per source, attached to every kept record.

A record is matched to an entry by its source name, else by the entry's ``match`` patterns (a URL host,
which also covers subdomains; a URL prefix starting with ``http``; or ``path:GLOB`` on the input file's
path relative to the corpus root). docs/filter.md documents the format. ``filter`` attaches the
provenance it finds to every kept record; the source registry stores the same entries.
"""

from __future__ import annotations

import csv
import fnmatch
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from safecorpus.errors import ConfigError
from safecorpus.io.attribution import url_parts
from safecorpus.sources.pi_basis import basis_of_entry

TYPES = ("open-source", "self-collected", "commercial", "user-input", "synthetic")
FIELDS = (
    "name",
    "match",
    "provenance_type",
    "url",
    "dataset",
    "organisation",
    "service",
    "user_id_field",
    "licence",
    "contract",
    "consent",
    "notes",
    # Registry fields (`safecorpus sources import`); `filter` carries them but does not need them.
    "languages",
    "modality",
    "origin",
    "supplier_attestation",
    "collected_at",
    "collection_method",
    "robots_snapshot",
    "tdm_rep",
    "generating_model",
    "model_version",
    "acquired_at",
    # The source's legal basis for personal information and what it covers (sources/pi_basis.py).
    "pi_basis",
    "pi_scope",
)
# Fields whose YAML value may be a list (joined with ';' like `match` in CSV).
LIST_FIELDS = ("match", "languages", "pi_scope")


@dataclass(frozen=True)
class SourceEntry:
    name: str
    provenance_type: str
    match: tuple[str, ...] = ()
    url: str | None = None
    dataset: str | None = None
    organisation: str | None = None
    service: str | None = None
    user_id_field: str | None = None
    licence: str | None = None
    contract: str | None = None
    consent: str | None = None
    notes: str | None = None
    languages: str | None = None
    modality: str | None = None
    origin: str | None = None
    supplier_attestation: str | None = None
    collected_at: str | None = None
    collection_method: str | None = None
    robots_snapshot: str | None = None
    tdm_rep: str | None = None
    generating_model: str | None = None
    model_version: str | None = None
    acquired_at: str | None = None
    pi_basis: str | None = None  # none | publicly_disclosed | news_reporting | contract | consent_ledger
    pi_scope: str | None = None  # ';'-joined scope items (groups, sensitive:<category>, PI types)

    def problems(self) -> list[str]:
        """What the entry itself lacks (a URL or user id may still come from each record)."""
        out = []
        if self.provenance_type in ("open-source", "commercial") and not self.licence:
            out.append("needs licence")
        return out


@dataclass
class SourceCatalog:
    entries: list[SourceEntry] = field(default_factory=list)
    path: str | None = None
    sha256: str | None = None

    def __post_init__(self) -> None:
        self.by_name = {e.name: e for e in self.entries}
        self.hosts: dict[str, SourceEntry] = {}
        self.prefixes: list[tuple[str, SourceEntry]] = []
        self.globs: list[tuple[str, SourceEntry]] = []
        for e in self.entries:
            for m in e.match:
                if m.startswith("path:"):
                    self.globs.append((m[5:], e))
                elif m.startswith(("http://", "https://")):
                    self.prefixes.append((m, e))
                else:
                    self.hosts.setdefault(m.lower().removeprefix("*."), e)
        self.prefixes.sort(key=lambda p: -len(p[0]))

    def entry_for(self, source: str, url: str | None, file: str) -> SourceEntry | None:
        entry = self.by_name.get(source)
        if entry is not None:
            return entry
        if url and (self.prefixes or self.hosts):
            for prefix, e in self.prefixes:
                if url.startswith(prefix):
                    return e
            parts = url_parts(url)
            host = (parts[0] or "") if parts is not None else ""
            labels = host.split(".") if host else []
            for i in range(len(labels)):
                by_host = self.hosts.get(".".join(labels[i:]))
                if by_host is not None:
                    return by_host
        for pattern, e in self.globs:
            if fnmatch.fnmatchcase(file, pattern):
                return e
        return None

    def provenance(
        self, source: str, meta: dict[str, Any], file: str, url_field: str
    ) -> dict[str, Any] | None:
        """The provenance object for one record, or ``None`` when it has none (or an incomplete one)."""
        url = meta.get(url_field)
        url = url if isinstance(url, str) and url else None
        entry = self.entry_for(source, url, file)
        if entry is None:
            return None
        out: dict[str, Any] = {"source": entry.name, "type": entry.provenance_type}
        if url or entry.url:
            out["url"] = url or entry.url
        for key in ("dataset", "organisation", "service"):
            value = getattr(entry, key)
            if value:
                out[key] = value
        if entry.user_id_field:
            uid = meta.get(entry.user_id_field)
            if uid is not None and uid != "":
                out["user_id"] = str(uid)
        for key in ("licence", "contract", "consent"):
            value = getattr(entry, key)
            if value:
                out[key] = value
        identified = (
            "url" in out
            or ("dataset" in out and "organisation" in out)
            or ("service" in out and "user_id" in out)
        )
        if not identified or (
            entry.provenance_type in ("open-source", "commercial") and "licence" not in out
        ):
            return None
        return out

    def describe(self) -> dict[str, Any] | None:
        if self.path is None:
            return None
        return {"path": self.path, "sha256": self.sha256, "entries": len(self.entries)}


def _text(value: Any) -> str | None:
    """A field's value as text: lists (YAML) joined with ';', dates in ISO form, blanks as None."""
    if value is None or value == "":
        return None
    if isinstance(value, list | tuple):
        return ";".join(str(v).strip() for v in value if str(v).strip()) or None
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value).strip() or None


def parse_entry(raw: dict[str, Any], where: str) -> SourceEntry:
    unknown = set(raw) - set(FIELDS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown field(s) {', '.join(sorted(unknown))}; allowed: {', '.join(FIELDS)}"
        )
    name = str(raw.get("name") or "").strip()
    if not name:
        raise ConfigError(f"{where}: every source needs a name")
    ptype = str(raw.get("provenance_type") or "").strip()
    if ptype not in TYPES:
        raise ConfigError(
            f"{where} ({name}): provenance_type must be one of {', '.join(TYPES)}, got {ptype!r}"
        )
    match = raw.get("match") or ()
    if isinstance(match, str):
        match = [m.strip() for m in match.split(";") if m.strip()]
    values = {k: _text(raw.get(k)) for k in FIELDS[3:]}
    entry = SourceEntry(name=name, provenance_type=ptype, match=tuple(str(m) for m in match), **values)
    basis_of_entry(entry, where)  # an unknown basis or scope item is an error that names the source
    return entry


def load_sources(path: str | Path) -> SourceCatalog:
    """Read a sources file: ``.yaml``/``.yml`` (a ``sources:`` list) or ``.csv`` (a header row)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"sources file {p}: not found") from None
    text = data.decode("utf-8-sig")
    rows: list[dict[str, Any]]
    if p.suffix.lower() == ".csv":
        rows = [dict(r) for r in csv.DictReader(io.StringIO(text))]
    elif p.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            doc = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"sources file {p}: not valid YAML ({exc})") from None
        rows = doc.get("sources") if isinstance(doc, dict) else None  # type: ignore[assignment]
        if not isinstance(rows, list):
            raise ConfigError(f"sources file {p}: expected a top-level 'sources:' list")
    else:
        raise ConfigError(f"sources file {p}: use a .yaml, .yml or .csv file")
    entries = [parse_entry(r, f"{p} entry {i + 1}") for i, r in enumerate(rows)]
    names = [e.name for e in entries]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"sources file {p}: duplicate source name(s) {', '.join(dupes)}")
    return SourceCatalog(entries, str(p), hashlib.sha256(data).hexdigest())
