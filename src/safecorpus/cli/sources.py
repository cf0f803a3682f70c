"""`safecorpus sources list|show`: read stored per-source results back."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import click
from rich.table import Table

from safecorpus import SCHEMA_VERSION
from safecorpus.cli import cli
from safecorpus.cli.common import (
    config_options,
    console,
    json_option,
    pass_options,
    pct,
    reader_options,
    resolve_corpus,
    store_options,
    write_json,
)
from safecorpus.errors import InputError
from safecorpus.pipeline.corpus_pass import PassOptions
from safecorpus.policy import Policy
from safecorpus.registry.db import open_store
from safecorpus.registry.results import known_sources, latest_results, source_history
from safecorpus.registry.source_registry import (
    add_entries,
    entry_for_source,
    entry_from_fields,
    import_file,
    registered,
    registry_catalog,
)
from safecorpus.report.privacy import Masker
from safecorpus.sources.audit import DEFAULT_PER_TYPE, run_audit
from safecorpus.sources.catalog import FIELDS, TYPES, SourceEntry
from safecorpus.sources.diversity import DEFAULT_MAX_FOREIGN_SHARE, DEFAULT_MIN_SOURCES, diversity
from safecorpus.sources.requirements import completeness, missing_fields


@cli.group()
def sources() -> None:
    """The source registry, and sources' stored assessment results."""


def _latest_doc(url: str, rows: list[Any]) -> dict[str, Any]:
    """The figures of `sources list`, one object per source."""
    return {
        "schema_version": SCHEMA_VERSION,
        "store": url,
        "sources": [
            {
                "name": src.name,
                "read": src.read,
                "sampled": src.sampled,
                "violations": src.violations,
                "rate": src.rate,
                "ci_low": src.ci_low,
                "ci_high": src.ci_high,
                "verdict": src.verdict,
                "assessed_at": run.started_at.isoformat(),
                "run": run.id,
            }
            for src, run in rows
        ],
    }


def _history_doc(name: str, history: list[Any]) -> dict[str, Any]:
    """The figures of `sources show NAME`, newest assessment first."""
    return {
        "schema_version": SCHEMA_VERSION,
        "source": name,
        "assessments": [
            {
                "run": run.id,
                "started_at": run.started_at.isoformat(),
                "profile": run.profile,
                "corpus": run.corpus,
                "read": src.read,
                "rejected": src.rejected,
                "sampled": src.sampled,
                "census": bool(src.census),
                "violations": src.violations,
                "rate": src.rate,
                "ci_low": src.ci_low,
                "ci_high": src.ci_high,
                "verdict": src.verdict,
                "needed_sample_size": src.needed_sample_size,
                "top_risks": list(src.top_risks or []),
                "layers": dict(src.layers or {}),
                "sampling_design": run.sampling_design,
                "seed": run.seed,
                "key_fingerprint": run.key_fingerprint,
                "sample_size": run.sample_size,
                "sampled_ids_file": src.sampled_ids_file,
            }
            for src, run in history
        ],
    }


@sources.command("list")
@config_options
@store_options
@json_option
def list_sources(
    config_path: str | None,
    profile_name: str | None,
    store_dir: str | None,
    store_url: str | None,
    json_path: str | None,
) -> int:
    """One line per source: its latest stored verdict."""
    policy = Policy.compile(config_path, profile_name, store_dir=store_dir, store_url=store_url)
    url = policy.store_url
    rows = latest_results(open_store(url))
    if json_path:
        write_json(json_path, _latest_doc(url, rows))
        if json_path == "-":
            return 0
    if not rows:
        console.print(f"no stored results in {url}; run 'safecorpus assess PATH' first")
        return 0
    table = Table(title=f"Sources in {url}", title_justify="left")
    for col in ("source", "read", "sampled", "violations", "rate", "95% CI", "verdict", "assessed at", "run"):
        table.add_column(col)
    for src, run in rows:
        table.add_row(
            src.name,
            f"{src.read:,}",
            f"{src.sampled:,}",
            f"{src.violations:,}",
            pct(src.rate),
            f"{pct(src.ci_low)}–{pct(src.ci_high)}",
            src.verdict,
            run.started_at.strftime("%Y-%m-%d %H:%M"),
            run.id[:8],
        )
    console.print(table)
    return 0


