"""Sequential test of the per-source rule (blacklist above 5%), with exact operating characteristics.

The design is a truncated sequential probability ratio test between ``p0`` and ``p1`` (an indifference
band around the threshold, 3% and 7% by default). Items are judged one at a time in hash-rank order; after
``n`` items with ``k`` violations the test

- stops with *blacklist* when ``k >= ceil(h_blacklist + slope·n)``,
- stops with *pass* when ``k <= floor(slope·n − h_pass)``,
- at ``max_items`` decides *blacklist* when ``k >= final_cut`` and *pass* otherwise.

``slope`` is Wald's; the two intercepts are not Wald's approximations but are tuned by exact computation
(dynamic programming over the binomial paths) so that P(blacklist | p0) and P(pass | p1) do not exceed
α, β nor the error rates the smallest fixed-size design attains at the band edges. Every operating
characteristic printed (error rate, average items, stopping distribution) is computed, not simulated.

The interval after stopping is exact for this stopping rule: outcomes are ordered stage-wise (early
passes lowest, then the truncation outcomes by count, then blacklists, the earliest highest) and the test
of each rate is inverted, so coverage is at least the confidence level whatever the true rate. A sample
cut short (a cap below ``max_items``) is handled as the design truncated there.
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy.special import bdtr, bdtrc

from safecorpus.errors import ConfigError
from safecorpus.taxonomy.profile import Profile

GRID = 0.02  # step of the intercept search
NAME = "truncated SPRT (exact operating characteristics, stage-wise exact interval)"


@dataclass(frozen=True)
class FixedDesign:
    """The smallest fixed-size test with the same error rates at the band edges: blacklist when k ≥ cut."""

    n: int
    cut: int
    alpha: float  # attained P(blacklist | p0)
    beta: float  # attained P(pass | p1)

    def error(self, p: float, threshold: float) -> float:
        """P(wrong verdict) at a true rate p (blacklisting at p ≤ threshold, passing above it)."""
        blacklist = float(bdtrc(self.cut - 1, self.n, p))
        return blacklist if p <= threshold else 1.0 - blacklist


def smallest_fixed_design(
    p0: float, p1: float, alpha: float, beta: float, limit: int = 200_000
) -> FixedDesign:
    """Smallest n (and cut) with P(k ≥ cut | n, p0) ≤ α and P(k < cut | n, p1) ≤ β, exactly."""
    for n in range(1, limit + 1):
        cuts = np.arange(0, n + 2)
        over = bdtrc(cuts - 1, n, p0)  # P(k >= cut | p0), decreasing in cut
        ok = np.nonzero(over <= alpha)[0]
        if not len(ok):
            continue
        cut = int(cuts[ok[0]])
        missed = float(bdtr(cut - 1, n, p1)) if cut > 0 else 0.0
        if missed <= beta:
            return FixedDesign(n, cut, float(over[ok[0]]), missed)
    raise ConfigError(f"no fixed design of ≤ {limit} items separates {p0} from {p1}; widen the band")


@dataclass(frozen=True)
class SequentialDesign:
    p0: float
    p1: float
    alpha: float
    beta: float
    threshold: float
    max_items: int
    slope: float
    h_pass: float
    h_blacklist: float
    final_cut: int
    confidence: float = 0.95

    def upper(self, n: int) -> int:
        """The count at which the test stops with blacklist after n items."""
        return math.ceil(self.h_blacklist + self.slope * n - 1e-9)

    def lower(self, n: int) -> int:
        """The count at or below which the test stops with pass after n items (negative: not yet)."""
        return math.floor(self.slope * n - self.h_pass + 1e-9)

    def decide(self, n: int, k: int) -> str | None:
        """The verdict after n items with k violations, or None to go on."""
        if n >= self.max_items:
            return "blacklist" if k >= self.final_cut else "pass"
        if k >= self.upper(n):
            return "blacklist"
        if k <= self.lower(n):
            return "pass"
        return None

    def describe(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["name"] = NAME
        return doc


def _slope(p0: float, p1: float) -> float:
    g1, g2 = math.log(p1 / p0), math.log((1 - p0) / (1 - p1))
    return g2 / (g1 + g2)


@dataclass
class StopDistribution:
    """Outcomes (n, k, how) in stage-wise order, lowest first, with their probability under each rate."""

    outcomes: list[tuple[int, int, str]]
    probs: np.ndarray  # (outcome, rate)

    def index(self, n: int, k: int) -> int:
        for i, (on, ok, _) in enumerate(self.outcomes):
            if on == n and ok == k:
                return i
        raise ValueError(f"({n}, {k}) is not a stopping point of this design")


def stop_distribution(design: SequentialDesign, rates: Any, limit: int | None = None) -> StopDistribution:
    """Exact distribution of the stopping point for each rate (the design truncated at ``limit`` items).

    The list of outcomes depends only on the design (every reachable stopping point is listed, even where
    a rate gives it probability 0), so rows line up across calls.
    """
    ps = np.atleast_1d(np.asarray(rates, float))
    last = min(design.max_items, limit or design.max_items)
    width = min(design.upper(last), last) + 2
    dist = np.zeros((width, len(ps)))
    dist[0] = 1.0
    reach = np.zeros(width, bool)
    reach[0] = True
    low_stops: list[tuple[tuple[int, int, str], np.ndarray]] = []
    high_stops: list[tuple[tuple[int, int, str], np.ndarray]] = []
    final: list[tuple[tuple[int, int, str], np.ndarray]] = []
    for n in range(1, last + 1):
        nxt = dist * (1.0 - ps)
        nxt[1:] += dist[:-1] * ps
        dist = nxt
        reach[1:] |= reach[:-1].copy()
        if n == last:
            for k in np.nonzero(reach)[0].tolist():
                if last < design.max_items:
                    how = "cut-short"
                else:
                    how = "final-blacklist" if k >= design.final_cut else "final-pass"
                final.append(((n, k, how), dist[k].copy()))
            break
        up, lo = design.upper(n), design.lower(n)
        if up < width and reach[up:].any():
            high_stops.append(((n, up, "blacklist"), dist[up:].sum(axis=0)))
            dist[up:] = 0.0
            reach[up:] = False
        if lo >= 0 and reach[: lo + 1].any():
            low_stops.append(((n, lo, "pass"), dist[: lo + 1].sum(axis=0)))
            dist[: lo + 1] = 0.0
            reach[: lo + 1] = False
    ordered = low_stops + final + high_stops[::-1]
    return StopDistribution([o for o, _ in ordered], np.array([p for _, p in ordered]))


def _tail_matrices(
    design: SequentialDesign, rates: np.ndarray, rows: np.ndarray, limit: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """P(T ≥ outcome) and P(T ≤ outcome) for outcome ``rows[j]`` at the rates ``rates[j, :]``."""
    m, points = rates.shape
    d = stop_distribution(design, rates.reshape(-1), limit)
    probs = d.probs.reshape(len(d.outcomes), m, points)
    upper = np.cumsum(probs[::-1], axis=0)[::-1]
    lower = np.cumsum(probs, axis=0)
    cols = np.arange(m)
    return upper[rows, cols, :], lower[rows, cols, :]


def _solve(fn: Any, m: int, target: float, increasing: bool, steps: int = 5, points: int = 17) -> np.ndarray:
    """Where each of m monotone functions of the rate crosses ``target``, on the conservative side.

    Multisection: each step evaluates all m functions at ``points`` rates inside their brackets.
    """
    lo, hi = np.zeros(m), np.ones(m)
    frac = np.linspace(0.0, 1.0, points)
    for _ in range(steps):
        grid = lo[:, None] + (hi - lo)[:, None] * frac[None, :]
        above = fn(grid) > target
        any_above = above.any(axis=1)
        if increasing:  # the bound is the last rate still rejected: just below the first accepted one
            first = np.where(any_above, above.argmax(axis=1), points - 1)
            new_lo = np.where(any_above, grid[np.arange(m), np.maximum(first - 1, 0)], hi)
            new_hi = np.where(any_above, grid[np.arange(m), first], hi)
            new_lo = np.where(any_above & (first == 0), lo, new_lo)
            new_hi = np.where(any_above & (first == 0), lo, new_hi)
        else:  # the bound is just above the last accepted rate
            last = np.where(any_above, points - 1 - above[:, ::-1].argmax(axis=1), 0)
            new_lo = np.where(any_above, grid[np.arange(m), last], lo)
            new_hi = np.where(any_above, grid[np.arange(m), np.minimum(last + 1, points - 1)], lo)
            new_lo = np.where(any_above & (last == points - 1), hi, new_lo)
            new_hi = np.where(any_above & (last == points - 1), hi, new_hi)
        lo, hi = new_lo, new_hi
    return lo if increasing else hi


def intervals(
    design: SequentialDesign,
    stops: list[tuple[int, int]],
    limit: int | None = None,
    confidence: float | None = None,
    chunk: int = 128,
) -> list[tuple[float, float, float]]:
    """(low, high, median-unbiased rate) for each stopping point (n, k), valid under the stopping rule."""
    conf = design.confidence if confidence is None else confidence
    tail = (1.0 - conf) / 2.0
    outcomes = stop_distribution(design, [0.5], limit)
    out: list[tuple[float, float, float]] = []
    for start in range(0, len(stops), chunk):
        part = stops[start : start + chunk]
        rows = np.array([outcomes.index(n, k) for n, k in part])
        m = len(part)

        def up(grid: np.ndarray, rows: np.ndarray = rows) -> np.ndarray:
            return _tail_matrices(design, grid, rows, limit)[0]

        def down(grid: np.ndarray, rows: np.ndarray = rows) -> np.ndarray:
            return _tail_matrices(design, grid, rows, limit)[1]

        low = _solve(up, m, tail, increasing=True)
        high = _solve(down, m, tail, increasing=False)
        median = _solve(up, m, 0.5, increasing=True, steps=4)
        out.extend(zip(low.tolist(), high.tolist(), median.tolist(), strict=True))
    return out


def exact_interval(
    design: SequentialDesign, n: int, k: int, limit: int | None = None, confidence: float | None = None
) -> tuple[float, float, float]:
    """(low, high, median-unbiased rate) after stopping at (n, k), valid under the stopping rule."""
    return intervals(design, [(n, k)], limit, confidence)[0]


@dataclass(frozen=True)
class OperatingPoint:
    rate: float
    p_blacklist: float
    error: float  # blacklist at rate ≤ threshold, pass above it
    average_items: float
    p_final: float  # share of runs that reach max_items


def operating_characteristics(design: SequentialDesign, rates: Any) -> list[OperatingPoint]:
    ps = np.atleast_1d(np.asarray(rates, float))
    d = stop_distribution(design, ps)
    blacklist = np.array([how.endswith("blacklist") for _, _, how in d.outcomes])
    ns = np.array([n for n, _, _ in d.outcomes], float)
    final = np.array([how.startswith("final") for _, _, how in d.outcomes])
    p_bl = d.probs[blacklist].sum(axis=0)
    asn = (d.probs * ns[:, None]).sum(axis=0)
    p_fin = d.probs[final].sum(axis=0)
    out = []
    for j, p in enumerate(ps):
        err = p_bl[j] if p <= design.threshold else 1.0 - p_bl[j]
        out.append(OperatingPoint(float(p), float(p_bl[j]), float(err), float(asn[j]), float(p_fin[j])))
    return out


def _edge_errors(design: SequentialDesign) -> tuple[float, float]:
    d = stop_distribution(design, [design.p0, design.p1])
    blacklist = np.array([how.endswith("blacklist") for _, _, how in d.outcomes])
    p_bl = d.probs[blacklist].sum(axis=0)
    return float(p_bl[0]), float(1.0 - p_bl[1])


def _with(design: SequentialDesign, h_pass: float, h_blacklist: float) -> SequentialDesign:
    trial = SequentialDesign(**{**asdict(design), "h_pass": h_pass, "h_blacklist": h_blacklist})
    n = trial.max_items
    cut = min(max(math.floor(trial.slope * n) + 1, trial.lower(n) + 1), trial.upper(n))
    return SequentialDesign(**{**asdict(trial), "final_cut": cut})


@functools.lru_cache(maxsize=32)
def design_for(
    p0: float = 0.03,
    p1: float = 0.07,
    alpha: float = 0.05,
    beta: float = 0.05,
    threshold: float = 0.05,
    max_items: int = 0,
    confidence: float = 0.95,
) -> SequentialDesign:
    """The design for a band and error rates; ``max_items`` 0 picks 1.6 × the matching fixed size."""
    if not 0 < p0 < p1 < 1:
        raise ConfigError(f"the indifference band needs 0 < p0 < p1 < 1, got p0={p0}, p1={p1}")
    if not p0 <= threshold <= p1:
        raise ConfigError(f"the threshold {threshold} must lie in the band [{p0}, {p1}]")
    if not (0 < alpha < 0.5 and 0 < beta < 0.5):
        raise ConfigError(f"alpha and beta must lie in (0, 0.5), got {alpha}, {beta}")
    fixed = smallest_fixed_design(p0, p1, alpha, beta)
    target_a, target_b = min(alpha, fixed.alpha), min(beta, fixed.beta)
    n_max = max_items or int(math.ceil(1.6 * fixed.n / 10.0) * 10)
    if n_max < fixed.n:
        raise ConfigError(f"max_items {n_max} is below the matching fixed size {fixed.n}; raise it")
    slope = _slope(p0, p1)
    wald = math.log((1 - beta) / alpha) / (math.log(p1 / p0) + math.log((1 - p0) / (1 - p1)))
    design = _with(
        SequentialDesign(p0, p1, alpha, beta, threshold, n_max, slope, wald, wald, 0, confidence), wald, wald
    )
    steps = np.arange(0.5, 3.0 * wald + 5.0, GRID)

    def smallest(ok: Any) -> float:
        lo, hi = 0, len(steps) - 1
        while lo < hi:  # the error falls as the intercept grows
            mid = (lo + hi) // 2
            if ok(float(steps[mid])):
                hi = mid
            else:
                lo = mid + 1
        return float(steps[lo])

    for _ in range(6):
        cur = design
        hb = smallest(lambda h, cur=cur: _edge_errors(_with(cur, cur.h_pass, h))[0] <= target_a)
        hp = smallest(lambda h, cur=cur, hb=hb: _edge_errors(_with(cur, h, hb))[1] <= target_b)
        changed = (hp, hb) != (design.h_pass, design.h_blacklist)
        design = _with(design, hp, hb)
        if not changed:
            break
    while True:  # the coordinate search ends feasible; this guards it
        a, b = _edge_errors(design)
        if a <= target_a and b <= target_b:
            return design
        design = _with(design, design.h_pass + GRID, design.h_blacklist + GRID)


def design_from_profile(profile: Profile) -> SequentialDesign:
    """The design named by the profile's [source.sequential] table (defaults: 3%/7%, α = β = 0.05)."""
    table = profile.get("source.sequential", {}) or {}
    known = {"enabled", "p0", "p1", "alpha", "beta", "max_items"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"profile [source.sequential]: unknown key(s) {unknown}; known: {sorted(known)}")
    try:
        return design_for(
            p0=float(table.get("p0", 0.03)),
            p1=float(table.get("p1", 0.07)),
            alpha=float(table.get("alpha", 0.05)),
            beta=float(table.get("beta", 0.05)),
            threshold=float(profile.get("source.max_violation_rate")),
            max_items=int(table.get("max_items", 0)),
            confidence=float(profile.get("source.confidence")),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"profile [source.sequential]: {exc}") from None


