"""`safecorpus lexicon …`: inspect, check, import, export and compare keyword libraries."""

from __future__ import annotations

import datetime as dt
import inspect
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from safecorpus.cli import cli
from safecorpus.cli.common import (
    OldNamesHidden,
    config_option,
    config_options,
    console,
    err_console,
    write_json,
)
from safecorpus.detect.lexicon.coverage import lexicon_coverage
from safecorpus.detect.lexicon.library import Lexicon, read_lexicon, write_lexicon
from safecorpus.errors import LexiconError
from safecorpus.policy import Policy


@cli.group()
def lexicon() -> None:
    """Keyword libraries: coverage against the standard's minima, checks, import, export and diff."""


def _allow_option(f: Any) -> Any:
    f = click.option(
        "--allow",
        "allow_path",
        metavar="NAME|PATH",
        help="Allow-list of benign phrases (default: the library's own, e.g. allow_default).",
    )(f)
    f = click.option("--no-allow", is_flag=True, help="Apply no allow-list.")(f)
    return f


@lexicon.command("stats")
@click.argument("library", required=False, metavar="[NAME|PATH]")
@config_options
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write the coverage as JSON.")
@click.option("--fail-on-shortfall", is_flag=True, help="Exit with status 3 when any minimum is not met.")
@click.option("--topics/--no-topics", default=True, show_default=True, help="Show the per-topic counts.")
def stats(
    library: str | None,
    config_path: str | None,
    profile_name: str | None,
    json_path: str | None,
    fail_on_shortfall: bool,
    topics: bool,
) -> int:
    """Total distinct terms, per-risk and per-topic counts against the profile's minima (≥10,000 in
    total, ≥200 per A.1 risk, ≥100 per A.2 risk in GB/T 45654), listing every risk that falls short,
    the severity weights, the allow-list and context rules, and the library's age. The library defaults
    to safecorpus.toml [lexicon] path, else the packaged 'default'."""
    from safecorpus.detect.lexicon.rules import context_rule, default_allow_list_for

    policy = Policy.compile(config_path, profile_name, lexicon=library)
    profile = policy.profile
    lex = read_lexicon(policy.lexicon)
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
        ("mean weight", "right"),
        ("status", "left"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for row in cov["per_risk"]:
        if row["minimum"]:
            status = "[green]ok[/]" if row["meets"] else f"[red]short by {row['minimum'] - row['count']}[/]"
        else:
            status = "no minimum"
        mean = "" if row.get("mean_weight") is None else f"{row['mean_weight']:.2f}"
        table.add_row(row["risk"], row["name_en"], f"{row['count']:,}", f"{row['minimum']:,}", mean, status)
    console.print(table)
    if topics and cov["per_topic"]:
        ttable = Table(title="Per topic (distinct canonical terms)", title_justify="left")
        ttable.add_column("topic")
        ttable.add_column("terms", justify="right")
        for tag, n in cov["per_topic"].items():
            ttable.add_row(tag, f"{n:,}")
        console.print(ttable)
    total_style = "green" if cov["meets_total"] else "red"
    console.print(
        f"Total distinct terms (canonical forms): [{total_style}]{cov['total']:,}[/] "
        f"of a minimum {cov['min_total']:,}"
    )
    console.print(
        "Severity weights (rows per weight): "
        + ", ".join(f"{w}: {n:,}" for w, n in cov.get("weights", {}).items())
    )
    allow = default_allow_list_for(lex)
    ruled = sum(1 for t in lex.terms if context_rule(t, lex.path or lex.ident) is not None)
    cov["allow_list"] = allow.ident if allow else None
    cov["allow_phrases"] = len(allow.phrases) if allow else 0
    cov["context_rules"] = ruled
    console.print(
        f"Allow-list: {escape(allow.ident) + f' ({len(allow.phrases):,} phrases)' if allow else 'none'}; "
        f"rows with context rules: {ruled:,}"
    )
    if cov["shortfalls"]:
        console.print(
            f"[red]{len(cov['shortfalls'])} risk(s) below the minimum:[/] "
            + ", ".join(f"{s['risk']} ({s['count']}/{s['minimum']})" for s in cov["shortfalls"])
        )
    else:
        console.print("[green]Every risk with a minimum meets it.[/]")
    for nc in cov.get("nonconformances", []):
        if nc["kind"] == "lexicon_stale":
            console.print(f"[yellow]warning: {escape(nc['message'])} (a non-conformance for the report)[/]")
    if json_path:
        write_json(json_path, cov)
    return 3 if fail_on_shortfall and not cov["meets"] else 0


def _make_detector(lex: Lexicon, variants: bool) -> Any:
    """A detector with every variant kind on (when this build has variant matching) or off."""
    from safecorpus.detect.lexicon.detector import LexiconDetector

    if "variants" in inspect.signature(LexiconDetector).parameters:
        from safecorpus.detect.lexicon.variants import VariantOptions

        opts = VariantOptions() if variants else VariantOptions.none()
        return LexiconDetector(lex, variants=opts)
    return LexiconDetector(lex)


@lexicon.command("check")
@click.argument("text")
@click.option(
    "--lexicon",
    "--library",
    "library",
    cls=OldNamesHidden,
    metavar="NAME|PATH",
    help="Keyword library (default: [lexicon] path, else the packaged 'default').",
)
@config_option
@_allow_option
@click.option(
    "--variants/--no-variants", default=True, show_default=True, help="Match obfuscated variants too."
)
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write the explanation as JSON.")
def check(
    text: str,
    library: str | None,
    config_path: str | None,
    allow_path: str | None,
    no_allow: bool,
    variants: bool,
    json_path: str | None,
) -> int:
    """Explain what in TEXT matches the library and why: the term, its risk and topic, its weight, the
    normalisation or variant that made it match, and whether an allow-list phrase or a context rule
    suppressed it."""
    from safecorpus.detect.lexicon.rules import load_rules
    from safecorpus.io.records import Record

    lex = read_lexicon(Policy.compile(config_path, lexicon=library).lexicon)
    detector = _make_detector(lex, variants)
    rules = load_rules(lex, detector, allow_path, use_allow=not no_allow)
    matches = detector.match_batch([text])
    decisions = rules.explain([text], matches)
    findings = detector.detect([Record("check", text, "check", "check", 1)])[0]
    evidence = {(f.start, f.end, f.evidence.get("term"), f.risk): f.evidence for f in findings}
    normalized = detector.normalizer.normalize(text)
    console.print(f"normalised text: {escape(normalized)!s}")
    console.print(
        f"library {escape(lex.ident)}; allow-list {escape(rules.allow.ident) if rules.allow else 'none'}; "
        f"context rules {len(rules.pattern_rules)}"
    )
    report: list[dict[str, Any]] = []
    if not matches:
        console.print("no match")
    for m, decision in zip(matches, decisions, strict=True):
        pattern = detector.patterns[m.pattern]
        channel = getattr(m, "channel", "basic")
        for term in detector.pattern_terms[m.pattern]:
            ev = evidence.get((m.start, m.end, term.term, term.risk), {})
            kinds = ev.get("variants")
            if kinds is None:
                kinds = ["normalised"] if text[m.start : m.end] != pattern else []
            how = ", ".join(kinds) if kinds else "exact"
            state = "[green]counts[/]" if decision.kept else f"[yellow]{escape(decision.describe())}[/]"
            console.print(
                f"[{m.start}:{m.end}] {escape(repr(text[m.start : m.end]))} → term {escape(repr(term.term))} "
                f"{term.tag} weight {term.weight:g} via {escape(how)} (channel {channel}; "
                f"source {escape(term.source or 'unknown')}): {state}"
            )
            report.append(
                {
                    "start": m.start,
                    "end": m.end,
                    "matched": text[m.start : m.end],
                    "term": term.term,
                    "canonical": pattern,
                    "risk": term.risk,
                    "topic": term.topic,
                    "weight": term.weight,
                    "source": term.source,
                    "channel": channel,
                    "variants": kinds,
                    "rule": decision.as_dict(),
                }
            )
    if json_path:
        write_json(
            json_path,
            {
                "schema_version": 1,
                "lexicon": lex.ident,
                "allow_list": rules.allow.ident if rules.allow else None,
                "normalized": normalized,
                "matches": report,
            },
        )
    return 0


@lexicon.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--into",
    "target",
    required=True,
    metavar="NAME|PATH",
    help="Library to merge into (a packaged name such as default, or a .tsv path).",
)
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False),
    help="Where to write the merged library (default: --into itself, when it is a file).",
)
@click.option("--mapping", type=click.Path(dir_okay=False), help="TOML [categories] file stem → risk tag.")
@click.option(
    "--risk", "risk_tag", metavar="TAG", help="Risk tag for every listed file (instead of --mapping)."
)
@click.option("--weight", type=float, default=1.0, show_default=True, help="Weight of imported list terms.")
@click.option("--lang", default="zh", show_default=True, help="Language of imported list terms.")
@click.option("--source-prefix", default="", help="Prefix of the provenance recorded in the source column.")
@click.option("--date", "date_str", metavar="YYYY-MM-DD", help="Date of this update (default: today).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write the merge report as JSON.")
def import_(
    sources: tuple[str, ...],
    target: str,
    out_path: str | None,
    mapping: str | None,
    risk_tag: str | None,
    weight: float,
    lang: str,
    source_prefix: str,
    date_str: str | None,
    json_path: str | None,
) -> int:
    """Merge term lists into a library: one-term-per-line category lists (tagged by --mapping or --risk)
    or other library TSVs. Rows are deduplicated by (canonical form, risk); the version and updated_at
    move forward and the import is recorded in the header."""
    from safecorpus.detect.lexicon.importer import load_mapping
    from safecorpus.detect.lexicon.manage import merge_terms, read_any_terms

    if mapping and risk_tag:
        raise LexiconError("give either --mapping or --risk, not both")
    today = _date(date_str)
    lex = read_lexicon(target)
    dest = out_path or (lex.path if lex.path and not lex.path.startswith("packaged:") else None)
    if dest is None:
        raise LexiconError(f"{target!r} is a packaged library: give --out PATH for the merged copy")
    if not 0 < weight <= 1:
        raise LexiconError(f"--weight {weight} must be in (0, 1]")
    new_terms = []
    for src in sources:
        path = Path(src)
        if not path.is_file():
            raise LexiconError(f"{src}: no such file")
        table = load_mapping(mapping) if mapping else ({path.stem: risk_tag} if risk_tag else None)
        new_terms += read_any_terms(path, table, source_prefix, weight=weight, lang=lang or None)
    report = merge_terms(lex, new_terms, sources=[Path(s).name for s in sources], today=today)
    write_lexicon(lex, dest)
    console.print(
        f"{report.added:,} terms added, {report.duplicates:,} duplicates skipped, {report.empty:,} empty; "
        f"{escape(lex.ident)} (updated {lex.updated_at}) → {escape(str(dest))}"
    )
    for risk, n in sorted(report.added_per_risk.items()):
        console.print(f"  {risk}: +{n:,}")
    if json_path:
        write_json(json_path, {"schema_version": 1, "lexicon": lex.ident, **report.as_dict()})
    return 0


