"""Redaction: replace PII spans in a text by a mask, a type tag, or a keyed-hash token.

Spans are applied right to left on the original text, so offsets stay valid and the text outside every
span is left exactly as it was. Overlapping spans are merged first (the outer one wins).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import Any, Literal

Mode = Literal["mask", "tag", "hash"]


def _fields(span: Any) -> tuple[int, int, str]:
    if isinstance(span, dict):
        return span["start"], span["end"], span.get("type") or span.get("entity") or "PII"
    ent = getattr(span, "entity", None) or (getattr(span, "evidence", None) or {}).get("type") or "PII"
    return span.start, span.end, ent


def token_for(value: str, entity: str, key: bytes) -> str:
    """A stable token for ``value``: the same value and key always give the same token."""
    digest = hmac.new(key, f"{entity}\x00{value}".encode(), hashlib.sha256).hexdigest()[:12]
    return f"<{entity}:{digest}>"


def redact(
    text: str,
    spans: Iterable[Any],
    *,
    mode: Mode = "tag",
    key: bytes | str | None = None,
    mask_char: str = "*",
) -> str:
    """Return ``text`` with every span replaced.

    ``spans`` are :class:`PiiSpan`, :class:`~safecorpus.detect.base.Finding` (record-level findings without
    offsets are skipped) or ``pii scan`` finding dicts. ``mode``: ``mask`` keeps the length (``*``),
    ``tag`` writes ``<TYPE>``, ``hash`` writes ``<TYPE:hmac>`` keyed by ``key`` (required for ``hash``).
    """
    if mode == "hash":
        if not key:
            raise ValueError("hash redaction needs a key (keep it secret: it links tokens to values)")
        key = key.encode() if isinstance(key, str) else key
    items = []
    for sp in spans:
        start, end, entity = _fields(sp)
        if start is None or end is None or not (0 <= start < end <= len(text)):
            continue
        items.append((start, end, entity))
    items.sort(key=lambda t: (t[0], -t[1]))
    merged: list[tuple[int, int, str]] = []
    for s, e, ent in items:
        if merged and s < merged[-1][1]:
            ps, pe, pent = merged[-1]
            merged[-1] = (ps, max(pe, e), pent)
        else:
            merged.append((s, e, ent))
    out = text
    for s, e, ent in reversed(merged):
        value = text[s:e]
        if mode == "mask":
            rep = mask_char * (e - s)
        elif mode == "tag":
            rep = f"<{ent}>"
        elif mode == "hash":
            rep = token_for(value, ent, key)  # type: ignore[arg-type]
        else:
            raise ValueError(f"unknown redaction mode {mode!r}: use mask, tag or hash")
        out = out[:s] + rep + out[e:]
    return out
