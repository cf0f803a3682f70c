"""The PII engine: every recognizer's patterns in one pass, then validation on candidates only.

Where hyperscan is available (x86-64 with SSSE3) one compiled database of all patterns, in prefilter mode,
scans the UTF-8 text once and says which patterns can match at all; only those patterns then run with
Python's ``re`` (which gives the spans, in code points). Without hyperscan every pattern runs. The
prefilter only ever skips patterns that cannot match, so results are identical either way.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from re import _casefix  # type: ignore[attr-defined]  # CPython private module, not in typeshed
from types import ModuleType
from typing import Any

from safecorpus.detect.pii.recognizers import default_recognizers
from safecorpus.detect.pii.recognizers.base import Check, Pattern, Recognizer

log = logging.getLogger(__name__)

_hs: ModuleType | None
try:  # optional native accelerator
    import hyperscan as _hs
except ImportError:  # pragma: no cover - depends on the platform
    _hs = None


@dataclass(slots=True)
class PiiSpan:
    """One accepted entity in a text (code-point offsets). Treat it as read-only; it is not frozen
    because a frozen dataclass costs several times more to build, on the hot path of every scan."""

    entity: str
    start: int
    end: int
    score: float
    recognizer: str  # name@version
    validated: bool | None
    checks: dict[str, bool] = field(default_factory=dict)
    category: str | None = None
    pattern: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def text_in(self, text: str) -> str:
        return text[self.start : self.end]


@dataclass(frozen=True, slots=True)
class _Compiled:
    recognizer: Recognizer
    pattern: Pattern
    regex: re.Pattern[str]
    label: str  # the recognizer's name@version, as findings carry it
    lowered: re.Pattern[str] | None = None  # for ``Pattern.lower_case``: the regex without IGNORECASE


# Characters that ``re`` matches case-insensitively against others with a different lower case (dotless
# i, long s, micro sign…), and the one character whose lower case is two code points long. Where a text
# has none of them, an IGNORECASE regex in lower case and the same regex without the flag on
# ``text.lower()`` find the same spans.
_FOLD_UNSAFE = re.compile(
    "["
    + "".join(
        re.escape(chr(cp))
        for cp in sorted({0x130} | {c for k, v in _casefix._EXTRA_CASES.items() for c in (k, *v)})
    )
    + "]"
)


def fold_case(text: str) -> str | None:
    """``text.lower()`` when case-sensitive matching on it equals IGNORECASE matching on ``text`` with
    the same offsets, else None."""
    if _FOLD_UNSAFE.search(text) is not None:
        return None
    return text.lower()


def _to_hyperscan(regex: str) -> bytes:
    """Python ``re`` syntax to hyperscan syntax for the constructs our patterns use."""
    regex = re.sub(r"\\u([0-9a-fA-F]{4})", r"\\x{\1}", regex)
    return regex.encode("utf-8")


class PiiEngine:
    """Runs a set of recognizers over texts.

    ``min_score`` drops accepted spans scored below it. ``accelerate`` forces (True) or forbids (False)
    the hyperscan prefilter; the default uses it when importable.
    """

    hs_spec: tuple[list[bytes], list[int], list[int]] | None = None

    def __init__(
        self,
        recognizers: Sequence[Recognizer] | None = None,
        *,
        min_score: float = 0.0,
        accelerate: bool | None = None,
    ) -> None:
        self.recognizers = list(recognizers if recognizers is not None else default_recognizers())
        self.min_score = min_score
        self._compiled: list[_Compiled] = []
        for rec in self.recognizers:
            for pat in rec.patterns:
                lowered = (
                    re.compile(pat.regex, pat.flags & ~re.IGNORECASE)
                    if pat.lower_case and pat.flags & re.IGNORECASE
                    else None
                )
                label = f"{rec.name}@{rec.version}"
                self._compiled.append(_Compiled(rec, pat, re.compile(pat.regex, pat.flags), label, lowered))
        self._priority = {id(r): i for i, r in enumerate(self.recognizers)}
        # Per compiled pattern, what ``analyze`` needs, looked up once instead of on every text.
        self._plans = [
            (
                c,
                c.recognizer,
                id(c.recognizer),
                -self._priority[id(c.recognizer)],
                bool(c.recognizer.context),
                c.recognizer.requires_context,
                c.recognizer.finder,
                c.pattern.finder,
                c.regex.finditer,
                c.lowered.finditer if c.lowered is not None else None,
                c.recognizer.validate,
                c.pattern.score,
                c.recognizer.context_boost,
            )
            for c in self._compiled
        ]
        self._db = None
        self._always: list[int] = []
        self._context_gate: dict[int, int] = {}
        if accelerate is None:
            accelerate = _hs is not None
        if accelerate:
            if _hs is None:
                raise RuntimeError("hyperscan is not installed; use accelerate=None or False")
            self._build_hyperscan()
        self._always_set = frozenset(self._always)
        self._gate_key = {gid: key for key, gid in self._context_gate.items()}
        # Per pattern: the recognizer key whose context gate must have fired, or None.
        self._needs_context = [
            id(c.recognizer) if c.recognizer.requires_context else None for c in self._compiled
        ]

    @property
    def accelerated(self) -> bool:
        return self._db is not None

    def _build_hyperscan(self) -> None:
        assert _hs is not None  # reached only where hyperscan imported
        flags = _hs.HS_FLAG_PREFILTER | _hs.HS_FLAG_SINGLEMATCH | _hs.HS_FLAG_UTF8 | _hs.HS_FLAG_UCP
        ok_ids: list[int] = []
        exprs: list[bytes] = []
        gates = {
            i: _to_hyperscan(c.pattern.gate or c.pattern.regex)
            for i, c in enumerate(self._compiled)
            if c.pattern.prefilter
        }
        unsupported = _unsupported_prefilters(
            [(i, expr, flags | _flag(self._compiled[i].pattern)) for i, expr in gates.items()]
        )
        for i in range(len(self._compiled)):
            if i not in gates or i in unsupported:
                self._always.append(i)
                continue
            ok_ids.append(i)
            exprs.append(gates[i])
        # Every recognizer with context words gets a second gate: its context words, as one expression.
        # It drops candidates of recognizers that require context, and it spares the per-candidate window
        # search where no context word occurs in the text at all.
        self._context_gate = {}
        for rec in self.recognizers:
            if rec.context and (context_rx := rec.context_regex()) is not None:
                gid = len(self._compiled) + len(self._context_gate)
                self._context_gate[id(rec)] = gid
                ok_ids.append(gid)
                exprs.append(_to_hyperscan(context_rx.pattern))
        if not exprs:
            return
        all_flags = [
            flags | (_flag(self._compiled[i].pattern) if i < len(self._compiled) else _hs.HS_FLAG_CASELESS)
            for i in ok_ids
        ]
        self.hs_spec = (exprs, ok_ids, all_flags)
        self._db = cached_database(exprs, ok_ids, all_flags)

    def _candidate_patterns(self, text: str) -> tuple[Iterable[int], set[int] | None]:
        """Pattern ids that can match ``text``, and the ids of recognizers (``id(rec)``) with a context
        word somewhere in it (``None`` without the prefilter: then every window is searched)."""
        if self._db is None:
            return range(len(self._compiled)), None
        return self.candidates_from_hits(scan_ids(self._db, text))

    def candidates_from_hits(self, hits: set[int]) -> tuple[list[int], set[int]]:
        """``_candidate_patterns`` from the ids the prefilter database reported (``hs_spec`` ids), so a
        caller may scan once with several engines' expressions in one database."""
        if self._always:
            hits = hits | self._always_set
        gates = self._gate_key
        with_context = {gates[h] for h in hits if h in gates}
        n = len(self._compiled)
        needs = self._needs_context
        return [
            pid for pid in sorted(hits) if pid < n and (needs[pid] is None or needs[pid] in with_context)
        ], with_context

    def analyze(self, text: str, hits: set[int] | None = None) -> list[PiiSpan]:
        """All accepted PII spans in ``text``, sorted by start offset. ``hits``: the prefilter ids already
        found by a caller's own scan (see ``candidates_from_hits``); by default the engine scans."""
        if not text:
            return []
        if hits is not None and self._db is not None:
            pids, with_context = self.candidates_from_hits(hits)
        else:
            pids, with_context = self._candidate_patterns(text)
        if not pids:  # the prefilter rules out every pattern (most texts, for the sensitive categories)
            return []
        plans = self._plans
        min_score = self.min_score
        cands: list[tuple[tuple, int, int, _Compiled, Check]] = []
        # Without the prefilter: per recognizer, whether a context word occurs anywhere in the text.
        in_text: dict[int, bool] = {}
        done_finders: set[int] = set()
        low: str | None = None  # the lower-cased text for ``Pattern.lower_case`` ("" where unsafe)
        for pid in pids:
            (
                c,
                rec,
                key,
                prio,
                has_words,
                required,
                rec_finder,
                pat_finder,
                finditer,
                lowered_finditer,
                validate,
                base,
                boost,
            ) = plans[pid]
            # Does a context word occur anywhere in the text? Where it does not, no candidate can have
            # one in its window, so the per-candidate window search is skipped.
            if not has_words:
                ctx = False
            elif with_context is not None:
                ctx = key in with_context
            else:
                seen = in_text.get(key)
                if seen is None:
                    if required:
                        rx = rec.context_regex()
                        ctx = rx is not None and rx.search(text) is not None
                    else:  # without the prefilter a whole-text search would cost more than the windows
                        ctx = True
                    in_text[key] = ctx
                else:
                    ctx = seen
            if required and not ctx:
                continue
            if rec_finder is not None:
                if key in done_finders:
                    continue
                done_finders.add(key)
                spans: Iterable[tuple[int, int]] = rec_finder(text)
            elif pat_finder is not None:
                spans = pat_finder(text)
            elif lowered_finditer is not None:
                if low is None:
                    low = fold_case(text) or ""
                spans = [m.span() for m in (lowered_finditer(low) if low else finditer(text))]
            else:
                spans = [m.span() for m in finditer(text)]
            for s, e in spans:
                check = validate(text[s:e], text, s, e)
                if check is None:
                    continue
                if check.span is not None:
                    s, e = check.span
                has_ctx = ctx and rec.has_context(text, s, e)
                if required and not has_ctx:
                    continue
                score = check.score if check.score is not None else base
                if boost and has_ctx:
                    score = min(1.0, score + boost)
                if score < min_score:
                    continue
                validated = check.validated
                cands.append(
                    ((validated is True, validated is None, round(score, 3), e - s, prio), s, e, c, check)
                )
        if not cands:
            return []
        return self._resolve(cands)

    @staticmethod
    def _span(s: int, e: int, score: float, c: _Compiled, check: Check) -> PiiSpan:
        rec = c.recognizer
        return PiiSpan(
            check.entity or rec.entity,
            s,
            e,
            score,
            c.label,
            check.validated,
            dict(check.checks) if check.checks else {},
            rec.category,
            c.pattern.name,
            dict(check.extra) if check.extra else {},
        )

    @classmethod
    def _resolve(cls, cands: list[tuple[tuple, int, int, _Compiled, Check]]) -> list[PiiSpan]:
        """Keep the best of overlapping candidates: validated > no check > failed check, score, length.
        Only the kept candidates become :class:`PiiSpan` objects."""
        if len(cands) == 1:
            rank, s, e, c, check = cands[0]
            return [cls._span(s, e, rank[2], c, check)]
        cands.sort(key=_RANK, reverse=True)
        taken: list[tuple[tuple, int, int, _Compiled, Check]] = []
        for cand in cands:
            s, e = cand[1], cand[2]
            if any(s < t[2] and t[1] < e for t in taken):
                continue
            taken.append(cand)
        taken.sort(key=lambda t: (t[1], t[2]))
        return [cls._span(s, e, rank[2], c, check) for rank, s, e, c, check in taken]


