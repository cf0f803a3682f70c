"""`run_filter`: plan, (dedup pre-pass), write, account, manifest. The CLI is a thin shell over it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from safecorpus import SCHEMA_VERSION, __version__
from safecorpus.assess.decision import policy_stamp
from safecorpus.detect.base import Detector
from safecorpus.detect.layers import Layer
from safecorpus.errors import InputError, SafecorpusError
from safecorpus.io.options import ReaderOptions
from safecorpus.pipeline import dedup as dedup_mod
from safecorpus.pipeline import minhash
from safecorpus.pipeline.blocklist import PACKAGED_DOMAINS, BlocklistSpec, describe
from safecorpus.pipeline.executors import run_tasks
from safecorpus.pipeline.policy import FilterPolicy
from safecorpus.pipeline.provenance import SourceCatalog, load_sources
from safecorpus.pipeline.spec import DEDUP_MODES, FORMATS, FileTask, JobSpec, context_for, pii_detector_class
from safecorpus.pipeline.storage import Folder, is_remote, list_inputs, local_path
from safecorpus.pipeline.summary import FilterRecords, FilterSummary
from safecorpus.pipeline.worker import REASONS, STEP_OF_REASON, run_scan, run_write
from safecorpus.taxonomy.profile import Profile

if TYPE_CHECKING:
    from safecorpus.consent.ledger import ConsentLedger, ConsentLookup

PIPELINE_VERSION = "1"
STEPS = ("source", "consent", "provenance", "blocklist", "content", "pii", "dedup")


class ReconciliationError(SafecorpusError):
    """The counts do not add up (a bug, never a user error): read ≠ kept + removed + rejected."""

    exit_code = 1


@dataclass
class FilterConfig:
    corpus: str
    out: str
    profile: Profile
    reader: ReaderOptions = field(default_factory=ReaderOptions)
    fmt: str = "jsonl"
    shard_size: int = 20_000
    dedup: str = "none"
    lexicon: str | None = "default"
    matcher: str = "auto"
    pii: bool = True
    default_blocklist: bool = True
    blocklists: list[BlocklistSpec] = field(default_factory=list)
    sources: str | None = None
    verdicts: dict[str, str] = field(default_factory=dict)
    run_id: str | None = None
    findings: str | None = None  # default: OUT/findings
    executor: str = "local"
    workers: int = 1
    address: str | None = None
    batch_size: int = 512
    classifier: bool = False  # the profile's fast-tier classifier ([classifier] enabled)
    extra_detectors: list[Detector] = field(default_factory=list)
    # The consent ledger (filter --consent): the full ledger (reduced to a lookup at the run's start)
    # or a lookup made earlier. None: no consent step (the profile's `pii` action applies to all PI).
    consent: ConsentLedger | ConsentLookup | None = None
    # The fingerprint of the command's Policy, recorded in the summary and manifest (None: the profile's).
    policy_fingerprint: str | None = None


def _file_source(root: str, rel: str, is_dir: bool) -> str:
    if not is_remote(root):
        from safecorpus.io.reader import file_source

        local = local_path(root)
        return file_source(local, local / rel if is_dir else local)
    from pathlib import PurePosixPath

    from safecorpus.io.opener import format_suffix
    from safecorpus.io.reader import READERS

    base = PurePosixPath(root.split("://", 1)[1].rstrip("/"))
    p = PurePosixPath(rel)
    if format_suffix(p) == ".txt":
        parent = p.parent.as_posix()
        return (base.name if is_dir else base.parent.name) if parent == "." else parent
    name = rel
    while PurePosixPath(name).suffix.lower() in (".gz", ".zst", *READERS):
        name = name[: -len(PurePosixPath(name).suffix)]
    return name


def plan(corpus: str) -> list[FileTask]:
    """The work plan: one task per input file, in sorted order. It depends on the input only."""
    files, is_dir = list_inputs(corpus)
    return [FileTask(i, url, rel, _file_source(corpus, rel, is_dir)) for i, (url, rel) in enumerate(files)]


def _sha(*parts: Any) -> str:
    return hashlib.sha256(orjson.dumps(parts, option=orjson.OPT_NON_STR_KEYS)).hexdigest()[:16]


def run_filter(
    config: FilterConfig, on_progress: Callable[[str, int, int], None] | None = None
) -> dict[str, Any]:
    """Filter the corpus into ``config.out``; return the summary document (what ``--json`` writes)."""
    return filter_corpus(config, on_progress).to_dict()


def filter_corpus(
    config: FilterConfig, on_progress: Callable[[str, int, int], None] | None = None
) -> FilterSummary:
    """Filter the corpus into ``config.out``; return the typed summary."""
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    if config.fmt not in FORMATS:
        raise SafecorpusError(f"unknown format {config.fmt!r}: use {', '.join(FORMATS)}")
    if config.dedup not in DEDUP_MODES:
        raise SafecorpusError(f"unknown dedup mode {config.dedup!r}: use {', '.join(DEDUP_MODES)}")
    policy = FilterPolicy.from_profile(config.profile)
    catalog = load_sources(config.sources) if config.sources else SourceCatalog()
    specs = ([BlocklistSpec("domains", PACKAGED_DOMAINS)] if config.default_blocklist else []) + list(
        config.blocklists
    )
    consent = config.consent
    if consent is not None:
        from safecorpus.consent.ledger import ConsentLedger

        if isinstance(consent, ConsentLedger):  # statuses as of the run's start, for every worker
            consent = consent.lookup(started)
    out_url = config.out.rstrip("/")
    findings_url = config.findings or f"{out_url}/findings"
    spec = JobSpec(
        out=out_url,
        findings=findings_url,
        reader=config.reader,
        policy=policy,
        fmt=config.fmt,
        shard_size=config.shard_size,
        batch_size=config.batch_size,
        dedup=config.dedup,
        lexicon=config.lexicon,
        matcher=config.matcher,
        pii=config.pii and pii_detector_class() is not None,
        blocklists=tuple(specs),
        classifier=config.classifier,
        extra_detectors=tuple(config.extra_detectors),
        profile=config.profile,
        catalog=catalog,
        verdicts=dict(sorted(config.verdicts.items())),
        run_id=config.run_id,
        consent=consent,
    )
    key = spec.key()
    ctx = context_for(spec, key)  # validates the settings here, before any work is sent out
    tasks = plan(config.corpus)
    if not tasks:
        raise InputError(f"{config.corpus}: no input files")
    out = Folder(out_url)
    # The fingerprint covers every setting that changes output bytes (not paths, workers or executor).
    base = _sha(SCHEMA_VERSION, PIPELINE_VERSION, dataclasses.replace(spec, out="", findings="").key())
    run_opts: dict[str, Any] = {
        "executor": config.executor,
        "workers": config.workers,
        "address": config.address,
    }

    def progress(phase: str) -> Callable[[int], None]:
        count = [0]

        def done(_: int) -> None:
            count[0] += 1
            if on_progress:
                on_progress(phase, count[0], len(tasks))

        return done

    dups: dict[int, dedup_mod.Duplicates] = {t.index: {} for t in tasks}
    if config.dedup != "none":
        scan_fp = _sha(base, "scan", minhash.VERSION)  # stored signatures of another recipe are redone
        key_files = run_tasks(
            run_scan, [(spec, key, t, scan_fp) for t in tasks], **run_opts, on_done=progress("annotate")
        )
        dups = dedup_mod.resolve(out, tasks, key_files, config.dedup, policy.near_duplicate_threshold)
    calls = [
        (spec, key, t, _sha(base, config.dedup, dedup_mod.digest(dups[t.index])), dups[t.index])
        for t in tasks
    ]
    files = run_tasks(run_write, calls, **run_opts, on_done=progress("filter"))

    totals: Counter[str] = Counter()
    removed: Counter[str] = Counter()
    rejected: Counter[str] = Counter()
    risks: Counter[str] = Counter()
    consent_verdicts: Counter[str] = Counter()
    shards: list[dict[str, Any]] = []
    notices: list[dict[str, str]] = []
    for f in files:
        for m in f["shards"]:
            if m["read"] != m["kept"] + m["removed"] + m["rejected"]:
                raise ReconciliationError(f"shard {m['shard']}: counts do not reconcile")
            for k in (
                "read",
                "kept",
                "removed",
                "rejected",
                "redacted_records",
                "pii_redactions",
                "kept_without_provenance",
            ):
                totals[k] += m[k]
            removed.update(m["removed_reasons"])
            rejected.update(m["rejected_reasons"])
            risks.update(m["flagged_risks"])
            consent_verdicts.update(m.get("consent_verdicts", {}))
            notices.extend(m["notices"])
            shards.append({"shard": m["shard"], "file": m["file"], "data": m["data"], "ledger": m["ledger"]})
    if totals["read"] != totals["kept"] + totals["removed"] + totals["rejected"]:
        raise ReconciliationError("the corpus counts do not reconcile")
    _clean_stale(out, shards, tasks, Folder(findings_url) if config.findings is None else None)

    steps = []
    flow = totals["read"] - totals["rejected"]
    steps.append({"step": "read", "in": totals["read"], "removed": totals["rejected"], "out": flow})
    for step in STEPS:
        n = sum(v for r, v in removed.items() if STEP_OF_REASON.get(r) == step)
        steps.append({"step": step, "in": flow, "removed": n, "out": flow - n})
        flow -= n
    steps.append({"step": "write", "in": flow, "removed": 0, "out": totals["kept"]})

    if consent is not None and sum(consent_verdicts.values()) != totals["read"] - totals["rejected"]:
        raise ReconciliationError("consent verdicts do not cover every record read")
    records = FilterRecords(
        read=totals["read"],
        kept=totals["kept"],
        removed=totals["removed"],
        rejected=totals["rejected"],
        removed_reasons={r: removed[r] for r in REASONS if removed[r]},
        rejected_reasons=dict(sorted(rejected.items())),
        redacted=totals["redacted_records"],
        pii_redactions=totals["pii_redactions"],
        kept_without_provenance=totals["kept_without_provenance"],
        consent_verdicts=None if consent is None else dict(sorted(consent_verdicts.items())),
    )
    finished = dt.datetime.now(dt.UTC)
    lexicon = getattr(ctx, "lexicon", None)
    stamp = policy_stamp(config.profile, config.policy_fingerprint)
    blocklists = [describe(b) for b in ctx.blocklists]
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "safecorpus", "version": __version__, "pipeline": PIPELINE_VERSION},
        "started_at": started.isoformat(),
        "finished_at": finished.isoformat(),
        "input": {
            "root": config.corpus,
            "files": [{"path": f["file"], "bytes": f["bytes"], "sha256": f["sha256"]} for f in files],
        },
        "reader": dataclasses.asdict(config.reader),
        "policy": {
            "profile": config.profile.name,
            "origin": list(config.profile.origin),
            "fingerprint": policy.fingerprint(),  # of the [filter] settings: the ledger's `policy`
            "policy_fingerprint": stamp["fingerprint"],
            "rules_version": stamp["rules_version"],
            "filter": policy.to_dict(),
        },
        "detectors": ctx.ids,
        "lexicon": None
        if lexicon is None
        else {"name": lexicon.name, "version": lexicon.version, "id": lexicon.ident},
        "models": [
            i
            for d, i in zip(ctx.detectors, ctx.ids, strict=True)
            if d.layer in (Layer.CLASSIFIER, Layer.JUDGE)
        ],
        "pii": next((i for d, i in zip(ctx.detectors, ctx.ids, strict=True) if d.layer == Layer.PII), None),
        "blocklists": blocklists,
        "sources_file": catalog.describe(),
        "consent": None if consent is None else {**consent.describe(), "evaluated_at": started.isoformat()},
        "assessment": {
            "run_id": config.run_id,
            "blacklisted": sorted(s for s, v in spec.verdicts.items() if v == "blacklist"),
            "inconclusive": sorted(s for s, v in spec.verdicts.items() if v == "inconclusive"),
        },
        "dedup": {
            "mode": config.dedup,
            "near_threshold": policy.near_duplicate_threshold if config.dedup == "near" else None,
            "minhash": minhash.VERSION if config.dedup == "near" else None,
        },
        "output": {"format": config.fmt, "shard_size": config.shard_size, "shards": shards},
        "records": records.to_dict(),
        "steps": steps,
        "flagged_risks": dict(sorted(risks.items())),
        "notices": notices,
    }
    out.write_atomic("manifest.json", orjson.dumps(manifest, option=orjson.OPT_INDENT_2) + b"\n")
    elapsed = time.perf_counter() - t0
    return FilterSummary(
        schema_version=SCHEMA_VERSION,
        corpus=config.corpus,
        out=out_url,
        manifest=f"{out_url}/manifest.json",
        profile=config.profile.name,
        policy_fingerprint=policy.fingerprint(),
        policy={**stamp, "filter_fingerprint": policy.fingerprint()},
        records=records,
        steps=steps,
        flagged_risks=dict(sorted(risks.items())),
        detectors=ctx.ids,
        blocklists=blocklists,
        shards=len(shards),
        files=len(files),
        notices=notices,
        executor=config.executor,
        workers=config.workers,
        started_at=started.isoformat(),
        finished_at=finished.isoformat(),
        duration_s=round(elapsed, 3),
        records_per_s=round(totals["read"] / elapsed, 1) if elapsed > 0 else None,
    )


def _clean_stale(
    out: Folder, shards: list[dict[str, Any]], tasks: list[FileTask], findings: Folder | None
) -> None:
    """Remove files of an earlier plan (another shard size or input) and temp files of killed runs."""
    keep_data = {Path(s["data"]["path"]).name for s in shards}
    keep_ledger = {Path(s["ledger"]["path"]).name for s in shards}
    names = {s["shard"] for s in shards}
    keep_state = {f"{n}.done.json" for n in names} | {f"{t.slug}.file.json" for t in tasks}
    keep_dedup = {f"{t.slug}.npz" for t in tasks}
    for folder, keep in (
        ("data", keep_data),
        ("ledger", keep_ledger),
        ("_state", keep_state),
        ("_dedup", keep_dedup),
    ):
        for name in out.listdir(folder):
            if name not in keep:
                out.remove(f"{folder}/{name}")
    if findings is not None:
        keep_f = {f"{n}.findings.jsonl" for n in names}
        for name in findings.listdir(""):
            if name not in keep_f:
                findings.remove(name)


def verdicts_from_store(engine: Any, corpus: str, run_id: str | None) -> tuple[str | None, dict[str, str]]:
    """(run id, {source: verdict}) from the given run, or the latest run of this corpus."""
    from sqlalchemy import select

    from safecorpus.registry.db import Run, session

    with session(engine) as s:
        if run_id:
            run = s.get(Run, run_id)
            if run is None:
                raise InputError(f"no stored run {run_id!r}; 'safecorpus sources list' shows stored results")
        else:
            want = str(Path(corpus).resolve()) if not is_remote(corpus) else corpus
            run = None
            for candidate in s.scalars(select(Run).order_by(Run.started_at.desc())):
                have = (
                    candidate.corpus if is_remote(candidate.corpus) else str(Path(candidate.corpus).resolve())
                )
                if have == want:
                    run = candidate
                    break
            if run is None:
                return None, {}
        return run.id, {src.name: src.verdict for src in run.sources}
