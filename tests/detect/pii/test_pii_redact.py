import pytest

from safecorpus.detect.pii import PiiDetector, redact

DET = PiiDetector(sensitive=False)
TEXT = "联系人：王小明，手机13812345678，邮箱wxm@example.cn。再次提醒：13812345678。"


def test_tag_keeps_the_rest_of_the_text():
    out = redact(TEXT, DET.spans(TEXT), mode="tag")
    assert out == "联系人：<PERSON>，手机<CN_MOBILE>，邮箱<EMAIL>。再次提醒：<CN_MOBILE>。"


def test_mask_keeps_length():
    out = redact(TEXT, DET.spans(TEXT), mode="mask")
    assert len(out) == len(TEXT) and "13812345678" not in out


def test_hash_same_value_same_token_and_key_matters():
    a = redact(TEXT, DET.spans(TEXT), mode="hash", key="k1")
    tokens = [t for t in a.split("<CN_MOBILE:")[1:]]
    assert len(tokens) == 2 and tokens[0][:12] == tokens[1][:12]
    assert a != redact(TEXT, DET.spans(TEXT), mode="hash", key="k2")


def test_hash_needs_key_and_overlaps_merge():
    with pytest.raises(ValueError):
        redact(TEXT, [], mode="hash")
    spans = [{"start": 0, "end": 5, "type": "A"}, {"start": 3, "end": 8, "type": "B"}]
    assert redact("0123456789", spans, mode="tag") == "<A>89"


def test_dict_findings_from_scan_output():
    from safecorpus.detect.pii import scan_records
    from safecorpus.io.records import Record

    (row,) = scan_records([Record("r", TEXT, "s", "f", 1)], DET)
    assert redact(TEXT, row["findings"], mode="tag").count("<CN_MOBILE>") == 2