_RANK = itemgetter(0)


def scan_ids(db: Any, text: str) -> set[int]:
    """The ids a hyperscan prefilter database reports anywhere in ``text``."""
    hits: set[int] = set()

    def on_match(pid: int, frm: int, to: int, flags: int, ctx: object) -> None:
        hits.add(pid)

    db.scan(text.encode("utf-8", "surrogatepass"), match_event_handler=on_match)
    return hits


def _flag(pattern: Pattern) -> int:
    assert _hs is not None  # reached only where hyperscan imported
    f = 0
    if pattern.flags & re.IGNORECASE:
        f |= _hs.HS_FLAG_CASELESS
    if pattern.flags & re.DOTALL:
        f |= _hs.HS_FLAG_DOTALL
    return f


_DEFAULT: PiiEngine | None = None


def default_engine() -> PiiEngine:
    """A process-wide engine with every built-in recognizer (built on first use)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = PiiEngine()
    return _DEFAULT


def _unsupported_prefilters(candidates: list[tuple[int, bytes, int]]) -> set[int]:
    """Ids of patterns hyperscan cannot compile even as prefilters (remembered in the user cache)."""
    import hashlib
    import json

    from safecorpus.detect.lexicon.matcher import cache_dir, write_cache

    digest = hashlib.sha256(repr(candidates).encode()).hexdigest()[:24]
    cached = cache_dir() / f"pii-prefilter-{digest}.json"
    if cached.is_file():
        try:
            return set(json.loads(cached.read_text()))
        except (OSError, ValueError):
            pass
    bad: set[int] = set()
    assert _hs is not None  # reached only where hyperscan imported
    for i, expr, flag in candidates:
        probe = _hs.Database()
        try:
            probe.compile(expressions=[expr], ids=[i], elements=1, flags=[flag])
        except Exception as exc:  # hyperscan.error: pattern unsupported even as a prefilter
            log.debug("pattern %d runs without prefilter: %s", i, exc)
            bad.add(i)
    write_cache(cached, json.dumps(sorted(bad)).encode())
    return bad


def cached_database(exprs: list[bytes], ids: list[int], flags: list[int]):
    """Compile (or load from the user cache) the prefilter database; compiling takes about a second."""
    import hashlib

    from safecorpus.detect.lexicon.matcher import cache_dir, write_cache

    assert _hs is not None  # reached only where hyperscan imported
    digest = hashlib.sha256(repr((exprs, ids, flags, _hs.__version__)).encode()).hexdigest()[:24]
    cached = cache_dir() / f"pii-hs-{digest}.db"
    db = None
    if cached.is_file():
        try:
            db = _hs.loadb(cached.read_bytes(), _hs.HS_MODE_BLOCK)
        except Exception:  # a stale or foreign cache entry: rebuild it
            db = None
    if db is None:
        db = _hs.Database()
        db.compile(expressions=exprs, ids=ids, elements=len(exprs), flags=flags)
        write_cache(cached, _hs.dumpb(db))
    db.scratch = _hs.Scratch(db)
    return db
