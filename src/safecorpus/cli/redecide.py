"""`safecorpus redecide`: a stored `assess` run's verdicts under a changed policy, from its findings file.

No detector is built and the corpus is not read: the run's findings (``findings.jsonl``, the findings
format) are decided again by the policy's decision rule and thresholds.
"""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from safecorpus.assess.redecide import redecide
from safecorpus.cli import cli
from safecorpus.cli.common import (
    config_options,
    console,
    pct,
    store_options,
    write_json,
)
from safecorpus.errors import InputError
from safecorpus.policy import Policy
from safecorpus.registry.db import Run, open_store


@cli.command("redecide")
@click.option("--run", "run_id", help="The assess run to re-decide (default: the latest).")
@config_options
@store_options
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write the result as JSON.")
def redecide_cmd(
    run_id: str | None,
    config_path: str | None,
    profile_name: str | None,
    store_dir: str | None,
    store_url: str | None,
    json_path: str | None,
) -> int:
    """Re-decide a stored assess run under the current policy (--profile, [decision] in the config)
    without running detectors: per-source violations and verdicts, and the technical sample.

    The new policy may narrow the run's (fewer decision layers, higher minimum scores, other
    thresholds); one that needs findings the run did not keep (a new layer, a lower minimum score)
    exits 2. Nothing is written to the store.
    """
    policy = Policy.compile(config_path, profile_name, store_dir=store_dir, store_url=store_url)
    profile, url = policy.profile, policy.store_url
    with Session(open_store(url)) as s:
        query = select(Run).where(Run.id == run_id) if run_id else select(Run).order_by(Run.started_at.desc())
        run = s.scalars(query.limit(1)).first()
        if run is None:
            raise InputError(f"no assess run {run_id!r} in {url}" if run_id else f"no assess run in {url}")
        summary: dict[str, Any] = run.summary
    doc = redecide(summary, profile)
    doc["policy"] = policy.describe()
    for src in doc["sources"]:
        was = src["was"]
        console.print(
            f"  {src['name']}: {src['violations']}/{src['sampled']} ({pct(src['rate'])}) → {src['verdict']}"
            f" (was {was['violations']} → {was['verdict']})"
        )
    tech = doc["technical_sample"]
    console.print(
        f"technical sample: {tech['violations']}/{tech['sampled']} flagged, clean {pct(tech['clean_rate'])}"
        f" → {tech['verdict']}; run {doc['run_id']} re-decided under profile {doc['profile']}"
    )
    if json_path:
        write_json(json_path, doc)
    return 0
