"""Sequential versus fixed-size per-source testing, and the coverage of the statistics' intervals.

Three parts, all seeded (numpy) and run with the library's own functions:

1. For true rates from 0.5% to 15%: the sequential design's average items and error rate, beside the
   smallest fixed-size design with the same error rates at the band edges (simulated, with the exact
   values computed by the library next to them).
2. Coverage of the sequential design's intervals (valid under its stopping rule): simulated, and exact
   (summed over every stopping point).
3. Coverage of the corrected-prevalence intervals over a grid of prevalence, detector quality and
   calibration sizes, both calibration designs, with the uncorrected flagged-rate interval for contrast.

    python benchmarks/sequential.py [--runs 4000] [--corr-runs 2000] [--seed 20261128] [--markdown OUT]
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import time
from pathlib import Path

import numpy as np

from safecorpus.assess import sequential as sq
from safecorpus.assess.prevalence import box_interval, cp_bounds

RATES = [0.005, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.10, 0.12, 0.15]


def simulate_sequential(
    design: sq.SequentialDesign, rate: float, runs: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(items used, violations, blacklisted) per simulated run, stopping by design.decide's boundaries."""
    n_max = design.max_items
    ns = np.arange(1, n_max + 1)
    upper = np.array([design.upper(n) for n in ns])
    lower = np.array([design.lower(n) for n in ns])
    upper[-1], lower[-1] = design.final_cut, design.final_cut - 1
    counts = np.cumsum(rng.random((runs, n_max)) < rate, axis=1, dtype=np.int32)
    hit_up = counts >= upper
    hit_low = counts <= lower
    stop = np.argmax(hit_up | hit_low, axis=1)  # the last column always stops
    rows = np.arange(runs)
    return stop + 1, counts[rows, stop], hit_up[rows, stop]


def part_sequential(design: sq.SequentialDesign, runs: int, rng: np.random.Generator) -> tuple[list, list]:
    fixed = sq.smallest_fixed_design(design.p0, design.p1, design.alpha, design.beta)
    exact = {p.rate: p for p in sq.operating_characteristics(design, RATES)}
    every = sq.stop_distribution(design, [0.5]).outcomes
    t0 = time.perf_counter()
    bounds = dict(
        zip([(n, k) for n, k, _ in every], sq.intervals(design, [(n, k) for n, k, _ in every]), strict=True)
    )
    interval_s = time.perf_counter() - t0
    exact_probs = sq.stop_distribution(design, RATES).probs
    rows, coverage = [], []
    for j, rate in enumerate(RATES):
        used, k, blacklisted = simulate_sequential(design, rate, runs, rng)
        wrong = blacklisted if rate <= design.threshold else ~blacklisted
        fixed_k = rng.binomial(fixed.n, rate, runs)
        fixed_wrong = (fixed_k >= fixed.cut) if rate <= design.threshold else (fixed_k < fixed.cut)
        ex = exact[rate]
        rows.append(
            {
                "rate": rate,
                "seq_items_sim": float(used.mean()),
                "seq_items_exact": ex.average_items,
                "fixed_items": fixed.n,
                "saving_sim": 1 - float(used.mean()) / fixed.n,
                "saving_exact": 1 - ex.average_items / fixed.n,
                "seq_error_sim": float(wrong.mean()),
                "seq_error_exact": ex.error,
                "fixed_error_sim": float(fixed_wrong.mean()),
                "fixed_error_exact": fixed.error(rate, design.threshold),
            }
        )
        lows = np.array([bounds[(int(a), int(b))][0] for a, b in zip(used, k, strict=True)])
        highs = np.array([bounds[(int(a), int(b))][1] for a, b in zip(used, k, strict=True)])
        covered = float(np.mean((lows <= rate) & (rate <= highs)))
        exact_cov = sum(
            p
            for p, (n, kk, _) in zip(exact_probs[:, j], every, strict=True)
            if bounds[(n, kk)][0] <= rate <= bounds[(n, kk)][1]
        )
        coverage.append({"rate": rate, "sim": covered, "exact": float(exact_cov)})
    print(f"  intervals for all {len(every)} stopping points: {interval_s:.1f} s")
    return rows, coverage


