"""`filter` acts on the personal information the decision rule counts, and only on that.

A person's or a place's name alone is kept as written; an identifier is redacted (default `pii`), and a
sensitive-category word is redacted only beside an identifier, as `assess` counts them.
"""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from safecorpus.pipeline import FilterConfig, run_filter
from safecorpus.taxonomy.profile import load_profile

ROWS = [
    {"id": "name", "text": "记者王建国在北京市朝阳区报道了这场比赛。"},
    {"id": "phone", "text": "报名请联系王建国，电话 13812345678，谢谢。"},
]


def test_names_and_places_are_kept_identifiers_redacted(tmp_path: Path, tiny_lexicon_path: Path) -> None:
    pytest.importorskip("safecorpus.detect.pii")
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS), "utf-8")
    out = tmp_path / "out"
    summary = run_filter(
        FilterConfig(
            corpus=str(src),
            out=str(out),
            profile=load_profile(),
            lexicon=str(tiny_lexicon_path),
            pii=True,
            default_blocklist=False,
        )
    )
    assert summary["records"]["kept"] == 2
    kept = {
        r["id"]: r["text"]
        for p in sorted((out / "data").iterdir())
        for r in map(orjson.loads, p.read_bytes().splitlines())
    }
    assert kept["name"] == ROWS[0]["text"]  # a name and a district alone are nobody's identifier
    assert "13812345678" not in kept["phone"] and "<" in kept["phone"]
    findings = b"".join(p.read_bytes() for p in (out / "findings").iterdir())
    assert b'"PERSON"' in findings  # the name was found (and stored), just not acted on
