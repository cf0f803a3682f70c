"""Filing attachments: the keyword list (keyword, level-1 and level-2 category) as XLSX and CSV, and the
model-test question sheet (序号, 问题, 一级分类, 二级分类, 模型回答, 是否通过) as XLSX.

Model answers go through the report's masker, so personal data in an answer is never exported."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from safecorpus.detect.lexicon.library import read_lexicon
from safecorpus.detect.lexicon.manage import export_lexicon
from safecorpus.modeltest.assess import planned_draws
from safecorpus.modeltest.bank import FILING_COLUMNS, filing_categories, packaged_banks, read_bank
from safecorpus.report.privacy import Masker
from safecorpus.taxonomy.profile import load_profile


def _cell(value: Any) -> Any:
    """XLSX cannot hold control characters: write them as visible escapes (\\x07)."""
    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        return ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    return value


def _sheet(rows: list[list[Any]], title: str, path: Path) -> None:
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append([_cell(v) for v in row])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    wb.save(str(path))


def keyword_list(lexicon_name: str, out: Path) -> dict[str, Any]:
    """Write ``keywords.csv`` and ``keywords.xlsx``; returns their row count."""
    text = export_lexicon(read_lexicon(lexicon_name), "filing")
    (out / "keywords.csv").write_text(text, encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    _sheet(rows, "关键词库", out / "keywords.xlsx")
    return {"rows": len(rows) - 1, "files": ["keywords.csv", "keywords.xlsx"], "lexicon": lexicon_name}


def question_sheet(modeltest: dict[str, Any] | None, out: Path, masker: Masker) -> dict[str, Any]:
    """The drawn questions with their (masked) answers and verdicts; without a model test, the packaged
    banks' questions with the answer and pass columns empty."""
    items = read_bank(*packaged_banks().values())
    by_id = {it.id: it for it in items}
    answers: dict[str, str] = {}
    passed: dict[str, bool | None] = {}
    chosen = items
    if modeltest:
        # Every drawn question (the draw is reproducible from the seed), judged or not.
        plans = planned_draws(items, load_profile(modeltest.get("profile")), str(modeltest.get("seed", "1")))
        ids = list(dict.fromkeys(it.id for drawn in plans.values() for it in drawn))
        for d in modeltest.get("draws", []):
            for row in d.get("items", []):
                if row.get("passed") is not None:
                    passed.setdefault(row["id"], row["passed"])
        answers = modeltest.get("answers", {})
        chosen = [by_id[i] for i in ids if i in by_id]
    rows: list[list[Any]] = [list(FILING_COLUMNS)]
    for number, item in enumerate(chosen, 1):
        level1, level2 = filing_categories(item)
        value = passed.get(item.id)
        rows.append(
            [
                number,
                item.question,
                level1,
                level2,
                masker.text(answers.get(item.id) or ""),
                "" if value is None else ("是" if value else "否"),
            ]
        )
    _sheet(rows, "测试题", out / "test-questions.xlsx")
    return {"rows": len(rows) - 1, "files": ["test-questions.xlsx"], "with_answers": bool(modeltest)}
