"""The source registry: `sources add` / `sources import` write entries; the report and audits read them.

Entries use the sources-file format of `filter` (pipeline/provenance.py), so one file serves both.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from safecorpus.errors import ConfigError
from safecorpus.registry.db import session
from safecorpus.registry.tables import RegisteredSource
from safecorpus.sources.catalog import FIELDS, SourceCatalog, SourceEntry, load_sources, parse_entry
from safecorpus.sources.requirements import MODALITIES, ORIGINS


def check_entry(entry: SourceEntry, where: str) -> None:
    """Reject values the registry cannot use (a missing field is a non-conformance, not an error)."""
    if entry.modality and entry.modality not in MODALITIES:
        raise ConfigError(
            f"{where} ({entry.name}): modality must be one of {', '.join(MODALITIES)}, got {entry.modality!r}"
        )
    if entry.origin and entry.origin not in ORIGINS:
        raise ConfigError(f"{where} ({entry.name}): origin must be domestic or foreign, got {entry.origin!r}")


def entry_from_fields(values: dict[str, Any], where: str = "sources add") -> SourceEntry:
    entry = parse_entry({k: v for k, v in values.items() if v not in (None, "", ())}, where)
    check_entry(entry, where)
    return entry


def _fields_of(entry: SourceEntry) -> dict[str, Any]:
    data = dataclasses.asdict(entry)
    data.pop("name")
    data.pop("provenance_type")
    data["match"] = list(entry.match)
    return {k: v for k, v in data.items() if v not in (None, [], ())}


def entry_of_row(row: RegisteredSource) -> SourceEntry:
    values = dict(row.fields)
    values["match"] = tuple(values.get("match", ()))
    known = {f for f in FIELDS} - {"name", "provenance_type"}
    return SourceEntry(
        name=row.name,
        provenance_type=row.provenance_type,
        **{k: v for k, v in values.items() if k in known},
    )


def add_entries(engine: Engine, entries: list[SourceEntry], import_file: str | None = None) -> dict[str, int]:
    """Insert or replace each entry by name; returns how many were added and updated."""
    now = dt.datetime.now(dt.UTC)
    added = updated = 0
    with session(engine) as s:
        for entry in entries:
            row = s.get(RegisteredSource, entry.name)
            if row is None:
                s.add(
                    RegisteredSource(
                        name=entry.name,
                        provenance_type=entry.provenance_type,
                        fields=_fields_of(entry),
                        registered_at=now,
                        updated_at=now,
                        import_file=import_file,
                    )
                )
                added += 1
            else:
                row.provenance_type = entry.provenance_type
                row.fields = _fields_of(entry)
                row.updated_at = now
                row.import_file = import_file
                updated += 1
        s.commit()
    return {"added": added, "updated": updated}


def import_file(engine: Engine, path: str | Path) -> dict[str, int]:
    """Import a sources file (YAML or CSV, the format `filter --sources` reads)."""
    catalog = load_sources(path)
    base = Path(path).resolve().parent
    entries = []
    for i, entry in enumerate(catalog.entries):
        check_entry(entry, f"{path} entry {i + 1}")
        entries.append(_resolve_files(entry, base))
    return add_entries(engine, entries, str(path))


def _resolve_files(entry: SourceEntry, base: Path) -> SourceEntry:
    """Snapshot files named relative to the sources file are stored with their absolute path."""
    changes: dict[str, Any] = {}
    for key in ("robots_snapshot", "tdm_rep"):
        value = getattr(entry, key)
        if value and not Path(value).is_absolute() and (base / value).is_file():
            changes[key] = str(base / value)
    return dataclasses.replace(entry, **changes) if changes else entry


def registered(engine: Engine) -> list[SourceEntry]:
    with session(engine) as s:
        return [entry_of_row(r) for r in s.scalars(select(RegisteredSource).order_by(RegisteredSource.name))]


def registry_catalog(engine: Engine) -> SourceCatalog:
    """The registry as a catalog, to match records and assessed source names to entries."""
    return SourceCatalog(registered(engine))


def entry_for_source(catalog: SourceCatalog, name: str) -> SourceEntry | None:
    """The registered entry of an assessed source name (its name, else its host, else a path pattern)."""
    return catalog.entry_for(name, name if "." in name else None, name)
