"""`safecorpus consent …`: the consent ledger — import, query, per-record verdicts, withdrawal report."""

from __future__ import annotations

from collections import Counter
from typing import Any

import click

from safecorpus.cli import cli
from safecorpus.cli.common import (
    config_options,
    console,
    err_console,
    pass_options,
    reader_options,
    resolve_corpus,
    section_defaults,
    store_options,
    write_json,
)
from safecorpus.errors import InputError
from safecorpus.pipeline.corpus_pass import PassOptions
from safecorpus.policy import Policy

SCHEMA_VERSION = "1"


def subject_option(f: Any) -> Any:
    return click.option(
        "--subject-field",
        metavar="FIELD",
        help="Record field naming the data subject, dotted for nested (default: [consent] subject_field, "
        "else user_id).",
    )(f)


@cli.group()
def consent() -> None:
    """Consent ledger: legal bases of data subjects, and which records lack one (PIPL Arts. 13–31)."""


@consent.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@config_options
@store_options
def import_cmd(
    files: tuple[str, ...],
    config_path: str | None,
    profile_name: str | None,
    store_dir: str | None,
    store_url: str | None,
) -> None:
    """Import consent records from CSV or JSON FILES into the store (history is kept)."""
    from safecorpus.consent.records import read_file
    from safecorpus.registry.consent import import_records
    from safecorpus.registry.db import open_store

    policy = Policy.compile(config_path, profile_name, store_dir=store_dir, store_url=store_url)
    url = policy.store_url
    parsed = [(f, read_file(f)) for f in files]  # all files parse before anything is stored
    engine = open_store(url)
    total = 0
    for f, recs in parsed:
        total += import_records(engine, recs, source=f)
        problems = sum(bool(r.problems()) for r in recs)
        err_console.print(f"{f}: {len(recs)} records" + (f", {problems} with problems" if problems else ""))
    err_console.print(f"{total} consent records imported")


@consent.command()
@click.argument("subject")
@config_options
@store_options
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write the records as JSON.")
def query(
    subject: str,
    config_path: str | None,
    profile_name: str | None,
    store_dir: str | None,
    store_url: str | None,
    json_path: str | None,
) -> None:
    """Show the consent records of data subject SUBJECT."""
    from safecorpus.registry.consent import query as q
    from safecorpus.registry.db import open_store

    policy = Policy.compile(config_path, profile_name, store_dir=store_dir, store_url=store_url)
    url = policy.store_url
    recs = q(open_store(url), subject)
    doc = {"schema_version": SCHEMA_VERSION, "subject": subject, "records": [r.to_dict() for r in recs]}
    if json_path:
        write_json(json_path, doc)
    if not recs:
        console.print(f"no consent records for {subject}")
        return
    for r in recs:
        d = r.to_dict()
        state = f"withdrawn {d['withdrawn_at']}" if d["withdrawn_at"] else "in force"
        console.print(
            f"{subject}: {d['legal_basis']} purpose={d['purpose']} version={d['consent_version']} "
            f"scope={','.join(d['scope'])} separate={d['separate_consent']} guardian={d['guardian_consent']} "
            f"granted={d['granted_at']} {state} pipia={d['pipia_ref']}"
        )
        for p in d["problems"]:
            console.print(f"  problem: {p}")


