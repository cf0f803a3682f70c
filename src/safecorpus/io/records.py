"""The record and rejection types that flow out of every reader."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Record:
    """One corpus item.

    ``id`` is the configured id field, else ``<file>:<line>`` (file relative to the corpus root).
    ``meta`` carries every other field of the input (provenance among them) untouched.
    """

    id: str
    text: str
    source: str
    file: str
    line: int
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Rejection:
    """An input record that could not be read, with a documented reason code (see io/reasons.py)."""

    file: str
    line: int
    reason: str
    message: str
    source: str | None = None


@dataclass(frozen=True, slots=True)
class FileNotice:
    """Something about a whole file (empty, unreadable, decoded as GB18030) that is not a record."""

    file: str
    kind: str
    message: str
