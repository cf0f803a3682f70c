"""What a clause of the conformance matrix is: an id, a bilingual title and one check of the report
document. A check returns the clause's conclusion with its evidence, or ``None`` when the clause has no
row in this report (its evidence kind is absent, e.g. no question banks were attached)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

C, NC, NA, MAN = "conforms", "does_not_conform", "not_applicable", "needs_manual_evidence"

Doc = dict[str, Any]


def clause_row(clause: str, en_title: str, zh_title: str, status: str, en: str, zh: str) -> dict[str, Any]:
    return {
        "clause": clause,
        "title": {"en": en_title, "zh": zh_title},
        "status": status,
        "evidence": {"en": en, "zh": zh},
    }


def pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


@dataclass(frozen=True)
class Outcome:
    """A clause's conclusion and its evidence in English and Chinese; ``title`` (en, zh) replaces the
    clause's own title where the evidence changes what is asked (e.g. thresholds in the title)."""

    status: str
    en: str
    zh: str
    title: tuple[str, str] | None = None


@dataclass(frozen=True)
class Clause:
    id: str
    title: tuple[str, str]  # (en, zh)
    check: Callable[[Doc], Outcome | None]

    def row(self, doc: Doc) -> dict[str, Any] | None:
        out = self.check(doc)
        if out is None:
            return None
        en_t, zh_t = out.title or self.title
        return clause_row(self.id, en_t, zh_t, out.status, out.en, out.zh)


def manual(en: str, zh: str) -> Callable[[Doc], Outcome]:
    """A check for a clause only documents outside the toolkit can evidence."""
    return lambda doc: Outcome(MAN, en, zh)
