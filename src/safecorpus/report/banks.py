"""Question-bank coverage for the report (TC260-003 8.2 and 8.3), from ``modeltest.coverage``.

The banks checked are the files given to ``safecorpus report --bank-file`` (the ones the model test
used), or the starter banks shipped with the package when none are given; the report says which.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from safecorpus.modeltest.bank import packaged_banks, read_bank
from safecorpus.modeltest.coverage import check_banks
from safecorpus.taxonomy.profile import Profile


def bank_coverage(
    profile: Profile, bank_files: Sequence[Path] = (), as_of: dt.date | None = None
) -> dict[str, Any]:
    """Coverage of every bank against the profile, with the files read and whether they are the starters."""
    starter = not bank_files
    files = list(packaged_banks().values()) if starter else [Path(p) for p in bank_files]
    items = read_bank(*files)
    results = check_banks(items, profile, as_of=as_of, near_dup_threshold=None)
    return {
        "files": [p.name for p in files],
        "starter_banks": starter,
        "as_of": (as_of or dt.date.today()).isoformat(),
        "banks": {c.bank: c.to_dict() for c in results},
    }
