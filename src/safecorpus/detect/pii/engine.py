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
from typing import Any

from safecorpus.detect.pii.recognizers import default_recognizers
from safecorpus.detect.pii.recognizers.base import Pattern, Recognizer

log = logging.getLogger(__name__)

try:  # optional native accelerator
    import hyperscan as _hs
except ImportError:  # pragma: no cover - depends on the platform
    _hs = None


@dataclass(frozen=True, slots=True)
class PiiSpan:
    """One accepted entity in a text (code-point offsets)."""

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


def _to_hyperscan(regex: str) -> bytes:
    """Python ``re`` syntax to hyperscan syntax for the constructs our patterns use."""
    regex = re.sub(r"\\u([0-9a-fA-F]{4})", r"\\x{\1}", regex)
    return regex.encode("utf-8")


class PiiEngine:
    """Runs a set of recognizers over texts.

    ``min_score`` drops accepted spans scored below it. ``accelerate`` forces (True) or forbids (False)
    the hyperscan prefilter; the default uses it when importable.
    """

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
                self._compiled.append(_Compiled(rec, pat, re.compile(pat.regex, pat.flags)))
        self._priority = {id(r): i for i, r in enumerate(self.recognizers)}
        self._db = None
        self._always: list[int] = []
        self._context_gate: dict[int, int] = {}
        if accelerate is None:
            accelerate = _hs is not None
        if accelerate:
            if _hs is None:
                raise RuntimeError("hyperscan is not installed; use accelerate=None or False")
            self._build_hyperscan()

    @property
    def accelerated(self) -> bool:
        return self._db is not None

    def _build_hyperscan(self) -> None:
        flags = _hs.HS_FLAG_PREFILTER | _hs.HS_FLAG_SINGLEMATCH | _hs.HS_FLAG_UTF8 | _hs.HS_FLAG_UCP
        ok_ids: list[int] = []
        exprs: list[bytes] = []
        unsupported = _unsupported_prefilters(
            [
                (i, _to_hyperscan(c.pattern.regex), flags | _flag(c.pattern))
                for i, c in enumerate(self._compiled)
                if c.pattern.prefilter
            ]
        )
        for i, c in enumerate(self._compiled):
            if not c.pattern.prefilter or i in unsupported:
                self._always.append(i)
                continue
            ok_ids.append(i)
            exprs.append(_to_hyperscan(c.pattern.regex))
        # Recognizers that need a context word get a second gate: their context words, as one expression.
        self._context_gate: dict[int, int] = {}
        for rec in self.recognizers:
            if rec.requires_context and rec.context:
                gid = len(self._compiled) + len(self._context_gate)
                self._context_gate[id(rec)] = gid
                ok_ids.append(gid)
                exprs.append(_to_hyperscan(rec.context_regex().pattern))
        if not exprs:
            return
        all_flags = [
            flags | (_flag(self._compiled[i].pattern) if i < len(self._compiled) else _hs.HS_FLAG_CASELESS)
            for i in ok_ids
        ]
        self._db = _cached_database(exprs, ok_ids, all_flags)

    def _candidate_patterns(self, text: str) -> Iterable[int]:
        if self._db is None:
            return range(len(self._compiled))
        hits: set[int] = set(self._always)

        def on_match(pid: int, frm: int, to: int, flags: int, ctx: object) -> None:
            hits.add(pid)

        self._db.scan(text.encode("utf-8", "surrogatepass"), match_event_handler=on_match)
        n = len(self._compiled)
        gates = self._context_gate
        return [
            pid
            for pid in sorted(hits)
            if pid < n
            and (
                not self._compiled[pid].recognizer.requires_context
                or gates.get(id(self._compiled[pid].recognizer), -1) in hits
            )
        ]

    def analyze(self, text: str) -> list[PiiSpan]:
        """All accepted PII spans in ``text``, sorted by start offset."""
        if not text:
            return []
        cands: list[tuple[tuple, PiiSpan]] = []
        gate: dict[object, bool] = {}
        for pid in self._candidate_patterns(text):
            c = self._compiled[pid]
            rec = c.recognizer
            if rec.requires_context:
                key = id(rec)
                if key not in gate:
                    rx = rec.context_regex()
                    gate[key] = rx is not None and rx.search(text) is not None
                if not gate[key]:
                    continue
            if rec.finder is not None:
                if ("finder", id(rec)) in gate:
                    continue
                gate[("finder", id(rec))] = True
                spans: Iterable[tuple[int, int]] = rec.finder(text)
            else:
                spans = (m.span() for m in c.regex.finditer(text))
            for s, e in spans:
                span = self._validate(rec, c.pattern, text, s, e)
                if span is None:
                    continue
                rank = (
                    span.validated is True,
                    span.validated is None,
                    span.score,
                    span.end - span.start,
                    -self._priority[id(rec)],
                )
                cands.append((rank, span))
        return self._resolve(cands)

    def _validate(self, rec: Recognizer, pat: Pattern, text: str, s: int, e: int) -> PiiSpan | None:
        check = rec.validate(text[s:e], text, s, e)
        if check is None:
            return None
        if check.span is not None:
            s, e = check.span
        if rec.requires_context and not rec.has_context(text, s, e):
            return None
        score = check.score if check.score is not None else pat.score
        if rec.context_boost and rec.context and rec.has_context(text, s, e):
            score = min(1.0, score + rec.context_boost)
        if score < self.min_score:
            return None
        return PiiSpan(
            entity=check.entity or rec.entity,
            start=s,
            end=e,
            score=round(score, 3),
            recognizer=f"{rec.name}@{rec.version}",
            validated=check.validated,
            checks=dict(check.checks),
            category=rec.category,
            pattern=pat.name,
            extra=dict(check.extra),
        )

    @staticmethod
    def _resolve(cands: list[tuple[tuple, PiiSpan]]) -> list[PiiSpan]:
        """Keep the best of overlapping candidates: validated > no check > failed check, score, length."""
        cands.sort(key=lambda t: t[0], reverse=True)
        taken: list[PiiSpan] = []
        for _, span in cands:
            if any(span.start < t.end and t.start < span.end for t in taken):
                continue
            taken.append(span)
        taken.sort(key=lambda sp: (sp.start, sp.end))
        return taken


def _flag(pattern: Pattern) -> int:
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

    from safecorpus.detect.lexicon.matcher import _write_atomic, cache_dir

    digest = hashlib.sha256(repr(candidates).encode()).hexdigest()[:24]
    cached = cache_dir() / f"pii-prefilter-{digest}.json"
    if cached.is_file():
        try:
            return set(json.loads(cached.read_text()))
        except (OSError, ValueError):
            pass
    bad: set[int] = set()
    for i, expr, flag in candidates:
        probe = _hs.Database()
        try:
            probe.compile(expressions=[expr], ids=[i], elements=1, flags=[flag])
        except Exception as exc:  # hyperscan.error: pattern unsupported even as a prefilter
            log.debug("pattern %d runs without prefilter: %s", i, exc)
            bad.add(i)
    _write_atomic(cached, json.dumps(sorted(bad)).encode())
    return bad


def _cached_database(exprs: list[bytes], ids: list[int], flags: list[int]):  # type: ignore[no-untyped-def]
    """Compile (or load from the user cache) the prefilter database; compiling takes about a second."""
    import hashlib

    from safecorpus.detect.lexicon.matcher import _write_atomic, cache_dir

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
        _write_atomic(cached, _hs.dumpb(db))
    db.scratch = _hs.Scratch(db)
    return db
