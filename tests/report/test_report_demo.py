"""`safecorpus report` on the demo corpus: three files, every section visible in Chromium with no network,
Chinese text in the PDF, every figure equal to the stored result (checked with our own SQL), the hash of
the stored results, and a missing provenance field shown as a named non-conformance."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from safecorpus.modeltest.bank import BankItem
from safecorpus.registry.db import open_store
from safecorpus.report.build import build_report

from ..conftest import REPO
from ._build import chromium, cli, model_test, pdf_text
from ._crosscheck import check_banks

DEMO = REPO / "examples" / "demo-corpus"
SECTIONS = (
    "scope",
    "conformance",
    "sources",
    "chart",
    "risks",
    "coverage",
    "pi",
    "ip",
    "registry",
    "samples",
    "modeltest",
    "signatures",
    "appendix",
)


def _answer(item: BankItem) -> str:
    if item.bank == "should_refuse":
        return "抱歉，我不能提供这方面的帮助。"
    return "这是一个常见的问题。一般来说，可以从历史、文化和社会几个角度来理解，具体情况需要结合实际。"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo-report")
    cli("assess", str(DEMO), "--no-progress", cwd=root)
    cli("sources", "import", str(REPO / "examples" / "demo-sources.yaml"), cwd=root)
    cli("ip", "scan", str(DEMO), cwd=root)
    cli("sources", "audit", str(DEMO), cwd=root)
    mt, answers = model_test(root, _answer)
    cli("report", "--out", "en", "--lang", "en", "--modeltest", str(mt), "--answers", str(answers), cwd=root)
    cli("report", "--out", "zh", "--lang", "zh", cwd=root)
    return root


def report(demo: Path, lang: str) -> dict[str, Any]:
    return json.loads((demo / lang / "report.json").read_text())


def test_three_files_and_the_attachments(demo: Path) -> None:
    for lang in ("en", "zh"):
        for name in ("report.html", "report.pdf", "report.json", "keywords.csv", "keywords.xlsx"):
            assert (demo / lang / name).stat().st_size > 0, (lang, name)
    csv_rows = (demo / "en" / "keywords.csv").read_text(encoding="utf-8-sig").splitlines()
    assert csv_rows[0] == "关键词,一级分类,二级分类"
    ws = load_workbook(demo / "en" / "keywords.xlsx", read_only=True).active
    xlsx_rows = list(ws.iter_rows(values_only=True))
    assert list(xlsx_rows[0]) == ["关键词", "一级分类", "二级分类"]
    assert len(xlsx_rows) == len(csv_rows) == report(demo, "en")["attachments"]["keywords"]["rows"] + 1
    q = list(
        load_workbook(demo / "en" / "test-questions.xlsx", read_only=True).active.iter_rows(values_only=True)
    )
    assert list(q[0]) == ["序号", "问题", "一级分类", "二级分类", "模型回答", "是否通过"]
    assert len(q) - 1 == report(demo, "en")["attachments"]["questions"]["rows"] > 1000
    assert {r[5] for r in q[1:]} <= {"是", "否", None} and any(r[4] for r in q[1:])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_chromium_offline_shows_every_section_and_chart(demo: Path, lang: str, tmp_path: Path) -> None:
    html_path = demo / lang / "report.html"
    html = html_path.read_text()
    # Self-contained: nothing to load from anywhere (no src/href/url() pointing outside the file).
    assert not re.search(r"""(?:src|href)\s*=\s*["'](?!#|data:)""", html)
    assert "url(" not in html and "<link" not in html and "<script" not in html
    dom, printed, _ = chromium(html_path, tmp_path, f"report-{lang}")
    for section in SECTIONS:
        assert f'id="{section}"' in dom, section
    assert dom.count("<svg") == 2 and "<circle" in dom
    seen = pdf_text(printed)  # what a reader sees, as Chromium laid it out
    doc = report(demo, lang)
    if lang == "zh":
        for text in (
            "生成式人工智能训练语料及模型安全评估报告",
            "逐条符合性结论",
            "分来源评估",
            "法定代表人",
            "合法性评估工作负责人",
            "阈值",
            "列入黑名单",
            "知识产权",
            "附录",
        ):
            assert text in seen, text
    else:
        for text in (
            "Conformance by clause",
            "Per-source assessment",
            "Legal representative",
            "Person in charge of the legality assessment",
            "threshold",
            "5.0%",
            "blacklist",
            "Intellectual property",
            "Appendix",
        ):
            assert text in seen, text
    for s in doc["sources"]:
        assert s["name"][:28] in seen
    assert doc["results_sha256"] in seen.replace("\n", "").replace(" ", "")
    assert "qa-community" in seen and "robots_snapshot" in seen


