"""Model safety tests (TC260-003 §8.2/8.3, §9.3/9.4): question banks, an endpoint runner, judges, verdicts.

- :mod:`safecorpus.modeltest.bank`: the JSONL bank format, the filing-attachment CSV, near-duplicates.
- :mod:`safecorpus.modeltest.coverage`: a bank's counts against the profile's minima and update period.
- :mod:`safecorpus.modeltest.runner`: ask any OpenAI-compatible chat endpoint, resumably.
- :mod:`safecorpus.modeltest.refusal`: the Chinese/English refusal detector.
- :mod:`safecorpus.modeltest.assess`: seeded draws, judgements, rates with intervals and verdicts.
"""

from __future__ import annotations

from safecorpus.modeltest.bank import ASPECTS, BANKS, BankItem, read_bank, write_bank

__all__ = ["ASPECTS", "BANKS", "BankItem", "read_bank", "write_bank"]
