"""The detector registry: every detector a command runs is named here and built from the policy here.

Commands never construct detectors themselves. They ask for entries by name (``keyword``, ``pii``,
``pii.consent``, ``classifier.fast``, ``classifier.assessment``, ``guard``, ``ip.*``) with a
:class:`BuildContext` (the profile plus the run's few non-policy inputs), so `assess`, `filter`, `modeltest`
and the rest see a record with exactly the same detectors, options and versions. Adding a detector is one
module under ``safecorpus/detect/`` plus one :func:`register` call below.

A builder returns ``None`` when its detector is switched off by the profile or cannot run here (a missing
optional model): callers treat that as "layer not run", never as "clean".
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from safecorpus.detect.base import Detector
from safecorpus.detect.layers import Layer
from safecorpus.errors import ConfigError

if TYPE_CHECKING:
    from safecorpus.detect.lexicon.variants import VariantOptions
    from safecorpus.taxonomy.profile import Profile


@dataclass(frozen=True)
class BuildContext:
    """What a builder may read: the profile (the policy) and the run's inputs that are not policy."""

    profile: Profile | None = None  # None: the default profile
    lexicon: str = "default"  # a packaged keyword library or a .tsv path
    backend: str = "auto"  # the keyword matcher backend
    consent: Any = None  # a ConsentLedger or ConsentLookup for ``pii.consent`` (None: an empty ledger)
    pi_bases: Any = None  # the sources' declared PI bases (sources/pi_basis.SourceBases) for ``pii.consent``
    pii_min_score: float | None = None  # None: the profile's [decision] min_score
    pii_sensitive: bool = True  # also the sensitive-category recognisers
    options: dict[str, Any] = field(default_factory=dict)  # entry-specific extras

    @property
    def policy(self) -> Profile:
        if self.profile is not None:
            return self.profile
        from safecorpus.taxonomy.profile import load_profile

        return load_profile()


@dataclass(frozen=True)
class DetectorEntry:
    """One registered detector: its name, the layer its findings belong to, and how to build it."""

    name: str
    layer: Layer
    build: Callable[[BuildContext], Detector | None]
    summary: str


_REGISTRY: dict[str, DetectorEntry] = {}


def register(entry: DetectorEntry) -> DetectorEntry:
    if entry.name in _REGISTRY:
        raise ValueError(f"detector {entry.name!r} is registered twice")
    _REGISTRY[entry.name] = entry
    return entry


def entries() -> list[DetectorEntry]:
    """Every registered detector, in registration order (the order findings are merged in)."""
    return list(_REGISTRY.values())


def entry(name: str) -> DetectorEntry:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ConfigError(f"unknown detector {name!r}; registered: {', '.join(_REGISTRY)}") from None


def build(name: str, ctx: BuildContext) -> Detector | None:
    """The detector ``name`` as the policy in ``ctx`` configures it, or ``None`` when it is off here."""
    return entry(name).build(ctx)


def build_all(names: Iterable[str], ctx: BuildContext) -> list[Detector]:
    """The detectors of ``names`` that are on, in the given order."""
    built = (build(n, ctx) for n in names)
    return [d for d in built if d is not None]


# -- the entries ---------------------------------------------------------------------------------------


def variant_options(profile: Profile) -> VariantOptions:
    """The keyword layer's obfuscation variants, from the profile's ``[lexicon.variants]``."""
    from safecorpus.detect.lexicon.variants import VariantOptions

    return VariantOptions.from_mapping(profile.get("lexicon.variants", {}) or {})


@lru_cache(maxsize=4)
def _keyword(lexicon: str, stamp: tuple[int, int], variants: VariantOptions, backend: str) -> Detector:
    # Building the automaton takes a second or two: one per process, configuration and file version.
    from safecorpus.detect.lexicon.detector import LexiconDetector
    from safecorpus.detect.lexicon.library import read_lexicon

    return LexiconDetector(read_lexicon(lexicon), variants=variants, backend=backend)


def _build_keyword(ctx: BuildContext) -> Detector:
    return _keyword(ctx.lexicon, _file_stamp(ctx.lexicon), variant_options(ctx.policy), ctx.backend)


def _file_stamp(path: str) -> tuple[int, int]:
    """(mtime_ns, size) of a lexicon file, so an edited library is re-read; (0, 0) for packaged names."""
    try:
        st = os.stat(path)
    except OSError:
        return (0, 0)
    return (st.st_mtime_ns, st.st_size)


def _pii_min_score(ctx: BuildContext) -> float:
    if ctx.pii_min_score is not None:
        return float(ctx.pii_min_score)
    return float(ctx.policy.get("decision.min_score", 0.5))


