"""Sensitive personal information (PIPL Art. 28) as finding categories, from ``data/sensitive.toml``.

Each category becomes one recognizer whose entity is ``SENSITIVE_<CATEGORY>``; its findings carry the
category and the topic ``sensitive_personal_information``. They may overlap PI spans (a diagnosis next
to a name), so the engine keeps them in a separate, non-exclusive pass.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources

from safecorpus.detect.pii.recognizers.base import Check, Pattern, Recognizer, trie_regex

CATEGORIES = (
    "biometric",
    "religious_belief",
    "specific_identity",
    "medical_health",
    "financial_account",
    "precise_location",
    "minor_under_14",
)


@lru_cache(maxsize=1)
def load_terms() -> dict:
    data = resources.files("safecorpus.detect.pii").joinpath("data/sensitive.toml").read_text("utf-8")
    return tomllib.loads(data)


def _accept(value: str, text: str, start: int, end: int) -> Check | None:
    return Check(score=0.6)


def sensitive_recognizers() -> list[Recognizer]:
    """One recognizer per sensitive category."""
    data = load_terms()
    out = []
    for cat in CATEGORIES:
        spec = data["category"][cat]
        patterns = []
        if spec.get("zh"):
            patterns.append(Pattern("zh_terms", trie_regex(spec["zh"]), 0.6, re.IGNORECASE))
        if spec.get("en"):
            # A term must not start inside a word: the look-behind sits after each term's first letter
            # (same meaning as one in front, see ``trie_regex``), so that ``re`` can skip ahead.
            en = trie_regex((w.lower() for w in spec["en"]), after_first="(?<![A-Za-z].)")
            patterns.append(Pattern("en_terms", rf"{en}(?![A-Za-z])", 0.6, re.IGNORECASE, lower_case=True))
        for i, rx in enumerate(spec.get("patterns", ())):
            flags = 0
            if rx.startswith("(?i)"):
                rx, flags = rx[4:], re.IGNORECASE
            patterns.append(Pattern(f"pattern{i}", rx, 0.6, flags))
        out.append(
            Recognizer(
                name=f"sensitive_{cat}",
                entity=f"SENSITIVE_{cat.upper()}",
                patterns=tuple(patterns),
                validate=_accept,
                category=cat,
                version=str(data.get("version", "1")),
            )
        )
    return out
