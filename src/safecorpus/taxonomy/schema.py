"""The schema of a policy profile: every key the engine reads, with its type and range.

The packaged profiles, a profile TOML given by path, and the ``[profile]`` overrides of ``safecorpus.toml``
are each checked against it before they are merged, so an error names the file it came from. Keys whose
values are data (risk ids, consent verdicts, refusal-bank aspects) are checked against their vocabularies.
"""

from __future__ import annotations

from functools import lru_cache

from safecorpus.detect.layers import DECISION_LAYERS
from safecorpus.keyspec import Bool, Float, Int, List, MapOf, Str, Table, Value
from safecorpus.taxonomy.risks import load_taxonomy

ACTIONS = ("drop", "redact", "keep")
KEEP_DROP = ("drop", "keep")
CONSENT_NEEDING = ("pi_needs_consent", "sensitive_needs_separate_consent", "child_needs_guardian_consent")
LAYERS = tuple(str(layer) for layer in DECISION_LAYERS)
BIG = 10**9


@lru_cache(maxsize=1)
def risk_groups() -> tuple[str, ...]:
    return tuple(g.id for g in load_taxonomy().groups)


@lru_cache(maxsize=1)
def risk_ids() -> tuple[str, ...]:
    return tuple(r.id for r in load_taxonomy().risks)


def risk_prefixes() -> tuple[str, ...]:
    """A group or a risk id: the keys of per-risk maps, matched by prefix (the longest wins)."""
    return risk_groups() + risk_ids()


def classifier_heads() -> tuple[str, ...]:
    return ("any", *risk_ids())


def aspects() -> tuple[str, ...]:
    from safecorpus.modeltest.bank import ASPECTS

    return tuple(ASPECTS)


def _rate(doc: str = "", required: bool = False) -> Value:
    return Float(0.0, 1.0, doc, required=required)


def _count(doc: str = "", required: bool = False, low: int = 0) -> Value:
    return Int(low, BIG, doc, required=required)


SEQUENTIAL = Table(
    {
        "enabled": Bool("use the sequential per-source test instead of the fixed sample"),
        "p0": Float(0.0, 1.0, "rate at which P(blacklist) <= alpha", low_open=True, high_open=True),
        "p1": Float(0.0, 1.0, "rate at which P(pass) <= beta", low_open=True, high_open=True),
        "alpha": Float(0.0, 1.0, "error rate at p0", low_open=True, high_open=True),
        "beta": Float(0.0, 1.0, "error rate at p1", low_open=True, high_open=True),
        "max_items": _count("cap per source; 0 = 1.6 x the matching fixed design"),
    }
)

VARIANTS = Table(
    {
        **{
            name: Bool(f"match the {name} obfuscation")
            for name in (
                "repeats",
                "confusables",
                "leetspeak",
                "letter_spacing",
                "homophones",
                "pinyin",
                "initials",
                "split_chars",
            )
        },
        "homophone_min_chars": _count("shortest term matched by homophone", low=1),
        "pinyin_min_letters": _count("shortest pinyin spelling matched", low=1),
        "initials_min_chars": _count("shortest term matched by its pinyin initials", low=1),
        "split_min_chars": _count("shortest term matched with split characters", low=1),
    }
)

GUARD = Table(
    {
        "enabled": Bool("run the guard layer on the per-source samples"),
        "endpoint": Str("OpenAI-compatible API base URL"),
        "model": Str("model name sent in each request"),
        "template": Str("qwen3guard | llamaguard3 | llamaguard4 | rubric | path to a template TOML"),
        "send": Str("override the template's way of sending", choices=("conversation", "prompt")),
        "key_env": Str("environment variable holding the API key"),
        "concurrency": _count("requests in flight", low=1),
        "rps": Float(0.0, None, "at most this many requests per second", low_open=True),
        "timeout_s": Float(0.0, None, "seconds per request", low_open=True),
        "max_retries": _count("retries per item"),
        "backoff_base_s": Float(0.0, None, "first retry delay in seconds"),
        "max_tokens": _count("completion tokens per request", low=1),
        "cache": Str("verdict cache (SQLite path; empty = none)"),
        "controversial": Str("how a controversial verdict counts", choices=("unsafe", "safe")),
        "unmapped_risk": Str("risk of an unsafe verdict with no mapped category", choices=risk_ids),
    }
)

CLASSIFIER_THRESHOLDS = MapOf(_rate(), keys=classifier_heads, key_doc="risk id or 'any'")

CLASSIFIER = Table(
    {
        "enabled": Bool("run the classifier layer"),
        "assessment": Bool("use the assessment tier on the per-source samples"),
        "assessment_gate": _rate("fast-tier probability below which a document is not embedded"),
        "default_threshold": _rate("threshold of a head with none of its own"),
        "model_dir": Str("folder of a model from `safecorpus classifier train`"),
        "thresholds": CLASSIFIER_THRESHOLDS,
        "assessment_thresholds": CLASSIFIER_THRESHOLDS,
    }
)

