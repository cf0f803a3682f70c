"""`safecorpus ip scan|summary`: intellectual-property findings per source, and the corpus IP summary."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import click

from safecorpus.cli import cli
from safecorpus.cli.common import (
    config_options,
    console,
    pass_options,
    pct,
    reader_options,
    resolve_corpus,
    store_options,
    write_json,
)
from safecorpus.ip.scan import save_scan, scan_corpus
from safecorpus.ip.summary import ip_summary
from safecorpus.pipeline.corpus_pass import PassOptions
from safecorpus.policy import Policy
from safecorpus.registry.db import open_store
from safecorpus.report.privacy import Masker


@cli.group()
def ip() -> None:
    """Intellectual property: copyright and licence marks, creative works, opt-outs (risk A.3.1)."""


@ip.command("scan")
@click.argument("path")
@click.option("--json", "json_path", help="Write the scan summary here.")
@reader_options
@config_options
@store_options
@pass_options
def scan_cmd(
    path: str,
    json_path: str | None,
    config_path: str | None,
    profile_name: str | None,
    store_dir: str | None,
    store_url: str | None,
    run_on: PassOptions,
    **reader: Any,
) -> int:
    """Scan every record of the corpus at PATH (a file, a folder or an fsspec URL) for copyright
    notices, licence marks, creative works and opt-out signals."""
    policy = Policy.compile(config_path, profile_name, store_dir=store_dir, store_url=store_url, **reader)
    folder, url = policy.store_dir, policy.store_url
    engine = open_store(url)
    summary = scan_corpus(resolve_corpus(path), policy.reader, folder, run_on=run_on)
    summary["policy"] = policy.describe()
    save_scan(engine, summary)
    for s in summary["sources"]:
        console.print(
            f"  {s['name']}: {s['records']:,} records; notices {s['copyright_notices']}, reservations "
            f"{s['reservations']}, licence marks {s['licence_marks']} ({s['restrictive_marks']} NC/ND), "
            f"works {s['creative_works']}, opt-outs {s['opt_outs']}; needs clearance {s['flagged']} "
            f"({pct(s['flagged'] / s['records'] if s['records'] else 0.0)})"
        )
    console.print(f"IP scan {summary['scan_id']} stored in {url}; findings in {summary['evidence_file']}")
    if json_path:
        write_json(json_path, summary)
    return 0


@ip.command("summary")
@click.option("--json", "json_path", help="Write the corpus IP summary as JSON.")
@click.option("--csv", "csv_path", help="Write the per-source table as CSV (UTF-8 with BOM).")
@config_options
@store_options
def summary_cmd(
    json_path: str | None,
    csv_path: str | None,
    config_path: str | None,
    profile_name: str | None,
    store_dir: str | None,
    store_url: str | None,
) -> int:
    """The corpus IP summary to publish: licences, training permission, opt-outs, scan counts."""
    policy = Policy.compile(config_path, profile_name, store_dir=store_dir, store_url=store_url)
    profile, url = policy.profile, policy.store_url
    doc = Masker().walk(ip_summary(open_store(url), profile))  # published: no personal data unmasked
    for lic in doc["licences"]:
        flag = "  FLAGGED" if lic["flagged"] else ""
        console.print(
            f"  {lic['source']}: licence {lic['licence'] or '—'} → {lic['status']}{flag}: {lic['reason']}"
        )
    for opt in doc["opt_outs"]:
        if opt["opted_out"]:
            console.print(
                f"  {opt['source']}: opt-out (AI crawlers: {', '.join(opt['ai_crawlers_blocked']) or '—'};"
                f" TDM reservation: {opt['tdm']})"
            )
    t = doc["totals"]
    console.print(
        f"IP scan: {t['records']:,} records; needs clearance {t['flagged']:,}; notices "
        f"{t['copyright_notices']:,}; creative works {t['creative_works']:,}"
        if doc["scan"]
        else "no IP scan stored; run 'safecorpus ip scan PATH'"
    )
    if json_path:
        write_json(json_path, doc)
    if csv_path:
        _write_csv(Path(csv_path), doc)
    return 0


def _write_csv(path: Path, doc: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    licences = {lic["source"]: lic for lic in doc["licences"]}
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "source",
                "registered_as",
                "licence",
                "licence_status",
                "records",
                "copyright_notices",
                "reservations",
                "licence_marks",
                "restrictive_marks",
                "creative_works",
                "opt_outs",
                "flagged",
            ]
        )
        for s in doc["sources"]:
            lic = licences.get(s["registered_as"] or "", {})
            w.writerow(
                [
                    s["name"],
                    s["registered_as"] or "",
                    lic.get("licence") or "",
                    lic.get("status", "unregistered"),
                    s["records"],
                    s["copyright_notices"],
                    s["reservations"],
                    s["licence_marks"],
                    s["restrictive_marks"],
                    s["creative_works"],
                    s["opt_outs"],
                    s["flagged"],
                ]
            )
