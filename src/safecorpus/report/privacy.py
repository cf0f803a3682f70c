"""No personal data leaves in a report or export unmasked: every string of the report document (source
names, record ids, file paths, evidence, model answers) goes through the PII engine and each span found
is replaced by its type tag (``<CN_PHONE>``). Hashes and ids the toolkit generates are left alone."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from safecorpus.detect.pii import PiiDetector, redact

# Keys whose values the toolkit itself generates or ships (hex digests, run ids, the profile's title,
# detector versions): never personal data, and a phone-number pattern must not eat "GB/T 45654-2025".
SAFE_KEYS = frozenset(
    {
        "results_sha256",
        "run_id",
        "key_fingerprint",
        "fingerprint",
        "policy_fingerprint",
        "filter_fingerprint",
        "file_sha256",
        "id",
        "scan_id",
        "audit_id",
        "schema_version",
        "profile_title",
        "profile",
        "detectors",
        "generator",
        "lexicon",
        "design",
    }
)


@lru_cache(maxsize=1)
def _detector() -> PiiDetector:
    return PiiDetector(sensitive=False)  # identifiers; a sensitive-category word alone is not personal data


class Masker:
    """Masks strings, remembering how many spans it replaced (the report states the count)."""

    def __init__(self) -> None:
        self.detector = _detector()
        self.masked = 0
        self._cache: dict[str, str] = {}

    def text(self, value: str) -> str:
        if not value or (value.isascii() and value.replace(".", "").replace("-", "").isalpha()):
            return value
        hit = self._cache.get(value)
        if hit is not None:
            return hit
        spans = self.detector.spans(value)
        out = redact(value, spans, mode="tag") if spans else value
        if out != value:
            self.masked += 1
        self._cache[value] = out
        return out

    def walk(self, node: Any, key: str | None = None) -> Any:
        if isinstance(node, str):
            return node if key in SAFE_KEYS else self.text(node)
        if isinstance(node, dict):
            return {self.text(k) if isinstance(k, str) else k: self.walk(v, k) for k, v in node.items()}
        if isinstance(node, list | tuple):
            return [self.walk(v, key) for v in node]
        return node