def _date(value: str | None) -> dt.date:
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise LexiconError(f"--date {value!r} is not a date (YYYY-MM-DD)") from None


@lexicon.command("export")
@click.argument("library", default="default", metavar="[NAME|PATH]")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["tsv", "csv", "filing"]),
    default="tsv",
    show_default=True,
    help="tsv: the library format; csv: every column; filing: keyword, level-1 and level-2 category "
    "(Chinese risk-group and risk names), the filing attachment layout.",
)
@click.option("--out", "out_path", type=click.Path(dir_okay=False), help="Output file (default: stdout).")
@click.option("--bom", is_flag=True, help="Start the file with a UTF-8 byte-order mark (for spreadsheets).")
def export(library: str, fmt: str, out_path: str | None, bom: bool) -> int:
    """Write a library as TSV, CSV or the filing attachment layout."""
    from safecorpus.detect.lexicon.manage import export_lexicon

    text = export_lexicon(read_lexicon(library), fmt)
    if bom:
        text = "\ufeff" + text
    if out_path:
        Path(out_path).parent.mkdir(parents=True, exist_ok=True)
        Path(out_path).write_text(text, "utf-8")
        err_console.print(f"wrote {text.count(chr(10)):,} lines to {escape(out_path)}")
    else:
        click.echo(text, nl=False)
    return 0


