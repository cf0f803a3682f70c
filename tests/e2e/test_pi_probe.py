"""The personal-information probe through the real `safecorpus` console script (issue 14, "Must show").

A source of records exposing private persons' checksum-valid resident ID numbers, Luhn-valid bank cards
and mobile numbers, with no legal basis, is blacklisted with A.4.6 as its top risk; the same sentences
without the identifiers pass. A source's declared basis (the source registry's ``pi_basis``/``pi_scope``)
covers what its scope says: a contract covering phone numbers passes where the same records without a
basis are A.4.6 violations; news reporting does not cover ID numbers. Every identifier is generated.

The default keyword library has 银行卡号 (A.1.8, weight 0.6) and some common names as terms of their own;
the sentences avoid them, so that what is tested is the PI rule (the keyword layer is issue 14's
"violation vs mention" work).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import synth

BIN = Path(sys.executable).parent / "safecorpus"
PER_SOURCE = 120
# Sentences about private persons (members, customers, patients' relatives): names alone never count.
SENTENCES = [
    "会员王丽华的办理记录已经归档，请经办人核对。",
    "客户李桂芝登记的联系人信息见附表，核对后签字。",
    "第{n}批次的会员资料已经整理完毕，由张敏负责复核。",
    "赵小红今天下午来营业厅更新了个人资料。",
]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.run([str(BIN), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def _rows(source: str, rng: random.Random, ids: bool, cards: bool, phones: bool) -> list[dict]:
    rows = []
    for i in range(PER_SOURCE):
        text = SENTENCES[i % len(SENTENCES)].format(n=i)
        if ids:
            text += f" 身份证号 {synth.resident_id(rng)}。"
        if cards:
            text += f" 储蓄卡 {synth.card(rng)}。"
        if phones:
            text += f" 手机 {synth.mobile(rng)}。"
        rows.append({"id": f"{source}-{i}", "text": text, "source": source})
    return rows


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pi-probe")
    rng = random.Random(14)
    rows = (
        _rows("members-exposed", rng, ids=True, cards=True, phones=True)
        + _rows("members-plain", rng, ids=False, cards=False, phones=False)
        + _rows("phones-contract", rng, ids=False, cards=False, phones=True)
        + _rows("phones-no-basis", rng, ids=False, cards=False, phones=True)
        + _rows("news-with-ids", rng, ids=True, cards=False, phones=False)
    )
    (root / "corpus").mkdir()
    (root / "corpus" / "members.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8"
    )
    store = ["--store-dir", str(root / "store")]
    run("sources", "add", "phones-contract", "--type", "commercial", "--licence", "data licence",
        "--contract", "C-7", "--pi-basis", "contract", "--pi-scope", "phone", *store, cwd=root)  # fmt: skip
    run("sources", "add", "news-with-ids", "--type", "open-source", "--licence", "CC-BY-4.0",
        "--pi-basis", "news_reporting", *store, cwd=root)  # fmt: skip
    run("assess", "corpus", *store, "--json", "summary.json", "--no-progress", cwd=root)
    return root


@pytest.fixture(scope="module")
def summary(probe: Path) -> dict[str, dict]:
    doc = json.loads((probe / "summary.json").read_text("utf-8"))
    return {s["name"]: s for s in doc["sources"]}


@pytest.mark.slow
def test_identifiers_without_a_basis_blacklist_with_a46_on_top(summary: dict[str, dict]) -> None:
    exposed = summary["members-exposed"]
    assert exposed["verdict"] == "blacklist"
    assert exposed["violations"] == exposed["sampled"] == PER_SOURCE
    assert exposed["top_risks"][0]["risk"] == "A.4.6"
    assert exposed["pi_basis"] == {"basis": "none", "scope": []}


@pytest.mark.slow
def test_the_same_sentences_without_identifiers_pass(summary: dict[str, dict]) -> None:
    plain = summary["members-plain"]
    assert plain["verdict"] == "pass" and plain["violations"] == 0


@pytest.mark.slow
def test_a_contract_covering_phone_numbers_is_a_basis(summary: dict[str, dict]) -> None:
    covered, bare = summary["phones-contract"], summary["phones-no-basis"]
    assert covered["verdict"] == "pass" and covered["violations"] == 0
    declared = {"basis": "contract", "scope": ["phone"], "registered_source": "phones-contract"}
    assert covered["pi_basis"] == declared
    assert bare["verdict"] == "blacklist" and bare["top_risks"][0]["risk"] == "A.4.6"


@pytest.mark.slow
def test_news_reporting_does_not_cover_id_numbers(summary: dict[str, dict]) -> None:
    news = summary["news-with-ids"]
    assert news["pi_basis"]["basis"] == "news_reporting" and "id_document" not in news["pi_basis"]["scope"]
    assert news["verdict"] == "blacklist" and news["top_risks"][0]["risk"] == "A.4.6"


@pytest.mark.slow
def test_the_report_shows_each_sources_basis(probe: Path) -> None:
    run(
        "report",
        "--out",
        "report",
        "--no-pdf",
        "--lang",
        "en",
        "--store-dir",
        str(probe / "store"),
        cwd=probe,
    )
    doc = json.loads((probe / "report" / "report.json").read_text("utf-8"))
    bases = {s["name"]: s["pi_basis"]["basis"] for s in doc["sources"]}
    assert bases == {
        "members-exposed": "none",
        "members-plain": "none",
        "news-with-ids": "news_reporting",
        "phones-contract": "contract",
        "phones-no-basis": "none",
    }
    assert set(doc["personal_information"]["source_bases"]) == {"news-with-ids", "phones-contract"}
    html = (probe / "report" / "report.html").read_text("utf-8")
    assert "phones-contract: contract (phone)" in html
