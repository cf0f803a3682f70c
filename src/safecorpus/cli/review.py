"""`safecorpus serve` (the review web app) and `safecorpus review …` (users, queues, export, purge)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from safecorpus.cli import cli
from safecorpus.cli.common import (
    config_option,
    config_options,
    json_option,
    pass_options,
    require_path,
    resolve_corpus,
    section_defaults,
    store_options,
    write_json,
)
from safecorpus.errors import InputError
from safecorpus.io.options import ReaderOptions
from safecorpus.pipeline.corpus_pass import PassOptions
from safecorpus.policy import Policy


def _store_options(f):
    """The common store options (PostgreSQL for teams via --store-url) and --config for their defaults."""
    return config_option(store_options(f))


def _engine(store_dir: str | None, store_url: str | None, config_path: str | None = None):
    from safecorpus.review.store import open_review_store

    policy = Policy.compile(config_path, store_dir=store_dir, store_url=store_url)
    folder, url = policy.store_dir, policy.store_url
    return open_review_store(url, folder)


@cli.command()
@config_options
@store_options
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8765, show_default=True)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--secure-cookies", is_flag=True, help="Mark cookies Secure (behind an HTTPS proxy).")
@click.option(
    "--stop-decided",
    is_flag=True,
    help="Stop handing out a source's items once the profile's sequential design has decided it.",
)
@section_defaults("serve")
def serve(
    config_path: str | None,
    profile_name: str | None,
    store_dir: str | None,
    store_url: str | None,
    host: str,
    port: int,
    lang: str,
    secure_cookies: bool,
    stop_decided: bool,
) -> None:
    """Run the review web app (annotators, reviewers, admins). Every asset is served locally."""
    import uvicorn

    from safecorpus.review.app import create_app
    from safecorpus.review.retention import purge_expired

    engine = _engine(store_dir, store_url, config_path)
    purged = purge_expired(engine)
    click.echo(f"review app on http://{host}:{port}/ (purged {purged} expired items)")
    design = None
    if stop_decided:
        from safecorpus.assess.sequential import design_from_profile

        design = design_from_profile(Policy.compile(config_path, profile_name).profile)
    uvicorn.run(
        create_app(engine, secure_cookies, lang, stop_design=design),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
    )


@cli.group()
def review() -> None:
    """Human review: users, queues, labels export, retention."""


@review.command("add-user")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "annotator", "reviewer"]), required=True)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option(
    "--password-env",
    default="SAFECORPUS_PASSWORD",
    show_default=True,
    help="Read the password from this environment variable (else prompt).",
)
@_store_options
def add_user(
    username: str,
    role: str,
    lang: str,
    password_env: str,
    config_path: str | None,
    store_dir: str | None,
    store_url: str | None,
) -> None:
    """Create a user. The password comes from $SAFECORPUS_PASSWORD or a prompt, never the command line."""
    from safecorpus.review.accounts import create_user

    password = os.environ.get(password_env) or click.prompt(
        "password", hide_input=True, confirmation_prompt=True
    )
    create_user(_engine(store_dir, store_url, config_path), username, password, role, lang)
    click.echo(f"created {role} {username}")


def _reader_options(
    config_path: str | None, text_field: str | None, id_field: str | None, source_field: str | None
) -> ReaderOptions:
    """The three fields the review importers read; unset ones come from [input], then the defaults."""
    given = {"text_field": text_field, "id_field": id_field, "source_field": source_field}
    full = Policy.compile(config_path, **given).reader
    return ReaderOptions(text_field=full.text_field, id_field=full.id_field, source_field=full.source_field)


_reader = [
    click.option("--text-field", help="Field holding the text (default: [input] text_field, else text)."),
    click.option("--id-field", help="Field holding the record id (default: [input] id_field, else id)."),
    click.option(
        "--source-field", help="Field naming the source (default: [input] source_field, else source)."
    ),
]


def _with_reader(f):
    for opt in reversed(_reader):
        f = opt(f)
    return f


_queue_opts = [
    click.option(
        "--double-share",
        type=float,
        default=0.1,
        show_default=True,
        help="Share of items labelled by two annotators (agreement).",
    ),
    click.option(
        "--retention-days",
        type=int,
        default=90,
        show_default=True,
        help="Days the item texts are kept; then they are blanked (labels stay).",
    ),
]


def _with_queue(f):
    for opt in reversed(_queue_opts):
        f = opt(f)
    return f


def _check_share(share: float) -> None:
    if not 0 <= share <= 1:
        raise InputError("--double-share must lie between 0 and 1")


@review.command("set-active")
@click.argument("username")
@click.option("--yes/--no", "active", required=True, help="--no suspends the account and ends its sessions.")
@_store_options
def set_active(
    username: str, active: bool, config_path: str | None, store_dir: str | None, store_url: str | None
) -> None:
    """Suspend (--no) or restore (--yes) a user; logged in the audit log."""
    from safecorpus.review.accounts import set_active as _set

    _set(_engine(store_dir, store_url, config_path), username, active)
    click.echo(f"{username}: {'active' if active else 'suspended'}")


@review.command("load-run")
@click.option("--run", "run_id", help="An assess run id (default: the latest).")
@_with_reader
@_with_queue
@_store_options
@pass_options
@section_defaults("review")
def load_run(
    run_id: str | None,
    text_field: str | None,
    id_field: str | None,
    source_field: str | None,
    double_share: float,
    retention_days: int,
    config_path: str | None,
    store_dir: str | None,
    store_url: str | None,
    run_on: PassOptions,
) -> None:
    """Queue the per-source samples of an `assess` run (texts re-read from its corpus)."""
    from safecorpus.review.importers import run_items
    from safecorpus.review.queues import add_items

    _check_share(double_share)
    engine = _engine(store_dir, store_url, config_path)
    items, counts = run_items(
        engine, run_id, _reader_options(config_path, text_field, id_field, source_field), run_on
    )
    added, existing = add_items(engine, items, double_share, retention_days)
    click.echo(
        f"{counts['sampled']} sampled: {added} queued, {existing} already queued, "
        f"{counts['missing']} no longer in the corpus"
    )


@review.command("load-manual")
@click.argument("corpus")
@click.option("--size", type=int, default=4000, show_default=True, help="The standard's minimum is 4,000.")
@click.option("--seed", default="safecorpus-manual", show_default=True)
@_with_reader
@_with_queue
@_store_options
@pass_options
@section_defaults("review", {"manual_size": "size", "manual_seed": "seed"})
def load_manual(
    corpus: str,
    size: int,
    seed: str,
    text_field: str | None,
    id_field: str | None,
    source_field: str | None,
    double_share: float,
    retention_days: int,
    config_path: str | None,
    store_dir: str | None,
    store_url: str | None,
    run_on: PassOptions,
) -> None:
    """Queue the corpus-wide manual sample (TC260-9.2.a) drawn by keyed hash from CORPUS (a file, a
    folder or an fsspec URL)."""
    from safecorpus.review.importers import manual_items
    from safecorpus.review.queues import add_items

    _check_share(double_share)
    if size < 4000:
        click.echo(f"warning: {size} items is below the standard's 4,000 for the manual sample", err=True)
    reader = _reader_options(config_path, text_field, id_field, source_field)
    items = manual_items(resolve_corpus(corpus), size, seed, reader, run_on)
    engine = _engine(store_dir, store_url, config_path)
    added, existing = add_items(engine, items, double_share, retention_days)
    click.echo(f"manual sample: {len(items)} drawn, {added} queued, {existing} already queued")


@review.command("load-answers")
@click.argument("answers")
@_with_queue
@_store_options
@section_defaults("review")
def load_answers(
    answers: str,
    double_share: float,
    retention_days: int,
    config_path: str | None,
    store_dir: str | None,
    store_url: str | None,
) -> None:
    """Queue the model answers of a `modeltest run --store ANSWERS.jsonl`."""
    from safecorpus.review.importers import answer_items
    from safecorpus.review.queues import add_items

    _check_share(double_share)
    items, unusable = answer_items(require_path(answers))
    engine = _engine(store_dir, store_url, config_path)
    added, existing = add_items(engine, items, double_share, retention_days)
    click.echo(
        f"model answers: {added} queued, {existing} already queued, {unusable} failed/empty not queued"
    )


@review.command("export")
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="JSONL for `classifier train`.")
@click.option(
    "--queue",
    "queues",
    multiple=True,
    type=click.Choice(["source", "manual", "model"]),
    help="Queues to export (default: source and manual).",
)
@_store_options
def export(
    out: str, queues: tuple[str, ...], config_path: str | None, store_dir: str | None, store_url: str | None
) -> None:
    """Write reviewed labels as `{"text", "risks"}` lines (the `classifier train` format)."""
    from safecorpus.review.export import export_labels

    engine = _engine(store_dir, store_url, config_path)
    counts = export_labels(engine, Path(out), queues or ("source", "manual"))
    click.echo(
        f"wrote {counts['written']} reviewed labels to {out}; "
        f"{counts['purged_not_written']} past retention (text removed) not written"
    )


@review.command("purge")
@_store_options
def purge(config_path: str | None, store_dir: str | None, store_url: str | None) -> None:
    """Blank the texts of items past their retention period (labels and audit log stay)."""
    from safecorpus.review.retention import purge_expired

    click.echo(f"purged {purge_expired(_engine(store_dir, store_url, config_path))} items")


@review.command("stats")
@json_option
@click.option("--table", is_flag=True, help="Print readable tables instead of the JSON document.")
@config_options
@store_options
def stats(
    json_path: str | None,
    table: bool,
    config_path: str | None,
    profile_name: str | None,
    store_dir: str | None,
    store_url: str | None,
) -> None:
    """Progress, the manual-sample result, agreement, calibration counts and corrected prevalence.

    Prints one JSON document (orjson, indent 2; also with a bare `--json`), or readable tables with
    `--table`; `--json FILE` also writes the document to FILE.
    """
    if json_path == "-" and table:
        raise click.UsageError("--json (to stdout) and --table exclude each other; give --json FILE")
    from dataclasses import asdict

    from safecorpus.review.agreement import agreement
    from safecorpus.review.calibration import calibration_table, manual_sample_result
    from safecorpus.review.corrected import corrected_table
    from safecorpus.review.queues import progress

    engine = _engine(store_dir, store_url, config_path)
    kappa = agreement(engine)
    doc = {
        "schema_version": "2",
        "progress": progress(engine),
        "manual_sample": manual_sample_result(engine, Policy.compile(config_path, profile_name).profile),
        "agreement": {part: {k: asdict(v) for k, v in rows.items()} for part, rows in kappa.items()},
        "calibration": calibration_table(engine),
        "corrected_prevalence": corrected_table(engine),
    }
    if json_path and json_path != "-":
        write_json(json_path, doc)
    if table:
        click.echo(_stats_table(doc))
    else:
        write_json("-", doc)


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.2f}%"


def _stats_table(doc: dict) -> str:
    """The manual-sample line and the per-source, per-layer corrected prevalence as plain text."""
    m = doc["manual_sample"]
    lines = [
        f"manual sample: {m['reviewed']}/{m['required']} reviewed, clean {_pct(m['clean_rate'])} "
        f"[{_pct(m['ci_low'])}, {_pct(m['ci_high'])}] (min {_pct(m['min_clean_rate'])}) — {m['verdict']}"
        + (" (marginal)" if m["marginal"] else ""),
        "",
        f"{'source':<20} {'layer':<24} {'flagged':>10} {'reviewed':>8} {'corrected':>10}  interval",
    ]
    for source, row in doc["corrected_prevalence"].items():
        for layer, r in row["layers"].items():
            lines.append(
                f"{source:<20} {layer:<24} {r['flagged']:>4}/{row['screened']:<5} {r['reviewed']:>8} "
                f"{_pct(r['rate']):>10}  [{_pct(r['low'])}, {_pct(r['high'])}]"
                + (f"  {r['note']}" if r["note"] else "")
            )
    if not doc["corrected_prevalence"]:
        lines.append("(no reviewed items of an assess run yet)")
    return "\n".join(lines)
