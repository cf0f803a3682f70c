"""`assess` and `filter` decide the same way: on one corpus and one policy, the records `assess` counts as
violations (per layer) are exactly the records `filter` removes as flagged.

The keyword terms are neutral words: what is tested is that both commands see the same obfuscation
variants, thresholds and layers, not the vocabulary. One source per obfuscation kind, as the acceptance
probe has it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from safecorpus.detect.lexicon.library import Lexicon, Term, write_lexicon

BIN = Path(sys.executable).parent / "safecorpus"
REPO = Path(__file__).resolve().parents[2]
TERMS = [Term("图书馆", "A.1.8"), Term("风景照片", "A.1.6"), Term("window", "A.1.6"), Term("张明", "A.1.8")]
# Each obfuscation kind, as the profile's [lexicon.variants] turns it on (tests/detect/lexicon/test_variants).
OBFUSCATED = {
    "plain": ["去图书馆看书", "open the window now"],
    "pinyin": ["去tu shu guan看书", "去tushuguan看书", "去图shu馆看书"],
    "homophone": ["去涂书管看书"],
    "leetspeak": ["open the w1nd0w now"],
    "letter-spacing": ["open the w.i.n.d.o.w now"],
    "initials": ["这组fjzp很好"],
    "split-chars": ["弓长明来了"],
}
CLEAN = ["今天天气很好，我们去公园散步。", "The committee met on Tuesday.", "这家店的面条很好吃。"]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.run([str(BIN), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode in (0, 3), proc.stderr
    return proc


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("agree")
    write_lexicon(Lexicon("probe", "1", dt.date.today(), TERMS), root / "probe.tsv")
    rng = random.Random(7)
    rows = []
    for kind, texts in OBFUSCATED.items():
        for i in range(40):
            flagged = i % 3 == 0
            text = rng.choice(texts) if flagged else rng.choice(CLEAN)
            rows.append({"id": f"{kind}-{i}", "text": f"{text} #{i}", "source": kind})
    (root / "corpus").mkdir()
    (root / "corpus" / "probe.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8"
    )
    return root


def assess_and_filter(root: Path, corpus: Path, lexicon: str, policy: str) -> tuple[dict, dict]:
    """(assess, filter): source -> {record id: layers} for the violations each command found."""
    name = f"p{abs(hash(policy)) % 10**8}"
    profile = root / f"{name}.toml"
    profile.write_text(f'extends = "gbt45654-2025"\nname = "agree"\n{policy}', "utf-8")
    store = root / f"store-{name}"
    common = ["--lexicon", lexicon, "--store-dir", str(store), "--no-progress"]
    run("assess", str(corpus), "--profile", str(profile), "--technical-fraction", "1.0", *common, cwd=root)
    assessed: dict[str, dict[str, list[str]]] = defaultdict(dict)
    (findings,) = list((store / "evidence").glob("*/findings.jsonl"))
    for line in findings.read_text("utf-8").splitlines()[1:]:  # after the findings format's header
        doc = json.loads(line)
        if doc["sample"] == "technical" and doc["violation"]:
            assessed[doc["source"]][doc["id"]] = doc["layers"]
    out = root / f"out-{name}"
    run(
        "filter",
        str(corpus),
        str(out),
        "--profile",
        str(profile),
        "--no-assessment",
        "--no-pii",
        "--no-default-blocklist",
        *common,
        cwd=root,
    )
    filtered: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for ledger in (out / "ledger").glob("*.jsonl"):
        for line in ledger.read_text("utf-8").splitlines():
            entry = json.loads(line)
            if entry.get("reason") == "flagged":
                filtered[entry["source"]][entry["id"]] = entry["rule"]["layers"]
    return dict(assessed), dict(filtered)


def test_keyword_policy_every_obfuscation_kind_is_decided_alike(probe: Path) -> None:
    policy = '[decision]\nlayers = ["keyword"]\n[classifier]\nenabled = false\n'
    assessed, filtered = assess_and_filter(probe, probe / "corpus", str(probe / "probe.tsv"), policy)
    for kind in OBFUSCATED:
        assert len(assessed.get(kind, {})) == 14, (kind, assessed.get(kind))  # every 3rd of 40 records
        assert assessed.get(kind) == filtered.get(kind), kind


def test_keyword_and_classifier_layers_agree_record_by_record(tmp_path: Path) -> None:
    """The demo corpus with the packaged library, keyword + classifier (fast tier in both commands, with
    low cuts so it flags some records), and a per-risk minimum score above some of its scores."""
    policy = (
        '[decision]\nlayers = ["keyword", "classifier"]\nrisk_min_score = {"A.4" = 0.7}\n'
        "[classifier]\nassessment = false\ndefault_threshold = 0.3\n"
        '[classifier.thresholds]\nany = 0.6\n"A.4.3" = 0.3\n'  # low cuts, so the classifier decides some
    )
    assessed, filtered = assess_and_filter(tmp_path, REPO / "examples" / "demo-corpus", "default", policy)
    layers = {layer for per_source in assessed.values() for found in per_source.values() for layer in found}
    assert layers == {"keyword", "classifier"}  # both layers decide something here
    assert set(assessed) == set(filtered)
    for source in assessed:
        assert assessed[source] == filtered[source], source
