"""Per-source licence check against the SPDX allow-list."""

from __future__ import annotations

import pytest

from safecorpus.ip.licences import classify, licence_check
from safecorpus.sources.catalog import SourceEntry


@pytest.mark.parametrize(
    ("licence", "status"),
    [
        ("CC-BY-4.0", "allowed"),
        ("mit", "allowed"),
        ("CC-BY-NC-4.0", "non_commercial"),
        ("CC-BY-NC-ND-4.0", "non_commercial"),
        ("CC-BY-ND-4.0", "no_derivatives"),
        ("GPL-3.0-only", "not_on_allow_list"),
        ("our own terms of use", "custom"),
        (None, "unknown"),
        ("", "unknown"),
    ],
)
def test_classify(licence: str | None, status: str) -> None:
    assert classify(licence) == status


def test_custom_terms_with_a_contract_need_the_clause_not_a_guess() -> None:
    e = SourceEntry("s", "commercial", licence="data licence agreement", contract="C-1")
    out = licence_check(e)
    assert out["status"] == "contract" and out["permits_training"] is None and not out["flagged"]


def test_nc_and_unknown_are_flagged() -> None:
    assert licence_check(SourceEntry("a", "open-source", licence="CC-BY-NC-4.0"))["flagged"]
    assert licence_check(SourceEntry("b", "open-source"))["flagged"]
    assert not licence_check(SourceEntry("c", "open-source", licence="CC0-1.0"))["flagged"]
    assert licence_check(SourceEntry("d", "open-source", licence="MIT"), allowed=["CC0-1.0"])["flagged"]


def test_user_input_rests_on_authorisation_not_a_licence() -> None:
    ok = licence_check(SourceEntry("u", "user-input", consent="ToS v3"))
    assert ok["status"] == "user_authorisation" and not ok["flagged"]
    assert licence_check(SourceEntry("v", "user-input"))["flagged"]
