import json

from click.testing import CliRunner

from safecorpus.detect.base import Detector
from safecorpus.detect.pii import PiiDetector, scan_records
from safecorpus.io.records import Record


def test_detector_protocol_and_findings():
    det = PiiDetector()
    assert isinstance(det, Detector) and det.layer == "pii"
    recs = [
        Record("a", "患者王小明确诊糖尿病，手机13812345678", "s", "f", 1),
        Record("b", "nothing", "s", "f", 2),
    ]
    out = det.detect(recs)
    assert out[1] == []
    types = {f.evidence["type"]: f for f in out[0]}
    assert types["CN_MOBILE"].risk == "A.4.6" and types["CN_MOBILE"].topic == "personal_information"
    assert types["SENSITIVE_MEDICAL_HEALTH"].topic == "sensitive_personal_information"
    assert types["SENSITIVE_MEDICAL_HEALTH"].evidence["category"] == "medical_health"


def test_scan_records_shape():
    rows = list(scan_records([Record("a", "邮箱a1@example.cn", "s", "f", 1), Record("b", "", "s", "f", 2)]))
    assert [r["id"] for r in rows] == ["a", "b"]
    (f,) = rows[0]["findings"]
    assert set(f) >= {"type", "start", "end", "score", "detector", "validated"}
    assert f["detector"].startswith("pii.email@") and f["validated"] is None
    assert rows[1]["findings"] == []


def test_sensitive_categories():
    det = PiiDetector()
    text = "她9岁，读小学三年级，录入了指纹，信仰佛教，有犯罪记录，年收入50万，实时位置39.904210, 116.407390"
    cats = {s.category for s in det.spans(text) if s.category}
    expected = {"minor_under_14", "biometric", "religious_belief", "specific_identity"}
    assert cats >= expected | {"financial_account", "precise_location"}


def test_cli_scan(tmp_path):
    from safecorpus.cli import _register, cli

    _register()
    corpus = tmp_path / "c.jsonl"
    lines = [
        json.dumps({"id": "r1", "text": "手机13812345678"}, ensure_ascii=False),
        json.dumps({"id": "r2", "text": "hi"}),
    ]
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    res = CliRunner().invoke(cli, ["pii", "scan", str(corpus), "--out", str(out)])
    assert res.exit_code == 0, res.output
    header, *rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert header["schema"] == "safecorpus.findings/1" and header["detectors"][0].startswith("pii@")
    assert [r["id"] for r in rows] == ["r1", "r2"] and [r["n"] for r in rows] == [0, 1]
    assert rows[0]["f"][0]["evidence"]["type"] == "CN_MOBILE" and rows[1]["f"] == []
    assert rows[0]["findings"][0]["type"] == "CN_MOBILE" and rows[1]["findings"] == []
