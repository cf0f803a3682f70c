"""Does a source's licence permit training? An SPDX allow-list; NC/ND, GPL-family and unknown flagged.

The allow-list is the profile's ``ip.training_licences`` (default below). Custom licence text on a
commercial source with a contract is *contract-governed*: it needs manual evidence, not a guess.
"""

from __future__ import annotations

from typing import Any

from safecorpus.sources.catalog import SourceEntry

DEFAULT_ALLOWED = (
    "CC0-1.0",
    "CC-BY-3.0",
    "CC-BY-4.0",
    "CC-BY-SA-3.0",
    "CC-BY-SA-4.0",
    "MIT",
    "Apache-2.0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "ISC",
    "Unlicense",
    "PDDL-1.0",
    "ODC-By-1.0",
    "ODbL-1.0",
    "CDLA-Permissive-2.0",
    "public-domain",
)


def classify(licence: str | None, allowed: tuple[str, ...] | list[str] = DEFAULT_ALLOWED) -> str:
    """allowed, non_commercial, no_derivatives, not_on_allow_list, custom or unknown."""
    if not licence:
        return "unknown"
    spdx = licence.strip()
    upper = spdx.upper()
    if any(a.upper() == upper for a in allowed):
        return "allowed"
    if upper.startswith("CC-") and "-NC" in upper:
        return "non_commercial"
    if upper.startswith("CC-") and "-ND" in upper:
        return "no_derivatives"
    if " " in spdx or not spdx.isascii():
        return "custom"
    return "not_on_allow_list"


def licence_check(
    entry: SourceEntry, allowed: tuple[str, ...] | list[str] = DEFAULT_ALLOWED
) -> dict[str, Any]:
    status = classify(entry.licence, allowed)
    if status == "custom" and entry.provenance_type == "commercial" and entry.contract:
        status = "contract"
    if status == "unknown" and entry.provenance_type == "user-input" and entry.consent:
        status = "user_authorisation"  # user input rests on the users' authorisation, not a licence
    permits: bool | None = {"allowed": True, "non_commercial": False, "no_derivatives": False}.get(status)
    reason = {
        "allowed": f"{entry.licence} is on the training allow-list",
        "non_commercial": f"{entry.licence} forbids commercial use: a commercial model needs permission",
        "no_derivatives": f"{entry.licence} forbids derivatives: training needs permission",
        "not_on_allow_list": f"{entry.licence} is not on the training allow-list; review it",
        "custom": "custom licence text: a person must confirm it permits training",
        "contract": f"governed by contract {entry.contract}: attach the clause that permits training",
        "user_authorisation": f"user input under the users' authorisation ({entry.consent})",
        "unknown": "no licence recorded",
    }[status]
    return {
        "source": entry.name,
        "provenance_type": entry.provenance_type,
        "licence": entry.licence,
        "status": status,
        "permits_training": permits,
        "flagged": status not in ("allowed", "contract", "user_authorisation"),
        "reason": reason,
    }
