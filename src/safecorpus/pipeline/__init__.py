"""The filter pipeline: read → annotate → decide → write, on a local process pool or on Ray.

Public entry points: :class:`FilterConfig`, :func:`filter_corpus` (the typed summary) and :func:`run_filter`
(its JSON document).
"""

from __future__ import annotations

from safecorpus.pipeline.blocklist import BlocklistSpec, content_hash, content_hash_hex
from safecorpus.pipeline.policy import FilterPolicy
from safecorpus.pipeline.provenance import SourceCatalog, load_sources
from safecorpus.pipeline.run import FilterConfig, filter_corpus, plan, run_filter, verdicts_from_store

__all__ = [
    "BlocklistSpec",
    "FilterConfig",
    "FilterPolicy",
    "SourceCatalog",
    "content_hash",
    "content_hash_hex",
    "filter_corpus",
    "load_sources",
    "plan",
    "run_filter",
    "verdicts_from_store",
]
