"""CLI conventions on the real console script: configuration errors and usage errors exit 2 naming what is
wrong, safecorpus.toml sections default options (the command line wins), and --json prints one document."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "safecorpus"
BANKS = Path(__file__).resolve().parents[2] / "src" / "safecorpus" / "data" / "banks"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([str(BIN), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    rows = [
        {
            "id": f"b{i}",
            "text": f"句子 {i}" + (" 违禁词甲" if i % 4 == 0 else ""),
            "source": "bad",
            "uid": "u1",
        }
        for i in range(60)
    ]
    rows += [{"id": f"g{i}", "text": f"clean text {i}", "source": "good", "uid": "u2"} for i in range(60)]
    (folder / "c.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8"
    )
    return folder


def test_misspelt_profile_key_in_config_exits_2_naming_it(corpus: Path, tmp_path: Path) -> None:
    (tmp_path / "safecorpus.toml").write_text("[profile.source]\nmax_violaton_rate = 0.02\n")
    proc = run("assess", str(corpus), "--store-dir", "st", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "st").exists()
    assert "'profile.source.max_violaton_rate'" in proc.stderr
    assert "did you mean 'profile.source.max_violation_rate'" in proc.stderr
    assert "safecorpus.toml" in proc.stderr
    # The same through --config, from another folder.
    other = tmp_path / "elsewhere"
    other.mkdir()
    proc = run("assess", str(corpus), "--config", str(tmp_path / "safecorpus.toml"), cwd=other)
    assert proc.returncode == 2 and "max_violation_rate" in proc.stderr


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[profile.source]\nconfidence = 2\n", "profile.source.confidence = 2 is out of range [0.5, 0.9999]"),
        ("[profile.decision]\nmin_score = 'high'\n", "profile.decision.min_score must be a number"),
        ("[consent]\nsubject_field = ['uid']\n", "consent.subject_field must be a string"),
        ("[asess]\nseed = 's'\n", "did you mean 'assess'?"),
    ],
)
def test_wrong_type_range_or_section_exits_2(corpus: Path, tmp_path: Path, text: str, fragment: str) -> None:
    (tmp_path / "safecorpus.toml").write_text(text)
    proc = run("assess", str(corpus), "--store-dir", "st", cwd=tmp_path)
    assert proc.returncode == 2 and fragment in proc.stderr and "Traceback" not in proc.stderr


def test_consent_subject_field_is_accepted_and_used(corpus: Path, tmp_path: Path) -> None:
    args = ("consent", "withdrawal", "u1", "--corpus", str(corpus), "--json")
    proc = run(*args, "plain.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "plain.json").read_text())["records"] == []  # default field user_id
    (tmp_path / "safecorpus.toml").write_text('[consent]\nsubject_field = "uid"\n')
    proc = run(*args, "cfg.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads((tmp_path / "cfg.json").read_text())["records"]) == 60
    assert "(uid)" in proc.stdout
    proc = run(*args, "cli.json", "--subject-field", "user_id", cwd=tmp_path)  # the command line wins
    assert json.loads((tmp_path / "cli.json").read_text())["records"] == []


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("assess", "--no-such-option"), "No such option"),
        (("assess",), "Missing argument"),
        (("sources", "list", "--store-dir"), "requires an argument"),
        (("modeltest", "run", "--model", "m"), "[modeltest] endpoint"),
        (("review", "stats", "--json", "--table"), "exclude each other"),
        (("no-such-command",), "No such command"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: tuple[str, ...], fragment: str) -> None:
    proc = run(*args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert fragment in proc.stderr and "Traceback" not in proc.stderr


def test_sources_list_and_show_json(corpus: Path, tiny_lexicon_path: Path, tmp_path: Path) -> None:
    store = ("--store-dir", str(tmp_path / "st"))
    proc = run(
        "assess", str(corpus), "--lexicon", str(tiny_lexicon_path), "--json", "s.json", *store, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    summary = {s["name"]: s for s in json.loads((tmp_path / "s.json").read_text())["sources"]}
    listing = run("sources", "list", *store, "--json", cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    doc = json.loads(listing.stdout)  # one document, nothing else on stdout
    rows = {s["name"]: s for s in doc["sources"]}
    assert set(rows) == {"bad", "good"}
    for name, row in rows.items():
        for key in ("read", "sampled", "violations", "verdict", "ci_low", "ci_high"):
            assert row[key] == summary[name][key], (name, key)
    assert rows["bad"]["verdict"] == "blacklist" and rows["bad"]["violations"] == 15
    shown = run("sources", "show", "bad", *store, "--json", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    (only,) = json.loads(shown.stdout)["assessments"]
    assert only["run"] == rows["bad"]["run"] and only["violations"] == 15 and only["seed"]
    assert only["top_risks"] == summary["bad"]["top_risks"]
    to_file = run("sources", "show", "bad", *store, "--json", "show.json", cwd=tmp_path)
    assert "bad" in to_file.stdout and json.loads((tmp_path / "show.json").read_text()) == json.loads(
        shown.stdout
    )
    table = run("sources", "list", *store, cwd=tmp_path)
    assert "blacklist" in table.stdout and not table.stdout.lstrip().startswith("{")


def test_review_stats_json(tmp_path: Path) -> None:
    store = ("--store-dir", str(tmp_path / "st"))
    plain = run("review", "stats", *store, cwd=tmp_path)
    flag = run("review", "stats", "--json", *store, cwd=tmp_path)
    assert plain.returncode == flag.returncode == 0, flag.stderr
    doc = json.loads(flag.stdout)
    assert doc == json.loads(plain.stdout)
    assert doc["manual_sample"]["required"] == 4000 and doc["corrected_prevalence"] == {}
    run("review", "stats", "--json", "r.json", "--table", *store, cwd=tmp_path)
    assert json.loads((tmp_path / "r.json").read_text()) == doc
    # The configured profile applies to the manual-sample rule.
    (tmp_path / "safecorpus.toml").write_text("[profile.manual_sample]\nmin_items = 5000\n")
    proc = run("review", "stats", "--json", *store, cwd=tmp_path)
    assert json.loads(proc.stdout)["manual_sample"]["required"] == 5000


def test_review_commands_read_the_store_from_the_config(tmp_path: Path) -> None:
    (tmp_path / "safecorpus.toml").write_text('[store]\ndir = "team-store"\n')
    proc = run("review", "purge", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "team-store").is_dir() and not (tmp_path / ".safecorpus").exists()


def test_bank_section_defaults_and_the_command_line_wins(tmp_path: Path) -> None:
    bank = BANKS / "should_not_refuse.jsonl"
    n = sum(1 for line in bank.read_text("utf-8").splitlines() if line.strip())
    (tmp_path / "safecorpus.toml").write_text(f'[bank]\nfiles = ["{bank}"]\ndupes_threshold = 0.95\n')
    proc = run("bank", "dupes", "--json", "d.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (
        f"among {n} questions" in proc.stdout
        and json.loads((tmp_path / "d.json").read_text())["threshold"] == 0.95
    )
    proc = run("bank", "dupes", "--threshold", "0.9", "--json", "d.json", cwd=tmp_path)
    assert json.loads((tmp_path / "d.json").read_text())["threshold"] == 0.9


def test_old_option_names_work_but_are_hidden(tiny_lexicon_path: Path, tmp_path: Path) -> None:
    new = run(
        "lexicon",
        "check",
        "有违禁词甲",
        "--lexicon",
        str(tiny_lexicon_path),
        "--json",
        "n.json",
        cwd=tmp_path,
    )
    old = run(
        "lexicon",
        "check",
        "有违禁词甲",
        "--library",
        str(tiny_lexicon_path),
        "--json",
        "o.json",
        cwd=tmp_path,
    )
    assert new.returncode == old.returncode == 0, new.stderr + old.stderr
    assert (tmp_path / "n.json").read_text() == (tmp_path / "o.json").read_text()
    assert "A.1.8" in (tmp_path / "n.json").read_text()
    help_text = run("lexicon", "check", "--help", cwd=tmp_path).stdout
    assert "--lexicon" in help_text and "--library" not in help_text
    help_text = run("filter", "--help", cwd=tmp_path).stdout
    assert "--profile" in help_text and "--policy" not in help_text and "--store-url" in help_text
