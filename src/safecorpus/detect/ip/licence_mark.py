"""Licence marks in a text: Creative Commons (names, short forms, deed URLs), SPDX identifiers and the
common open-source licences, mapped to an SPDX id. NC and ND marks are *restrictive* for training."""

from __future__ import annotations

import re
from collections.abc import Sequence

from safecorpus.detect.base import Finding
from safecorpus.detect.layers import Layer
from safecorpus.io.records import Record

VERSION = "1.0.0"

_CC_SHORT = re.compile(r"\bCC[- ]?(BY(?:[- ](?:NC|ND|SA)){0,2}|0)(?:[- ]?v?(\d\.\d))?\b", re.IGNORECASE)
_CC_URL = re.compile(r"creativecommons\.org/(?:licenses/([a-z-]+)/(\d\.\d)|publicdomain/zero/(\d\.\d))", re.I)
_CC_LONG = re.compile(
    r"Creative\s+Commons\s+(Attribution(?:[- ](?:NonCommercial|NoDerivatives|NoDerivs|ShareAlike)){0,2})"
    r"(?:\s+(\d\.\d))?",
    re.IGNORECASE,
)
_CC_ZH = re.compile(r"知识共享(署名(?:[-－—]?(?:非商业性使用|禁止演绎|相同方式共享)){0,2})(?:\s*(\d\.\d))?")
_SPDX = re.compile(r"SPDX-License-Identifier:\s*([A-Za-z0-9.+-]+)")
_NAMED: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bMIT License\b|\bLicensed under the MIT\b", re.I), "MIT"),
    (re.compile(r"Apache License,?\s+Version 2\.0", re.I), "Apache-2.0"),
    (re.compile(r"GNU General Public License(?:,?\s+version\s+3|\s+v3)", re.I), "GPL-3.0-only"),
    (re.compile(r"GNU General Public License(?:,?\s+version\s+2|\s+v2)", re.I), "GPL-2.0-only"),
    (re.compile(r"\bBSD 3-Clause\b", re.I), "BSD-3-Clause"),
    (re.compile(r"\bpublic domain\b|公有领域", re.I), "public-domain"),
)
_LONG_PARTS = {"noncommercial": "NC", "noderivatives": "ND", "noderivs": "ND", "sharealike": "SA"}
_ZH_PARTS = {"非商业性使用": "NC", "禁止演绎": "ND", "相同方式共享": "SA"}


def _cc_id(parts: list[str], version: str | None) -> str:
    order = [p for p in ("NC", "ND", "SA") if p in parts]
    return "-".join(["CC-BY", *order]) + f"-{version or '4.0'}"


def is_restrictive(spdx: str) -> bool:
    """Non-commercial or no-derivatives terms stop or limit training use."""
    return "-NC" in spdx or "-ND" in spdx


class LicenceMarkDetector:
    """One finding per licence mark, with the SPDX id in ``evidence["spdx"]``."""

    name = "ip_licence_mark"
    version = VERSION
    layer = Layer.IP.value  # a plain str: findings and the dicts keyed by layer stay JSON-plain

    def detect(self, records: Sequence[Record]) -> list[list[Finding]]:
        return [self.find(r.id, r.text) for r in records]

    def _marks(self, text: str) -> list[tuple[int, int, str]]:
        out: list[tuple[int, int, str]] = []
        for m in _CC_SHORT.finditer(text):
            body = m.group(1).upper().replace(" ", "-")
            spdx = f"CC0-{m.group(2) or '1.0'}" if body == "0" else _cc_id(body.split("-")[1:], m.group(2))
            out.append((m.start(), m.end(), spdx))
        for m in _CC_URL.finditer(text):
            if m.group(3):
                out.append((m.start(), m.end(), f"CC0-{m.group(3)}"))
            else:
                parts = [p.upper() for p in m.group(1).split("-") if p.upper() != "BY"]
                out.append((m.start(), m.end(), _cc_id(parts, m.group(2))))
        for m in _CC_LONG.finditer(text):
            words = re.split(r"[- ]", m.group(1).lower())[1:]
            out.append((m.start(), m.end(), _cc_id([_LONG_PARTS[w] for w in words], m.group(2))))
        for m in _CC_ZH.finditer(text):
            parts = [v for k, v in _ZH_PARTS.items() if k in m.group(1)]
            out.append((m.start(), m.end(), _cc_id(parts, m.group(2))))
        for m in _SPDX.finditer(text):
            out.append((m.start(), m.end(), m.group(1)))
        for pattern, spdx in _NAMED:
            out.extend((m.start(), m.end(), spdx) for m in pattern.finditer(text))
        # One mark per span: a deed URL inside a long name is the same mark.
        out.sort(key=lambda t: (t[0], -t[1]))
        kept: list[tuple[int, int, str]] = []
        for s, e, spdx in out:
            if kept and s < kept[-1][1]:
                continue
            kept.append((s, e, spdx))
        return kept

    def find(self, record_id: str, text: str) -> list[Finding]:
        return [
            Finding(
                record_id=record_id,
                detector=f"{self.name}@{self.version}",
                layer=self.layer,
                risk="A.3.1",
                topic="copyright",
                score=1.0 if is_restrictive(spdx) else 0.3,
                start=s,
                end=e,
                evidence={"kind": "licence_mark", "spdx": spdx, "restrictive": is_restrictive(spdx)},
            )
            for s, e, spdx in self._marks(text)
        ]
