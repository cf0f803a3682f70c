"""Redaction: replace spans in a text (PII, or risk spans in ``filter``) by a mask, a type tag, or a
keyed-hash token.

Spans are offsets into the original text, so the text outside every span is left exactly as it was.
Overlapping spans are merged first (the outer one wins). ``filter`` redacts kept records with the same
function (risk spans tagged with their risk id, PII spans with their type).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import Any, Literal

Mode = Literal["mask", "tag", "hash"]


def _fields(span: Any) -> tuple[int, int, str]:
    if isinstance(span, tuple):
        return span
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

    ``spans`` are :class:`~safecorpus.detect.pii.engine.PiiSpan`, :class:`~safecorpus.detect.base.Finding`
    (record-level findings without offsets are skipped), ``pii scan`` finding dicts or ``(start, end, tag)``
    tuples. ``mode``: ``mask`` keeps the length (``*``), ``tag`` writes ``<TYPE>``, ``hash`` writes
    ``<TYPE:hmac>`` keyed by ``key`` (required for ``hash``).
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
    if mode not in ("mask", "tag", "hash"):
        raise ValueError(f"unknown redaction mode {mode!r}: use mask, tag or hash")
    parts = []
    pos = 0
    for s, e, ent in merged:
        parts.append(text[pos:s])
        if mode == "mask":
            parts.append(mask_char * (e - s))
        elif mode == "tag":
            parts.append(f"<{ent}>")
        else:
            parts.append(token_for(text[s:e], ent, key))  # type: ignore[arg-type]
        pos = e
    parts.append(text[pos:])
    return "".join(parts)
