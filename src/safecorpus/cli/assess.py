"""`safecorpus assess PATH`: the per-source safety assessment of a corpus."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from safecorpus.assess.runner import DEFAULT_SEED, AssessConfig, assess_corpus
from safecorpus.assess.summary import RunSummary
from safecorpus.cli import cli
from safecorpus.cli.common import (
    config_options,
    console,
    err_console,
    pct,
    reader_options,
    require_path,
    section_defaults,
    store_options,
    write_json,
)
from safecorpus.pipeline.storage import is_remote
from safecorpus.policy import Policy
from safecorpus.registry.db import open_store
from safecorpus.registry.results import save_run

STOP_LABEL = {
    "pass-boundary": "early stop",
    "blacklist-boundary": "early stop",
    "final-test": "at max items",
    "cut-short": "cap reached",
}
VERDICT_STYLE = {"blacklist": "bold red", "pass": "green", "inconclusive": "yellow"}


@cli.command()
@click.argument("path", type=click.Path())
@config_options
@reader_options
@click.option(
    "--seed",
    help=f"Sampling seed; the keyed hash of every record id depends on it. Keep it with "
    f"the evidence; set your own for an audit (default: {DEFAULT_SEED!r}).",
)
@click.option(
    "--sample-size",
    type=click.IntRange(min=1),
    metavar="N",
    help="Items sampled per source (default: the profile's source.sample_size, 400).",
)
@click.option(
    "--sequential/--fixed",
    "sequential",
    default=None,
    help="Per-source design: the sequential test of the profile's [source.sequential] (stops early on "
    "clear sources; with --sample-size N as a cap) or the fixed-size sample (default: the profile's "
    "choice, fixed unless [source.sequential] enabled = true).",
)
@click.option(
    "--technical-fraction",
    type=click.FloatRange(0.0, 1.0, min_open=True),
    metavar="F",
    help="Share of the corpus in the technical sample (default: the profile's, 0.10).",
)
@click.option(
    "--lexicon",
    "lexicon_path",
    metavar="NAME|PATH",
    help="Keyword library: a packaged name or a .tsv file (default: the packaged 'default').",
)
@click.option(
    "--matcher",
    type=click.Choice(["auto", "hyperscan", "ahocorasick"]),
    default="auto",
    show_default=True,
    help="Keyword matcher backend; results are identical, speed differs (default: [assess] matcher).",
)
@store_options
@click.option(
    "--subject-field",
    metavar="FIELD",
    help="Record field naming the data subject in the consent ledger, dotted for nested (default: "
    "[consent] subject_field, else user_id). PI counts as a violation only without a legal basis.",
)
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False), help="Write the summary as JSON to this file."
)
@click.option("--fail-on-blacklist", is_flag=True, help="Exit with status 3 when any source is blacklisted.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Local processes (1: in this process). Results are identical for any number.",
)
@click.option("--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True)
@click.option("--address", metavar="ADDR", help="Ray cluster address (auto, host:port, ray://host:10001).")
@click.option("--no-progress", is_flag=True, help="Do not show the progress bar.")
@section_defaults("assess")
def assess(
    path: str,
    config_path: str | None,
    profile_name: str | None,
    seed: str | None,
    sample_size: int | None,
    sequential: bool | None,
    technical_fraction: float | None,
    lexicon_path: str | None,
    matcher: str,
    store_dir: str | None,
    store_url: str | None,
    subject_field: str | None,
    json_path: str | None,
    fail_on_blacklist: bool,
    workers: int,
    executor: str,
    address: str | None,
    no_progress: bool,
    **reader_given: Any,
) -> int:
    """Assess every source of the corpus at PATH (a file, a folder or an fsspec URL such as s3://…)
    against the policy profile.

    Each source is sampled by keyed hash, scanned, and judged against the profile's threshold (5% in
    GB/T 45654): blacklist when the 95% interval lies above it, pass when at or below it, inconclusive
    otherwise (with the sample size that would settle it). The corpus-level technical sample (10% by
    hash) is scanned with the fast layers and judged against 98% clean. Results go to the store.

    Exit status: 0 when the run completes (even with rejected records), 2 for a user error (missing path,
    nothing readable), 3 with --fail-on-blacklist when a source is blacklisted.
    """
    corpus: Path | str = path if is_remote(path) else require_path(path)
    policy = Policy.compile(
        config_path,
        profile_name,
        lexicon=lexicon_path,
        store_dir=store_dir,
        store_url=store_url,
        subject_field=subject_field,
        **reader_given,
    )
    project, profile, url = policy.project, policy.profile, policy.store_url
    engine = open_store(url)
    from safecorpus.consent.ledger import ConsentLedger
    from safecorpus.registry.source_registry import registry_catalog
    from safecorpus.sources.pi_basis import SourceBases

    config = AssessConfig(
        corpus=corpus,
        profile=profile,
        reader=policy.reader,
        seed=seed or project.section("assess").get("seed", DEFAULT_SEED),
        sample_size=sample_size,
        sequential=sequential,
        technical_fraction=technical_fraction,
        lexicon=policy.lexicon,
        backend=matcher,
        store_dir=policy.store_dir,
        consent=ConsentLedger.load(engine, subject_field=policy.subject_field),
        pi_bases=SourceBases(registry_catalog(engine)),
        executor=executor,
        workers=workers,
        address=address,
        policy_fingerprint=policy.fingerprint,
    )
    show = not no_progress and sys.stderr.isatty()
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]assessing[/]"),
        BarColumn(bar_width=None),
        TextColumn("{task.completed:,}{task.fields[of]} {task.description}"),
        TextColumn("{task.fields[rate]}/s"),
        TimeElapsedColumn(),
        console=err_console,
        disable=not show,
        transient=True,
    ) as progress:
        task = progress.add_task("records", total=None, rate="—", of="")
        phase_start = {"records": 0.0}

        def on_progress(unit: str, done: int, total: int | None) -> None:
            elapsed = progress.tasks[0].elapsed or 0
            start = phase_start.setdefault(unit, elapsed)  # a rate per phase: items/s, files/s
            rate = f"{done / (elapsed - start):,.1f}" if elapsed > start else "—"
            of = f"/{total:,}" if total else ""
            progress.update(task, description=unit, completed=done, total=total, rate=rate, of=of)

        summary = assess_corpus(config, on_progress=on_progress)
    save_run(engine, summary.to_dict(), profile.data)
    summary = dataclasses.replace(summary, store=url)
    _print_summary(summary)
    if json_path:
        write_json(json_path, summary.to_dict())
        console.print(f"summary JSON: {json_path}")
    if fail_on_blacklist and summary.verdicts.get("blacklist"):
        err_console.print("[red]failing: at least one source is blacklisted (--fail-on-blacklist)[/]")
        return 3
    return 0


def _print_summary(summary: RunSummary) -> None:
    recs = summary.records
    table = Table(
        title=f"Per-source assessment — profile {summary.profile}, blacklist above "
        f"{pct(summary.max_violation_rate)}",
        title_justify="left",
    )
    for col, justify in (
        ("source", "left"),
        ("read", "right"),
        ("sampled", "right"),
        ("violations", "right"),
        ("rate", "right"),
        ("95% CI", "right"),
        ("top risks", "left"),
        ("flagged by", "left"),
        ("verdict", "left"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for s in summary.sources:
        risks = ", ".join(f"{r.risk}×{r.count}" for r in s.top_risks[:3]) or "—"
        verdict = f"[{VERDICT_STYLE[s.verdict]}]{s.verdict}[/]"
        if s.verdict == "inconclusive" and s.needed_sample_size:
            verdict += f" (n≈{s.needed_sample_size:,} would settle)"
        if s.census:
            verdict += " (census)"
        how = (s.sequential or {}).get("stopped_by")
        if how in STOP_LABEL:
            verdict += f" ({STOP_LABEL[how]})"
        table.add_row(
            s.name,
            f"{s.read:,}",
            f"{s.sampled:,}",
            f"{s.violations:,}",
            pct(s.rate),
            f"{pct(s.ci_low)}–{pct(s.ci_high)}",
            risks,
            ", ".join(f"{k} {v}" for k, v in sorted(s.layers.items())) or "—",
            verdict,
        )
    console.print(table)
    design = summary.sampling.get("sequential")
    if design:
        used = sum(s.sampled for s in summary.sources)
        console.print(
            f"Sequential design: {design['name']}; band {pct(design['p0'])}–{pct(design['p1'])}, "
            f"error ≤ {design['error_at_p0']:.3f} at {pct(design['p0'])} and ≤ {design['error_at_p1']:.3f} "
            f"at {pct(design['p1'])}, at most {design['max_items']:,} items per source "
            f"(matching fixed size {design['matching_fixed_size']:,}); {used:,} items used in all. "
            "Intervals are exact under the stopping rule."
        )
    tech = summary.technical_sample
    verdict = tech.verdict + (" (marginal: interval straddles the threshold)" if tech.marginal else "")
    style = "green" if tech.verdict == "meets" else "red"
    console.print(
        f"Technical sample: {tech.sampled:,} records ({pct(tech.fraction)} by hash), "
        f"{tech.violations:,} flagged; clean rate {pct(tech.clean_rate)} "
        f"(95% CI {pct(tech.ci_low)}–{pct(tech.ci_high)}) vs ≥{pct(tech.min_clean_rate)}: "
        f"[{style}]{verdict}[/]"
    )
    cov = summary.lexicon_coverage
    status = (
        "[green]meets the minima[/]" if cov["meets"] else f"[yellow]{len(cov['shortfalls'])} risk(s) short[/]"
    )
    console.print(
        f"Keyword library {cov['lexicon']}: {cov['total']:,} terms (minimum {cov['min_total']:,}); "
        f"{status}" + ("" if cov["meets_total"] else " [yellow]total below minimum[/]")
    )
    if cov["shortfalls"]:
        console.print(
            "  short: "
            + ", ".join(f"{s['risk']} {s['count']}/{s['minimum']}" for s in cov["shortfalls"])
            + " (details: safecorpus lexicon stats)"
        )
    if cov["stale"]:
        console.print(
            f"  [yellow]warning: the library was updated {cov['age_days']} days ago; the profile asks "
            f"for an update every {cov['update_period_days']} days[/]"
        )
    console.print(
        f"Records: {recs.read:,} read = {recs.assessed:,} assessed + {recs.rejected:,} rejected"
        + (f" ({', '.join(f'{k}: {v}' for k, v in recs.rejected_reasons.items())})" if recs.rejected else "")
    )
    if recs.duplicate_ids:
        console.print(f"  [yellow]{recs.duplicate_ids:,} duplicate record id(s)[/]")
    for rej in summary.rejections[:5]:
        err_console.print(f"  rejected {rej['file']}:{rej['line']}: {rej['reason']}: {rej['message']}")
    if recs.rejected > 5:
        err_console.print(
            f"  … all {recs.rejected:,} rejections are listed in "
            f"{Path(summary.evidence_dir) / 'rejected.jsonl'}"
        )
    for notice in summary.files:
        err_console.print(f"  note: {notice['message']}")
    console.print(
        f"Results stored in {summary.store} (run {summary.run_id}); evidence in {summary.evidence_dir}"
    )
