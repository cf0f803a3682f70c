"""A source's legal basis for personal information, and what its scope covers (sources/pi_basis.py)."""

from __future__ import annotations

import pytest

from safecorpus.errors import ConfigError
from safecorpus.sources.catalog import SourceCatalog, parse_entry
from safecorpus.sources.pi_basis import SourceBases, SourceBasis


def basis(name: str | None, scope: object = None) -> SourceBasis | None:
    return SourceBasis.parse(name, scope, "test")


def test_nothing_declared_is_no_basis() -> None:
    assert basis(None) is None and basis("") is None
    none = basis("none")
    assert none is not None and not none.scoped and not none.covers("CN_MOBILE", None)


@pytest.mark.parametrize("name", ["publicly_disclosed", "news_reporting"])
def test_public_bases_cover_names_and_addresses_never_ids_cards_or_sensitive_pi(name: str) -> None:
    b = basis(name)
    assert b is not None and b.scoped
    assert b.covers("PERSON", None) and b.covers("ADDRESS", None)
    for kind, category in [
        ("CN_RESIDENT_ID", None),
        ("PASSPORT", None),
        ("BANK_CARD", "financial_account"),
        ("CREDIT_CARD", "financial_account"),
        ("SENSITIVE_MEDICAL_HEALTH", "medical_health"),
        ("SENSITIVE_MINOR_UNDER_14", "minor_under_14"),
    ]:
        assert not b.covers(kind, category), (name, kind)


def test_news_reporting_does_not_cover_phone_numbers_publicly_disclosed_does() -> None:
    news, public = basis("news_reporting"), basis("publicly_disclosed")
    assert news is not None and public is not None
    assert not news.covers("CN_MOBILE", None) and public.covers("CN_MOBILE", None)
    assert public.covers("EMAIL", None) and not public.covers("CN_RESIDENT_ID", None)


def test_a_contract_covers_what_its_scope_states() -> None:
    b = basis("contract", ["phone", "sensitive:medical_health", "BANK_CARD"])
    assert b is not None
    assert b.covers("CN_MOBILE", None) and b.covers("CN_LANDLINE", None) and b.covers("PHONE_NUMBER", None)
    assert b.covers("SENSITIVE_MEDICAL_HEALTH", "medical_health") and b.covers(
        "BANK_CARD", "financial_account"
    )
    assert not b.covers("CN_RESIDENT_ID", None) and not b.covers("EMAIL", None)
    assert not b.covers("SENSITIVE_RELIGIOUS_BELIEF", "religious_belief")
    assert basis("contract", "phone;email") is not None  # the CSV form


def test_consent_ledger_defers_to_the_ledger() -> None:
    b = basis("consent_ledger")
    assert b is not None and not b.scoped and not b.covers("CN_MOBILE", None)


@pytest.mark.parametrize(
    "name,scope,message",
    [
        ("contract", None, "needs pi_scope"),
        ("legitimate_interest", None, "pi_basis must be one of"),
        (None, "phone", "without pi_basis"),
        ("consent_ledger", "phone", "takes no pi_scope"),
        ("contract", "phones", "pi_scope item 'phones' is not known"),
        ("contract", "sensitive:health", "is not known"),
    ],
)
def test_bad_declarations_are_configuration_errors(name, scope, message) -> None:
    with pytest.raises(ConfigError, match=message):
        basis(name, scope)


def test_the_sources_file_entry_carries_the_basis_and_is_checked() -> None:
    entry = parse_entry(
        {
            "name": "crm",
            "provenance_type": "commercial",
            "pi_basis": "contract",
            "pi_scope": ["phone", "email"],
        },
        "sources.yaml entry 1",
    )
    assert entry.pi_basis == "contract" and entry.pi_scope == "phone;email"
    with pytest.raises(ConfigError, match=r"sources.yaml entry 2 \(bad\).*needs pi_scope"):
        parse_entry(
            {"name": "bad", "provenance_type": "commercial", "pi_basis": "contract"}, "sources.yaml entry 2"
        )


def test_bases_are_looked_up_per_record_like_provenance() -> None:
    crm = parse_entry(
        {"name": "crm", "provenance_type": "commercial", "match": ["crm.example.com"], "pi_basis": "contract",
         "pi_scope": "phone"},
        "e1",
    )  # fmt: skip
    plain = parse_entry({"name": "web", "provenance_type": "self-collected"}, "e2")
    bases = SourceBases(SourceCatalog([crm, plain]))
    assert bases.for_record("crm").basis == "contract"  # type: ignore[union-attr]
    assert bases.for_record("shop.crm.example.com").basis == "contract"  # type: ignore[union-attr]
    assert bases.for_record("web") is None and bases.for_record("elsewhere") is None
    assert bases.describe("web") == {"basis": "none", "scope": []}
    assert bases.describe("crm") == {"basis": "contract", "scope": ["phone"], "registered_source": "crm"}
    assert not SourceBases(None) and not SourceBases(SourceCatalog([plain]))
