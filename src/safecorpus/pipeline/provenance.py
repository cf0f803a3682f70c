"""The filter's import path for the sources catalog, which lives in :mod:`safecorpus.sources.catalog`
(shared with the source registry, the report and the audits)."""

from safecorpus.sources.catalog import FIELDS, LIST_FIELDS, TYPES, SourceCatalog, SourceEntry, load_sources

__all__ = ["FIELDS", "LIST_FIELDS", "TYPES", "SourceCatalog", "SourceEntry", "load_sources"]
