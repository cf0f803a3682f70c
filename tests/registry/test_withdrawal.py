"""The withdrawal report on real `safecorpus filter` output and on a plain folder of JSONL files."""

import json

import pytest
from click.testing import CliRunner

from safecorpus.registry.withdrawal import withdrawal_report

ROWS = [
    {"id": "a", "user_id": "u1", "text": "你好，今天天气不错。"},
    {"id": "b", "user_id": "u2", "text": "我的电话是13812345678"},
    {"id": "c", "user_id": "u1", "text": "第二条记录，没有问题。"},
]


@pytest.fixture
def corpus(tmp_path):
    p = tmp_path / "corpus" / "c.jsonl"
    p.parent.mkdir()
    p.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS) + "\n", "utf-8")
    return p.parent


def _cli():
    from safecorpus.cli import _register, cli

    _register()
    return cli


def test_on_filter_output(tmp_path, corpus, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cli = _cli()
    if "filter" not in cli.commands:
        pytest.skip("safecorpus filter is not installed")
    r = CliRunner().invoke(cli, ["filter", str(corpus), "out", "--no-assessment", "--no-progress"])
    assert r.exit_code == 0, r.output
    doc = withdrawal_report("u1", corpus, [tmp_path / "out"])
    assert [x["id"] for x in doc["records"]] == ["a", "c"]
    (out,) = doc["outputs"]
    assert out["kind"] == "filter" and {k["id"] for k in out["kept"]} == {"a", "c"}
    assert doc["reached"] == ["a", "c"] and doc["clean"] is False
    # A removal ledger entry is reported as removed, not as reached.
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    shard = manifest["output"]["shards"][0]
    data = tmp_path / "out" / shard["data"]["path"]
    kept = [json.loads(line) for line in data.read_text().splitlines() if json.loads(line)["id"] != "a"]
    data.write_text("".join(json.dumps(k, ensure_ascii=False) + "\n" for k in kept))
    ledger = tmp_path / "out" / shard["ledger"]["path"]
    ledger.write_text(json.dumps({"id": "a", "outcome": "removed", "reason": "pii"}) + "\n")
    doc = withdrawal_report("u1", corpus, [tmp_path / "out"])
    assert doc["reached"] == ["c"]
    assert doc["outputs"][0]["removed"] == [
        {"id": "a", "shard": shard["shard"], "outcome": "removed", "reason": "pii"}
    ]
    r = CliRunner().invoke(
        cli, ["consent", "withdrawal", "u1", "--corpus", str(corpus), "--output", "out", "--fail-on-reached"]
    )
    assert r.exit_code == 3 and "KEPT    c" in r.output and "removed a  pii" in r.output


def test_on_jsonl_folder(tmp_path, corpus):
    out = tmp_path / "plain"
    (out / "part").mkdir(parents=True)
    (out / "part" / "x.jsonl").write_text(json.dumps({"id": "b", "text": "…"}) + "\n")
    doc = withdrawal_report("u2", corpus, [out])
    assert doc["outputs"][0]["kind"] == "jsonl" and doc["reached"] == ["b"]
    assert withdrawal_report("u1", corpus, [out])["clean"] is True
