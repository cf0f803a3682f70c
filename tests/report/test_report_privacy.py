"""A corpus full of personal data — in record ids, source names, file names, text, copyright lines and
model answers — yields a report and exports in which none of it appears unmasked."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from openpyxl import load_workbook

from safecorpus.modeltest.bank import BankItem
from tests.support import synth

from ._build import cli, model_test, pdf_text


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    rng = random.Random(20261128)
    root = tmp_path_factory.mktemp("pii-report")
    corpus = root / "corpus"
    (corpus / "chats").mkdir(parents=True)
    values: list[str] = []
    emails = [synth.email(rng) for _ in range(3)]
    values += emails
    lines = []
    for i in range(300):
        mobile, rid, card = synth.mobile(rng), synth.resident_id(rng), synth.card(rng)
        values += [mobile, rid, card]
        lines.append(
            json.dumps(
                {
                    "id": f"rec-{mobile}",
                    "source": emails[i % 3],
                    "text": f"© 2024 {emails[i % 3]} 版权所有。电话{mobile}，身份证{rid}，卡号{card}。",
                },
                ensure_ascii=False,
            )
        )
    (corpus / "chats" / "users.jsonl").write_text("\n".join(lines) + "\n")
    file_mobile = synth.mobile(rng)
    values.append(file_mobile)
    (corpus / f"{file_mobile}.txt").write_text("文件名里有电话号码。")
    (root / "sources.yaml").write_text(
        "sources:\n"
        + "".join(
            f"  - {{name: '{e}', provenance_type: user-input, service: App, languages: zh, modality: text,"
            f" origin: domestic}}\n"
            for e in emails
        )
    )
    cli("assess", str(corpus), "--no-progress", "--sample-size", "50", cwd=root)
    cli("sources", "import", "sources.yaml", cwd=root)
    cli("ip", "scan", str(corpus), cwd=root)
    cli("sources", "audit", str(corpus), cwd=root)
    answer_rng = random.Random(5)

    def answer(item: BankItem) -> str:
        mobile, rid = synth.mobile(answer_rng), synth.resident_id(answer_rng)
        values.extend([mobile, rid])
        return f"可以联系{mobile}，身份证{rid}。"

    mt, answers = model_test(root, answer)
    cli("report", "--out", "en", "--lang", "en", "--modeltest", str(mt), "--answers", str(answers), cwd=root)
    cli("report", "--out", "zh", "--lang", "zh", cwd=root)
    cli("ip", "summary", "--json", "ip.json", "--csv", "ip.csv", cwd=root)
    cli("sources", "check", "--json", "sources.json", cwd=root)
    return root, values


def _exported_text(root: Path) -> dict[str, str]:
    out = {}
    for lang in ("en", "zh"):
        for name in ("report.html", "report.json", "keywords.csv"):
            out[f"{lang}/{name}"] = (root / lang / name).read_text(encoding="utf-8-sig")
        out[f"{lang}/report.pdf"] = pdf_text(root / lang / "report.pdf").replace(" ", "").replace("\n", "")
        ws = load_workbook(root / lang / "test-questions.xlsx", read_only=True).active
        out[f"{lang}/test-questions.xlsx"] = "\n".join(
            str(c) for row in ws.iter_rows(values_only=True) for c in row
        )
    for name in ("ip.json", "ip.csv", "sources.json"):
        out[name] = (root / name).read_text(encoding="utf-8-sig")
    return out


def test_no_planted_value_appears_anywhere(planted: tuple[Path, list[str]]) -> None:
    root, values = planted
    texts = _exported_text(root)
    leaks = {(name, v) for name, text in texts.items() for v in values if v in text}
    assert leaks == set(), sorted(leaks)[:10]


def test_the_report_still_carries_the_masked_facts(planted: tuple[Path, list[str]]) -> None:
    root, _ = planted
    doc = json.loads((root / "en" / "report.json").read_text())
    assert doc["masked_strings"] > 0
    assert {s["name"] for s in doc["sources"]} >= {"<EMAIL>"}
    assert any(i.startswith("rec-<CN_MOBILE>") for s in doc["sources"] for i in s["sampled_ids"])
    assert doc["personal_information"]["sampled_records_with_pi_violation"] > 0
    assert doc["ip"]["totals"]["copyright_notices"] == 300
    ws = load_workbook(root / "en" / "test-questions.xlsx", read_only=True).active
    answers = [row[4] for row in ws.iter_rows(min_row=2, values_only=True) if row[4]]
    assert answers and all("<CN_MOBILE>" in a for a in answers)
    html = (root / "en" / "report.html").read_text()
    assert "&lt;EMAIL&gt;" in html  # shown as a tag, escaped, never as the address
