"""`safecorpus report --out DIR`: the assessment report (HTML, PDF, JSON) and the filing attachments."""

from __future__ import annotations

from pathlib import Path

import click
import orjson

from safecorpus.cli import cli
from safecorpus.cli.common import config_options, console, store_options
from safecorpus.errors import InputError
from safecorpus.policy import Policy
from safecorpus.registry.db import open_store
from safecorpus.report.build import build_report
from safecorpus.report.stored import attach


def _modeltest_doc(path: str, answers_path: str | None) -> dict:
    p = Path(path)
    try:
        doc = orjson.loads(p.read_bytes())
    except FileNotFoundError:
        raise InputError(
            f"{path}: model-test result not found; write it with 'safecorpus modeltest assess --json'"
        ) from None
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or "draws" not in doc:
        raise InputError(f"{path}: not a 'modeltest assess --json' result (no 'draws')")
    if answers_path:
        from safecorpus.modeltest.runner import load_answers

        ids = {row["id"] for d in doc["draws"] for row in d.get("items", [])}
        answers = load_answers(answers_path)
        doc["answers"] = {i: a.answer for i, a in answers.items() if i in ids and a.ok and a.answer}
    return doc


@cli.command("report")
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder to write into."
)
@click.option(
    "--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Report language."
)
@click.option("--run", "run_id", help="Assessment run id (default: the latest).")
@click.option(
    "--modeltest", "modeltest_path", help="Attach a 'modeltest assess --json' result to the store first."
)
@click.option(
    "--answers", "answers_path", help="The answer store of that model test (for the question sheet)."
)
@click.option(
    "--bank-file",
    "bank_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Question bank .jsonl the model test used (repeatable; default: the starter banks).",
)
@click.option("--no-pdf", is_flag=True, help="Skip the PDF.")
@config_options
@store_options
def report_cmd(
    out_dir: str,
    lang: str,
    run_id: str | None,
    modeltest_path: str | None,
    answers_path: str | None,
    bank_files: tuple[str, ...],
    no_pdf: bool,
    config_path: str | None,
    profile_name: str | None,
    store_dir: str | None,
    store_url: str | None,
) -> int:
    """Write report.html (self-contained), report.pdf and report.json from the stored results, with the
    keyword list (XLSX, CSV) and the test-question sheet (XLSX) for filing."""
    policy = Policy.compile(config_path, profile_name, store_dir=store_dir, store_url=store_url)
    url = policy.store_url
    engine = open_store(url)
    if modeltest_path:
        digest = attach(
            engine, "modeltest", Path(modeltest_path), _modeltest_doc(modeltest_path, answers_path)
        )
        console.print(f"attached model test {modeltest_path} (sha256 {digest[:12]}…)")
    doc = build_report(
        engine,
        Path(out_dir),
        lang=lang,
        run_id=run_id,
        pdf=not no_pdf,
        bank_files=[Path(p) for p in bank_files],
    )
    t = doc["conformance_tally"]
    console.print(
        f"report for run {doc['scope']['run_id'][:8]} ({lang}): {t['conforms']} conform, "
        f"{t['does_not_conform']} do not conform, {t['needs_manual_evidence']} need manual evidence, "
        f"{t['not_applicable']} not applicable"
    )
    console.print(f"results sha256 {doc['results_sha256']}")
    for name in doc["files"]:
        console.print(f"  {Path(out_dir) / name}")
    return 0