@consent.command()
@click.argument("path", type=click.Path(), required=False)
@config_options
@store_options
@reader_options
@subject_option
@click.option("--min-score", type=click.FloatRange(0.0, 1.0), default=0.5, show_default=True)
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write the report as JSON.")
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False),
    help="JSONL: one object per record with its verdict.",
)
@pass_options
@section_defaults("consent")
def report(
    path: str | None,
    config_path: str | None,
    profile_name: str | None,
    store_dir: str | None,
    store_url: str | None,
    subject_field: str | None,
    min_score: float,
    json_path: str | None,
    out_path: str | None,
    run_on: PassOptions,
    **reader_given: Any,
) -> None:
    """The ledger's summary and, for the corpus at PATH (a file, a folder or an fsspec URL), record
    counts by consent verdict."""
    import orjson

    from safecorpus.consent.ledger import ConsentLedger, ledger_summary
    from safecorpus.consent.verdict import VERDICTS, VIOLATING
    from safecorpus.registry.db import open_store

    policy = Policy.compile(
        config_path,
        profile_name,
        store_dir=store_dir,
        store_url=store_url,
        subject_field=subject_field,
        **reader_given,
    )
    engine = open_store(policy.store_url)
    field = policy.subject_field
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "policy": policy.describe(),
        "ledger": ledger_summary(engine),
    }
    if path is not None:
        import datetime as dt

        from safecorpus.consent.report_pass import ConsentSettings, map_piece, pii_detector
        from safecorpus.pipeline.corpus_pass import run_pass
        from safecorpus.registry.source_registry import registry_catalog
        from safecorpus.sources.pi_basis import SourceBases

        root = resolve_corpus(path)
        options = policy.reader
        lookup = ConsentLedger.load(engine, subject_field=field).lookup(dt.datetime.now(dt.UTC))
        pii_detector(min_score)  # built (and checked) here before any work
        counts: Counter[str] = Counter()
        out = open(out_path, "wb") if out_path else None  # noqa: SIM115

        def reduce(part: Any) -> None:
            counts.update(part.counts)
            if out is not None:
                for rid, subject, verdict in part.rows:
                    out.write(orjson.dumps({"id": rid, "subject": subject, "verdict": verdict}) + b"\n")

        try:
            bases = SourceBases(registry_catalog(engine))  # the registered sources' own PI bases
            run_pass(root, options, map_piece, ConsentSettings(lookup, min_score, bases), reduce, run_on)
        finally:
            if out is not None:
                out.close()
        if not counts:
            raise InputError(f"{path}: no readable records; check the format and --text-field")
        doc["corpus"] = {
            "path": path,
            "subject_field": field,
            "records": sum(counts.values()),
            "by_verdict": {v: counts[v] for v in VERDICTS},
            "violations": sum(counts[v] for v in VIOLATING),
        }
    if json_path:
        write_json(json_path, doc)
    led = doc["ledger"]
    console.print(
        f"ledger: {led['records']} records, {led['subjects']} subjects, "
        f"{len(led['withdrawn_subjects'])} withdrawn; by basis {led['by_basis']}"
    )
    for p, n in led["problems"].items():
        console.print(f"  {n} records: {p}")
    if "corpus" in doc:
        c = doc["corpus"]
        console.print(f"corpus {path}: {c['records']} records")
        for v in VERDICTS:
            console.print(f"  {v:34s} {c['by_verdict'][v]}")
        console.print(f"  violations (A.4.6)                 {c['violations']}")


@consent.command()
@click.argument("subject")
@click.option("--corpus", "corpus", type=click.Path(), help="The corpus to search for the subject's records.")
@click.option(
    "--output",
    "outputs",
    multiple=True,
    type=click.Path(),
    help="An output folder of `safecorpus filter` (or any folder of JSONL files); repeatable.",
)
@config_options
@reader_options
@subject_option
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write the report as JSON.")
@click.option("--fail-on-reached", is_flag=True, help="Exit 3 when a record of the subject is in an output.")
def withdrawal(
    subject: str,
    corpus: str | None,
    outputs: tuple[str, ...],
    config_path: str | None,
    profile_name: str | None,
    subject_field: str | None,
    json_path: str | None,
    fail_on_reached: bool,
    **reader_given: Any,
) -> None:
    """Withdrawal report: SUBJECT's records in the corpus and the outputs they reached."""
    from safecorpus.consent.withdrawal import withdrawal_report

    if corpus is None and not outputs:
        raise InputError("give --corpus, --output, or both")
    policy = Policy.compile(config_path, profile_name, subject_field=subject_field, **reader_given)
    options, field = policy.reader, policy.subject_field
    doc = withdrawal_report(subject, corpus, list(outputs), subject_field=field, options=options)
    if json_path:
        write_json(json_path, doc)
    console.print(f"subject {subject} ({field}): {len(doc['records'])} records in the corpus")
    for r in doc["records"]:
        console.print(f"  {r['id']}  {r['file']}:{r['line']}")
    for o in doc["outputs"]:
        console.print(
            f"output {o['output']} ({o['kind']}): {len(o['kept'])} kept, {len(o['removed'])} removed"
        )
        for k in o["kept"]:
            console.print(f"  KEPT    {k['id']}  {k['path']}:{k['line']}")
        for k in o["removed"]:
            console.print(f"  removed {k['id']}  {k['reason']}")
    if doc["reached"]:
        console.print(f"{len(doc['reached'])} of the subject's records reached an output")
        if fail_on_reached:
            raise SystemExit(3)
    else:
        console.print("none of the subject's records reached an output")
