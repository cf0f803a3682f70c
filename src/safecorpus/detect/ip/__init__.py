"""Intellectual-property detectors (layer ``ip``, risk A.3.1): one detector per module."""

from __future__ import annotations

from safecorpus.detect.base import Detector
from safecorpus.detect.ip.copyright_notice import CopyrightNoticeDetector
from safecorpus.detect.ip.creative_work import CreativeWorkDetector
from safecorpus.detect.ip.licence_mark import LicenceMarkDetector
from safecorpus.detect.ip.opt_out import OptOutDetector

__all__ = [
    "CopyrightNoticeDetector",
    "CreativeWorkDetector",
    "LicenceMarkDetector",
    "OptOutDetector",
    "ip_detectors",
]


def ip_detectors() -> list[Detector]:
    """Every IP detector, in the order the scan runs them (as the detector registry builds them)."""
    from safecorpus.detect.registry import IP_DETECTORS, BuildContext, build_all

    return build_all(IP_DETECTORS, BuildContext())
