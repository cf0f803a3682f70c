"""Personal information: recognizers with checksum validation, sensitive-PI categories, redaction."""

from __future__ import annotations

from safecorpus.detect.pii.detector import PiiDetector, scan_records
from safecorpus.detect.pii.engine import PiiEngine, PiiSpan
from safecorpus.detect.redact import redact

__all__ = ["PiiDetector", "PiiEngine", "PiiSpan", "redact", "scan_records"]