def _build_pii(ctx: BuildContext) -> Detector | None:
    try:
        from safecorpus.detect.pii import PiiDetector
    except ImportError:  # the PII extra is not installed: the layer is not run
        return None
    return PiiDetector(min_score=_pii_min_score(ctx), sensitive=ctx.pii_sensitive)


def _build_pii_consent(ctx: BuildContext) -> Detector | None:
    from safecorpus.assess.pii import ConsentPiiDetector

    inner = _build_pii(ctx)
    return None if inner is None else ConsentPiiDetector(inner, ctx.consent, bases=ctx.pi_bases)


_CLASSIFIERS: dict[bytes, tuple[Detector | None, Detector | None]] = {}


def _classifier_pair(profile: Profile) -> tuple[Detector | None, Detector | None]:
    """(fast, assessment) tiers, loaded once per process and ``[classifier]`` table (both tiers share
    the fast model when the assessment tier is off or missing)."""
    import orjson

    from safecorpus.detect.classifier.detector import profile_detectors

    key = orjson.dumps(profile.get("classifier", {}) or {}, option=orjson.OPT_SORT_KEYS)
    if key not in _CLASSIFIERS:
        _CLASSIFIERS.clear()
        _CLASSIFIERS[key] = profile_detectors(profile, assessment=True)
    return _CLASSIFIERS[key]


def _build_classifier(tier: str) -> Callable[[BuildContext], Detector | None]:
    def build_tier(ctx: BuildContext) -> Detector | None:
        fast, assessment = _classifier_pair(ctx.policy)
        return fast if tier == "fast" else assessment

    return build_tier


def _build_guard(ctx: BuildContext) -> Detector | None:
    section = ctx.policy.get("guard", {}) or {}
    if not section.get("enabled", False):
        return None
    from safecorpus.detect.guard.detector import GuardDetector

    return GuardDetector.from_profile(ctx.policy)


def _build_ip(kind: str) -> Callable[[BuildContext], Detector | None]:
    def build_kind(ctx: BuildContext) -> Detector | None:
        from safecorpus.detect import ip

        kinds: dict[str, Callable[[], Detector]] = {
            "copyright_notice": ip.CopyrightNoticeDetector,
            "licence_mark": ip.LicenceMarkDetector,
            "creative_work": ip.CreativeWorkDetector,
            "opt_out": ip.OptOutDetector,
        }
        return kinds[kind]()

    return build_kind


def _build_blocklist(ctx: BuildContext) -> Detector | None:
    """One blocklist (``options["blocklist"]``: a BlocklistSpec) with the profile's near-duplicate bar."""
    from safecorpus.pipeline.blocklist import build_blocklist

    spec = ctx.options.get("blocklist")
    if spec is None:
        return None
    near = ctx.options.get("near_threshold")
    if near is None:
        near = ctx.policy.get("filter.blocked_near_threshold", 0.6)
    return build_blocklist(spec, str(ctx.options.get("url_field", "url")), float(near))


IP_DETECTORS = ("ip.copyright_notice", "ip.licence_mark", "ip.creative_work", "ip.opt_out")


register(
    DetectorEntry(
        "keyword",
        Layer.KEYWORD,
        _build_keyword,
        "the keyword library with the profile's obfuscation variants ([lexicon.variants])",
    )
)
register(DetectorEntry("pii", Layer.PII, _build_pii, "personal information recognisers (no consent applied)"))
register(
    DetectorEntry(
        "pii.consent",
        Layer.PII,
        _build_pii_consent,
        "personal information with each record's consent verdict (needs_basis) from the ledger",
    )
)
register(
    DetectorEntry(
        "classifier.fast",
        Layer.CLASSIFIER,
        _build_classifier("fast"),
        "the content-risk classifier's fast tier ([classifier])",
    )
)
register(
    DetectorEntry(
        "classifier.assessment",
        Layer.CLASSIFIER,
        _build_classifier("assessment"),
        "the classifier's assessment tier (falls back to the fast tier when its model is missing)",
    )
)
register(
    DetectorEntry(
        "blocklist",
        Layer.BLOCKLIST,
        _build_blocklist,
        "a domain, hash or document blocklist (filter --blocklist; the packaged domain list)",
    )
)
register(DetectorEntry("guard", Layer.GUARD, _build_guard, "a guard model behind an endpoint ([guard])"))
for _name, _summary in zip(
    IP_DETECTORS,
    (
        "copyright notices",
        "licence marks (SPDX, Creative Commons …)",
        "creative works (lyrics, poems, book chapters)",
        "publisher opt-outs (robots, TDM reservations)",
    ),
    strict=True,
):
    register(DetectorEntry(_name, Layer.IP, _build_ip(_name.removeprefix("ip.")), _summary))
