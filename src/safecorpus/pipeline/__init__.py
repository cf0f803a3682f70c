"""The filter pipeline: read → annotate → decide → write, on a local process pool or on Ray.

Public entry points: :class:`FilterConfig` and :func:`run_filter`.
"""

from __future__ import annotations

from safecorpus.pipeline.blocklist import BlocklistSpec, content_hash, content_hash_hex
from safecorpus.pipeline.policy import FilterPolicy
from safecorpus.pipeline.provenance import SourceCatalog, load_sources
from safecorpus.pipeline.run import FilterConfig, plan, run_filter, verdicts_from_store

__all__ = [
    "BlocklistSpec",
    "FilterConfig",
    "FilterPolicy",
    "SourceCatalog",
    "content_hash",
    "content_hash_hex",
    "load_sources",
    "plan",
    "run_filter",
    "verdicts_from_store",
]
