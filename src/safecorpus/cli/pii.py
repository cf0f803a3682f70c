"""`safecorpus pii …`: personal information in a corpus (scan) and in a text (redact)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from safecorpus.cli import cli
from safecorpus.cli.common import (
    config_options,
    err_console,
    pass_options,
    reader_options,
    resolve_corpus,
)
from safecorpus.detect import findings_io
from safecorpus.detect.pii.detector import SCHEMA_VERSION, PiiDetector
from safecorpus.detect.redact import redact
from safecorpus.errors import ConfigError, InputError
from safecorpus.pipeline.corpus_pass import PassOptions
from safecorpus.policy import Policy


@cli.group()
def pii() -> None:
    """Personal information: identifiers with checksum validation, names, addresses, sensitive PI."""


@pii.command()
@click.argument("path", type=click.Path())
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False),
    required=True,
    help="Findings JSONL: a header line, then one object per record (id, findings), with or without.",
)
@config_options
@reader_options
@click.option(
    "--min-score",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    show_default=True,
    help="Leave out findings scored below this.",
)
@click.option("--no-sensitive", is_flag=True, help="Skip the sensitive-PI categories (PIPL Art. 28).")
@click.option(
    "--image-field",
    metavar="FIELD",
    help="Record field with image paths or URLs (one or a list; dotted for nested): faces become "
    "biometric findings. Relative paths resolve against the corpus root.",
)
@click.option(
    "--audio-field",
    metavar="FIELD",
    help="Record field with audio (PCM WAV) paths or URLs: human speech becomes a biometric finding.",
)
@pass_options
def scan(
    path: str,
    out_path: str,
    config_path: str | None,
    profile_name: str | None,
    min_score: float,
    no_sensitive: bool,
    image_field: str | None,
    audio_field: str | None,
    run_on: PassOptions,
    **reader_given: Any,
) -> None:
    """Scan every record of the corpus at PATH (a file, a folder or an fsspec URL) for personal
    information.

    The output is a findings file (schema safecorpus.findings/1): a header line, then one line per
    record in corpus order with `f` (the findings) and `findings` (type, offsets, validation).

    Offsets are Unicode code points in the original text; `validated` is true when every check (check
    digit, date, range) passed, false when one failed, null where the entity has no check. With
    --image-field / --audio-field, faces in the record's images and speech in its audio are record-level
    biometric findings (start and end null); files that cannot be read are listed in `media_problems`.
    """
    from safecorpus.detect.pii import scan_pass
    from safecorpus.pipeline.corpus_pass import run_pass
    from safecorpus.pipeline.storage import is_remote

    root = resolve_corpus(path)
    if (image_field or audio_field) and is_remote(str(root)):
        raise ConfigError(
            "--image-field / --audio-field need a local corpus (media paths resolve against it)"
        )
    policy = Policy.compile(config_path, profile_name, **reader_given)
    options = policy.reader
    media_root = (
        None if is_remote(str(root)) else str(Path(root) if Path(root).is_dir() else Path(root).parent)
    )
    settings = scan_pass.PiiScanSettings(min_score, not no_sensitive, image_field, audio_field, media_root)
    ids = scan_pass.detector_ids(settings)  # built (and checked) here before any work
    counts = {"records": 0, "with_findings": 0, "findings": 0, "rejected": 0, "media_problems": 0}
    with open(out_path, "wb") as fh:
        fh.write(
            findings_io.header_line(
                ids, None, command="pii scan", schema_version=SCHEMA_VERSION, policy=policy.describe()
            )
        )

        def reduce(part: scan_pass.PiiPart) -> None:
            scan_pass.write_part(fh, part, counts["records"])
            for key in counts:
                counts[key] += getattr(part, key)

        run_pass(root, options, scan_pass.map_piece, settings, reduce, run_on)
    if counts["records"] == 0:
        raise InputError(f"{path}: no readable records; check the format and --text-field")
    err_console.print(
        f"{counts['records']} records, {counts['with_findings']} with personal information, "
        f"{counts['findings']} findings, {counts['rejected']} rejected → {out_path}"
    )
    if counts["media_problems"]:
        err_console.print(
            f"[yellow]{counts['media_problems']} media reference(s) could not be read "
            "(see media_problems in the output)[/]"
        )


@pii.command("redact")
@click.option("--mode", type=click.Choice(["mask", "tag", "hash"]), default="tag", show_default=True)
@click.option(
    "--key", envvar="SAFECORPUS_REDACT_KEY", help="Secret key for --mode hash (or $SAFECORPUS_REDACT_KEY)."
)
@click.option("--min-score", type=click.FloatRange(0.0, 1.0), default=0.5, show_default=True)
def redact_cmd(mode: str, key: str | None, min_score: float) -> None:
    """Redact personal information in text read from standard input, one line at a time."""
    if mode == "hash" and not key:
        raise InputError("--mode hash needs --key (or SAFECORPUS_REDACT_KEY); keep the key secret")
    detector = PiiDetector(min_score=min_score, sensitive=False)
    for line in sys.stdin:
        text = line.rstrip("\n")
        click.echo(redact(text, detector.spans(text), mode=mode, key=key))  # type: ignore[arg-type]
