"""`safecorpus sources list|show`: read stored per-source results back."""

from __future__ import annotations

import click
from rich.table import Table

from safecorpus.cli import cli
from safecorpus.cli.common import config_options, console, pct, resolve_config, resolve_store, store_options
from safecorpus.errors import InputError
from safecorpus.registry.db import open_store
from safecorpus.registry.results import known_sources, latest_results, source_history


@cli.group()
def sources() -> None:
    """Sources and their stored assessment results."""


@sources.command("list")
@config_options
@store_options
def list_sources(
    config_path: str | None, profile_name: str | None, store_dir: str | None, store_url: str | None
) -> int:
    """One line per source: its latest stored verdict."""
    project, _ = resolve_config(config_path, profile_name)
    _, url = resolve_store(project, store_dir, store_url)
    rows = latest_results(open_store(url))
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
def show_source(
    name: str, config_path: str | None, profile_name: str | None, store_dir: str | None, store_url: str | None
) -> int:
    """Every stored assessment of source NAME, newest first, with its evidence."""
    project, _ = resolve_config(config_path, profile_name)
    _, url = resolve_store(project, store_dir, store_url)
    engine = open_store(url)
    history = source_history(engine, name)
    if not history:
        known = known_sources(engine)
        hint = f"; known sources: {', '.join(known[:20])}" if known else "; run 'safecorpus assess' first"
        raise InputError(f"no stored results for source {name!r}{hint}")
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