@sources.command("show")
@click.argument("name")
@config_options
@store_options
@json_option
def show_source(
    name: str,
    config_path: str | None,
    profile_name: str | None,
    store_dir: str | None,
    store_url: str | None,
    json_path: str | None,
) -> int:
    """Every stored assessment of source NAME, newest first, with its evidence."""
    policy = Policy.compile(config_path, profile_name, store_dir=store_dir, store_url=store_url)
    url = policy.store_url
    engine = open_store(url)
    history = source_history(engine, name)
    if not history:
        known = known_sources(engine)
        hint = f"; known sources: {', '.join(known[:20])}" if known else "; run 'safecorpus assess' first"
        raise InputError(f"no stored results for source {name!r}{hint}")
    if json_path:
        write_json(json_path, _history_doc(name, history))
        if json_path == "-":
            return 0
    for src, run in history:
        console.print(
            f"[bold]{src.name}[/] — run {run.id} at {run.started_at:%Y-%m-%d %H:%M:%S} "
            f"(profile {run.profile}, corpus {run.corpus})"
        )
        console.print(
            f"  read {src.read:,}, rejected {src.rejected:,}, sampled {src.sampled:,}"
            f"{' (census)' if src.census else ''}, violations {src.violations:,}"
        )
        console.print(
            f"  rate {pct(src.rate)}, 95% CI {pct(src.ci_low)}–{pct(src.ci_high)}: {src.verdict}"
            + (f" (n≈{src.needed_sample_size:,} would settle)" if src.needed_sample_size else "")
        )
        risks = ", ".join(f"{r['risk']}×{r['count']}" for r in src.top_risks) or "none"
        console.print(f"  risks: {risks}; layers: {src.layers or {}}")
        console.print(
            f"  sampling: {run.sampling_design}, seed {run.seed!r} (key {run.key_fingerprint}), "
            f"k={run.sample_size}"
        )
        console.print(f"  sampled ids: {src.sampled_ids_file}")
    return 0


# --- the source registry ---------------------------------------------------------------------------------

_ADD_FIELDS = [f for f in FIELDS if f not in ("name", "provenance_type")]


def _registry_options(f: Callable[..., Any]) -> Callable[..., Any]:
    for name in reversed(_ADD_FIELDS):
        f = click.option(f"--{name.replace('_', '-')}", name, help=f"Sources-file field '{name}'.")(f)
    return f


@sources.command("add")
@click.argument("name")
@click.option("--type", "provenance_type", required=True, type=click.Choice(TYPES), help="Provenance type.")
@_registry_options
@config_options
@store_options
def add_source(
    name: str,
    provenance_type: str,
    config_path: str | None,
    profile_name: str | None,
    store_dir: str | None,
    store_url: str | None,
    **fields: str | None,
) -> int:
    """Register (or replace) source NAME; list fields such as --languages take 'zh;en'."""
    policy = Policy.compile(config_path, profile_name, store_dir=store_dir, store_url=store_url)
    url = policy.store_url
    entry = entry_from_fields({"name": name, "provenance_type": provenance_type, **fields})
    counts = add_entries(open_store(url), [entry])
    console.print(f"{'added' if counts['added'] else 'updated'} source {name!r} ({provenance_type})")
    _print_missing([entry])
    return 0


@sources.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@config_options
@store_options
def import_sources(
    path: str, config_path: str | None, profile_name: str | None, store_dir: str | None, store_url: str | None
) -> int:
    """Register every source of a sources file (YAML or CSV, the format `filter --sources` reads)."""
    policy = Policy.compile(config_path, profile_name, store_dir=store_dir, store_url=store_url)
    url = policy.store_url
    engine = open_store(url)
    counts = import_file(engine, path)
    console.print(f"{path}: {counts['added']} source(s) added, {counts['updated']} updated")
    _print_missing(registered(engine))
    return 0


def _print_missing(entries: list[SourceEntry]) -> list[dict[str, Any]]:
    found = [nc.to_dict() for e in entries for nc in missing_fields(e)]
    for nc in found:
        console.print(f"  non-conformance [{nc['clause']}]: {nc['source']}: missing {nc['field']}")
    return found


