"""Deterministic generator of the bundled demo corpus (examples/demo-corpus).

The benign text is written here, from sentence templates the project wrote; flagged items carry one term
drawn from the packaged keyword library at generation time (no sentences come from any dataset). Each
source gets an exact number of flagged items, chosen so that with the default profile and seed one
source is blacklisted, some pass and one is inconclusive. Generation checks every benign item against
the library and fails loudly if a template ever starts to match, so the rates stay exact.

    python scripts/make_demo_corpus.py [OUT_DIR]
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from safecorpus.detect.lexicon.detector import LexiconDetector
from safecorpus.detect.lexicon.library import Lexicon, Term, read_lexicon
from safecorpus.detect.registry import variant_options
from safecorpus.taxonomy.profile import load_profile

SEED = 20261128

_ZH_SUBJECTS = [
    "我们社区",
    "这家小店",
    "学校图书馆",
    "老张一家",
    "新开的博物馆",
    "城市公园",
    "周末市集",
    "邻居阿姨",
    "科技公司的团队",
    "骑行俱乐部",
    "社区食堂",
    "小区物业",
    "合唱团",
    "志愿者小组",
    "乡村小学",
]
_ZH_ACTIONS = [
    "举办了一场读书分享会",
    "推出了新的早餐菜单",
    "组织了春季植树活动",
    "更新了开放时间",
    "分享了种植番茄的经验",
    "介绍了垃圾分类的方法",
    "拍摄了一组风景照片",
    "完成了年度体检安排",
    "准备了一次亲子手工课",
    "收集了旧书捐赠清单",
    "研究了节约用水的小窍门",
    "记录了候鸟迁徙的时间",
    "开展了消防安全演练",
    "讨论了周末的徒步路线",
    "展示了自制的陶艺作品",
]
_ZH_DETAILS = [
    "大家都觉得很有意思。",
    "参加的人比去年多了不少。",
    "天气晴朗，气氛很轻松。",
    "很多孩子也来了。",
    "活动结束后大家一起合影留念。",
    "下个月还会再办一次。",
    "欢迎更多朋友报名参加。",
    "现场还提供了免费的茶水。",
    "不少老人也积极参与。",
    "具体安排会在公告栏发布。",
]
_EN_SUBJECTS = [
    "The library",
    "Our cycling club",
    "A local bakery",
    "The city museum",
    "The school choir",
    "A neighbourhood garden",
    "The weekend market",
    "Our volunteer group",
    "The science centre",
    "A small bookshop",
]
_EN_ACTIONS = [
    "hosted a reading evening",
    "opened a new reading room",
    "planted twenty apple trees",
    "published its summer timetable",
    "ran a workshop on bread baking",
    "repaired the old footbridge",
    "collected books for a village school",
    "organised a birdwatching walk",
    "shared tips on saving water",
    "held a free repair cafe",
]
_EN_DETAILS = [
    "Everyone enjoyed it.",
    "More people came than last year.",
    "The weather was mild and sunny.",
    "Children joined in too.",
    "Another session is planned for next month.",
    "Tea and biscuits were served.",
    "Details will be posted on the notice board.",
]
_ZH_CARRIERS = [
    "评论区有人提到了{term}，管理员随后处理了。",
    "帖子里夹带了{term}的内容。",
    "有一段留言写着{term}。",
]
_EN_CARRIERS = ["One comment mentioned {term} before it was removed.", "A reply contained {term}."]


@dataclass(frozen=True)
class SourceSpec:
    name: str
    items: int
    flagged: int
    writer: str  # jsonl | jsonl.gz | csv-gbk | parquet | txt
    language: str  # zh | en | mixed


# With k=400 per source and the default seed: news-portal and ugc-shortposts pass, forum-dump is
# blacklisted, qa-community is inconclusive, encyclopedia is a clean census.
SOURCES = (
    SourceSpec("news-portal", 2000, 10, "jsonl", "mixed"),
    SourceSpec("forum-dump", 1500, 240, "jsonl.gz", "zh"),
    SourceSpec("qa-community", 1200, 60, "csv-gbk", "zh"),
    SourceSpec("ugc-shortposts", 1000, 8, "parquet", "mixed"),
    SourceSpec("encyclopedia", 150, 0, "txt", "en"),
)


def _benign(rng: random.Random, language: str) -> str:
    def zh() -> str:
        return "".join(
            f"{rng.choice(_ZH_SUBJECTS)}{rng.choice(_ZH_ACTIONS)}，{rng.choice(_ZH_DETAILS)}"
            for _ in range(rng.randint(2, 5))
        )

    def en() -> str:
        return " ".join(
            f"{rng.choice(_EN_SUBJECTS)} {rng.choice(_EN_ACTIONS)}. {rng.choice(_EN_DETAILS)}"
            for _ in range(rng.randint(2, 4))
        )

    if language == "zh":
        return zh()
    if language == "en":
        return en()
    return zh() + " " + en() if rng.random() < 0.5 else en()


def _flagging_terms(lexicon: Lexicon, detector: LexiconDetector) -> list[Term]:
    """Library terms that count as violations by themselves and are detected when placed in carriers."""
    groups = {"A.1", "A.2", "A.3", "A.4"}
    chosen = []
    for term in lexicon.terms:
        if term.weight < 0.5 or term.risk.rsplit(".", 1)[0] not in groups or len(term.term) < 2:
            continue
        if "{" in term.term or "}" in term.term:
            continue
        chosen.append(term)
    rng = random.Random(SEED)
    rng.shuffle(chosen)
    usable = []
    for term in chosen[:4000]:
        carrier = (_EN_CARRIERS[0] if term.term.isascii() else _ZH_CARRIERS[0]).format(term=term.term)
        if detector.match_batch([carrier]):
            usable.append(term)
        if len(usable) >= 600:
            break
    return usable


def generate(out_dir: str | Path, lexicon: Lexicon | None = None) -> dict[str, int]:
    """Write the demo corpus to ``out_dir`` (replacing it); return flagged counts per source."""
    out = Path(out_dir)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    lexicon = lexicon or read_lexicon("default")
    variants = variant_options(load_profile())  # the profile's variants, as the registry builds them
    detector = LexiconDetector(lexicon, variants=variants)  # as `assess` will see the text
    terms = _flagging_terms(lexicon, detector)
    if not terms:
        raise RuntimeError("the keyword library has no usable terms for the demo corpus")
    rng = random.Random(SEED)
    counts: dict[str, int] = {}
    for spec in SOURCES:
        flagged_idx = set(rng.sample(range(spec.items), spec.flagged))
        rows = []
        for i in range(spec.items):
            text = _benign(rng, spec.language)
            if detector.match_batch([text]):
                raise RuntimeError(
                    f"a benign demo text matched the library ({spec.name} #{i}); adjust templates"
                )
            if i in flagged_idx:
                term = rng.choice(terms)
                carrier = rng.choice(_EN_CARRIERS if term.term.isascii() else _ZH_CARRIERS)
                text = f"{text} {carrier.format(term=term.term)}"
            rows.append({"id": f"{spec.name}-{i:05d}", "text": text})
        counts[spec.name] = spec.flagged
        _WRITERS[spec.writer](out, spec, rows, rng)
    (out / "README.md").write_text(_README, "utf-8")
    return counts


def _write_jsonl(out: Path, spec: SourceSpec, rows: list[dict], rng: random.Random) -> None:
    lines = []
    for row in rows:
        doc = {
            "id": row["id"],
            "text": row["text"],
            "url": f"https://{spec.name}.example.cn/a/{row['id']}",
            "license": "CC-BY-4.0",
            "collected_at": "2026-11-01",
        }
        lines.append(json.dumps(doc, ensure_ascii=False))
    (out / f"{spec.name}.jsonl").write_text("\n".join(lines) + "\n", "utf-8")


def _write_jsonl_gz(out: Path, spec: SourceSpec, rows: list[dict], rng: random.Random) -> None:
    lines = [
        json.dumps(
            {"id": r["id"], "source": spec.name, "text": r["text"], "user_id": f"u{rng.randint(1, 999)}"},
            ensure_ascii=False,
        )
        for r in rows
    ]
    # two broken lines show how rejected input is counted and reported
    lines.insert(100, '{"id": "forum-dump-broken-1", "text": "unterminated')
    lines.insert(700, json.dumps({"id": "forum-dump-broken-2", "source": spec.name, "body": "no text field"}))
    data = ("\n".join(lines) + "\n").encode("utf-8")
    with (
        (out / f"{spec.name}.jsonl.gz").open("wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz,
    ):
        gz.write(data)


def _write_csv_gbk(out: Path, spec: SourceSpec, rows: list[dict], rng: random.Random) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["id", "source", "question_id", "text"])
    for row in rows:
        writer.writerow([row["id"], spec.name, rng.randint(10_000, 99_999), row["text"]])
    (out / f"{spec.name}.csv").write_bytes(buf.getvalue().encode("gbk"))


def _write_parquet(out: Path, spec: SourceSpec, rows: list[dict], rng: random.Random) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "id": [r["id"] for r in rows],
            "text": [r["text"] for r in rows],
            "source": [spec.name] * len(rows),
            "service": ["short-posts-app"] * len(rows),
        }
    )
    pq.write_table(table, out / f"{spec.name}.parquet", compression="zstd")


def _write_txt(out: Path, spec: SourceSpec, rows: list[dict], rng: random.Random) -> None:
    folder = out / spec.name
    folder.mkdir()
    for row in rows:
        (folder / f"{row['id']}.txt").write_text(row["text"] + "\n", "utf-8")


_WRITERS: dict[str, Callable[[Path, SourceSpec, list[dict], random.Random], None]] = {
    "jsonl": _write_jsonl,
    "jsonl.gz": _write_jsonl_gz,
    "csv-gbk": _write_csv_gbk,
    "parquet": _write_parquet,
    "txt": _write_txt,
}

_README = (
    """# Demo corpus

Generated by `python scripts/make_demo_corpus.py` (safecorpus.demo); do not edit by hand.
Benign text written by the project; flagged items carry one term from the packaged keyword library.

| source | format | items | flagged |
|---|---|---|---|
"""
    + "".join(f"| {s.name} | {s.writer} | {s.items} | {s.flagged} |\n" for s in SOURCES)
    + """
`forum-dump.jsonl.gz` also holds two broken lines (rejected with reasons), and `qa-community.csv` is
GBK-encoded (detected automatically).
"""
)
