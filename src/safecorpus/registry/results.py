"""Write assessment summaries to the store and read them back (`sources list` / `sources show`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from safecorpus.registry.db import Run, SourceResult, TechnicalSampleResult, session


def save_run(engine: Engine, summary: Mapping[str, Any], profile_data: dict[str, Any]) -> None:
    """Store a run: its summary document (``RunSummary.to_dict()``) whole, and its per-source and
    technical-sample rows."""
    summary = dict(summary)
    samp, recs, tech = summary["sampling"], summary["records"], summary["technical_sample"]
    run = Run(
        id=summary["run_id"],
        started_at=dt.datetime.fromisoformat(summary["started_at"]),
        finished_at=dt.datetime.fromisoformat(summary["finished_at"]),
        corpus=summary["corpus"],
        profile=summary["profile"],
        profile_data=profile_data,
        seed=samp["seed"],
        key_fingerprint=samp["key_fingerprint"],
        sampling_design=samp["design"],
        sample_size=samp["per_source_sample_size"],
        detectors=summary["detectors"]["assessment"],
        records_read=recs["read"],
        records_assessed=recs["assessed"],
        records_rejected=recs["rejected"],
        rejected_reasons=recs["rejected_reasons"],
        evidence_dir=summary["evidence_dir"],
        summary=summary,
    )
    run.sources = [
        SourceResult(
            name=s["name"],
            read=s["read"],
            rejected=s["rejected"],
            sampled=s["sampled"],
            violations=s["violations"],
            rate=s["rate"],
            ci_low=s["ci_low"],
            ci_high=s["ci_high"],
            census=int(s["census"]),
            verdict=s["verdict"],
            needed_sample_size=s["needed_sample_size"],
            top_risks=s["top_risks"],
            layers=s["layers"],
            sampled_ids_file=s["sampled_ids_file"],
        )
        for s in summary["sources"]
    ]
    run.technical_sample = TechnicalSampleResult(
        fraction=tech["fraction"],
        sampled=tech["sampled"],
        violations=tech["violations"],
        clean_rate=tech["clean_rate"],
        ci_low=tech["ci_low"],
        ci_high=tech["ci_high"],
        min_clean_rate=tech["min_clean_rate"],
        verdict=tech["verdict"],
        marginal=int(tech["marginal"]),
        sampled_ids_file=tech["sampled_ids_file"],
    )
    with session(engine) as s:
        s.add(run)
        s.commit()


def latest_results(engine: Engine) -> list[tuple[SourceResult, Run]]:
    """The most recent result for every source, newest run first."""
    with session(engine) as s:
        rows = s.execute(
            select(SourceResult, Run).join(Run).order_by(Run.started_at.desc(), SourceResult.name)
        ).all()
    seen: set[str] = set()
    out = []
    for source, run in rows:
        if source.name not in seen:
            seen.add(source.name)
            out.append((source, run))
    return sorted(out, key=lambda pair: pair[0].name)


def source_history(engine: Engine, name: str) -> list[tuple[SourceResult, Run]]:
    with session(engine) as s:
        return [
            (src, run)
            for src, run in s.execute(
                select(SourceResult, Run)
                .join(Run)
                .where(SourceResult.name == name)
                .order_by(Run.started_at.desc())
            ).all()
        ]


def known_sources(engine: Engine) -> list[str]:
    with session(engine) as s:
        return sorted(set(s.scalars(select(SourceResult.name)).all()))
