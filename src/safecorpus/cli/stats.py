"""`safecorpus stats …`: the statistics of human review, from counts (no review app needed)."""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table

from safecorpus import SCHEMA_VERSION
from safecorpus.assess import sequential as sq
from safecorpus.assess.manual_sample import from_profile
from safecorpus.assess.prevalence import corrected_prevalence
from safecorpus.cli import cli
from safecorpus.cli.common import config_options, console, err_console, pct, write_json
from safecorpus.policy import Policy

COUNT = click.IntRange(min=0)
DEFAULT_RATES = "0.005,0.01,0.02,0.03,0.04,0.05,0.06,0.07,0.08,0.10,0.12,0.15"


@cli.group()
def stats() -> None:
    """Statistics of reviewed labels: the manual-sample result, corrected prevalence, the sequential plan."""


def _json(path: str | None, doc: dict[str, Any]) -> None:
    if path:
        write_json(path, {"schema_version": SCHEMA_VERSION, **doc})
        console.print(f"JSON: {path}")


@stats.command()
@click.option("--flagged", type=COUNT, required=True, help="Items the detector flagged.")
@click.option("--screened", type=click.IntRange(min=1), required=True, help="Items the detector screened.")
@click.option("--tp", type=COUNT, required=True, help="Reviewed items flagged and truly violating.")
@click.option("--fn", "fn_", type=COUNT, required=True, help="Reviewed items not flagged but violating.")
@click.option("--fp", type=COUNT, required=True, help="Reviewed items flagged but clean.")
@click.option("--tn", type=COUNT, required=True, help="Reviewed items neither flagged nor violating.")
@click.option(
    "--calibration",
    type=click.Choice(["independent", "stratified"]),
    default="independent",
    show_default=True,
    help="independent: reviewed items are a separate sample (Rogan–Gladen). stratified: they are random "
    "subsamples of the screened items' flagged and unflagged strata (two-phase estimator).",
)
@click.option("--census", is_flag=True, help="The screened items are the whole population.")
@click.option("--confidence", type=click.FloatRange(0.5, 1.0, max_open=True), default=0.95, show_default=True)
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write the result as JSON here.")
def correct(
    flagged: int,
    screened: int,
    tp: int,
    fn_: int,
    fp: int,
    tn: int,
    calibration: str,
    census: bool,
    confidence: float,
    json_path: str | None,
) -> None:
    """Prevalence corrected for detector error, with an interval that carries the calibration's error."""
    try:
        got = corrected_prevalence(flagged, screened, tp, fn_, fp, tn, confidence, calibration, census)  # type: ignore[arg-type]
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    level = f"{100 * confidence:g}%"
    se = "—" if got.sensitivity is None else pct(got.sensitivity)
    sp = "—" if got.specificity is None else pct(got.specificity)
    console.print(
        f"flagged rate {pct(got.raw_rate)} ({flagged:,} of {screened:,}); sensitivity {se}, "
        f"specificity {sp} ({calibration} calibration)"
    )
    rate = "undefined" if got.rate is None else pct(got.rate)
    console.print(f"corrected prevalence {rate}, {level} interval {pct(got.low)}–{pct(got.high)}")
    if got.note:
        err_console.print(f"[yellow]note: {got.note}[/]")
    console.print(f"method: {got.method}")
    _json(json_path, {"corrected_prevalence": got.to_dict()})


@stats.command("manual-sample")
@config_options
@click.option("--clean", type=COUNT, required=True, help="Reviewed items with no data risk.")
@click.option("--total", type=COUNT, required=True, help="Reviewed items in the manual sample.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write the result as JSON here.")
@click.option(
    "--fail-unless-meets", is_flag=True, help="Exit with status 3 unless the sample meets the rule."
)
def manual_sample(
    config_path: str | None,
    profile_name: str | None,
    clean: int,
    total: int,
    json_path: str | None,
    fail_unless_meets: bool,
) -> int:
    """The corpus manual-sample result (≥ 4,000 items, ≥ 96% clean in the standard) with its interval."""
    profile = Policy.compile(config_path, profile_name).profile
    try:
        got = from_profile(clean, total, profile)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    style = {"meets": "green", "fails": "red", "incomplete": "yellow"}[got.verdict]
    extra = " (marginal: the interval straddles the threshold)" if got.marginal else ""
    if got.shortfall:
        extra += f" ({got.shortfall:,} more reviewed item(s) needed to reach {got.min_items:,})"
    console.print(
        f"manual sample: {got.clean:,} of {got.total:,} clean = {pct(got.clean_rate)} "
        f"({100 * got.confidence:g}% CI {pct(got.ci_low)}–{pct(got.ci_high)}) vs ≥{pct(got.min_clean_rate)} "
        f"and ≥{got.min_items:,} items: [{style}]{got.verdict}[/]{extra}"
    )
    _json(json_path, {"manual_sample": got.to_dict()})
    return 3 if fail_unless_meets and got.verdict != "meets" else 0


def _design(
    config_path: str | None, profile_name: str | None, overrides: dict[str, Any]
) -> sq.SequentialDesign:
    profile = Policy.compile(config_path, profile_name).profile
    table = {**(profile.get("source.sequential", {}) or {}), **{k: v for k, v in overrides.items() if v}}
    data = {**profile.data, "source": {**profile.data["source"], "sequential": table}}
    return sq.design_from_profile(type(profile)(data, profile.origin))


