"""Per-record opt-out signals in crawl metadata: a TDM reservation (TDM-Rep ``tdm-reservation: 1``) and
``noai`` / ``noimageai`` robots meta tags or X-Robots-Tag headers. Records without crawl metadata give no
finding (absence of metadata is not consent; the report says where metadata was missing)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from safecorpus.detect.base import Finding
from safecorpus.detect.layers import Layer
from safecorpus.io.records import Record

VERSION = "1.0.0"

TDM_FIELDS = ("tdm_reservation", "tdm-reservation")
ROBOTS_FIELDS = ("meta_robots", "robots", "x_robots_tag", "x-robots-tag")
HEADER_FIELDS = ("headers", "http_headers")
NOAI_TOKENS = ("noai", "noimageai")


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "reserved")


def signals(meta: dict[str, Any]) -> list[str]:
    """Which opt-out signals the record's metadata carries."""
    found: list[str] = []
    values = dict(meta)
    for key in HEADER_FIELDS:
        headers = meta.get(key)
        if isinstance(headers, dict):
            values.update({str(k).lower(): v for k, v in headers.items()})
    if any(_truthy(values[k]) for k in TDM_FIELDS if k in values):
        found.append("tdm-reservation")
    for key in ROBOTS_FIELDS:
        value = values.get(key)
        if isinstance(value, str):
            tokens = {t.strip().lower() for t in value.replace(";", ",").split(",")}
            found.extend(f"robots:{t}" for t in NOAI_TOKENS if t in tokens)
    return sorted(set(found))


def has_crawl_metadata(meta: dict[str, Any]) -> bool:
    return any(k in meta for k in (*TDM_FIELDS, *ROBOTS_FIELDS, *HEADER_FIELDS))


class OptOutDetector:
    """One record-level finding when a record's crawl metadata reserves it from text and data mining."""

    name = "ip_opt_out"
    version = VERSION
    layer = Layer.IP.value  # a plain str: findings and the dicts keyed by layer stay JSON-plain

    def detect(self, records: Sequence[Record]) -> list[list[Finding]]:
        out = []
        for r in records:
            found = signals(r.meta)
            out.append(
                [
                    Finding(
                        record_id=r.id,
                        detector=f"{self.name}@{self.version}",
                        layer=self.layer,
                        risk="A.3.1",
                        topic="copyright",
                        score=1.0,
                        evidence={"kind": "opt_out", "signals": found},
                    )
                ]
                if found
                else []
            )
        return out
