"""A source's legal basis for personal information (PIPL Arts. 13, 27), and the PI it covers.

A source of the registry (or of a `filter --sources` file) may declare ``pi_basis``:

- ``none`` (the default when nothing is declared): no source-level basis; the per-record consent ledger
  decides, as before;
- ``publicly_disclosed`` (PIPL Art. 13 (6), Art. 27: information the person disclosed, or that was lawfully
  disclosed, processed within a reasonable scope): by default names, addresses and contact details
  (phone numbers, e-mail, QQ/WeChat ids) — never identity-document or account numbers, nor sensitive PI;
- ``news_reporting`` (Art. 13 (5): news reporting in the public interest): by default names and
  addresses — who and where, not how to reach or identify a private person (no phone numbers, ID or
  card numbers, no sensitive PI);
- ``contract`` (Art. 13 (2)): exactly the PI its ``pi_scope`` states (a contract without a scope is a
  configuration error);
- ``consent_ledger``: the source's PI rests on per-record consent: the ledger decides (the same as
  ``none``, declared explicitly).

``pi_scope`` (a list, ``;``-separated in CSV) names what the basis covers: groups (``names``,
``address``, ``phone``, ``email``, ``messaging_id``, ``contact`` (all three), ``id_document``,
``financial_account``, ``sensitive``), a sensitive category (``sensitive:medical_health``) or a PI type
(``CN_MOBILE``). Given for ``publicly_disclosed`` or
``news_reporting`` it replaces the default scope. PI within the scope of the source's basis gets the
consent verdict ``pi_with_basis`` (consent/verdict.py); PI outside it is judged by the ledger.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from safecorpus.errors import ConfigError

BASES = ("none", "publicly_disclosed", "news_reporting", "contract", "consent_ledger")
# Bases whose scope decides at the source level (the others defer to the per-record ledger).
SCOPED = ("publicly_disclosed", "news_reporting", "contract")

PHONE = ("CN_MOBILE", "CN_LANDLINE", "PHONE_NUMBER")
GROUPS: dict[str, tuple[str, ...]] = {
    "names": ("PERSON",),
    "address": ("ADDRESS",),
    "phone": PHONE,
    "email": ("EMAIL",),
    "messaging_id": ("QQ_NUMBER", "WECHAT_ID"),
    "contact": (*PHONE, "EMAIL", "QQ_NUMBER", "WECHAT_ID"),
    "id_document": ("CN_RESIDENT_ID", "PASSPORT", "HK_ID", "TW_ID", "HK_MO_TW_PERMIT", "US_SSN"),
    "financial_account": ("BANK_CARD", "CREDIT_CARD", "IBAN_CODE"),
    "sensitive": ("SENSITIVE_*",),
}
SENSITIVE_CATEGORIES = (
    "biometric",
    "religious_belief",
    "specific_identity",
    "medical_health",
    "financial_account",
    "precise_location",
    "minor_under_14",
)
PI_TYPES = tuple(
    sorted(
        {t for g in GROUPS.values() for t in g if not t.endswith("*")}
        | {"CN_USCC", "CN_VEHICLE_PLATE", "IP_ADDRESS", "FACE_IMAGE", "VOICE_AUDIO"}
    )
)
DEFAULT_SCOPE: dict[str, tuple[str, ...]] = {
    "publicly_disclosed": ("names", "address", "contact"),
    "news_reporting": ("names", "address"),
}


def _scope_items(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    items = value.split(";") if isinstance(value, str) else [str(v) for v in value]
    return tuple(i.strip() for i in items if i.strip())


def check_scope_item(item: str, where: str) -> None:
    if item in GROUPS or item in PI_TYPES or item.startswith("SENSITIVE_"):
        return
    if item.startswith("sensitive:") and item.split(":", 1)[1] in SENSITIVE_CATEGORIES:
        return
    raise ConfigError(
        f"{where}: pi_scope item {item!r} is not known; use a group ({', '.join(GROUPS)}), "
        f"sensitive:<category> ({', '.join(SENSITIVE_CATEGORIES)}) or a PI type ({', '.join(PI_TYPES)})"
    )


@dataclass(frozen=True)
class SourceBasis:
    """One source's basis and the PI types and sensitive categories it covers."""

    basis: str = "none"
    scope: tuple[str, ...] = ()  # as declared (or the basis's default), for the report
    types: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    all_sensitive: bool = False
    source: str | None = None  # the registered source it comes from

    @classmethod
    def parse(
        cls, basis: str | None, scope: Any, where: str, source: str | None = None
    ) -> SourceBasis | None:
        """The basis of a declaration (``None``: nothing declared). Unknown values are configuration
        errors that name the source."""
        name = (basis or "").strip()
        items = _scope_items(scope)
        if not name and not items:
            return None
        if not name:
            raise ConfigError(
                f"{where}: pi_scope is given without pi_basis; add pi_basis ({', '.join(BASES)})"
            )
        if name not in BASES:
            raise ConfigError(f"{where}: pi_basis must be one of {', '.join(BASES)}, got {name!r}")
        if items and name not in SCOPED:
            raise ConfigError(f"{where}: pi_basis {name} takes no pi_scope (the consent ledger decides)")
        if name == "contract" and not items:
            raise ConfigError(
                f"{where}: pi_basis contract needs pi_scope, the personal information the contract covers"
            )
        for item in items:
            check_scope_item(item, where)
        scope = items or DEFAULT_SCOPE.get(name, ())
        types: set[str] = set()
        categories: set[str] = set()
        all_sensitive = False
        for item in scope:
            if item == "sensitive":
                all_sensitive = True
            elif item in GROUPS:
                types.update(GROUPS[item])
            elif item.startswith("sensitive:"):
                categories.add(item.split(":", 1)[1])
            else:
                types.add(item)
        return cls(name, tuple(scope), frozenset(types), frozenset(categories), all_sensitive, source)

    @property
    def scoped(self) -> bool:
        """The basis decides at the source level (the others defer to the consent ledger)."""
        return self.basis in SCOPED

    def covers(self, pi_type: str | None, category: str | None) -> bool:
        """Whether PI of this type (and sensitive category) is within the basis's scope."""
        if not self.scoped or pi_type is None:
            return False
        if pi_type in self.types:
            return True
        cat = category
        if cat is None and pi_type.startswith("SENSITIVE_"):
            cat = pi_type.removeprefix("SENSITIVE_").lower()
        return cat is not None and (self.all_sensitive or cat in self.categories)

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"basis": self.basis, "scope": list(self.scope)}
        if self.source is not None:
            out["registered_source"] = self.source
        return out


