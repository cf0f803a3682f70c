"""The corpus IP summary (TC260-003 5.2.b.6 recommends publishing it): per source, its licence and
whether it permits training, opt-out signals, and what the latest IP scan found. Counts only: no text
from the corpus appears in it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from safecorpus import SCHEMA_VERSION
from safecorpus.ip.licences import DEFAULT_ALLOWED, licence_check
from safecorpus.ip.robots import source_opt_outs
from safecorpus.ip.scan import KINDS, latest_scan
from safecorpus.registry.source_registry import entry_for_source, registered, registry_catalog
from safecorpus.taxonomy.profile import Profile


def allowed_licences(profile: Profile) -> list[str]:
    return list(profile.get("ip.training_licences", None) or DEFAULT_ALLOWED)


def ip_summary(engine: Engine, profile: Profile, base: Path | None = None) -> dict[str, Any]:
    allowed = allowed_licences(profile)
    entries = registered(engine)
    catalog = registry_catalog(engine)
    scan, rows = latest_scan(engine)
    scanned = []
    for r in rows:
        entry = entry_for_source(catalog, r.name)
        scanned.append(
            {
                "name": r.name,
                "registered_as": entry.name if entry else None,
                "records": r.records,
                **{k: getattr(r, k) for k in KINDS},
                "flagged": r.flagged,
                "flagged_share": r.flagged / r.records if r.records else 0.0,
                "licence_marks_found": r.marks.get("licences", {}),
                "works_found": r.marks.get("works", {}),
                "with_crawl_metadata": r.marks.get("with_crawl_metadata", 0),
            }
        )
    totals = {k: sum(s[k] for s in scanned) for k in ("records", *KINDS, "flagged")}
    return {
        "schema_version": SCHEMA_VERSION,
        "allow_list": allowed,
        "licences": [licence_check(e, allowed) for e in entries],
        "opt_outs": [source_opt_outs(e, base) for e in entries],
        "scan": None
        if scan is None
        else {
            "scan_id": scan.id,
            "started_at": scan.started_at.isoformat(),
            "corpus": scan.corpus,
            "detectors": scan.detectors,
            "records": scan.records,
            "evidence_file": scan.evidence_file,
        },
        "sources": scanned,
        "totals": totals,
    }
