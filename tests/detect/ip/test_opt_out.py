"""OptOutDetector: TDM reservations and noai robots tags in a record's crawl metadata."""

from __future__ import annotations

import pytest

from safecorpus.detect.ip.opt_out import OptOutDetector, has_crawl_metadata, signals
from safecorpus.io.records import Record


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({"tdm_reservation": 1}, ["tdm-reservation"]),
        ({"headers": {"TDM-Reservation": "1"}}, ["tdm-reservation"]),
        ({"meta_robots": "noindex, noai"}, ["robots:noai"]),
        ({"x_robots_tag": "noimageai"}, ["robots:noimageai"]),
        ({"meta_robots": "index, follow", "tdm_reservation": 0}, []),
        ({}, []),
    ],
)
def test_signals(meta: dict, expected: list[str]) -> None:
    assert signals(meta) == expected


def test_detector_emits_one_finding_per_opted_out_record() -> None:
    recs = [
        Record("a", "t", "s", "f", 1, {"meta_robots": "noai"}),
        Record("b", "t", "s", "f", 2, {"meta_robots": "index"}),
        Record("c", "t", "s", "f", 3, {}),
    ]
    out = OptOutDetector().detect(recs)
    assert [len(x) for x in out] == [1, 0, 0]
    assert out[0][0].risk == "A.3.1" and out[0][0].evidence["signals"] == ["robots:noai"]
    assert has_crawl_metadata(recs[1].meta) and not has_crawl_metadata(recs[2].meta)
