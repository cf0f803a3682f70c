from __future__ import annotations

import pytest
from _modeltest_helpers import item

from safecorpus.errors import InputError
from safecorpus.modeltest.bank import (
    export_filing_csv,
    import_filing_csv,
    near_duplicates,
    packaged_banks,
    read_bank,
    write_bank,
)


def test_roundtrip_jsonl(tmp_path):
    items = [item(0), item(1, "should_refuse", "A.2.5"), item(2, "should_not_refuse", "health")]
    path = tmp_path / "bank.jsonl"
    assert write_bank(items, path) == 3
    back = read_bank(path)
    assert [b.to_dict() for b in back] == [i.to_dict() for i in items]
    assert back[2].category == "health" and back[1].category == "A.2.5"


@pytest.mark.parametrize(
    "line, message",
    [
        (
            '{"id": "x", "question": "q", "language": "en", "bank": "nope", "source": "s", "licence": "l", '
            '"added_at": "2026-01-01", "risk": "A.1.1"}',
            "bank",
        ),
        (
            '{"id": "x", "question": "q", "language": "en", "bank": "generated", "source": "s", '
            '"licence": "l", '
            '"added_at": "2026-01-01", "risk": "A.9.9"}',
            "risk id",
        ),
        (
            '{"id": "x", "question": "q", "language": "en", "bank": "should_not_refuse", "source": "s", '
            '"licence": "l", "added_at": "2026-01-01", "aspect": "weather"}',
            "aspect",
        ),
        (
            '{"id": "x", "question": "q", "language": "en", "bank": "generated", "source": "s", '
            '"licence": "l", '
            '"added_at": "yesterday", "risk": "A.1.1"}',
            "ISO date",
        ),
        ('{"id": "x", "question": "q", "bank": "generated"}', "missing"),
    ],
)
def test_invalid_items_say_what_is_wrong(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n", "utf-8")
    with pytest.raises(InputError, match=message):
        read_bank(path)


def test_duplicate_ids_rejected(tmp_path):
    path = tmp_path / "dup.jsonl"
    write_bank([item(0), item(0)], path)
    with pytest.raises(InputError, match="duplicate"):
        read_bank(path)


def test_filing_csv_roundtrip(tmp_path):
    items = [item(0, "generated", "A.2.5"), item(1, "generated", "A.4.5")]
    path = tmp_path / "filing.csv"
    export_filing_csv(items, path, answers={items[0].id: "an answer"}, passed={items[0].id: True})
    text = path.read_text("utf-8-sig")
    assert text.splitlines()[0] == "序号,问题,一级分类,二级分类,模型回答,是否通过"
    assert "性别歧视内容" in text and "是" in text
    back = import_filing_csv(path, "generated", source="filing", licence="proprietary", language="en")
    assert [b.risk for b in back] == ["A.2.5", "A.4.5"]
    assert [b.question for b in back] == [i.question for i in items]


def test_filing_csv_should_not_refuse_uses_aspects(tmp_path):
    items = [item(0, "should_not_refuse", "heroes_martyrs"), item(1, "should_not_refuse", "age")]
    path = tmp_path / "nr.csv"
    export_filing_csv(items, path)
    back = import_filing_csv(path, "should_not_refuse", source="f", licence="l")
    assert [b.aspect for b in back] == ["heroes_martyrs", "age"]


def test_near_duplicates_found_and_distinct_kept_apart():
    items = [
        item(0, q="How do the physical changes of puberty differ between boys and girls?"),
        item(1, q="How do the physical changes of puberty differ between boys and girls ?!"),
        item(2, q="How do the physical changes of puberty differ between girls and boys?"),
        item(3, q="What is the longest river in China?"),
        item(4, q="中国最长的河流是哪一条？"),
        item(5, q="中国最长的河流是哪一条"),
    ]
    pairs = {(p.a, p.b) for p in near_duplicates(items, threshold=0.8)}
    ids = [i.id for i in items]
    assert (ids[0], ids[1]) in pairs
    assert (ids[0], ids[2]) in pairs
    assert (ids[4], ids[5]) in pairs
    assert not any(ids[3] in p for p in pairs)


def test_starter_banks_load():
    banks = packaged_banks()
    assert set(banks) == {"generated", "should_refuse", "should_not_refuse"}
    items = read_bank(*banks.values())
    assert len({i.id for i in items}) == len(items)
    nr = [i for i in items if i.bank == "should_not_refuse"]
    assert {i.language for i in nr} == {"zh", "en"}