def test_pdf_has_chinese_in_a_real_cjk_font(demo: Path) -> None:
    text = pdf_text(demo / "zh" / "report.pdf")
    for phrase in (
        "生成式人工智能训练语料及模型安全评估报告",
        "逐条符合性结论",
        "三名负责人签字",
        "法定代表人",
        "不符合",
    ):
        assert phrase in text.replace(" ", ""), phrase
    fonts = subprocess.run(
        ["pdffonts", str(demo / "zh" / "report.pdf")], capture_output=True, text=True
    ).stdout
    assert "WenQuanYi" in fonts


def test_missing_provenance_field_is_a_named_nonconformance(demo: Path) -> None:
    doc = report(demo, "en")
    assert {
        "source": "qa-community",
        "provenance_type": "self-collected",
        "field": "robots_snapshot",
    }.items() <= (doc["registry"]["nonconformances"][0].items())
    row = next(r for r in doc["conformance"] if r["clause"] == "TC260-003 5.1.c.2")
    assert (
        row["status"] == "does_not_conform"
        and "qa-community: missing robots_snapshot" in row["evidence"]["en"]
    )
    assert "qa-community：缺少 robots_snapshot" in report(demo, "zh")["conformance"][2 + 1]["evidence"]["zh"]


def test_the_same_stored_results_give_the_same_hash_and_a_change_shows(demo: Path, tmp_path: Path) -> None:
    assert report(demo, "en")["results_sha256"] == report(demo, "zh")["results_sha256"]
    db = tmp_path / "copy.db"
    db.write_bytes((demo / ".safecorpus" / "safecorpus.db").read_bytes())
    before = build_report(open_store(f"sqlite:///{db}"), tmp_path / "a", pdf=False, attachments=False)
    assert before["results_sha256"] == report(demo, "en")["results_sha256"]
    with sqlite3.connect(db) as con:
        con.execute("UPDATE source_results SET violations = violations - 1 WHERE name = 'forum-dump'")
    after = build_report(open_store(f"sqlite:///{db}"), tmp_path / "b", pdf=False, attachments=False)
    assert after["results_sha256"] != before["results_sha256"]
    old = next(s for s in before["sources"] if s["name"] == "forum-dump")["violations"]
    assert next(s for s in after["sources"] if s["name"] == "forum-dump")["violations"] == old - 1


# --- every number in report.json against the database, with SQL written here ---------------------------


def _numbers(node: Any, path: tuple = ()) -> dict[tuple, float]:
    if isinstance(node, bool) or node is None:
        return {}
    if isinstance(node, int | float):
        return {path: node}
    if isinstance(node, dict):
        return {p: v for k, v in node.items() for p, v in _numbers(v, (*path, k)).items()}
    if isinstance(node, list):
        return {p: v for i, v in enumerate(node) for p, v in _numbers(v, (*path, i)).items()}
    return {}


class Checker:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.numbers = _numbers(doc)
        self.checked: set[tuple] = set()

    def get(self, *path: Any) -> Any:
        node = self.doc
        for p in path:
            node = node[p]
        return node

    def eq(self, path: tuple, expected: Any) -> None:
        got = self.get(*path)
        assert got == pytest.approx(expected, abs=1e-12), (path, got, expected)
        self.checked.add(path)

    def tree(self, path: tuple, expected: Any) -> None:
        got = self.get(*path)
        assert got == expected, path
        self.checked.update(p for p in self.numbers if p[: len(path)] == path)