@sources.command("check")
@click.option("--json", "json_path", help="Write the registry, non-conformances and diversity view here.")
@click.option(
    "--records", is_flag=True, help="Weight the domestic/foreign share by records read (needs assess)."
)
@config_options
@store_options
def check_sources(
    json_path: str | None,
    records: bool,
    config_path: str | None,
    profile_name: str | None,
    store_dir: str | None,
    store_url: str | None,
) -> int:
    """The registry: missing required fields (non-conformances) and the diversity view."""
    policy = Policy.compile(config_path, profile_name, store_dir=store_dir, store_url=store_url)
    profile, url = policy.profile, policy.store_url
    engine = open_store(url)
    entries = registered(engine)
    if not entries:
        console.print(f"the source registry in {url} is empty; run 'safecorpus sources import FILE'")
        return 0
    table = Table(title="Source registry", title_justify="left")
    for col in ("source", "type", "languages", "modality", "origin", "licence", "required fields"):
        table.add_column(col)
    for e in entries:
        have, need = completeness(e)
        table.add_row(
            e.name,
            e.provenance_type,
            e.languages or "—",
            e.modality or "—",
            e.origin or "—",
            e.licence or "—",
            f"{have}/{need}",
        )
    console.print(table)
    missing = _print_missing(entries)
    weights: dict[str, int] | None = None
    if records:
        catalog = registry_catalog(engine)
        weights = {}
        for src, _run in latest_results(engine):
            entry = entry_for_source(catalog, src.name)
            if entry:
                weights[entry.name] = weights.get(entry.name, 0) + src.read
    view = diversity(
        entries,
        weights,
        min_sources=int(profile.get("registry.min_sources_per_type", DEFAULT_MIN_SOURCES)),
        max_foreign_share=float(profile.get("registry.max_foreign_share", DEFAULT_MAX_FOREIGN_SHARE)),
    )
    for cell in view["cells"]:
        mark = "  FLAGGED: fewer than 2 sources" if cell["flagged"] else ""
        console.print(f"  {cell['modality']}/{cell['language']}: {cell['count']} source(s){mark}")
    origin = view["origin"]
    console.print(
        f"  foreign share {pct(origin['foreign_share'])} (by {origin['weighted_by']}), cap "
        f"{pct(origin['max_foreign_share'])}: {'within cap' if origin['within_cap'] else 'OVER CAP'}"
    )
    if json_path:
        doc = {
            "schema_version": SCHEMA_VERSION,
            "sources": [dataclasses.asdict(e) for e in entries],
            "nonconformances": missing,
            "diversity": view,
        }
        write_json(json_path, Masker().walk(doc))
    return 0


@sources.command("audit")
@click.argument("path")
@click.option("--per-type", type=click.IntRange(min=1), default=DEFAULT_PER_TYPE, show_default=True)
@click.option("--seed", default="safecorpus-audit", show_default=True, help="Sampling key of the audit.")
@click.option("--json", "json_path", help="Write the audit result here.")
@reader_options
@config_options
@store_options
@pass_options
def audit_sources(
    path: str,
    per_type: int,
    seed: str,
    json_path: str | None,
    config_path: str | None,
    profile_name: str | None,
    store_dir: str | None,
    store_url: str | None,
    run_on: PassOptions,
    **reader: Any,
) -> int:
    """Provenance audit (GB/T 45652 8.2.2): sample records per provenance type and check their records."""
    policy = Policy.compile(config_path, profile_name, store_dir=store_dir, store_url=store_url, **reader)
    folder, url = policy.store_dir, policy.store_url
    doc = run_audit(open_store(url), resolve_corpus(path), policy.reader, folder, seed, per_type, run_on)
    for t in doc["types"]:
        console.print(
            f"  {t['provenance_type']}: {t['sampled']} of {t['population']:,} sampled; provenance "
            f"{t['provenance_ok']}, risk record {t['risk_ok']}, IP record {t['ip_ok']}; pass "
            f"{t['passed']}/{t['sampled']} ({pct(t['pass_share'])})"
        )
    if json_path:
        write_json(json_path, {"schema_version": SCHEMA_VERSION, **doc, "policy": policy.describe()})
    return 0