def _band_options(f: Any) -> Any:
    for name, help_ in (
        ("--max-items", "Most items per source (default: the profile's, 0 = 1.6 × the fixed size)."),
        ("--beta", "P(pass) allowed at p1 (default: the profile's, 0.05)."),
        ("--alpha", "P(blacklist) allowed at p0 (default: the profile's, 0.05)."),
        ("--p1", "Upper edge of the indifference band (default: the profile's, 0.07)."),
        ("--p0", "Lower edge of the indifference band (default: the profile's, 0.03)."),
    ):
        kind = click.IntRange(min=0) if name == "--max-items" else click.FloatRange(0, 1, min_open=True)
        f = click.option(name, type=kind, help=help_)(f)
    return config_options(f)


def _rates(text: str) -> list[float]:
    try:
        rates = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise click.BadParameter(f"{text!r}: give rates as fractions separated by commas") from None
    if not rates or not all(0 <= r <= 1 for r in rates):
        raise click.BadParameter(f"{text!r}: rates must be fractions in [0, 1]")
    return rates


@stats.command("sequential-plan")
@_band_options
@click.option("--rates", default=DEFAULT_RATES, show_default=True, help="True rates to tabulate.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write the plan as JSON here.")
def sequential_plan(
    config_path: str | None, profile_name: str | None, rates: str, json_path: str | None, **band: Any
) -> None:
    """The sequential design's exact operating characteristics beside the matching fixed-size design."""
    design = _design(config_path, profile_name, band)
    fixed = sq.smallest_fixed_design(design.p0, design.p1, design.alpha, design.beta)
    points = sq.operating_characteristics(design, _rates(rates))
    console.print(
        f"{sq.NAME}: band {pct(design.p0)}–{pct(design.p1)}, threshold {pct(design.threshold)}, "
        f"α = {design.alpha:g}, β = {design.beta:g}; blacklist when k ≥ ⌈{design.h_blacklist:.2f} + "
        f"{design.slope:.5f}·n⌉, pass when k ≤ ⌊{design.slope:.5f}·n − {design.h_pass:.2f}⌋, at "
        f"{design.max_items} items blacklist when k ≥ {design.final_cut}."
    )
    console.print(
        f"Matching fixed-size design: {fixed.n} items, blacklist when k ≥ {fixed.cut} "
        f"(error {fixed.alpha:.4f} at p0, {fixed.beta:.4f} at p1)."
    )
    table = Table(title="Exact operating characteristics", title_justify="left")
    for col in (
        "true rate",
        "P(blacklist)",
        "error",
        "fixed error",
        "average items",
        "fixed items",
        "saving",
    ):
        table.add_column(col, justify="right")
    rows = []
    for p in points:
        fixed_err = fixed.error(p.rate, design.threshold)
        saving = 1 - p.average_items / fixed.n
        rows.append({**p.__dict__, "fixed_error": fixed_err, "fixed_items": fixed.n, "saving": saving})
        table.add_row(
            pct(p.rate),
            f"{p.p_blacklist:.4f}",
            f"{p.error:.4f}",
            f"{fixed_err:.4f}",
            f"{p.average_items:.1f}",
            f"{fixed.n}",
            f"{100 * saving:.0f}%",
        )
    console.print(table)
    console.print("error: blacklisting at rates ≤ the threshold, passing above it.")
    _json(
        json_path,
        {"design": design.describe(), "fixed": fixed.__dict__, "operating_characteristics": rows},
    )


@stats.command("sequential-check")
@_band_options
@click.option(
    "--items", type=click.IntRange(min=1), required=True, help="Items judged so far, in rank order."
)
@click.option("--violations", type=COUNT, required=True, help="Violations among them.")
@click.option("--cap", type=click.IntRange(min=1), help="No more items can be judged than this (sample cap).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write the result as JSON here.")
def sequential_check(
    config_path: str | None,
    profile_name: str | None,
    items: int,
    violations: int,
    cap: int | None,
    json_path: str | None,
    **band: Any,
) -> None:
    """Whether the design stops after ITEMS judged with VIOLATIONS, and the verdict with its interval.

    Only meaningful when the items were judged in rank order and the design did not stop earlier.
    """
    design = _design(config_path, profile_name, band)
    if violations > items:
        raise click.UsageError(f"--violations ({violations}) cannot exceed --items ({items})")
    last = min(design.max_items, cap or design.max_items)
    if items > last:
        raise click.UsageError(f"the design judges at most {last} items; --items {items} is beyond it")
    limit = None if last == design.max_items else last
    stops = {(n, k) for n, k, _ in sq.stop_distribution(design, [0.5], limit).outcomes}
    if (items, violations) not in stops:
        if items < last and design.decide(items, violations) is None:
            console.print(
                f"go on: after {items} items with {violations} violation(s) the design has not decided "
                f"(it blacklists at {design.upper(items)} violations, passes at ≤ {design.lower(items)})"
            )
            _json(
                json_path,
                {"design": design.describe(), "items": items, "violations": violations, "stopped": False},
            )
            return
        raise click.UsageError(
            f"{violations} violation(s) in {items} items cannot be reached in rank order: the design "
            "would have stopped earlier; give the counts at the point where it stopped"
        )
    verdict = design.decide(items, violations)
    run = sq.SequentialRun(design, limit=last)
    run.n, run.k, run.verdict = items, violations, verdict
    result = run.result()
    console.print(
        f"stop: {result.verdict} ({result.stopped_by}) after {items} items, rate {pct(result.rate)}, "
        f"{100 * design.confidence:g}% interval valid under the stopping rule {pct(result.ci_low)}–"
        f"{pct(result.ci_high)}, median-unbiased rate {pct(result.median_unbiased)}"
    )
    _json(json_path, {"design": design.describe(), "stopped": True, "result": result.to_dict()})
