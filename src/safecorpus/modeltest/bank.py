"""Question banks: one JSON object per line, plus the filing attachment layout as CSV.

A bank item has ``id``, ``question``, ``language`` (``zh``/``en``/…), ``bank`` (``generated`` |
``should_refuse`` | ``should_not_refuse``), ``risk`` (an Appendix A id, for the first two banks) or ``aspect``
(one of the 13 should-not-refuse aspects), ``source``, ``licence`` and ``added_at`` (ISO date). Optional:
``topic`` (a finer tag under the risk) and ``meta`` (anything else, kept as is).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from safecorpus.errors import InputError
from safecorpus.io.atomic import atomic_writer
from safecorpus.taxonomy.risks import Taxonomy, load_taxonomy

BANKS: tuple[str, ...] = ("generated", "should_refuse", "should_not_refuse")

# The 13 aspects a should-not-refuse bank must cover (TC260-003 8.3.b): 9 about the country, 4 about a person.
# id -> (scope, zh, en)
ASPECTS: dict[str, tuple[str, str, str]] = {
    "system": ("national", "我国制度", "the country's system"),
    "beliefs": ("national", "信仰", "beliefs"),
    "image": ("national", "形象", "national image"),
    "culture": ("national", "文化", "culture"),
    "customs": ("national", "习俗", "customs"),
    "ethnic_groups": ("national", "民族", "ethnic groups"),
    "geography": ("national", "地理", "geography"),
    "history": ("national", "历史", "history"),
    "heroes_martyrs": ("national", "英雄烈士", "heroes and martyrs"),
    "gender": ("personal", "性别", "gender"),
    "age": ("personal", "年龄", "age"),
    "occupation": ("personal", "职业", "occupation"),
    "health": ("personal", "健康", "health"),
}
_SCOPE_NAMES = {"national": ("国家", "national"), "personal": ("个人", "personal")}
_BANK_NAMES = {
    "generated": "生成内容测试题库",
    "should_refuse": "应拒答测试题库",
    "should_not_refuse": "非拒答测试题库",
}

_REQUIRED = ("id", "question", "language", "bank", "source", "licence", "added_at")


@dataclass(slots=True)
class BankItem:
    id: str
    question: str
    language: str
    bank: str
    source: str
    licence: str
    added_at: str
    risk: str | None = None
    aspect: str | None = None
    topic: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def category(self) -> str:
        """The risk id or the aspect id: what coverage and per-category rates are keyed on."""
        return str(self.risk) if self.bank != "should_not_refuse" else str(self.aspect)

    @property
    def added_date(self) -> dt.date:
        return parse_date(self.added_at)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "question": self.question,
            "language": self.language,
            "bank": self.bank,
        }
        if self.risk is not None:
            out["risk"] = self.risk
        if self.aspect is not None:
            out["aspect"] = self.aspect
        if self.topic is not None:
            out["topic"] = self.topic
        out.update(source=self.source, licence=self.licence, added_at=self.added_at)
        if self.meta:
            out["meta"] = self.meta
        return out


def parse_date(value: str) -> dt.date:
    """An ISO date or date-time (``2026-11-28`` or ``2026-11-28T10:00:00Z``) as a date."""
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise InputError(f"added_at {value!r} is not an ISO date (YYYY-MM-DD)") from None


def validate_item(raw: dict[str, Any], where: str, taxonomy: Taxonomy | None = None) -> BankItem:
    """Turn one parsed JSON object into a :class:`BankItem`; raise :class:`InputError` if it is wrong."""
    taxonomy = taxonomy or load_taxonomy()
    missing = [k for k in _REQUIRED if not str(raw.get(k, "")).strip()]
    if missing:
        raise InputError(f"{where}: missing field(s) {', '.join(missing)}; every bank item needs {_REQUIRED}")
    bank = str(raw["bank"])
    if bank not in BANKS:
        raise InputError(f"{where}: bank {bank!r} is not one of {', '.join(BANKS)}")
    risk, aspect, topic = raw.get("risk"), raw.get("aspect"), raw.get("topic")
    if bank == "should_not_refuse":
        if aspect not in ASPECTS:
            raise InputError(f"{where}: should_not_refuse items need an aspect, one of {', '.join(ASPECTS)}")
        risk = None
    else:
        if not risk or risk not in taxonomy.ids:
            raise InputError(f"{where}: {bank} items need a risk id A.1.1 … A.5.2, got {risk!r}")
        if topic and topic not in taxonomy.risk(risk).topics:
            raise InputError(f"{where}: topic {topic!r} is not a topic of {risk}")
        aspect = None
    parse_date(raw["added_at"])
    return BankItem(
        id=str(raw["id"]),
        question=str(raw["question"]),
        language=str(raw["language"]),
        bank=bank,
        source=str(raw["source"]),
        licence=str(raw["licence"]),
        added_at=str(raw["added_at"]),
        risk=risk,
        aspect=aspect,
        topic=topic or None,
        meta=dict(raw.get("meta") or {}),
    )


def iter_bank(path: str | Path) -> Iterator[BankItem]:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: bank file not found; give the path of a .jsonl bank")
    taxonomy = load_taxonomy()
    with path.open("rb") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                raw = orjson.loads(line)
            except orjson.JSONDecodeError:
                raise InputError(f"{path}:{lineno}: not valid JSON; one JSON object per line") from None
            if not isinstance(raw, dict):
                raise InputError(f"{path}:{lineno}: expected a JSON object")
            yield validate_item(raw, f"{path}:{lineno}", taxonomy)


def read_bank(*paths: str | Path) -> list[BankItem]:
    """Read one or more bank files; duplicate ids are an error (ids key the answer store and the draws)."""
    items: list[BankItem] = []
    seen: dict[str, str] = {}
    for path in paths:
        for item in iter_bank(path):
            if item.id in seen:
                raise InputError(f"{path}: duplicate item id {item.id!r} (first seen in {seen[item.id]})")
            seen[item.id] = str(path)
            items.append(item)
    return items


def write_bank(items: Iterable[BankItem], path: str | Path) -> int:
    n = 0
    with atomic_writer(path) as fh:
        for item in items:
            fh.write(orjson.dumps(item.to_dict()) + b"\n")
            n += 1
    return n


def packaged_banks() -> dict[str, Path]:
    """The starter banks shipped with the package, by bank name."""
    from importlib import resources

    folder = Path(str(resources.files("safecorpus.data").joinpath("banks")))
    return {b: folder / f"{b}.jsonl" for b in BANKS if (folder / f"{b}.jsonl").is_file()}


# --- the filing attachment layout ------------------------------------------------------------------------

FILING_COLUMNS = ("序号", "问题", "一级分类", "二级分类", "模型回答", "是否通过")
_FILING_ALIASES = {
    "number": "序号",
    "question": "问题",
    "level1": "一级分类",
    "level-1 category": "一级分类",
    "level2": "二级分类",
    "level-2 category": "二级分类",
    "answer": "模型回答",
    "model answer": "模型回答",
    "pass": "是否通过",
}


def filing_categories(item: BankItem, taxonomy: Taxonomy | None = None) -> tuple[str, str]:
    """(level-1, level-2) category names in Chinese, as the filing attachment lists them."""
    taxonomy = taxonomy or load_taxonomy()
    if item.bank == "should_not_refuse":
        scope, zh, _ = ASPECTS[str(item.aspect)]
        return _SCOPE_NAMES[scope][0], zh
    risk = taxonomy.risk(str(item.risk))
    group = next(g for g in taxonomy.groups if g.id == risk.group)
    return group.zh, risk.zh


def _pass_text(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


def export_filing_csv(
    items: Sequence[BankItem],
    path: str | Path,
    answers: dict[str, str] | None = None,
    passed: dict[str, bool | None] | None = None,
) -> int:
    """Write the filing attachment (number, question, level-1, level-2, model answer, pass) as UTF-8 CSV."""
    taxonomy = load_taxonomy()
    answers, passed = answers or {}, passed or {}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(FILING_COLUMNS)
        for number, item in enumerate(items, 1):
            level1, level2 = filing_categories(item, taxonomy)
            writer.writerow(
                [
                    number,
                    item.question,
                    level1,
                    level2,
                    answers.get(item.id, ""),
                    _pass_text(passed.get(item.id)),
                ]
            )
    return len(items)


def _category_lookup(bank: str, taxonomy: Taxonomy) -> dict[str, str]:
    out: dict[str, str] = {}
    if bank == "should_not_refuse":
        for aid, (_, zh, en) in ASPECTS.items():
            out.update({aid: aid, zh: aid, en.lower(): aid})
    else:
        for r in taxonomy.risks:
            out.update({r.id: r.id, r.zh: r.id, r.en.lower(): r.id})
    return out


def import_filing_csv(
    path: str | Path, bank: str, source: str, licence: str, language: str = "zh", added_at: str | None = None
) -> list[BankItem]:
    """Read a filing attachment CSV back into bank items; the level-2 category names the risk or aspect."""
    if bank not in BANKS:
        raise InputError(f"bank {bank!r} is not one of {', '.join(BANKS)}")
    taxonomy = load_taxonomy()
    lookup = _category_lookup(bank, taxonomy)
    added_at = added_at or dt.date.today().isoformat()
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    items: list[BankItem] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        cols = {c: _FILING_ALIASES.get(c.strip().lower(), c.strip()) for c in reader.fieldnames or ()}
        if "问题" not in cols.values() or "二级分类" not in cols.values():
            raise InputError(
                f"{path}: needs the columns {', '.join(FILING_COLUMNS)} (or their English names)"
            )
        for lineno, row in enumerate(reader, 2):
            rec = {cols[k]: (v or "").strip() for k, v in row.items() if k in cols}
            if not rec.get("问题"):
                continue
            level2 = rec.get("二级分类", "")
            cat = lookup.get(level2) or lookup.get(level2.lower())
            if cat is None:
                raise InputError(
                    f"{path}:{lineno}: level-2 category {level2!r} is not a known risk or aspect"
                )
            number = rec.get("序号") or str(lineno - 1)
            raw = {
                "id": f"{source}/{number}",
                "question": rec["问题"],
                "language": language,
                "bank": bank,
                "risk": cat if bank != "should_not_refuse" else None,
                "aspect": cat if bank == "should_not_refuse" else None,
                "source": source,
                "licence": licence,
                "added_at": added_at,
            }
            items.append(validate_item(raw, f"{path}:{lineno}", taxonomy))
    return items


# --- near-duplicate questions ---------------------------------------------------------------------------

_STRIP = re.compile(r"[\s\W_]+", re.UNICODE)


def normalise_question(text: str) -> str:
    """NFKC, lower case, no whitespace or punctuation: what near-duplicate detection compares."""
    return _STRIP.sub("", unicodedata.normalize("NFKC", text).lower())


def shingles(text: str, k: int = 3) -> set[int]:
    norm = normalise_question(text)
    if len(norm) <= k:
        return {zlib.crc32(norm.encode("utf-8"))} if norm else set()
    return {zlib.crc32(norm[i : i + k].encode("utf-8")) for i in range(len(norm) - k + 1)}


def jaccard(a: set[int], b: set[int]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


@dataclass(frozen=True, slots=True)
class NearDuplicate:
    a: str
    b: str
    similarity: float


def near_duplicates(
    items: Sequence[BankItem],
    threshold: float = 0.8,
    k: int = 3,
    bands: int = 32,
    rows: int = 4,
    seed: int = 1,
) -> list[NearDuplicate]:
    """Pairs of questions whose character ``k``-shingle Jaccard similarity is at least ``threshold``.

    MinHash (``bands`` × ``rows`` hash functions) with banded locality-sensitive hashing proposes candidate
    pairs; every candidate is confirmed with the exact Jaccard similarity, so no reported pair is a guess.
    With 32 × 4 a pair at Jaccard 0.8 is proposed with probability > 0.99999.
    """
    sets = [shingles(it.question, k) for it in items]
    rng = np.random.default_rng(seed)
    n_hash = bands * rows
    a = rng.integers(0, 1 << 63, n_hash, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = rng.integers(0, 1 << 63, n_hash, dtype=np.uint64)
    candidates: set[tuple[int, int]] = set()
    buckets: dict[tuple[int, bytes], list[int]] = {}
    for idx, s in enumerate(sets):
        if not s:
            continue
        x = np.fromiter(s, dtype=np.uint64, count=len(s))
        # multiply-shift hashing modulo 2^64 (wrap-around is the point); odd multipliers
        h = a[:, None] * x[None, :] + b[:, None]
        sig = h.min(axis=1)
        for band in range(bands):
            key = (band, sig[band * rows : (band + 1) * rows].tobytes())
            buckets.setdefault(key, []).append(idx)
    for members in buckets.values():
        if len(members) > 1:
            for i in range(len(members)):
                for j in range(i + 1, len(members)):
                    candidates.add((members[i], members[j]))
    out = []
    for i, j in sorted(candidates):
        sim = jaccard(sets[i], sets[j])
        if sim >= threshold:
            out.append(NearDuplicate(items[i].id, items[j].id, round(sim, 4)))
    return out
