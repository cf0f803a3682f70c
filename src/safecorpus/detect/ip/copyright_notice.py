"""Copyright notices and reservations of rights in a text (© lines, 版权所有, 未经许可不得转载, …).

A *notice* says who holds the copyright; a *reservation* says that reuse needs permission. Both are
A.3.1 findings: the record may be someone's protected work, to be cleared before training.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from safecorpus.detect.base import Finding
from safecorpus.detect.layers import Layer
from safecorpus.io.records import Record

VERSION = "1.0.0"

_NOTICE = re.compile(
    r"(?:©|\(c\)|\bcopyright\b|版权所有|著作权所有|版权归|著作权归)"
    r"[^\S\n]*(?:\d{4}(?:[^\S\n]*[-–—][^\S\n]*\d{4})?)?[^\n。.;；]{0,60}",
    re.IGNORECASE,
)
_RESERVATION = re.compile(
    r"all\s+rights\s+reserved|版权所有|侵权必究|(?:禁止|严禁|谢绝|不得)(?:任何)?(?:形式的)?(?:转载|复制|摘编|镜像)"
    r"|未经[^\n。，,]{0,12}(?:许可|授权|允许|同意)[^\n。]{0,12}不得[^\n。]{0,6}(?:转载|复制|使用|摘编|传播)"
    r"|no\s+part\s+of\s+this\s+(?:publication|work|book)\s+may\s+be\s+reproduced",
    re.IGNORECASE,
)


class CopyrightNoticeDetector:
    """Finds copyright notices (``kind = notice``) and reservations of rights (``kind = reservation``)."""

    name = "ip_copyright_notice"
    version = VERSION
    layer = Layer.IP.value  # a plain str: findings and the dicts keyed by layer stay JSON-plain

    def detect(self, records: Sequence[Record]) -> list[list[Finding]]:
        return [self.find(r.id, r.text) for r in records]

    def find(self, record_id: str, text: str) -> list[Finding]:
        out: list[Finding] = []
        for kind, pattern in (("notice", _NOTICE), ("reservation", _RESERVATION)):
            for m in pattern.finditer(text):
                out.append(
                    Finding(
                        record_id=record_id,
                        detector=f"{self.name}@{self.version}",
                        layer=self.layer,
                        risk="A.3.1",
                        topic="copyright",
                        score=1.0,
                        start=m.start(),
                        end=m.end(),
                        evidence={"kind": kind},
                    )
                )
        return out