NO_BASIS = SourceBasis()


def basis_of_entry(entry: Any, where: str = "source") -> SourceBasis | None:
    """The basis a source entry (``SourceEntry``) declares, or ``None``."""
    basis, scope = getattr(entry, "pi_basis", None), getattr(entry, "pi_scope", None)
    return SourceBasis.parse(basis, scope, f"{where} ({entry.name})", entry.name)


class SourceBases:
    """The declared bases of a catalog's sources, looked up per record (by source name, host or path, as
    the catalog matches records to entries). Picklable: workers get it with the run's settings."""

    def __init__(self, catalog: Any = None) -> None:
        from safecorpus.sources.catalog import SourceCatalog

        declared = catalog.entries if catalog is not None else []
        entries = [e for e in declared if getattr(e, "pi_basis", None)]
        self.catalog = SourceCatalog(entries)
        self.bases = {e.name: basis_of_entry(e) for e in entries}
        self._by_source: dict[tuple[str, str], SourceBasis | None] = {}

    def __bool__(self) -> bool:
        return bool(self.bases)

    def for_record(self, source: str, file: str = "") -> SourceBasis | None:
        key = (source, file if self.catalog.globs else "")
        if key not in self._by_source:
            entry = self.catalog.entry_for(source, source if "." in source else None, file)
            self._by_source[key] = None if entry is None else self.bases.get(entry.name)
        return self._by_source[key]

    def describe(self, source: str) -> dict[str, Any]:
        """What the report says about a source's basis (``none`` when nothing is declared)."""
        basis = self.for_record(source)
        return basis.describe() if basis is not None else {"basis": "none", "scope": []}


def covered_types(scope: Iterable[str]) -> set[str]:
    """The PI types a list of scope items names (groups expanded), for documentation and tests."""
    out: set[str] = set()
    for item in scope:
        out.update(GROUPS.get(item, (item,)))
    return out
