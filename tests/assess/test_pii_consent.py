"""PII in `assess`: personal information counts as a violation (A.4.6) only without a legal basis in the
consent ledger, or when the subject withdrew; each item's flagging layer is in the evidence files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from safecorpus.assess.runner import AssessConfig, build_tiers, run_assessment
from safecorpus.consent.ledger import ConsentLedger
from safecorpus.consent.records import Consent
from safecorpus.taxonomy.profile import load_profile

pytest.importorskip("safecorpus.detect.pii")

GRANTED = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
ROWS = [
    # (id, subject, text): generated, no real personal data
    ("a", "u-ok", "我的手机号是13912345678，欢迎联系"),  # PI with a basis
    ("b", "nobody", "我的手机号是13912345678，欢迎联系"),  # PI, no basis: violation
    ("c", "u-gone", "今天天气不错，大家一起去公园"),  # no PI, but the subject withdrew: violation
    ("d", None, "今天天气不错，大家一起去公园"),  # nothing
    ("e", "u-ok", "他上个月确诊了糖尿病，正在住院治疗"),  # sensitive PI without separate consent
]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    p = tmp_path / "corpus" / "chat.jsonl"
    p.parent.mkdir()
    lines = []
    for rid, subject, text in ROWS:
        row = {"id": rid, "text": text, "source": "chat"}
        if subject:
            row["user_id"] = subject
        lines.append(json.dumps(row, ensure_ascii=False))
    p.write_text("\n".join(lines) + "\n", "utf-8")
    return p.parent


def _ledger() -> ConsentLedger:
    return ConsentLedger(
        [
            Consent("u-ok", "consent", "model training", "v2", granted_at=GRANTED),
            Consent("u-gone", "consent", "model training", "v2", granted_at=GRANTED, withdrawn_at=GRANTED),
        ]
    )


def _run(corpus: Path, store: Path, lexicon: Path, **kw: object) -> dict:
    cfg = AssessConfig(
        corpus=corpus,
        profile=load_profile(),
        store_dir=store,
        technical_fraction=1.0,
        lexicon=str(lexicon),
        **kw,  # type: ignore[arg-type]
    )
    return run_assessment(cfg)


def test_pii_counts_only_without_a_basis(tmp_path, corpus, tiny_lexicon_path):
    s = _run(corpus, tmp_path / "store", tiny_lexicon_path, consent=_ledger())
    assert "pii@0.2.0" in s["detectors"]["assessment"] and "pii@0.2.0" in s["detectors"]["fast"]
    (src,) = s["sources"]
    assert src["violations"] == 3 and src["layers"] == {"pii": 3}
    assert src["top_risks"] == [{"risk": "A.4.6", "count": 3}]
    assert s["technical_sample"]["violations"] == 3
    assert s["technical_sample"]["flagged_by_layer"] == {"pii": 3}
    assert s["consent"] == {"subject_field": "user_id", "subjects": 2, "records": 2}
    rows = [
        line.split("\t")
        for line in Path(src["sampled_ids_file"]).read_text().splitlines()
        if not line.startswith(("#", "hash"))
    ]
    flagged = {r[1]: (r[2], r[4]) for r in rows}
    assert flagged == {
        "a": ("0", ""),
        "b": ("1", "pii"),
        "c": ("1", "pii"),
        "d": ("0", ""),
        "e": ("1", "pii"),
    }
    header, *evidence = [
        json.loads(x) for x in (Path(s["evidence_dir"]) / "findings.jsonl").read_text().splitlines()
    ]
    assert header["schema"] == "safecorpus.findings/1" and header["decision"]["layers"]
    verdicts = {
        (d["sample"], d["id"]): {f["evidence"].get("consent_verdict") for f in d["findings"]}
        for d in evidence
    }
    assert verdicts[("source", "a")] == {"pi_with_basis"}
    assert verdicts[("source", "c")] == {"consent_withdrawn"}
    assert verdicts[("source", "e")] == {"sensitive_needs_separate_consent"}
    assert {d["id"]: d["layers"] for d in evidence if d["sample"] == "source"}["b"] == ["pii"]


def test_an_empty_ledger_means_no_recorded_basis(tmp_path, corpus, tiny_lexicon_path):
    (src,) = _run(corpus, tmp_path / "store", tiny_lexicon_path)["sources"]
    assert src["violations"] == 3  # a, b, e: PI without a recorded basis; c has no PI and no withdrawal


def test_pii_layer_only_when_the_profile_decides_on_it(tmp_path, corpus, tiny_lexicon_path):
    path = tmp_path / "p.toml"
    path.write_text('extends = "gbt45654-2025"\n[decision]\nlayers = ["keyword"]\n', "utf-8")
    lex = str(tiny_lexicon_path)
    tiers = build_tiers(AssessConfig(corpus=corpus, profile=load_profile(str(path)), lexicon=lex))
    assert [d.layer for d in tiers.assessment] == ["keyword"]
    tiers = build_tiers(
        AssessConfig(corpus=corpus, profile=load_profile(), lexicon=lex, pii_in_fast_tier=False)
    )
    # the default profile also runs the shipped classifier (fast tier on both samples)
    assert [d.layer for d in tiers.assessment] == ["keyword", "pii", "classifier"]
    assert [d.layer for d in tiers.fast] == ["keyword", "classifier"]


def test_cli_uses_the_stores_ledger(tmp_path, corpus, tiny_lexicon_path):
    from click.testing import CliRunner

    from safecorpus.cli import _register, cli
    from safecorpus.consent import records as cr

    _register()
    csv = tmp_path / "c.csv"
    csv.write_text(
        ",".join(cr.FIELDS) + "\n"
        "u-ok,consent,model training,v2,training,yes,no,2024-01-01,,ev,pia-1,2024-01-01,2028-01-01\n"
        "nobody,contract,service,,training,no,no,2024-01-01,,ev,,,\n",
        "utf-8",
    )
    store = ["--store-dir", str(tmp_path / "store")]
    assert CliRunner().invoke(cli, ["consent", "import", str(csv), *store]).exit_code == 0
    r = CliRunner().invoke(
        cli,
        [
            "assess",
            str(corpus),
            *store,
            "--no-progress",
            "--lexicon",
            str(tiny_lexicon_path),
            "--json",
            str(tmp_path / "s.json"),
        ],
    )
    assert r.exit_code == 0, r.output
    (src,) = json.loads((tmp_path / "s.json").read_text())["sources"]
    assert src["violations"] == 0 and "flagged by" in r.output  # every subject with PI has a basis
