"""`safecorpus lexicon …`: inspect and check keyword libraries."""

from __future__ import annotations

import click
from rich.table import Table

from safecorpus.cli import cli
from safecorpus.cli.common import config_options, console, resolve_config, write_json
from safecorpus.detect.lexicon.coverage import lexicon_coverage
from safecorpus.detect.lexicon.library import read_lexicon


@cli.group()
def lexicon() -> None:
    """Keyword libraries: coverage against the standard's minima, and checks."""


@lexicon.command("stats")
@click.argument("library", default="default", metavar="[NAME|PATH]")
@config_options
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write the coverage as JSON.")
@click.option("--fail-on-shortfall", is_flag=True, help="Exit with status 3 when any minimum is not met.")
def stats(
    library: str,
    config_path: str | None,
    profile_name: str | None,
    json_path: str | None,
    fail_on_shortfall: bool,
) -> int:
    """Total distinct terms and per-risk counts against the profile's minima (≥10,000 in total, ≥200 per
    A.1 risk, ≥100 per A.2 risk in GB/T 45654), listing every risk that falls short."""
    _, profile = resolve_config(config_path, profile_name)
    lex = read_lexicon(library)
    cov = lexicon_coverage(lex, profile)
    table = Table(
        title=f"Keyword library {cov['lexicon']} (updated {cov['updated_at'] or 'unknown'}) — "
        f"profile {profile.name}",
        title_justify="left",
    )
    for col, justify in (
        ("risk", "left"),
        ("name", "left"),
        ("terms", "right"),
        ("minimum", "right"),
        ("status", "left"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for row in cov["per_risk"]:
        if row["minimum"]:
            status = "[green]ok[/]" if row["meets"] else f"[red]short by {row['minimum'] - row['count']}[/]"
        else:
            status = "no minimum"
        table.add_row(row["risk"], row["name_en"], f"{row['count']:,}", f"{row['minimum']:,}", status)
    console.print(table)
    total_style = "green" if cov["meets_total"] else "red"
    console.print(
        f"Total distinct terms (canonical forms): [{total_style}]{cov['total']:,}[/] "
        f"of a minimum {cov['min_total']:,}"
    )
    if cov["shortfalls"]:
        console.print(
            f"[red]{len(cov['shortfalls'])} risk(s) below the minimum:[/] "
            + ", ".join(f"{s['risk']} ({s['count']}/{s['minimum']})" for s in cov["shortfalls"])
        )
    else:
        console.print("[green]Every risk with a minimum meets it.[/]")
    if cov["stale"]:
        console.print(
            f"[yellow]warning: updated {cov['age_days']} days ago; the profile asks for an update "
            f"every {cov['update_period_days']} days (a non-conformance for the report)[/]"
        )
    if json_path:
        write_json(json_path, cov)
    return 3 if fail_on_shortfall and not cov["meets"] else 0


@lexicon.command("check")
@click.argument("text")
@click.option("--library", default="default", metavar="NAME|PATH", show_default=True)
def check(text: str, library: str) -> int:
    """Show what in TEXT matches the library, with the term, its risk and the matched span."""
    from safecorpus.detect.lexicon.detector import LexiconDetector

    detector = LexiconDetector(read_lexicon(library))
    matches = detector.match_batch([text])
    if not matches:
        console.print("no match")
        return 0
    for m in matches:
        for term in detector.pattern_terms[m.pattern]:
            console.print(
                f"[{m.start}:{m.end}] {text[m.start : m.end]!r} → term {term.term!r} "
                f"{term.tag} weight {term.weight:g} (source {term.source or 'unknown'})"
            )
    return 0
