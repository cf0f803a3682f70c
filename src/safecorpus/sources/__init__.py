"""Sources and their provenance: the sources-file catalog, what each provenance type must record, the
diversity view and the provenance audit. The store (``safecorpus.registry``) only keeps the entries."""
