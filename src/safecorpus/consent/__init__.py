"""Consent: the legal bases of data subjects, the ledger of them, and the per-record verdict that decides
whether personal information counts as a violation. The store keeps the records (``registry.consent``)."""