def enabled_in(profile: Profile) -> bool:
    return bool((profile.get("source.sequential", {}) or {}).get("enabled", False))


@dataclass
class SequentialResult:
    n: int
    k: int
    rate: float
    ci_low: float
    ci_high: float
    median_unbiased: float
    verdict: str  # pass | blacklist | inconclusive
    stopped_by: str  # pass-boundary | blacklist-boundary | final-test | cut-short | census | no-items

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SequentialRun:
    """Feed judged items in rank order; ``verdict`` is set once the design decides.

    ``limit`` is how many items can be judged at most (the source's size or a cap); a run that reaches it
    undecided ends as ``cut-short`` (inconclusive), or as a census when the caller says the limit is the
    whole source.
    """

    design: SequentialDesign
    limit: int | None = None
    n: int = 0
    k: int = 0
    verdict: str | None = None
    history: list[bool] = field(default_factory=list, repr=False)

    @property
    def last(self) -> int:
        return min(self.design.max_items, self.limit if self.limit is not None else self.design.max_items)

    @property
    def done(self) -> bool:
        return self.verdict is not None or self.n >= self.last

    def add(self, violation: bool) -> str | None:
        if self.done:
            raise ValueError("the sequential test has already stopped; do not judge more items")
        self.n += 1
        self.k += bool(violation)
        self.history.append(bool(violation))
        self.verdict = self.design.decide(self.n, self.k)
        return self.verdict

    def result(self, census: bool = False) -> SequentialResult:
        """The verdict and its interval; ``census``: the items judged are the whole source."""
        n, k = self.n, self.k
        rate = k / n if n else 0.0
        if n == 0:
            return SequentialResult(0, 0, 0.0, 0.0, 1.0, 0.0, "inconclusive", "no-items")
        if self.verdict is None and census:
            verdict = "blacklist" if rate > self.design.threshold else "pass"
            return SequentialResult(n, k, rate, rate, rate, rate, verdict, "census")
        if self.verdict is None and n < self.last:
            raise ValueError(f"the test has not stopped yet ({n} of at most {self.last} items judged)")
        limit = None if self.last == self.design.max_items else self.last
        low, high, median = exact_interval(self.design, n, k, limit)
        if self.verdict is None:
            return SequentialResult(n, k, rate, low, high, median, "inconclusive", "cut-short")
        if n >= self.design.max_items:
            how = "final-test"
        else:
            how = "blacklist-boundary" if self.verdict == "blacklist" else "pass-boundary"
        return SequentialResult(n, k, rate, low, high, median, self.verdict, how)
