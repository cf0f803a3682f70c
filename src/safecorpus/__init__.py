"""safecorpus: prove a generative-AI training corpus and model are safe and lawful.

Public API (stable): ``import safecorpus as sc``.
"""

from __future__ import annotations

__version__ = "0.1.0"
SCHEMA_VERSION = "1"

from safecorpus.detect.base import Detector, Finding  # noqa: E402
from safecorpus.io.records import Record, Rejection  # noqa: E402
from safecorpus.taxonomy.profile import Profile, load_profile  # noqa: E402
from safecorpus.taxonomy.risks import Taxonomy, load_taxonomy  # noqa: E402

__all__ = [
    "SCHEMA_VERSION",
    "Detector",
    "Finding",
    "Profile",
    "Record",
    "Rejection",
    "Taxonomy",
    "__version__",
    "load_profile",
    "load_taxonomy",
]
