"""`safecorpus report`: stored results → masked report document → conformance matrix → HTML, PDF, JSON
and the filing attachments."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy.engine import Engine

from safecorpus.errors import InputError
from safecorpus.report.attachments import keyword_list, question_sheet
from safecorpus.report.banks import bank_coverage
from safecorpus.report.collect import build_document, run_profile
from safecorpus.report.conformance import matrix, tally
from safecorpus.report.i18n import LANGS
from safecorpus.report.privacy import Masker
from safecorpus.report.render import render_html, write_pdf
from safecorpus.report.review_evidence import review_evidence
from safecorpus.report.stored import load_stored


def build_report(
    engine: Engine,
    out: Path,
    *,
    lang: str = "zh",
    run_id: str | None = None,
    pdf: bool = True,
    attachments: bool = True,
    bank_files: Sequence[Path] = (),
) -> dict[str, Any]:
    """Write report.html, report.pdf, report.json and the attachments into ``out``; return the document."""
    if lang not in LANGS:
        raise InputError(f"--lang must be one of {', '.join(LANGS)}, got {lang!r}")
    out.mkdir(parents=True, exist_ok=True)
    stored = load_stored(engine, run_id)
    masker = Masker()
    db = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    base = Path(db).resolve().parent.parent if db else None
    doc = build_document(stored, lang=lang, evidence_base=base)
    th = doc["scope"]["thresholds"]
    doc["review"] = review_evidence(
        engine, th["manual_min_items"], th["manual_min_clean_rate"], th["confidence"]
    )
    corrected = doc["review"].get("corrected_prevalence", {})
    for source in doc["sources"]:
        row = corrected.get(source["name"])
        source["corrected"] = (
            row["layers"]["any"] if row and row["run_id"] == doc["scope"]["run_id"] else None
        )
    doc["bank_coverage"] = bank_coverage(run_profile(stored["run"]), bank_files)
    doc = masker.walk(doc)
    rows = matrix(doc)
    counts = tally(rows)
    doc["conformance"] = rows
    doc["conformance_tally"] = counts
    files = ["report.html", "report.json"]
    if attachments:
        lexicon = str(stored["run"]["summary"].get("lexicon_coverage", {}).get("lexicon", "default")).split(
            "@"
        )[0]
        modeltest_doc = stored["modeltest"]["doc"] if stored["modeltest"] else None
        doc["attachments"] = {
            "keywords": keyword_list(lexicon if lexicon else "default", out),
            "questions": question_sheet(modeltest_doc, out, masker),
        }
        files += doc["attachments"]["keywords"]["files"] + doc["attachments"]["questions"]["files"]
    doc["masked_strings"] = masker.masked
    html = render_html(doc, rows, counts, lang)
    (out / "report.html").write_text(html, encoding="utf-8")
    if pdf:
        write_pdf(html, out / "report.pdf")
        files.append("report.pdf")
    doc["files"] = sorted(files)
    (out / "report.json").write_bytes(
        orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS) + b"\n"
    )
    return doc
