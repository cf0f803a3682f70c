"""`safecorpus lexicon …` through the installed console script."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from safecorpus.detect.lexicon.library import Lexicon, Term, read_lexicon, write_lexicon
from safecorpus.detect.lexicon.rules import AllowList, AllowPhrase, write_allow_list

SCRIPT = Path(sys.executable).with_name("safecorpus")
pytestmark = pytest.mark.skipif(not SCRIPT.exists(), reason="console script not installed")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), "lexicon", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    terms = [
        Term("甲乙", "A.1.8", "gambling", 1.0, "zh", "test"),
        Term("丙丁", "A.2.4", "region", 0.5, "zh", "test"),
    ]
    lex = Lexicon("mine", "2026.11.28", dt.date.today(), terms, header={"allow_list": "allow_mine.tsv"})
    write_lexicon(lex, tmp_path / "mine.tsv")
    allow = AllowList("allow_mine", "1", dt.date.today(), [AllowPhrase("甲乙镇", "place", "test")])
    write_allow_list(allow, tmp_path / "allow_mine.tsv")
    return tmp_path / "mine.tsv"


def test_check_explains_matches_and_suppression(lib: Path, tmp_path: Path) -> None:
    out = tmp_path / "check.json"
    res = run("check", "甲.乙和甲乙镇", "--library", str(lib), "--json", str(out), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "A.1.8/gambling" in res.stdout and "allow-list phrase" in res.stdout
    doc = json.loads(out.read_text())
    kept = [m["rule"]["kept"] for m in doc["matches"]]
    assert kept == [True, False]
    assert doc["matches"][0]["weight"] == 1.0 and doc["matches"][0]["matched"] == "甲.乙"


def test_import_export_diff_round_trip(lib: Path, tmp_path: Path) -> None:
    (tmp_path / "newlist.txt").write_text("戊己\n甲 乙\n庚辛,\n", "utf-8")
    (tmp_path / "map.toml").write_text('[categories]\n"newlist" = "A.1.6/pornography"\n', "utf-8")
    merged = tmp_path / "merged.tsv"
    res = run(
        "import",
        "newlist.txt",
        "--into",
        str(lib),
        "--mapping",
        "map.toml",
        "--out",
        str(merged),
        "--date",
        "2026-12-01",
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stderr
    new = read_lexicon(merged)
    assert new.version == "2026.12.01" and new.updated_at == dt.date(2026, 12, 1)
    assert sorted(t.term for t in new.terms if t.risk == "A.1.6") == ["庚辛", "戊己", "甲 乙"]
    res = run("diff", str(lib), str(merged), "--json", "d.json", cwd=tmp_path)
    assert res.returncode == 0 and "2 added" in res.stdout
    doc = json.loads((tmp_path / "d.json").read_text())
    assert doc["added"] == 2 and doc["changed"] == 1
    res = run("export", str(merged), "--format", "filing", "--out", "filing.csv", cwd=tmp_path)
    assert res.returncode == 0
    lines = (tmp_path / "filing.csv").read_text("utf-8").splitlines()
    assert lines[0] == "关键词,一级分类,二级分类" and len(lines) == 1 + 5
    res = run("export", str(merged), "--out", "again.tsv", cwd=tmp_path)
    assert read_lexicon(tmp_path / "again.tsv").terms == new.terms
    # importing a library TSV into itself adds nothing
    res = run("import", str(merged), "--into", str(merged), "--date", "2026-12-01", cwd=tmp_path)
    assert res.returncode == 0 and "0 terms added" in res.stdout
    assert read_lexicon(merged).version == "2026.12.01.1"


def test_stats_reports_topics_weights_and_staleness(tmp_path: Path) -> None:
    old = Lexicon("old", "1", dt.date(2020, 1, 1), [Term("甲乙", "A.1.8", "gambling", 0.5)])
    write_lexicon(old, tmp_path / "old.tsv")
    res = run("stats", str(tmp_path / "old.tsv"), "--json", "s.json", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "A.1.8/gambling" in res.stdout and "warning" in res.stdout and "0.5: 1" in res.stdout
    doc = json.loads((tmp_path / "s.json").read_text())
    kinds = {n["kind"] for n in doc["nonconformances"]}
    assert {"lexicon_stale", "lexicon_total_short", "lexicon_risk_short"} <= kinds


def test_errors_name_file_and_line_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("# safecorpus-lexicon: 1\nterm\trisk\tweight\n甲乙\tA.1.8\theavy\n", "utf-8")
    res = run("stats", str(bad), cwd=tmp_path)
    assert res.returncode != 0 and "bad.tsv:3" in res.stderr and "Traceback" not in res.stderr
    (tmp_path / "list.txt").write_text("甲乙\n", "utf-8")
    res = run("import", "list.txt", "--into", str(bad), cwd=tmp_path)
    assert res.returncode != 0 and "Traceback" not in res.stderr
    res = run("import", "list.txt", "--into", "default", cwd=tmp_path)
    assert res.returncode != 0 and "--out" in res.stderr
