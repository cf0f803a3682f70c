"""`safecorpus pii …`: personal information in a corpus (scan) and in a text (redact)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import orjson

from safecorpus.cli import cli
from safecorpus.cli.common import (
    config_options,
    err_console,
    reader_options,
    require_path,
)
from safecorpus.detect import registry
from safecorpus.detect.pii.detector import SCHEMA_VERSION, PiiDetector, scan_records
from safecorpus.detect.redact import redact
from safecorpus.errors import ConfigError, InputError
from safecorpus.io.records import Record
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
    help="JSONL file: one object per record (id, findings), with or without findings.",
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
def scan(
    path: str,
    out_path: str,
    config_path: str | None,
    profile_name: str | None,
    min_score: float,
    no_sensitive: bool,
    image_field: str | None,
    audio_field: str | None,
    **reader_given: Any,
) -> None:
    """Scan every record of the corpus at PATH for personal information.

    Offsets are Unicode code points in the original text; `validated` is true when every check (check
    digit, date, range) passed, false when one failed, null where the entity has no check. With
    --image-field / --audio-field, faces in the record's images and speech in its audio are record-level
    biometric findings (start and end null); files that cannot be read are listed in `media_problems`.
    """
    from safecorpus.io.reader import iter_corpus

    root = require_path(path)
    policy = Policy.compile(config_path, profile_name, **reader_given)
    options = policy.reader
    detector = registry.build(
        "pii", registry.BuildContext(pii_min_score=min_score, pii_sensitive=not no_sensitive)
    )
    assert isinstance(detector, PiiDetector)  # the PII extra is installed: this module imports it
    media = _media_detectors(root, image_field, audio_field)
    stamp = policy.describe()
    counts = {"records": 0, "with_findings": 0, "findings": 0, "rejected": 0, "media_problems": 0}

    def records() -> Any:
        for item in iter_corpus(root, options):
            if isinstance(item, Record):
                yield item
            elif hasattr(item, "reason"):
                counts["rejected"] += 1

    with open(out_path, "wb") as fh:
        for row in scan_records(records(), detector, media):
            row = {"schema_version": SCHEMA_VERSION, **row, "policy": stamp}
            counts["records"] += 1
            counts["media_problems"] += len(row.get("media_problems", ()))
            counts["findings"] += len(row["findings"])
            counts["with_findings"] += bool(row["findings"])
            fh.write(orjson.dumps(row) + b"\n")
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


def _media_detectors(root: Path, image_field: str | None, audio_field: str | None) -> list[Any]:
    """Face and speech detectors for the given fields; relative paths resolve against the corpus root."""
    media: list[Any] = []
    base = root if root.is_dir() else root.parent
    if image_field:
        from safecorpus.detect.pii.media_faces import FaceDetector

        try:
            media.append(FaceDetector(image_field, root=base))
        except RuntimeError as exc:
            raise ConfigError(f"--image-field: {exc}") from exc
    if audio_field:
        from safecorpus.detect.pii.media_speech import SpeechDetector

        media.append(SpeechDetector(audio_field, root=base))
    return media


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
