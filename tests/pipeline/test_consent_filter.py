"""`filter --consent`: the store's consent ledger decides, per record, what happens to its PI; a withdrawn
subject's records never reach the output, and the withdrawal report says so (generated data only)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from safecorpus.consent import ledger as cl
from safecorpus.consent import records as cr
from safecorpus.consent import verdict as cv
from safecorpus.pipeline import FilterConfig, FilterPolicy, run_filter
from safecorpus.pipeline.policy import CONSENT_NEEDING
from safecorpus.registry import consent as consent_store
from safecorpus.registry.db import default_url, open_store
from safecorpus.taxonomy.profile import load_profile

pytest.importorskip("safecorpus.detect.pii")

ROWS = [
    {"id": "a", "user_id": "u-ok", "text": "我的手机号是13912345678，欢迎联系"},
    {"id": "b", "user_id": "u-gone", "text": "今天天气不错，大家一起去公园"},
    {"id": "c", "user_id": "u-gone", "text": "有事请打13912345678找我"},
    {"id": "d", "user_id": "nobody", "text": "我的手机号是13912345678，欢迎联系"},
    {"id": "e", "user_id": "u-ok", "text": "他上个月确诊了糖尿病，正在住院治疗"},
    {"id": "f", "text": "今天天气不错，大家一起去公园"},
    {"id": "g", "user_id": "u-kid-ok", "text": "我儿子今年8岁，上三年级"},
    {"id": "h", "user_id": "u-ok", "text": "我儿子今年8岁，上三年级"},
]
FIELDS = ",".join(cr.FIELDS)
CONSENTS = f"""{FIELDS}
u-ok,consent,model training,v2,training,no,no,2024-01-01,,ev-1,,,
u-gone,consent,model training,v2,training,no,no,2024-01-01,2025-03-01,ev-2,,,
u-kid-ok,consent,model training,v2,training,no,yes,2024-01-01,,ev-3,,,
"""
EXPECTED = {
    "a": "pi_with_basis",
    "b": "consent_withdrawn",
    "c": "consent_withdrawn",
    "d": "pi_needs_consent",
    "e": "sensitive_needs_separate_consent",
    "f": "no_pi",
    "g": "pi_with_basis",
    "h": "child_needs_guardian_consent",
}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    p = tmp_path / "corpus" / "chat.jsonl"
    p.parent.mkdir()
    p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS), "utf-8")
    return p.parent


@pytest.fixture
def store(tmp_path: Path) -> Path:
    folder = tmp_path / "store"
    (tmp_path / "consents.csv").write_text(CONSENTS, "utf-8")
    consent_store.import_records(open_store(default_url(folder)), cr.read_file(tmp_path / "consents.csv"))
    return folder


def _profile(tmp_path: Path, table: str) -> object:
    path = tmp_path / "policy.toml"
    path.write_text(f'extends = "gbt45654-2025"\n[filter]\n{table}\n', encoding="utf-8")
    return load_profile(str(path))


def _kept(out: Path) -> dict[str, dict]:
    rows = [orjson.loads(x) for p in sorted((out / "data").iterdir()) for x in p.read_bytes().splitlines()]
    return {r["id"]: r for r in rows}


def _ledger(out: Path) -> dict[str, dict]:
    rows = [orjson.loads(x) for p in sorted((out / "ledger").iterdir()) for x in p.read_bytes().splitlines()]
    return {r["id"]: r for r in rows}


def _cli():
    from safecorpus.cli import _register, cli

    _register()
    return cli


def _config(corpus: Path, out: Path, lexicon: Path, **kw: object) -> FilterConfig:
    base: dict = dict(profile=load_profile(), lexicon=str(lexicon), default_blocklist=False, shard_size=3)
    base.update(kw)
    return FilterConfig(corpus=str(corpus), out=str(out), **base)


def test_lookup_gives_the_ledgers_verdicts(tmp_path):
    (tmp_path / "c.csv").write_text(CONSENTS, "utf-8")
    ledger = cl.ConsentLedger(cr.read_file(tmp_path / "c.csv"))
    at = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    lookup = ledger.lookup(at)
    assert lookup.codes == {
        "u-gone": cl.WITHDRAWN | cl.BASIS,
        "u-kid-ok": cl.BASIS | cl.GUARDIAN,
        "u-ok": cl.BASIS,
    }
    from safecorpus.detect.pii import PiiDetector
    from safecorpus.io.records import Record

    det = PiiDetector(min_score=0.5)
    for row in ROWS:
        rec = Record(row["id"], row["text"], "s", "f", 1, {k: v for k, v in row.items() if k != "text"})
        (found,) = det.detect([rec])
        full = cv.consent_verdict(rec.meta, found, ledger, at=at)
        compact = cv.consent_verdict(rec.meta, found, lookup, at=at)
        assert full.verdict == compact.verdict == EXPECTED[row["id"]]
        assert [f.evidence for f in full.findings] == [f.evidence for f in compact.findings]
    assert set(cv.VIOLATING) - {"consent_withdrawn"} == set(CONSENT_NEEDING)


def test_consent_verdicts_decide_and_pool_matches(tmp_path, corpus, store, tiny_lexicon_path):
    ledger = cl.ConsentLedger.load(open_store(default_url(store)))
    profile = _profile(tmp_path, '[filter.consent_actions]\nsensitive_needs_separate_consent = "drop"')
    one = run_filter(_config(corpus, tmp_path / "one", tiny_lexicon_path, consent=ledger, profile=profile))
    two = run_filter(
        _config(corpus, tmp_path / "two", tiny_lexicon_path, consent=ledger, profile=profile, workers=2)
    )
    r = one["records"]
    assert r == two["records"]
    assert r["consent_verdicts"] == {
        "child_needs_guardian_consent": 1,
        "consent_withdrawn": 2,
        "no_pi": 1,
        "pi_needs_consent": 1,
        "pi_with_basis": 2,
        "sensitive_needs_separate_consent": 1,
    }
    assert r["removed_reasons"] == {"consent_withdrawn": 2, "sensitive_needs_separate_consent": 1}
    assert r["read"] == r["kept"] + r["removed"] + r["rejected"] == len(ROWS)
    kept, ledger_rows = _kept(tmp_path / "one"), _ledger(tmp_path / "one")
    assert set(kept) == {"a", "d", "f", "g", "h"} and set(ledger_rows) == {"b", "c", "e"}
    assert ledger_rows["b"]["rule"] == {
        "consent_verdict": "consent_withdrawn",
        "subject_field": "user_id",
        "subject": "u-gone",
    }
    assert ledger_rows["e"]["rule"]["consent_verdict"] == "sensitive_needs_separate_consent"
    assert "13912345678" in kept["a"]["text"]  # PI with a basis is kept as is (pii_with_basis = keep)
    assert "13912345678" not in kept["d"]["text"] and "<CN_MOBILE>" in kept["d"]["text"]  # pii = redact
    assert "8岁" not in kept["h"]["text"] and "8岁" in kept["g"]["text"]
    manifest = json.loads((tmp_path / "one" / "manifest.json").read_text())
    assert manifest["consent"]["withdrawn"] == 1 and manifest["consent"]["subject_field"] == "user_id"
    assert any(s["step"] == "consent" and s["removed"] == 2 for s in one["steps"])
    for sub in ("data", "ledger", "findings"):
        a = {p.name: p.read_bytes() for p in (tmp_path / "one" / sub).iterdir()}
        b = {p.name: p.read_bytes() for p in (tmp_path / "two" / sub).iterdir()}
        assert a == b and a


def test_withdrawn_subject_never_reaches_filter_output(tmp_path, corpus, store, tiny_lexicon_path):
    cli = _cli()
    common = [
        "--no-assessment",
        "--no-progress",
        "--store-dir",
        str(store),
        "--lexicon",
        str(tiny_lexicon_path),
    ]
    r = CliRunner().invoke(cli, ["filter", str(corpus), str(tmp_path / "out"), "--consent", *common])
    assert r.exit_code == 0, r.output
    assert "consent_withdrawn 2" in r.output
    assert not {"b", "c"} & set(_kept(tmp_path / "out"))
    r = CliRunner().invoke(
        cli,
        ["consent", "withdrawal", "u-gone", "--corpus", str(corpus), "--output", str(tmp_path / "out"),
         "--fail-on-reached", "--json", str(tmp_path / "w.json")],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    doc = json.loads((tmp_path / "w.json").read_text())
    assert [x["id"] for x in doc["records"]] == ["b", "c"]  # found in the input …
    assert doc["reached"] == [] and doc["clean"] is True  # … and it did not reach the output
    assert {(x["id"], x["reason"]) for x in doc["outputs"][0]["removed"]} == {
        ("b", "consent_withdrawn"),
        ("c", "consent_withdrawn"),
    }
    # Without --consent the CLI warns that the ledger has withdrawals.
    r = CliRunner().invoke(cli, ["filter", str(corpus), str(tmp_path / "o2"), *common])
    assert r.exit_code == 0 and "withdrawn subject" in r.output


def test_withdrawal_after_an_earlier_output(tmp_path, corpus, store, tiny_lexicon_path, monkeypatch):
    cli = _cli()
    common = ["--no-assessment", "--no-progress", "--store-dir", str(store), "--consent",
              "--lexicon", str(tiny_lexicon_path)]  # fmt: skip
    early = tmp_path / "early"
    r = CliRunner().invoke(cli, ["filter", str(corpus), str(early), *common])
    assert r.exit_code == 0, r.output
    assert "a" in _kept(early)
    # u-ok withdraws: the same grant, imported again with its withdrawal date.
    (tmp_path / "w.csv").write_text(
        f"{FIELDS}\nu-ok,consent,model training,v2,training,no,no,2024-01-01,2025-05-01,ev-1,,,\n", "utf-8"
    )
    r = CliRunner().invoke(cli, ["consent", "import", str(tmp_path / "w.csv"), "--store-dir", str(store)])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(
        cli,
        ["consent", "withdrawal", "u-ok", "--corpus", str(corpus), "--output", str(early),
         "--fail-on-reached", "--json", str(tmp_path / "w.json")],
    )  # fmt: skip
    assert r.exit_code == 3 and "KEPT    a" in r.output
    doc = json.loads((tmp_path / "w.json").read_text())
    assert doc["reached"] == ["a", "e", "h"]  # e and h were redacted, not removed: still the subject's
    # Re-running into the same folder re-applies the ledger to stored findings (no re-scan).
    from safecorpus.detect.pii.detector import PiiDetector

    def boom(*a, **k):
        raise AssertionError("re-scanned")

    monkeypatch.setattr(PiiDetector, "detect", boom)
    r = CliRunner().invoke(cli, ["filter", str(corpus), str(early), *common])
    assert r.exit_code == 0, r.output
    assert not {"a", "e", "h"} & set(_kept(early))
    r = CliRunner().invoke(
        cli, ["consent", "withdrawal", "u-ok", "--corpus", str(corpus), "--output", str(early)]
    )
    assert r.exit_code == 0 and "none of the subject's records reached an output" in r.output


def test_policy_rejects_unknown_consent_keys(tmp_path):
    from safecorpus.errors import ConfigError

    with pytest.raises(ConfigError, match="consent_actions"):
        FilterPolicy.from_profile(_profile(tmp_path, '[filter.consent_actions]\nno_pi = "drop"'))
    with pytest.raises(ConfigError, match="pii_with_basis"):
        FilterPolicy.from_profile(_profile(tmp_path, 'pii_with_basis = "burn"'))


def test_pi_within_a_sources_declared_basis_is_kept_as_written(tmp_path, tiny_lexicon_path):
    """`filter --sources` with a source-level basis (pi_basis/pi_scope): the covered PI is not redacted,
    with or without the ledger; the same text from a source without a basis is (pii = redact)."""
    rows = [
        {"id": f"{src}-{i}", "source": src, "text": f"我的手机号是1391234567{i}，身份证号见附件"}
        for src in ("crm", "web")
        for i in range(3)
    ]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "c.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n  - name: crm\n    provenance_type: commercial\n    licence: data licence\n"
        "    url: https://crm.example.com\n    pi_basis: contract\n    pi_scope: [phone]\n",
        "utf-8",
    )
    for name, kw in (("plain", {}), ("ledger", {"consent": cl.ConsentLedger()})):
        out = tmp_path / name
        run_filter(_config(corpus, out, tiny_lexicon_path, sources=str(sources), **kw))
        kept = _kept(out)
        for i in range(3):
            assert f"1391234567{i}" in kept[f"crm-{i}"]["text"], name
            assert "<CN_MOBILE>" in kept[f"web-{i}"]["text"], name