@lexicon.command("diff")
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
@click.option("--terms/--no-terms", default=False, show_default=True, help="List the terms themselves.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write the diff as JSON.")
@click.option("--fail-on-change", is_flag=True, help="Exit with status 3 when the libraries differ.")
def diff(a: str, b: str, terms: bool, json_path: str | None, fail_on_change: bool) -> int:
    """Terms added, removed and changed (risk, topic or weight) from library A to library B, compared by
    canonical form, and the change of distinct terms per risk."""
    from safecorpus.detect.lexicon.manage import diff_lexicons

    d = diff_lexicons(read_lexicon(a), read_lexicon(b))
    console.print(
        f"{escape(d.a)} → {escape(d.b)}: {len(d.added):,} added, {len(d.removed):,} removed, "
        f"{len(d.changed):,} changed (by canonical form)"
    )
    table = Table(title="Distinct terms per risk", title_justify="left")
    for col in ("risk", "A", "B", "change"):
        table.add_column(col, justify="left" if col == "risk" else "right")
    for row in d.per_risk:
        if row["change"] or terms:
            table.add_row(row["risk"], f"{row['a']:,}", f"{row['b']:,}", f"{row['change']:+,}")
    if any(r["change"] for r in d.per_risk) or terms:
        console.print(table)
    if terms:
        for c, tags in d.added:
            console.print(f"+ {escape(c)}\t{', '.join(tags)}")
        for c, tags in d.removed:
            console.print(f"- {escape(c)}\t{', '.join(tags)}")
        for c, x, y in d.changed:
            console.print(f"~ {escape(c)}\t{'; '.join(x)} → {'; '.join(y)}")
    if json_path:
        write_json(json_path, {"schema_version": 1, **d.as_dict(with_terms=True)})
    return 3 if fail_on_change and not d.same else 0
