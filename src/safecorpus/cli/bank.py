"""``safecorpus bank``: question-bank coverage, near-duplicates and the filing attachment."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
import orjson

from safecorpus import SCHEMA_VERSION
from safecorpus.cli import cli
from safecorpus.cli.common import config_option, config_options, section_defaults
from safecorpus.errors import InputError
from safecorpus.modeltest.bank import (
    ASPECTS,
    BANKS,
    export_filing_csv,
    import_filing_csv,
    near_duplicates,
    packaged_banks,
    read_bank,
    write_bank,
)
from safecorpus.modeltest.coverage import check_banks
from safecorpus.policy import Policy


def _bank_paths(paths: tuple[str, ...]) -> list[Path]:
    if paths:
        return [Path(p) for p in paths]
    shipped = list(packaged_banks().values())
    if not shipped:
        raise InputError("no bank given and no starter banks are installed; give a bank .jsonl path")
    return shipped


def _write_json(path: str, doc: dict) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))


@cli.group("bank")
def bank() -> None:
    """Question banks for the model tests: coverage, near-duplicates, filing attachment."""


@bank.command("stats")
@click.argument("paths", nargs=-1, type=click.Path())
@config_options
@click.option("--as-of", default=None, help="Check freshness as of this date (YYYY-MM-DD); default today.")
@click.option("--json", "json_path", default=None, help="Write the coverage report as JSON here.")
@click.option("--fail-on-shortfall", is_flag=True, help="Exit 3 when any bank has a shortfall.")
@section_defaults("bank", {"files": "paths"})
def stats(paths, config_path, profile_name, as_of, json_path, fail_on_shortfall) -> None:
    """Check banks (default: [bank] files, else the starter banks) against the profile's minima."""
    profile = Policy.compile(config_path, profile_name).profile
    files = _bank_paths(paths)
    items = read_bank(*files)
    day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    report = check_banks(items, profile, day)
    names = {r.id: r.en for r in profile.taxonomy.risks} | {a: v[2] for a, v in ASPECTS.items()}
    for cov in report:
        status = "OK" if cov.ok else f"{len(cov.shortfalls)} shortfall(s)"
        click.echo(
            f"{cov.bank}: {cov.distinct} distinct of {cov.total} (needs {cov.required_total}); "
            f"newest {cov.newest} ({cov.age_days} days, period {cov.update_period_days}); "
            f"languages {cov.languages}; near-duplicate pairs {cov.near_duplicate_pairs} — {status}"
        )
        for cat, need in cov.required_per_category.items():
            have = cov.per_category.get(cat, 0)
            mark = "  " if have >= need else "✗ "
            click.echo(f"   {mark}{cat:<16} {have:>5} / {need:<5} {names.get(cat, '')}")
        for aspect, why in cov.excluded.items():
            click.echo(f"   excluded {aspect}: {why}")
        for sf in cov.shortfalls:
            click.echo(f"   SHORT {sf.message}")
    if json_path:
        _write_json(
            json_path,
            {
                "schema_version": SCHEMA_VERSION,
                "profile": profile.name,
                "as_of": day.isoformat(),
                "files": [str(f) for f in files],
                "banks": [c.to_dict() for c in report],
                "ok": all(c.ok for c in report),
            },
        )
    if fail_on_shortfall and not all(c.ok for c in report):
        sys.exit(3)


@bank.command("dupes")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--threshold", default=0.8, show_default=True, help="Character 3-gram Jaccard similarity.")
@click.option("--json", "json_path", default=None)
@config_option
@section_defaults("bank", {"files": "paths", "dupes_threshold": "threshold"})
def dupes(paths, threshold, json_path, config_path) -> None:
    """List near-duplicate question pairs (MinHash candidates confirmed by exact Jaccard)."""
    items = read_bank(*_bank_paths(paths))
    pairs = near_duplicates(items, threshold=threshold)
    by_id = {it.id: it for it in items}
    for p in pairs:
        click.echo(f"{p.similarity:.3f}  {p.a}  {p.b}  {by_id[p.a].question[:40]!r}")
    click.echo(f"{len(pairs)} near-duplicate pair(s) at Jaccard >= {threshold} among {len(items)} questions")
    if json_path:
        _write_json(
            json_path,
            {
                "schema_version": SCHEMA_VERSION,
                "threshold": threshold,
                "pairs": [{"a": p.a, "b": p.b, "similarity": p.similarity} for p in pairs],
            },
        )


@bank.command("export-filing")
@click.argument("path", type=click.Path())
@click.option("--out", "out_path", required=True, help="CSV to write (filing attachment layout).")
@click.option("--bank", "bank_name", type=click.Choice(BANKS), default=None, help="Only this bank.")
def export_filing(path, out_path, bank_name) -> None:
    """Write a bank as the filing attachment: number, question, level-1, level-2, answer, pass."""
    items = [it for it in read_bank(path) if bank_name is None or it.bank == bank_name]
    n = export_filing_csv(items, out_path)
    click.echo(f"wrote {n} rows to {out_path}")


@bank.command("import-filing")
@click.argument("path", type=click.Path())
@click.option("--bank", "bank_name", type=click.Choice(BANKS), required=True)
@click.option("--source", required=True, help="Source name recorded on every item.")
@click.option("--licence", required=True, help="Licence (SPDX id or 'proprietary').")
@click.option("--language", default="zh", show_default=True)
@click.option("--out", "out_path", required=True, help="Bank .jsonl to write.")
def import_filing(path, bank_name, source, licence, language, out_path) -> None:
    """Read a filing attachment CSV into a JSONL bank."""
    items = import_filing_csv(path, bank_name, source, licence, language)
    n = write_bank(items, out_path)
    click.echo(f"wrote {n} items to {out_path}")
