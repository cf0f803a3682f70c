"""`safecorpus filter IN OUT`: the clean training set, a removal ledger and a manifest."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from safecorpus.cli import cli
from safecorpus.cli.common import (
    OldNamesHidden,
    console,
    err_console,
    reader_options,
    store_options,
    write_json,
)
from safecorpus.errors import ConfigError, InputError
from safecorpus.pipeline import BlocklistSpec, FilterConfig, filter_corpus, verdicts_from_store
from safecorpus.pipeline.storage import is_remote
from safecorpus.policy import Policy


@cli.command("filter")
@click.argument("corpus", metavar="IN")
@click.argument("out", metavar="OUT")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Project configuration file.")
@click.option(
    "--profile",
    "--policy",
    "policy",
    cls=OldNamesHidden,
    metavar="NAME|PATH",
    help="Policy profile (its [filter] table sets the actions): a packaged name or a profile .toml.",
)
@click.option("--run", "run_id", metavar="RUN_ID", help="Apply the source verdicts of this stored run.")
@click.option("--assess", "do_assess", is_flag=True, help="Run an assessment of IN first and apply it.")
@click.option(
    "--no-assessment",
    is_flag=True,
    help="Filter without source verdicts when no stored assessment of IN exists.",
)
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Local processes.")
@click.option("--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True)
@click.option("--address", metavar="ADDR", help="Ray cluster address (auto, host:port, ray://host:10001).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "jsonl.zst", "parquet"]),
    default="jsonl",
    show_default=True,
)
@click.option(
    "--shard-size", type=click.IntRange(min=1), default=20_000, show_default=True, help="Items per shard."
)
@click.option("--dedup", type=click.Choice(["none", "exact", "near"]), default="none", show_default=True)
@click.option(
    "--blocklist",
    "blocklists",
    multiple=True,
    metavar="KIND:PATH",
    help="Extra blocklist: domains:FILE, hashes:FILE or docs:PATH (repeatable).",
)
@click.option("--no-default-blocklist", is_flag=True, help="Do not apply the packaged domain blocklist.")
@click.option(
    "--sources", "sources_file", type=click.Path(dir_okay=False), help="Sources file (YAML or CSV)."
)
@click.option("--lexicon", "lexicon_path", metavar="NAME|PATH", help="Keyword library (default: packaged).")
@click.option("--no-pii", is_flag=True, help="Skip the PII step even when the PII detector is installed.")
@click.option(
    "--no-classifier",
    is_flag=True,
    help="Skip the fast-tier content classifier even when the profile enables it ([classifier] enabled).",
)
@click.option(
    "--consent",
    "use_consent",
    is_flag=True,
    help="Apply the store's consent ledger: drop records of subjects who withdrew consent; PI without a "
    "legal basis is dropped or redacted per the profile's [filter] pii / consent_actions.",
)
@click.option(
    "--subject-field",
    metavar="FIELD",
    help="Record field naming the data subject for --consent, dotted for nested (default: [consent] "
    "subject_field, else user_id).",
)
@click.option(
    "--findings", "findings_dir", metavar="DIR", help="Stored findings to reuse (default OUT/findings)."
)
@store_options
@reader_options
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write the summary as JSON here.")
@click.option("--no-progress", is_flag=True, help="Do not show progress.")
def filter_command(
    corpus: str,
    out: str,
    config_path: str | None,
    policy: str | None,
    run_id: str | None,
    do_assess: bool,
    no_assessment: bool,
    workers: int,
    executor: str,
    address: str | None,
    fmt: str,
    shard_size: int,
    dedup: str,
    blocklists: tuple[str, ...],
    no_default_blocklist: bool,
    sources_file: str | None,
    lexicon_path: str | None,
    no_pii: bool,
    no_classifier: bool,
    use_consent: bool,
    subject_field: str | None,
    findings_dir: str | None,
    store_dir: str | None,
    store_url: str | None,
    json_path: str | None,
    no_progress: bool,
    **reader_given: Any,
) -> int:
    """Write the kept records of IN (file, folder or fsspec URL) to OUT, sharded, with a removal ledger,
    stored findings and manifest.json.

    Drops records of blacklisted sources (from the latest stored assessment of IN, --run, or --assess),
    blocked content (domain, hash and document blocklists), records flagged by the policy's decision
    layers (or redacts them, per the profile's [filter] table), applies the PII policy (with --consent:
    per record's consent verdict from the store's ledger; withdrawn subjects' records are dropped),
    optionally removes duplicates, and attaches provenance from --sources. Exit status 0 when done, 2
    for a user error.
    """
    if run_id and do_assess:
        raise ConfigError("give --run or --assess, not both")
    settings = Policy.compile(
        config_path,
        policy,
        lexicon=lexicon_path,
        store_dir=store_dir,
        store_url=store_url,
        subject_field=subject_field,
        **reader_given,
    )
    profile, reader = settings.profile, settings.reader
    verdicts: dict[str, str] = {}
    used_run: str | None = None
    ledger = None
    folder, url = settings.store_dir, settings.store_url
    # An existing store is opened even with --no-assessment, to warn about consent withdrawals.
    store_exists = not url.startswith("sqlite:///") or Path(url.removeprefix("sqlite:///")).is_file()
    if do_assess or run_id or not no_assessment or use_consent or store_exists:
        from safecorpus.consent.ledger import ConsentLedger
        from safecorpus.registry.consent import has_withdrawals
        from safecorpus.registry.db import open_store

        engine = open_store(url)
        field = settings.subject_field
        if use_consent:
            ledger = ConsentLedger.load(engine, subject_field=field)
            console.print(
                f"consent ledger: {sum(len(v) for v in ledger.by_subject.values()):,} record(s) of "
                f"{len(ledger.by_subject):,} subject(s), linked by {field!r}"
            )
            if not ledger.by_subject:
                err_console.print(
                    "[yellow]the consent ledger is empty: PI in any record lacks a recorded basis "
                    "('safecorpus consent import' adds records)[/]"
                )
        elif has_withdrawals(engine):
            withdrawn = ConsentLedger.load(engine).lookup().describe()["withdrawn"]
            if withdrawn:
                err_console.print(
                    f"[yellow]the store's consent ledger has {withdrawn:,} withdrawn subject(s); "
                    "pass --consent to remove their records[/]"
                )
        if do_assess:
            from safecorpus.assess.runner import AssessConfig, assess_corpus
            from safecorpus.registry.results import save_run

            assessed = assess_corpus(
                AssessConfig(
                    corpus=corpus if is_remote(corpus) else Path(corpus),
                    profile=profile,
                    reader=reader,
                    store_dir=folder,
                    consent=ConsentLedger.load(engine, subject_field=field),
                    executor=executor,
                    workers=workers,
                    address=address,
                    policy_fingerprint=settings.fingerprint,
                )
            )
            save_run(engine, assessed.to_dict(), profile.data)
            run_id = assessed.run_id
            console.print(f"assessed {corpus}: run {run_id}")
        if do_assess or run_id or not no_assessment:
            used_run, verdicts = verdicts_from_store(engine, corpus, run_id)
        if used_run is None and not no_assessment:
            raise InputError(
                f"no stored assessment of {corpus}; run 'safecorpus assess {corpus}' first, pass --assess, "
                "or --no-assessment to filter without source verdicts"
            )
    config = FilterConfig(
        corpus=corpus,
        out=out,
        profile=profile,
        reader=reader,
        fmt=fmt,
        shard_size=shard_size,
        dedup=dedup,
        lexicon=settings.lexicon,
        pii=not no_pii,
        default_blocklist=not no_default_blocklist,
        blocklists=[BlocklistSpec.parse(b) for b in blocklists],
        sources=sources_file,
        verdicts=verdicts,
        run_id=used_run,
        findings=findings_dir,
        executor=executor,
        workers=workers,
        address=address,
        consent=ledger,
        classifier=not no_classifier,
        policy_fingerprint=settings.fingerprint,
    )
    show = not no_progress and sys.stderr.isatty()

    def on_progress(phase: str, done: int, total: int) -> None:
        if show:
            err_console.print(f"{phase}: {done}/{total} files", end="\r")

    summary = filter_corpus(config, on_progress=on_progress)
    recs = summary.records
    console.print(
        f"{recs.read:,} read = {recs.kept:,} kept + {recs.removed:,} removed + "
        f"{recs.rejected:,} rejected"
        + (f" ({', '.join(f'{k} {v:,}' for k, v in recs.reasons.items())})" if recs.reasons else "")
    )
    if recs.consent_verdicts is not None:
        console.print(
            "consent verdicts: " + ", ".join(f"{k} {v:,}" for k, v in recs.consent_verdicts.items())
        )
    if recs.redacted:
        console.print(f"{recs.redacted:,} kept record(s) redacted ({recs.pii_redactions:,} PII span(s))")
    if recs.kept_without_provenance:
        err_console.print(
            f"[yellow]{recs.kept_without_provenance:,} kept record(s) have no provenance "
            "(give --sources; the profile's filter.missing_provenance decides)[/]"
        )
    console.print(
        f"{summary.shards} shard(s) in {summary.out}; manifest {summary.manifest}; "
        f"{summary.records_per_s or 0:,.0f} records/s"
    )
    if json_path:
        write_json(json_path, summary.to_dict())
    return 0