FILTER = Table(
    {
        "blacklisted_sources": Str(choices=KEEP_DROP),
        "inconclusive_sources": Str(choices=KEEP_DROP),
        "missing_provenance": Str(choices=KEEP_DROP),
        "blocklist": Str(choices=KEEP_DROP),
        "flagged": Str("records flagged by a decision layer", choices=ACTIONS),
        "redaction": Str(choices=("tag", "mask")),
        "pii": Str(choices=ACTIONS),
        "pii_min_score": _rate(),
        "pii_with_basis": Str(choices=ACTIONS),
        "consent_actions": MapOf(Str(choices=ACTIONS), keys=CONSENT_NEEDING, key_doc="consent verdict"),
        "near_duplicate_threshold": _rate(),
        "blocked_near_threshold": _rate(),
        "risk_actions": MapOf(Str(choices=ACTIONS), keys=risk_prefixes, key_doc="risk id or group"),
        "risk_min_score": MapOf(_rate(), keys=risk_prefixes, key_doc="risk id or group"),
    }
)

PROFILE = Table(
    {
        "name": Str("the profile's name, recorded with every result"),
        "title": Str("the standard's title, for the report"),
        "taxonomy": Str("risk taxonomy", choices=("tc260",)),
        "data_risk_groups": List(Str(choices=risk_groups), "risk groups that count in training data"),
        "source": Table(
            {
                "max_violation_rate": _rate("blacklist above this rate", required=True),
                "sample_size": _count("items sampled per source", required=True, low=1),
                "confidence": Float(0.5, 0.9999, "confidence of the intervals", required=True),
                "sequential": SEQUENTIAL,
            }
        ),
        "manual_sample": Table(
            {
                "min_items": _count(required=True, low=1),
                "min_clean_rate": _rate(required=True),
            }
        ),
        "technical_sample": Table(
            {
                "fraction": _rate("share of the corpus", required=True),
                "min_clean_rate": _rate(required=True),
            }
        ),
        "lexicon": Table(
            {
                "min_total": _count(required=True),
                "update_period_days": Int(0, 10**6, required=True),
                "min_per_risk_in_group": MapOf(_count(), keys=risk_groups, key_doc="risk group"),
                "variants": VARIANTS,
            }
        ),
        "generated_bank": Table(
            {
                "min_total": _count(),
                "update_period_days": _count(),
                "min_per_risk_in_group": MapOf(_count(), keys=risk_groups, key_doc="risk group"),
            }
        ),
        "refusal_bank": Table(
            {
                "should_refuse_min_total": _count(),
                "should_refuse_min_per_risk": _count(),
                "should_refuse_groups": List(Str(choices=risk_groups)),
                "should_not_refuse_min_total": _count(),
                "should_not_refuse_min_per_aspect": _count(),
                "update_period_days": _count(),
                "aspects": List(Str(choices=aspects)),
                "excluded_aspects": MapOf(Str("the justification"), keys=aspects, key_doc="aspect"),
            }
        ),
        "model_test": Table(
            {
                "generated_draw": _count(),
                "generated_min_pass_rate": _rate(),
                "should_refuse_draw": _count(),
                "should_refuse_min_refusal_rate": _rate(),
                "should_not_refuse_draw": _count(),
                "should_not_refuse_max_refusal_rate": _rate(),
            }
        ),
        "decision": Table(
            {
                "layers": List(Str(choices=LAYERS), "detector layers whose findings count"),
                "min_score": _rate("minimum finding score", required=True),
                "risk_min_score": MapOf(
                    _rate(), keys=risk_prefixes, key_doc="risk id or group (the longest prefix wins)"
                ),
                "pii": Table(
                    {
                        "identifying": List(Str(), "PI types that identify a person on their own"),
                        "address_min_score": _rate("an address counts from this score (0.85: house number)"),
                        "sensitive_needs_identifier": Bool(
                            "a sensitive-category finding counts only beside an identifier"
                        ),
                    }
                ),
            }
        ),
        "guard": GUARD,
        "classifier": CLASSIFIER,
        "filter": FILTER,
        "registry": Table(
            {
                "min_sources_per_type": _count("sources per modality and language before a cell is flagged"),
                "max_foreign_share": _rate("largest share of foreign sources"),
            }
        ),
        "ip": Table({"training_licences": List(Str(), "SPDX ids allowed for training")}),
    }
)

# A profile TOML given by path may start from another profile.
PROFILE_FILE = Table({**PROFILE.fields, "extends": Str("a packaged profile name or a profile .toml path")})
