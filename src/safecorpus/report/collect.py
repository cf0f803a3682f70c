"""Build the report document (what report.json holds) from the stored rows: every figure comes from a
stored result, named by the section it sits in; nothing is recomputed from the corpus."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

from safecorpus import SCHEMA_VERSION, __version__
from safecorpus.ip.licences import DEFAULT_ALLOWED, licence_check
from safecorpus.ip.robots import source_opt_outs
from safecorpus.ip.scan import KINDS
from safecorpus.registry.source_registry import entry_for_source, entry_of_row
from safecorpus.registry.tables import ProvenanceAudit, RegisteredSource
from safecorpus.report.stored import results_hash
from safecorpus.sources.audit import audit_doc
from safecorpus.sources.catalog import SourceCatalog
from safecorpus.sources.diversity import DEFAULT_MAX_FOREIGN_SHARE, DEFAULT_MIN_SOURCES, diversity
from safecorpus.sources.pi_basis import basis_of_entry
from safecorpus.sources.requirements import completeness, missing_fields
from safecorpus.taxonomy.profile import Profile, load_profile

MAX_IDS_PER_SAMPLE = 5000


def _sampled_ids(path: str, base: Path | None = None) -> list[str]:
    """Ids of a sample from its evidence file (the column after the hash), in hash order. A relative path
    is tried from the working folder, then from ``base`` (the folder that holds the store folder)."""
    p = Path(path)
    if not p.is_file() and base is not None and not p.is_absolute():
        p = base / p
    if not p.is_file():
        return []
    ids = []
    with p.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith(("#", "hash\t")):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) > 1:
                ids.append(parts[1])
            if len(ids) >= MAX_IDS_PER_SAMPLE:
                break
    return ids


def classifier_coverage(profile: Profile) -> dict[str, Any]:
    """Which data risks the shipped classifier has a head for (docs/model-card.md)."""
    text = resources.files("safecorpus.data").joinpath("classifier/manifest.json").read_text("utf-8")
    heads = [h for h in json.loads(text).get("heads", []) if h != "any"]
    data_ids = list(profile.data_risk_ids)
    covered = [r for r in data_ids if r in heads]
    return {
        "enabled": bool(profile.get("classifier.enabled", False)),
        "heads": heads,
        "data_risks": len(data_ids),
        "covered": covered,
        "not_covered": [r for r in data_ids if r not in heads],
        "all_31_covered": all(r.id in heads for r in profile.taxonomy.risks),
    }


def _risk_breakdown(
    profile: Profile, sources: list[dict[str, Any]], ip_flagged: int | None
) -> list[dict[str, Any]]:
    counts: Counter[str] = Counter()
    for s in sources:
        for item in s["top_risks"]:
            counts[item["risk"]] += int(item["count"])
    tax = profile.taxonomy
    groups = []
    for g in tax.groups:
        risks: list[dict[str, Any]] = []
        for r in tax.in_group(g.id):
            risks.append(
                {
                    "risk": r.id,
                    "name_zh": r.zh,
                    "name_en": r.en,
                    "sampled_violations": counts.get(r.id, 0),
                    "ip_scan_flagged": ip_flagged if (r.id == "A.3.1" and ip_flagged is not None) else None,
                }
            )
        groups.append(
            {
                "group": g.id,
                "name_zh": g.zh,
                "name_en": g.en,
                "sampled_violations": sum(x["sampled_violations"] for x in risks),
                "risks": risks,
            }
        )
    return groups


def run_profile(run: dict[str, Any]) -> Profile:
    """The profile the run was assessed under (as stored with it)."""
    return (
        load_profile(run["profile"]) if not run["profile_data"] else Profile(run["profile_data"], ("stored",))
    )


def run_policy(run: dict[str, Any], profile: Profile) -> dict[str, Any]:
    """The ``policy`` object the run recorded; a run stored before it was recorded gets its profile and the
    rules version of its decision description, and no fingerprint (the settings it ran under are unknown)."""
    recorded = run["summary"].get("policy")
    if recorded:
        return dict(recorded)
    decision = (run["summary"].get("detectors") or {}).get("decision") or {}
    return {"profile": profile.name, "fingerprint": None, "rules_version": decision.get("rules_version")}


def build_document(
    stored: dict[str, Any],
    *,
    lang: str = "en",
    sources_base: Path | None = None,
    evidence_base: Path | None = None,
) -> dict[str, Any]:
    """The whole report as one JSON-able document (before masking)."""
    run = stored["run"]
    profile = run_profile(run)
    summary = run["summary"]
    entries = [entry_of_row(RegisteredSource(**r)) for r in stored["registry"]]
    catalog = SourceCatalog(entries)
    max_rate = float(profile.get("source.max_violation_rate"))

    # the basis each source's PI was judged under (the run's summary), else what the registry declares now
    run_bases = {d["name"]: d.get("pi_basis") for d in summary.get("sources", [])}
    sources = []
    for s in stored["sources"]:
        entry = entry_for_source(catalog, s["name"])
        declared = basis_of_entry(entry) if entry else None
        pi_basis = run_bases.get(s["name"]) or (
            declared.describe() if declared else {"basis": "none", "scope": []}
        )
        have, need = completeness(entry) if entry else (0, 0)
        sources.append(
            {
                "name": s["name"],
                "registered_as": entry.name if entry else None,
                "provenance_type": entry.provenance_type if entry else None,
                "read": s["read"],
                "rejected": s["rejected"],
                "sampled": s["sampled"],
                "violations": s["violations"],
                "rate": s["rate"],
                "ci_low": s["ci_low"],
                "ci_high": s["ci_high"],
                "census": bool(s["census"]),
                "verdict": s["verdict"],
                "needed_sample_size": s["needed_sample_size"],
                "top_risks": s["top_risks"],
                "layers": s["layers"],
                "pii_violations": int((s["layers"] or {}).get("pii", 0)),
                "pi_basis": pi_basis,
                "provenance_fields_present": have,
                "provenance_fields_required": need,
                "sampled_ids": _sampled_ids(s["sampled_ids_file"], evidence_base),
            }
        )

    nonconformances = [nc.to_dict() for e in entries for nc in missing_fields(e)]
    registry_rows = []
    for e in entries:
        have, need = completeness(e)
        registry_rows.append(
            {
                "name": e.name,
                "provenance_type": e.provenance_type,
                "languages": e.languages,
                "modality": e.modality,
                "origin": e.origin,
                "licence": e.licence,
                "fields_present": have,
                "fields_required": need,
                "missing": [nc.field for nc in missing_fields(e)],
            }
        )
    records_by_entry: dict[str, int] = {}
    for s in sources:
        if s["registered_as"]:
            records_by_entry[s["registered_as"]] = records_by_entry.get(s["registered_as"], 0) + s["read"]
    div = diversity(
        entries,
        records_by_entry or None,
        min_sources=int(profile.get("registry.min_sources_per_type", DEFAULT_MIN_SOURCES)),
        max_foreign_share=float(profile.get("registry.max_foreign_share", DEFAULT_MAX_FOREIGN_SHARE)),
    )

    allowed = list(profile.get("ip.training_licences", None) or DEFAULT_ALLOWED)
    ip_sources = [
        {
            "name": r["name"],
            "records": r["records"],
            **{k: r[k] for k in KINDS},
            "flagged": r["flagged"],
            "licence_marks_found": r["marks"].get("licences", {}),
            "works_found": r["marks"].get("works", {}),
            "with_crawl_metadata": r["marks"].get("with_crawl_metadata", 0),
        }
        for r in stored["ip_sources"]
    ]
    ip_totals = {k: sum(s[k] for s in ip_sources) for k in ("records", *KINDS, "flagged")}
    ip = {
        "scan": None
        if stored["ip_scan"] is None
        else {k: stored["ip_scan"][k] for k in ("id", "started_at", "detectors", "records")},
        "sources": ip_sources,
        "totals": ip_totals,
        "allow_list": allowed,
        "licences": [licence_check(e, allowed) for e in entries],
        "opt_outs": [source_opt_outs(e, sources_base) for e in entries],
    }

    audit = audit_doc([ProvenanceAudit(**r) for r in stored["audit"]]) if stored["audit"] else None
    tech = stored["technical_sample"]
    technical = None
    if tech:
        technical = {
            k: tech[k] for k in ("fraction", "sampled", "violations", "clean_rate", "ci_low", "ci_high")
        }
        technical |= {
            "min_clean_rate": tech["min_clean_rate"],
            "verdict": tech["verdict"],
            "marginal": bool(tech["marginal"]),
            "sampled_ids": _sampled_ids(tech["sampled_ids_file"], evidence_base),
        }
    modeltest = None
    if stored["modeltest"]:
        doc = stored["modeltest"]["doc"]
        modeltest = {
            "attached_at": stored["modeltest"]["attached_at"],
            "file_sha256": stored["modeltest"]["sha256"],
            "seed": doc.get("seed"),
            "draws": [
                {
                    "draw": d["draw"],
                    "judge": d["judge"],
                    "required_n": d["required_n"],
                    "n": d["n"],
                    "skipped": d.get("skipped"),
                    "verdict": d["verdict"],
                    "rate": d["overall"].get("rate"),
                    "ci_low": d["overall"].get("ci_low"),
                    "ci_high": d["overall"].get("ci_high"),
                    "threshold": d["overall"].get("threshold"),
                    "direction": d["overall"].get("direction"),
                    "item_ids": d.get("item_ids", []),
                }
                for d in doc.get("draws", [])
            ],
        }

    ledger = stored["consent_ledger"]
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"safecorpus {__version__}",
        "generated_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "lang": lang,
        "results_sha256": results_hash(stored),
        "policy": run_policy(run, profile),
        "scope": {
            "corpus": run["corpus"],
            "run_id": run["id"],
            "started_at": run["started_at"],
            "finished_at": run["finished_at"],
            "profile": profile.name,
            "profile_title": profile.get("title", profile.name),
            "records_read": run["records_read"],
            "records_assessed": run["records_assessed"],
            "records_rejected": run["records_rejected"],
            "rejected_reasons": run["rejected_reasons"],
            "detectors": run["detectors"],
            "thresholds": {
                "max_violation_rate": max_rate,
                "confidence": float(profile.get("source.confidence")),
                "per_source_sample_size": run["sample_size"],
                "technical_fraction": float(profile.get("technical_sample.fraction")),
                "technical_min_clean_rate": float(profile.get("technical_sample.min_clean_rate")),
                "manual_min_items": int(profile.get("manual_sample.min_items")),
                "manual_min_clean_rate": float(profile.get("manual_sample.min_clean_rate")),
            },
        },
        "sources": sources,
        "verdicts": dict(Counter(s["verdict"] for s in sources)),
        "risk_breakdown": _risk_breakdown(
            profile, sources, ip_totals["flagged"] if stored["ip_scan"] else None
        ),
        "lexicon_coverage": summary.get("lexicon_coverage"),
        "classifier_coverage": classifier_coverage(profile),
        "personal_information": {
            "pii_in_decision": "pii"
            in (summary.get("detectors", {}).get("decision", {}).get("layers") or []),
            "sampled_records_with_pi_violation": sum(s["pii_violations"] for s in sources),
            "per_source": {s["name"]: s["pii_violations"] for s in sources},
            "source_bases": {
                s["name"]: s["pi_basis"] for s in sources if s["pi_basis"].get("basis", "none") != "none"
            },
            "consent": summary.get("consent"),
            "ledger": ledger,
        },
        "ip": ip,
        "registry": {"sources": registry_rows, "nonconformances": nonconformances},
        "diversity": div,
        "provenance_audit": audit,
        "technical_sample": technical,
        "manual_sample": {"status": "not_stored", "min_items": int(profile.get("manual_sample.min_items"))},
        "model_test": modeltest,
        "sampling": {
            "design": run["sampling_design"],
            "seed": run["seed"],
            "key_fingerprint": run["key_fingerprint"],
            "audit_seed": audit["seed"] if audit else None,
            "modeltest_seed": modeltest["seed"] if modeltest else None,
        },
        "signatures": [
            {"role": "legal_representative"},
            {"role": "assessment_lead"},
            {"role": "legality_lead"},
        ],
    }
