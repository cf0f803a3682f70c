"""What a filter run needs in every worker: picklable settings, and the per-process context."""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from safecorpus.detect.base import Detector, detector_id
from safecorpus.io.options import ReaderOptions
from safecorpus.pipeline.blocklist import Blocklist, BlocklistSpec
from safecorpus.pipeline.policy import FilterPolicy
from safecorpus.pipeline.provenance import SourceCatalog

if TYPE_CHECKING:
    from safecorpus.consent.ledger import ConsentLookup
    from safecorpus.taxonomy.profile import Profile

FORMATS = {"jsonl": ".jsonl", "jsonl.zst": ".jsonl.zst", "parquet": ".parquet"}
DEDUP_MODES = ("none", "exact", "near")


@dataclass(frozen=True)
class FileTask:
    """One input file: the unit of work. Its shards are fixed-size chunks of its items."""

    index: int
    url: str
    rel: str
    file_source: str

    @property
    def slug(self) -> str:
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", self.rel.replace("/", "__")).strip("_")[:80] or "file"
        return f"{safe}-{hashlib.sha1(self.rel.encode()).hexdigest()[:8]}"

    def shard(self, chunk: int) -> str:
        return f"{self.slug}-{chunk:05d}"


@dataclass(frozen=True)
class JobSpec:
    out: str
    findings: str
    reader: ReaderOptions
    policy: FilterPolicy
    fmt: str = "jsonl"
    shard_size: int = 20_000
    batch_size: int = 512
    dedup: str = "none"
    lexicon: str | None = "default"
    matcher: str = "auto"
    pii: bool = True
    blocklists: tuple[BlocklistSpec, ...] = ()
    classifier: bool = False  # the profile's fast-tier classifier (never the slow assessment tier)
    extra_detectors: tuple[Any, ...] = ()
    profile: Profile | None = None  # the policy detectors are built from (None: the default profile)
    catalog: SourceCatalog = field(default_factory=SourceCatalog)
    verdicts: dict[str, str] = field(default_factory=dict)
    run_id: str | None = None
    consent: ConsentLookup | None = None  # the consent ledger, compact (filter --consent)

    def key(self) -> str:
        return hashlib.sha256(pickle.dumps(self)).hexdigest()[:16]


class Context:
    """Detectors built once per process (the keyword automaton and PII engine take a second or two)."""

    def __init__(self, spec: JobSpec) -> None:
        from safecorpus.detect import registry
        from safecorpus.sources.pi_basis import SourceBases

        self.spec = spec
        self.rule = spec.policy.rule  # the one decision rule, built once per process
        # the sources' declared legal bases for PI (the sources file's pi_basis / pi_scope)
        self.pi_bases = SourceBases(spec.catalog)
        self.detectors: list[Detector] = []
        self.blocklists: list[Blocklist] = []
        build = registry.BuildContext(
            profile=spec.profile,
            lexicon=spec.lexicon or "default",
            backend=spec.matcher,
            pii_min_score=0.0,  # every PI span is kept in the findings; the policy's pii_min_score decides
        )
        if spec.lexicon:
            keyword = registry.build("keyword", build)
            assert keyword is not None
            self.lexicon = keyword.lexicon  # type: ignore[attr-defined]
            self.detectors.append(keyword)
        if spec.pii:
            self.detectors.extend(registry.build_all(["pii"], build))
        for bspec in spec.blocklists:
            bl = registry.build(
                "blocklist",
                dataclasses.replace(
                    build,
                    options={
                        "blocklist": bspec,
                        "url_field": spec.reader.url_field,
                        "near_threshold": spec.policy.blocked_near_threshold,
                    },
                ),
            )
            assert isinstance(bl, Blocklist)
            self.blocklists.append(bl)
            self.detectors.append(bl)
        if spec.classifier:
            self.detectors.extend(registry.build_all(["classifier.fast"], build))
        self.detectors.extend(spec.extra_detectors)
        self.ids = [detector_id(d) for d in self.detectors]


def pii_detector_class() -> Any:
    """The PII detector class when its module is installed, else ``None`` (the PII step is skipped)."""
    try:
        from safecorpus.detect.pii import PiiDetector
    except ImportError:
        return None
    return PiiDetector


_CONTEXTS: dict[str, Context] = {}


def context_for(spec: JobSpec, key: str | None = None) -> Context:
    key = key or spec.key()
    ctx = _CONTEXTS.get(key)
    if ctx is None:
        _CONTEXTS.clear()
        ctx = _CONTEXTS[key] = Context(spec)
    return ctx