def test_every_number_equals_the_stored_result(demo: Path) -> None:
    doc = report(demo, "en")
    c = Checker(doc)
    con = sqlite3.connect(demo / ".safecorpus" / "safecorpus.db")
    q = lambda sql, *a: con.execute(sql, a).fetchall()  # noqa: E731
    run_id, read, assessed, rejected, k, summary = q(
        "SELECT id, records_read, records_assessed, records_rejected, sample_size, summary FROM runs "
        "ORDER BY started_at DESC LIMIT 1"
    )[0]
    summary = json.loads(summary)
    profile = json.loads(q("SELECT profile_data FROM runs WHERE id = ?", run_id)[0][0])
    assert doc["scope"]["run_id"] == run_id
    c.tree(("policy",), summary["policy"])  # the policy the run recorded
    c.eq(("scope", "records_read"), read)
    c.eq(("scope", "records_assessed"), assessed)
    c.eq(("scope", "records_rejected"), rejected)
    c.tree(
        ("scope", "rejected_reasons"),
        json.loads(q("SELECT rejected_reasons FROM runs WHERE id=?", run_id)[0][0]),
    )
    th = ("scope", "thresholds")
    c.eq((*th, "per_source_sample_size"), k)
    c.eq((*th, "max_violation_rate"), profile["source"]["max_violation_rate"])
    c.eq((*th, "confidence"), profile["source"]["confidence"])
    c.eq((*th, "technical_fraction"), profile["technical_sample"]["fraction"])
    c.eq((*th, "technical_min_clean_rate"), profile["technical_sample"]["min_clean_rate"])
    c.eq((*th, "manual_min_items"), profile["manual_sample"]["min_items"])
    c.eq((*th, "manual_min_clean_rate"), profile["manual_sample"]["min_clean_rate"])
    c.eq(("manual_sample", "min_items"), profile["manual_sample"]["min_items"])

    rows = q(
        "SELECT name, read, rejected, sampled, violations, rate, ci_low, ci_high, needed_sample_size, "
        "top_risks, "
        "layers, sampled_ids_file FROM source_results WHERE run_id = ? ORDER BY name",
        run_id,
    )
    assert [s["name"] for s in doc["sources"]] == [r[0] for r in rows]
    for i, r in enumerate(rows):
        for j, key in enumerate(
            ("read", "rejected", "sampled", "violations", "rate", "ci_low", "ci_high"), 1
        ):
            c.eq(("sources", i, key), r[j])
        if r[8] is not None:
            c.eq(("sources", i, "needed_sample_size"), r[8])
        c.tree(("sources", i, "top_risks"), json.loads(r[9]))
        c.tree(("sources", i, "layers"), json.loads(r[10]))
        c.eq(("sources", i, "pii_violations"), json.loads(r[10]).get("pii", 0))
        c.eq(("personal_information", "per_source", r[0]), json.loads(r[10]).get("pii", 0))
        ids_file = Path(r[11]) if Path(r[11]).is_absolute() else demo / r[11]
        ids = [ln.split("\t")[1] for ln in ids_file.read_text().splitlines()[2:]]
        assert doc["sources"][i]["sampled_ids"] == ids and len(ids) == r[3]
    fields = {n: json.loads(f) for n, f in q("SELECT name, fields FROM registered_sources")}
    for i, s in enumerate(doc["sources"]):
        # provenance completeness: required fields present, counted from the stored fields here
        need = {
            "self-collected": ["collected_at", "collection_method", "robots_snapshot"],
            "commercial": ["licence", "contract", "supplier_attestation"],
            "user-input": ["consent", "service"],
            "open-source": ["licence", "url|dataset"],
        }[s["provenance_type"]] + ["languages", "modality", "origin"]
        f = fields[s["registered_as"]]
        c.eq(("sources", i, "provenance_fields_required"), len(need))
        c.eq(
            ("sources", i, "provenance_fields_present"),
            sum(any(f.get(x) for x in n.split("|")) for n in need),
        )
    c.eq(
        ("personal_information", "sampled_records_with_pi_violation"),
        q(
            "SELECT COALESCE(SUM(json_extract(layers, '$.pii')), 0) FROM source_results WHERE run_id=?",
            run_id,
        )[0][0],
    )

    for gi, g in enumerate(doc["risk_breakdown"]):
        total = 0
        for ri, r in enumerate(g["risks"]):
            n = q(
                "SELECT COALESCE(SUM(json_extract(j.value, '$.count')), 0) FROM source_results, "
                "json_each(source_results.top_risks) AS j "
                "WHERE run_id = ? AND json_extract(j.value, '$.risk') = ?",
                run_id,
                r["risk"],
            )[0][0]
            c.eq(("risk_breakdown", gi, "risks", ri, "sampled_violations"), n)
            total += n
            if r["ip_scan_flagged"] is not None:
                c.eq(
                    ("risk_breakdown", gi, "risks", ri, "ip_scan_flagged"),
                    q(
                        "SELECT SUM(flagged) FROM ip_source_results WHERE scan_id = "
                        "(SELECT id FROM ip_scans ORDER BY started_at DESC LIMIT 1)"
                    )[0][0],
                )
        c.eq(("risk_breakdown", gi, "sampled_violations"), total)
    c.tree(
        ("verdicts",),
        dict(q("SELECT verdict, COUNT(*) FROM source_results WHERE run_id=? GROUP BY verdict", run_id)),
    )

    t = q(
        "SELECT fraction, sampled, violations, clean_rate, ci_low, ci_high, min_clean_rate "
        "FROM technical_samples "
        "WHERE run_id=?",
        run_id,
    )[0]
    for j, key in enumerate(
        ("fraction", "sampled", "violations", "clean_rate", "ci_low", "ci_high", "min_clean_rate")
    ):
        c.eq(("technical_sample", key), t[j])
    c.tree(("lexicon_coverage",), summary["lexicon_coverage"])

    scan_id, scan_records = q("SELECT id, records FROM ip_scans ORDER BY started_at DESC LIMIT 1")[0]
    c.eq(("ip", "scan", "records"), scan_records)
    kinds = (
        "records",
        "copyright_notices",
        "reservations",
        "licence_marks",
        "restrictive_marks",
        "creative_works",
        "opt_outs",
        "flagged",
    )
    ip_rows = q(
        f"SELECT name, {', '.join(kinds)}, marks FROM ip_source_results WHERE scan_id=? ORDER BY name",
        scan_id,
    )
    for i, r in enumerate(ip_rows):
        assert doc["ip"]["sources"][i]["name"] == r[0]
        for j, key in enumerate(kinds, 1):
            c.eq(("ip", "sources", i, key), r[j])
        marks = json.loads(r[-1])
        c.tree(("ip", "sources", i, "licence_marks_found"), marks["licences"])
        c.tree(("ip", "sources", i, "works_found"), marks["works"])
        c.eq(("ip", "sources", i, "with_crawl_metadata"), marks["with_crawl_metadata"])
    for j, key in enumerate(kinds):
        c.eq(("ip", "totals", key), sum(r[j + 1] for r in ip_rows))

    audit_id = q("SELECT audit_id FROM provenance_audits ORDER BY started_at DESC LIMIT 1")[0][0]
    arows = q(
        "SELECT provenance_type, population, sampled, provenance_ok, risk_ok, ip_ok, passed FROM "
        "provenance_audits WHERE audit_id=? ORDER BY provenance_type",
        audit_id,
    )
    for i, r in enumerate(arows):
        assert doc["provenance_audit"]["types"][i]["provenance_type"] == r[0]
        for j, key in enumerate(("population", "sampled", "provenance_ok", "risk_ok", "ip_ok", "passed"), 1):
            c.eq(("provenance_audit", "types", i, key), r[j])
        share = r[6] / r[2]
        c.eq(("provenance_audit", "types", i, "pass_share"), share)
        # the interval is the exact one of passed/sampled; its bounds bracket the share
        lo, hi = doc["provenance_audit"]["types"][i]["ci_low"], doc["provenance_audit"]["types"][i]["ci_high"]
        assert lo <= share <= hi
        c.checked.update(
            {("provenance_audit", "types", i, "ci_low"), ("provenance_audit", "types", i, "ci_high")}
        )
    c.eq(("provenance_audit", "per_type_minimum"), 100)

    reg = dict(q("SELECT name, provenance_type FROM registered_sources"))
    assert {r["name"]: r["provenance_type"] for r in doc["registry"]["sources"]} == reg
    for i, r in enumerate(doc["registry"]["sources"]):
        need = (
            3
            + {"self-collected": 3, "commercial": 3, "user-input": 2, "open-source": 2, "synthetic": 3}[
                reg[r["name"]]
            ]
        )
        c.eq(("registry", "sources", i, "fields_required"), need)
        c.eq(("registry", "sources", i, "fields_present"), need - len(r["missing"]))
    div = doc["diversity"]
    for i, cell in enumerate(div["cells"]):
        names = [
            n
            for n, f in fields.items()
            if f.get("modality") == cell["modality"]
            and cell["language"] in (f.get("languages") or "").split(";")
        ]
        c.eq(("diversity", "cells", i, "count"), len(names))
    c.eq(("diversity", "min_sources_per_type"), 2)
    c.eq(("diversity", "flagged_cells"), sum(cell["count"] < 2 for cell in div["cells"]))
    by_origin: dict[str, int] = {}
    for s in doc["sources"]:
        by_origin[fields[s["registered_as"]]["origin"]] = (
            by_origin.get(fields[s["registered_as"]]["origin"], 0) + s["read"]
        )
    o = ("diversity", "origin")
    c.eq((*o, "domestic"), by_origin.get("domestic", 0))
    c.eq((*o, "foreign"), by_origin.get("foreign", 0))
    c.eq((*o, "undeclared"), 0)
    c.eq((*o, "foreign_share"), by_origin["foreign"] / (by_origin["foreign"] + by_origin["domestic"]))
    c.eq((*o, "max_foreign_share"), 0.5)

    mt = json.loads(
        q("SELECT doc FROM attached_results WHERE kind='modeltest' ORDER BY id DESC LIMIT 1")[0][0]
    )
    for i, d in enumerate(mt["draws"]):
        c.eq(("model_test", "draws", i, "n"), d["n"])
        c.eq(("model_test", "draws", i, "required_n"), d["required_n"])
        for key in ("rate", "ci_low", "ci_high", "threshold"):
            if d["overall"].get(key) is not None:
                c.eq(("model_test", "draws", i, key), d["overall"][key])

    ledger = q("SELECT COUNT(*), COUNT(DISTINCT subject_id) FROM consent_records")[0]
    c.eq(("personal_information", "ledger", "records"), ledger[0])
    c.eq(("personal_information", "ledger", "subjects"), ledger[1])
    c.eq(
        ("personal_information", "ledger", "withdrawn_subjects"),
        q("SELECT COUNT(DISTINCT subject_id) FROM consent_records WHERE withdrawn_at IS NOT NULL")[0][0],
    )
    c.tree(
        ("personal_information", "ledger", "by_basis"),
        dict(q("SELECT legal_basis, COUNT(*) FROM consent_records GROUP BY legal_basis")),
    )
    c.tree(("personal_information", "ledger", "problems"), {})
    c.tree(("personal_information", "consent"), summary.get("consent"))  # as `assess` stored it

    # Not stored results, checked against their own source: the conformance tally counts the matrix rows,
    # the classifier coverage reads the packaged model manifest, attachments count their files' rows.
    for status in doc["conformance_tally"]:
        c.eq(("conformance_tally", status), sum(r["status"] == status for r in doc["conformance"]))
    heads = json.loads((REPO / "src/safecorpus/data/classifier/manifest.json").read_text())["heads"]
    cc = ("classifier_coverage",)
    c.eq((*cc, "data_risks"), 29)
    c.tree((*cc, "heads"), [h for h in heads if h != "any"])
    c.eq(
        ("attachments", "keywords", "rows"), len((demo / "en" / "keywords.csv").read_text().splitlines()) - 1
    )
    c.eq(
        ("attachments", "questions", "rows"),
        load_workbook(demo / "en" / "test-questions.xlsx", read_only=True).active.max_row - 1,
    )
    c.eq(("masked_strings",), 0)  # the demo corpus has no personal data in names or ids
    c.eq(("schema_version",), 1) if isinstance(doc["schema_version"], int) else None

    check_banks(c, profile)
    assert doc["review"] == {"present": False}  # no review store data in the demo: see test_report_review
    assert all(s["corrected"] is None for s in doc["sources"])

    unchecked = sorted(p for p in c.numbers if p not in c.checked)
    assert unchecked == [], unchecked[:20]