def part_corrected(runs: int, rng: np.random.Generator, confidence: float = 0.95) -> list[dict]:
    """Coverage of corrected intervals over a grid; calibration sizes are (positives, negatives) reviewed
    for the independent design and (flagged, unflagged) reviewed for the stratified one."""
    screened = 2000
    out = []
    grid = itertools.product(
        ["independent", "stratified"],
        [(20, 100), (200, 1000)],
        [(0.7, 0.95), (0.9, 0.99)],
        [0.005, 0.01, 0.03, 0.05, 0.1, 0.2],
    )
    for calibration, (c1, c0), (se, sp), prev in grid:
        q = prev * se + (1 - prev) * (1 - sp)
        flagged = rng.binomial(screened, q, runs)
        if calibration == "independent":
            tp = rng.binomial(c1, se, runs)
            fn = c1 - tp
            tn = rng.binomial(c0, sp, runs)
            fp = c0 - tn
        else:
            ppv = prev * se / q
            fo = prev * (1 - se) / (1 - q)
            r1 = np.minimum(c1, flagged)  # review up to c1 flagged and c0 unflagged items
            r0 = np.minimum(c0, screened - flagged)
            tp = rng.binomial(r1, ppv)
            fp = r1 - tp
            fn = rng.binomial(r0, fo)
            tn = r0 - fn
        low, high = box_interval(flagged, screened, tp, fn, fp, tn, confidence, calibration)  # type: ignore[arg-type]
        raw_low, raw_high = cp_bounds(flagged, screened, confidence)
        out.append(
            {
                "calibration": calibration,
                "sizes": (c1, c0),
                "se": se,
                "sp": sp,
                "prevalence": prev,
                "coverage": float(np.mean((low <= prev) & (prev <= high))),
                "width": float(np.median(high - low)),
                "raw_coverage": float(np.mean((raw_low <= prev) & (prev <= raw_high))),
            }
        )
    return out


def render(design: sq.SequentialDesign, seq: list, cov: list, corr: list, args: argparse.Namespace) -> str:
    lines = [
        f"Design: band {design.p0:.0%}–{design.p1:.0%}, α = {design.alpha}, β = {design.beta}, "
        f"max {design.max_items} items; intercepts pass {design.h_pass:.2f}, blacklist "
        f"{design.h_blacklist:.2f}, slope {design.slope:.5f}, final cut {design.final_cut}. "
        f"Matching fixed design: {seq[0]['fixed_items']} items. Runs per rate: {args.runs}; "
        f"seed {args.seed}.",
        "",
        "| true rate | seq. items (sim / exact) | fixed items | saving (sim / exact) "
        "| seq. error (sim / exact) | fixed error (sim / exact) | outside band |",
        "|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for r in seq:
        outside = r["rate"] <= design.p0 or r["rate"] >= design.p1
        lines.append(
            f"| {r['rate']:.1%} | {r['seq_items_sim']:.1f} / {r['seq_items_exact']:.1f} | {r['fixed_items']} "
            f"| {r['saving_sim']:.0%} / {r['saving_exact']:.0%} "
            f"| {r['seq_error_sim']:.4f} / {r['seq_error_exact']:.4f} "
            f"| {r['fixed_error_sim']:.4f} / {r['fixed_error_exact']:.4f} | {'yes' if outside else ''} |"
        )
    lines += [
        "",
        "Coverage of the sequential intervals (95%, exact under the stopping rule):",
        "",
        "| true rate | simulated | exact |",
        "|---:|---:|---:|",
    ]
    lines += [f"| {c['rate']:.1%} | {c['sim']:.4f} | {c['exact']:.4f} |" for c in cov]
    lines += [
        "",
        f"Coverage of the corrected-prevalence intervals (95%, {args.corr_runs} runs per row, "
        "2,000 screened items):",
        "",
        "| calibration | reviewed | Se | Sp | prevalence | coverage | median width "
        "| uncorrected CP coverage |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for c in corr:
        lines.append(
            f"| {c['calibration']} | {c['sizes'][0]} / {c['sizes'][1]} | {c['se']} | {c['sp']} "
            f"| {c['prevalence']:.1%} | {c['coverage']:.4f} | {c['width']:.4f} | {c['raw_coverage']:.4f} |"
        )
    outside = [r for r in seq if r["rate"] <= design.p0 or r["rate"] >= design.p1]
    lines += [
        "",
        f"Smallest saving outside the band (edges included): simulated "
        f"{min(r['saving_sim'] for r in outside):.1%}, exact {min(r['saving_exact'] for r in outside):.1%}.",
        "Rates outside the band where the sequential error (exact) exceeds the fixed design's: "
        + (
            ", ".join(f"{r['rate']:.1%}" for r in outside if r["seq_error_exact"] > r["fixed_error_exact"])
            or "none"
        )
        + ".",
        "Largest sequential error outside the band (exact): "
        f"{max(r['seq_error_exact'] for r in outside):.4f}.",
        f"Lowest coverage: sequential intervals {min(c['sim'] for c in cov):.4f} simulated, "
        f"{min(c['exact'] for c in cov):.4f} exact; corrected intervals "
        f"{min(c['coverage'] for c in corr):.4f}.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=4000, help="simulated sources per true rate")
    parser.add_argument("--corr-runs", type=int, default=2000, help="simulated runs per corrected-rate row")
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--markdown", type=Path, help="also write the tables to this file")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    design = sq.design_for()
    print(f"design computed in {time.perf_counter() - started:.1f} s")
    seq, cov = part_sequential(design, args.runs, rng)
    corr = part_corrected(args.corr_runs, rng)
    text = render(design, seq, cov, corr, args)
    elapsed = time.perf_counter() - started
    text += (
        f"\n\nMachine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"load average {os.getloadavg()[0]:.1f}; {elapsed:.0f} s in all."
    )
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", "utf-8")


if __name__ == "__main__":
    main()
