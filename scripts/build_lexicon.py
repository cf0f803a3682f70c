#!/usr/bin/env python
"""Build the packaged default keyword library from the permissive datasets in ../shared/datasets.

    .venv/bin/python scripts/build_lexicon.py [--datasets DIR] [--date YYYY-MM-DD] [--report FILE]

Writes src/safecorpus/data/lexicons/default.tsv and src/safecorpus/data/blocklists/domains.txt. The output
depends only on the inputs and --date: terms are sorted and every sample uses a fixed seed. The methods
(category mapping, seed rules, containment, log-odds derivation, filters) are described in
docs/lexicon-library.md; the mapping and seed files live in src/safecorpus/data/lexicons/mappings/.

Build-only dependencies: opencc (traditional → simplified), jieba (Chinese word segmentation for the
derivations). Neither is needed at runtime.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import json
import math
import random
import re
import sys
import tomllib
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from safecorpus.detect.lexicon.importer import (  # noqa: E402
    SKIP,
    import_category_lists,
    load_mapping,
    read_term_list,
)
from safecorpus.detect.lexicon.library import Lexicon, Term, write_lexicon  # noqa: E402
from safecorpus.taxonomy.risks import load_taxonomy  # noqa: E402

MAPPINGS = REPO / "src/safecorpus/data/lexicons/mappings"
OUT_TSV = REPO / "src/safecorpus/data/lexicons/default.tsv"
OUT_DOMAINS = REPO / "src/safecorpus/data/blocklists/domains.txt"
SEED = 20250425  # fixed seed for spot-check samples

# Weights: clear-cut categorised terms 1.0, seed-assigned 0.6, fallback of a
# mixed file 0.5, containment-assigned 0.5, statistically derived 0.4-0.5.
W_CATEGORY, W_SEED, W_FALLBACK, W_CONTAINS, W_DERIVED = 1.0, 0.6, 0.5, 0.5, 0.4
# Priority when one canonical term comes from several methods: lower wins.
PRIO = {"category": 0, "seed": 2, "derived": 3, "fallback": 4, "contains": 5}

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LATIN_ONLY = re.compile(r"^[a-z][a-z0-9 '\-]*$")
DOMAIN = re.compile(
    r"^(?:[a-z]+://)?(?:www\.)?((?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+[a-z]{2,}[a-z0-9]*)(?::\d+)?(?:/\S*)?$"
)
IP = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?$")
URLISH = re.compile(r"(?:://|www\.|\.(?:com|cn|net|org|info|biz|cc|tk|hk|tw|la|in|me|tv)\b)")
LONG_DIGITS = re.compile(r"\d{5,}")
NO_WORD = re.compile(r"^[\W\d_]+$")
SPACE_NEAR_CJK = re.compile(r"\s+(?=[\u3400-\u9fff])|(?<=[\u3400-\u9fff])\s+")
MAX_LEN = 24
META_FILES = {"SOURCE", "LICENSE", "README"}  # dataset metadata next to the lists


# --------------------------------------------------------------------------------------------- basics
class Canon:
    """NFKC, lower case, traditional → simplified (OpenCC t2s), whitespace tidied."""

    def __init__(self) -> None:
        import opencc

        self._cc = opencc.OpenCC("t2s")
        self._cache: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        got = self._cache.get(text)
        if got is None:
            s = unicodedata.normalize("NFKC", text).lower()
            if CJK.search(s):
                s = self._cc.convert(s)
                s = SPACE_NEAR_CJK.sub("", s)
            got = " ".join(s.split())
            self._cache[text] = got
        return got


@dataclass
class Cand:
    term: str  # canonical form
    tag: str
    weight: float
    lang: str
    source: str
    method: str


def cjk_len(term: str) -> int:
    return len(CJK.findall(term))


def read_csv(path: Path, encoding: str = "utf-8-sig") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh))


def load_rules(path: Path) -> list[dict]:
    rules = tomllib.loads(path.read_text("utf-8"))["rule"]
    tax = load_taxonomy()
    for rule in rules:
        tax.validate_tag(rule["tag"])
    return rules


class SeedMatcher:
    """Longest-seed-wins substring (zh) or whole-word (en) rule matcher; ties go to the earlier rule."""

    def __init__(self, rules: list[dict], canon: Canon, words: bool = False) -> None:
        self.words = words
        self.strong: list[tuple[str, int, str]] = []
        self.weak: list[tuple[str, int, str]] = []
        for order, rule in enumerate(rules):
            bucket = self.weak if rule.get("weak") else self.strong
            for seed in rule["seeds"]:
                bucket.append((canon(seed), order, rule["tag"]))

    def _hit(self, term: str, seed: str) -> bool:
        if not self.words:
            return seed in term
        return re.search(rf"(?<![a-z]){re.escape(seed)}(?![a-z])", term) is not None

    def match(self, term: str) -> str | None:
        for bucket in (self.strong, self.weak):
            best: tuple[int, int, str] | None = None
            for seed, order, tag in bucket:
                if self._hit(term, seed):
                    key = (-len(seed), order, tag)
                    if best is None or key < best:
                        best = key
            if best:
                return best[2]
        return None


# -------------------------------------------------------------------------------------------- filters
class Filters:
    def __init__(self, datasets: Path, canon: Canon) -> None:
        self.canon = canon
        stop = datasets / "lexicon_fwwdn/stopword.dic"
        self.stop_zh = {canon(t) for t in read_term_list(stop)} if stop.exists() else set()
        self.common_zh = {canon(t) for t in read_term_list(MAPPINGS / "common_words_zh.txt")}
        self.stop_en = {canon(t) for t in read_term_list(MAPPINGS / "stopwords_en.txt")}
        self.benign_zh = self._benign_zh(datasets)
        self.benign_en_df = self._benign_en(datasets)
        self.benign_zh_df: dict[str, int] = {}

    def _benign_zh(self, datasets: Path) -> list[str]:
        texts: list[str] = []
        cold = datasets / "cold/COLDataset/train.csv"
        if cold.exists():
            texts += [r["TEXT"] for r in read_csv(cold) if r["label"].strip() == "0"]
        swsr = datasets / "swsr/SWSR/SexComment.csv"
        if swsr.exists():
            texts += [r["comment_text"] for r in read_csv(swsr) if r["label"].strip() == "0"]
        return [self.canon(t) for t in texts]

    def _benign_en(self, datasets: Path) -> Counter:
        df: Counter = Counter()
        texts: list[str] = []
        dav = datasets / "davidson/data/labeled_data.csv"
        if dav.exists():
            texts += [r["tweet"] for r in read_csv(dav) if r["class"].strip() == "2"]
        hx = datasets / "hatexplain/datasets/092_HateXplain/092-HateXplain.csv"
        if hx.exists():
            texts += [r["text"] for r in read_csv(hx) if r["category"].strip() == "0"]
        for t in texts:
            df.update(set(re.findall(r"[a-z]+", t.lower())))
        return df

    def compute_benign_df(self, terms: Iterable[str]) -> None:
        """Document frequency of each zh term (as a substring) in the benign Chinese texts."""
        import ahocorasick_rs

        pats = sorted({t for t in terms if CJK.search(t)})
        if not pats or not self.benign_zh:
            return
        ac = ahocorasick_rs.AhoCorasick(pats)
        df: Counter = Counter()
        for text in self.benign_zh:
            df.update({pats[i] for i, _, _ in ac.find_matches_as_indexes(text, overlapping=True)})
        self.benign_zh_df = dict(df)

    def reject(self, term: str, lang: str) -> str | None:
        """Why a canonical term cannot be a keyword, or None if it may."""
        if not term or NO_WORD.match(term):
            return "no-letters"
        if IP.match(term) or DOMAIN.match(term) or URLISH.search(term):
            return "url"
        if LONG_DIGITS.search(term):
            return "long-number"
        if len(term) > MAX_LEN:
            return "too-long"
        if lang == "en" or LATIN_ONLY.match(term):
            letters = sum(c.isalpha() for c in term)
            min_letters = 3 if lang == "en" else 4  # pinyin/latin inside zh lists: 3 letters is too short
            if letters < min_letters:
                return "short"
            if term in self.stop_en:
                return "stopword"
            if " " not in term and self.benign_en_df.get(term, 0) >= 5:
                return "common"
            return None
        n = cjk_len(term)
        letters = sum(c.isalpha() for c in term)
        if (n == 0 and (len(term) < 4 or letters < 3)) or (n == 1 and len(term) < 3):
            return "short"
        if term in self.stop_zh:
            return "stopword"
        if term in self.common_zh:
            return "common"
        limit = 2 if n <= 2 else 3
        if self.benign_zh_df.get(term, 0) >= limit:
            return "common"
        return None


# -------------------------------------------------------------------------------------- lexicon lists
def lexicon_lists(datasets: Path, canon: Canon, seeds: SeedMatcher, report: dict) -> tuple[list, set]:
    """Category lists (direct), mixed/uncategorised lists (seed rules) and URL lists (domains)."""
    sets = [
        ("konsheng", datasets / "lexicon_konsheng/Vocabulary", "lexicon_konsheng/Vocabulary"),
        ("fwwdn", datasets / "lexicon_fwwdn", "lexicon_fwwdn"),
        ("houbb", datasets / "lexicon_houbb/src/test/resources", "lexicon_houbb"),
    ]
    cands: list[Cand] = []
    assign_pool: list[tuple[str, str, str]] = []  # (canonical term, source, fallback tag)
    domains: set[tuple[str, str]] = set()
    for name, folder, prefix in sets:
        if not folder.is_dir():
            report["missing"].append(str(folder))
            continue
        raw = tomllib.loads((MAPPINGS / f"{name}.toml").read_text("utf-8"))
        mapping = load_mapping(MAPPINGS / f"{name}.toml")
        files = sorted(p for p in folder.glob("*.txt") if p.stem.upper() not in META_FILES)
        direct = [p for p in files if mapping.get(p.stem) != SKIP]
        for t in import_category_lists(direct, mapping, prefix, weight=W_CATEGORY):
            tag = f"{t.risk}/{t.topic}" if t.topic else t.risk
            cands.append(Cand(canon(t.term), tag, W_CATEGORY, "zh", t.source or "", "category"))
        for p in files:
            if p.stem not in mapping:
                raise SystemExit(f"{p}: not in mappings/{name}.toml")
            if p.stem in raw.get("assign", {}):
                fallback = raw["assign"][p.stem]
                for term in read_term_list(p):
                    assign_pool.append((canon(term), f"{prefix}/{p.name}", fallback))
            if p.stem in raw.get("domains", {}).get("files", []):
                for term in read_term_list(p):
                    domains.add((term, f"{prefix}/{p.name}"))
    # Seed rules for the mixed and uncategorised lists.
    direct_by_term = {c.term for c in cands}
    for term, source, fallback in assign_pool:
        tag = seeds.match(term)
        if tag:
            cands.append(Cand(term, tag, W_SEED, "zh", f"{source}@seed-v1", "seed"))
        elif fallback:
            cands.append(Cand(term, fallback, W_FALLBACK, "zh", f"{source}@fallback-v1", "fallback"))
        elif term not in direct_by_term:
            cands.append(Cand(term, "", 0, "zh", source, "unassigned"))
    return cands, domains


def containment(cands: list[Cand], filters: Filters) -> list[Cand]:
    """Method contains-v1: an unassigned term that contains a kept categorised term of ≥3 CJK characters
    (or ≥6 Latin letters) takes that term's tag (longest contained term wins, then alphabetical)."""
    import ahocorasick_rs

    keys: dict[str, str] = {}
    for c in cands:
        if c.method != "category" or filters.reject(c.term, "zh"):
            continue
        if (cjk_len(c.term) >= 3 or (LATIN_ONLY.match(c.term) and len(c.term) >= 6)) and c.term not in keys:
            keys[c.term] = c.tag
    pats = sorted(keys)
    ac = ahocorasick_rs.AhoCorasick(pats)
    out: list[Cand] = []
    for c in cands:
        if c.method != "unassigned":
            continue
        hits = {pats[i] for i, _, _ in ac.find_matches_as_indexes(c.term, overlapping=True)}
        hits.discard(c.term)
        if hits:
            best = min(hits, key=lambda h: (-len(h), h))
            src = c.source + "@contains-v1"
            out.append(Cand(c.term, keys[best], W_CONTAINS, "zh", src, "contains"))
    return out


# ------------------------------------------------------------------------------------------ derivation
def log_odds_z(a: int, n_a: int, b: int, n_b: int) -> float:
    """z-score of the smoothed log-odds ratio of a term's document frequency in corpus A vs corpus B."""
    pa, pb = (a + 0.5) / (n_a + 1), (b + 0.5) / (n_b + 1)
    lo = math.log(pa / (1 - pa)) - math.log(pb / (1 - pb))
    se = math.sqrt(1 / (a + 0.5) + 1 / (n_a - a + 0.5) + 1 / (b + 0.5) + 1 / (n_b - b + 0.5))
    return lo / se


def zh_tokens(text: str, canon: Canon) -> set[str]:
    import jieba

    words = [w for w in jieba.lcut(canon(text)) if w.strip()]
    toks = {w for w in words if cjk_len(w) >= 2}
    toks |= {a + b for a, b in itertools.pairwise(words) if CJK.search(a) and CJK.search(b)}
    return {t for t in toks if cjk_len(t) == len(t) and 2 <= len(t) <= 6}


def derive_cold(datasets: Path, canon: Canon, report: dict) -> list[Cand]:
    """logodds-v1 on COLD train: tokens over-represented in offensive vs safe comments of a topic (z≥2.58)
    AND in offensive comments of that topic vs offensive comments of the other topics (z≥1.96),
    seen in ≥5 offensive comments of the topic."""
    path = datasets / "cold/COLDataset/train.csv"
    if not path.exists():
        report["missing"].append(str(path))
        return []
    tags = {"race": "A.2.1/race", "region": "A.2.4/region", "gender": "A.2.5/gender"}
    docs: dict[tuple[str, str], list[set[str]]] = defaultdict(list)
    for r in read_csv(path):
        docs[(r["topic"].strip(), r["label"].strip())].append(zh_tokens(r["TEXT"], canon))
    df = {k: Counter(t for d in v for t in d) for k, v in docs.items()}
    out = []
    for topic, tag in tags.items():
        off, safe = df[(topic, "1")], df[(topic, "0")]
        n_off, n_safe = len(docs[(topic, "1")]), len(docs[(topic, "0")])
        other = Counter()
        n_other = 0
        for t2 in tags:
            if t2 != topic:
                other.update(df[(t2, "1")])
                n_other += len(docs[(t2, "1")])
        for tok, a in off.items():
            if a < 5:
                continue
            if log_odds_z(a, n_off, safe[tok], n_safe) < 2.58:
                continue
            if log_odds_z(a, n_off, other[tok], n_other) < 1.96:
                continue
            out.append(
                Cand(tok, tag, W_DERIVED + 0.1, "zh", f"derived:cold-train/{topic}@logodds-v1", "derived")
            )
    return out


def derive_swsr(datasets: Path, canon: Canon, seeds: SeedMatcher, report: dict) -> list[Cand]:
    """SexHateLex is a broad abusive-language lexicon, not a sexism-only list. Each term gets a risk by the
    seed rules (seed-v1); a term no rule matches is tagged A.2.5/gender only when it is over-represented in
    sexist vs non-sexist SWSR comments (≥2 sexist comments, z≥1.96: swsr-logodds-v1); others are dropped."""
    path = datasets / "swsr/SexHateLex/SexHateLex.txt"
    comments = datasets / "swsr/SWSR/SexComment.csv"
    if not path.exists() or not comments.exists():
        report["missing"].append(str(path))
        return []
    import ahocorasick_rs

    terms = sorted({canon(t) for t in read_term_list(path)})
    ac = ahocorasick_rs.AhoCorasick(terms)
    df: dict[str, Counter] = {"0": Counter(), "1": Counter()}
    n: Counter = Counter()
    for r in read_csv(comments):
        label = r["label"].strip()
        n[label] += 1
        hits = {
            terms[i] for i, _, _ in ac.find_matches_as_indexes(canon(r["comment_text"]), overlapping=True)
        }
        df[label].update(hits)
    out = []
    src = "swsr/SexHateLex/SexHateLex.txt"
    for term in terms:
        tag = seeds.match(term)
        if tag:
            out.append(Cand(term, tag, W_SEED, "zh", f"{src}@seed-v1", "seed"))
            continue
        a, b = df["1"][term], df["0"][term]
        if a >= 2 and log_odds_z(a, n["1"], b, n["0"]) >= 1.96:
            src_d = f"derived:{src}@swsr-logodds-v1"
            out.append(Cand(term, "A.2.5/gender", W_DERIVED + 0.1, "zh", src_d, "derived"))
    return out


# ---------------------------------------------------------------------------------------------- English
def en_tokens(text: str, bigrams: bool = True) -> set[str]:
    words = re.findall(r"[a-z]+", text.lower())
    toks = set(words)
    if bigrams:
        toks |= {f"{a} {b}" for a, b in itertools.pairwise(words)}
    return toks


TOXIGEN_TAGS = {
    "black": "A.2.1/race",
    "asian": "A.2.1/race",
    "chinese": "A.2.1/race",
    "latino": "A.2.1/race",
    "mexican": "A.2.1/race",
    "native_american": "A.2.1/race",
    "middle_east": "A.2.1/race",
    "jewish": "A.2.2/religion",
    "muslim": "A.2.2/religion",
    "immigrant": "A.2.3/nationality",
    "women": "A.2.5/gender",
    "lgbtq": "A.2.5/sexual_orientation",
    "bisexual": "A.2.5/sexual_orientation",
    "trans": "A.2.5/sexual_orientation",
    "physical_disability": "A.2.8/disability",
    "mental_disability": "A.2.8/disability",
}


def english(datasets: Path, canon: Canon, report: dict, with_derived: bool) -> list[Cand]:
    rules = SeedMatcher(load_rules(MAPPINGS / "seeds_en.toml"), canon, words=True)
    out: list[Cand] = []
    dav = datasets / "davidson/lexicons/refined_ngram_dict.csv"
    if dav.exists():
        lines = dav.read_text("utf-8").replace("\r\n", "\n").replace("\r", "\n").split("\n")
        for line in lines[1:]:
            term = canon(line.rpartition(",")[0])
            tag = rules.match(term) if term else None
            if tag:
                src = "davidson/lexicons/refined_ngram_dict.csv@seed-en-v1"
                out.append(Cand(term, tag, 0.7, "en", src, "seed"))
    else:
        report["missing"].append(str(dav))
    tox = datasets / "toxigen/derived/toxigen_seed_sentences.csv"
    if tox.exists() and with_derived:
        rows = read_csv(tox)
        for group, tag in TOXIGEN_TAGS.items():
            hate = [
                en_tokens(r["text"], False)
                for r in rows
                if r["target_group"] == group and r["label"] == "hate"
            ]
            rest = [
                en_tokens(r["text"], False)
                for r in rows
                if not (r["target_group"] == group and r["label"] == "hate")
            ]
            a_df, b_df = Counter(x for d in hate for x in d), Counter(x for d in rest for x in d)
            for tok, a in a_df.items():
                if a >= 3 and log_odds_z(a, len(hate), b_df[tok], len(rest)) >= 2.58:
                    src = f"derived:toxigen-seed/{group}@logodds-v1"
                    out.append(Cand(tok, tag, W_DERIVED, "en", src, "derived"))
    elif not tox.exists():
        report["missing"].append(str(tox))
    hx = datasets / "hatexplain/datasets/092_HateXplain/092-HateXplain.csv"
    if hx.exists():
        rows = read_csv(hx)
        hate = [en_tokens(r["text"]) for r in rows if r["category"].strip() == "1"]
        normal = [en_tokens(r["text"]) for r in rows if r["category"].strip() == "0"]
        a_df, b_df = Counter(x for d in hate for x in d), Counter(x for d in normal for x in d)
        for tok, a in a_df.items():
            if a >= 10 and log_odds_z(a, len(hate), b_df[tok], len(normal)) >= 3.29:
                tag = rules.match(tok)
                if tag:
                    src = "derived:hatexplain/hate-vs-normal@logodds-v1+seed-en-v1"
                    out.append(Cand(tok, tag, W_DERIVED + 0.1, "en", src, "derived"))
    else:
        report["missing"].append(str(hx))
    return out


# ------------------------------------------------------------------------------------------------ build
def select(cands: list[Cand], filters: Filters, report: dict) -> dict[tuple[str, str], Cand]:
    """Filter, then keep one candidate per (canonical term, lang): best priority, then source order."""
    rejected: Counter = Counter()
    best: dict[tuple[str, str], Cand] = {}
    for c in cands:
        if c.method == "unassigned":
            continue
        why = filters.reject(c.term, c.lang)
        if why:
            rejected[why] += 1
            continue
        key = (c.term, c.lang)
        old = best.get(key)
        if old is None or (PRIO[c.method], c.source, c.tag) < (PRIO[old.method], old.source, old.tag):
            best[key] = c
    # An English n-gram that contains a kept shorter English term as whole words adds nothing: drop it.
    en_terms = {t for t, lang in best if lang == "en"}
    for term, lang in list(best):
        words = term.split()
        if lang == "en" and len(words) > 1:
            subs = {" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)}
            if (subs - {term}) & en_terms:
                del best[(term, lang)]
                rejected["redundant-ngram"] += 1
    report["rejected_rows"] = dict(sorted(rejected.items()))
    return best


def spot_check(kept: dict, report: dict, n: int) -> None:
    by_method: dict[str, list[Cand]] = defaultdict(list)
    for c in kept.values():
        by_method[c.source.split("@")[-1] if "@" in c.source else c.method].append(c)
    samples = {}
    for method in sorted(by_method):
        items = sorted(by_method[method], key=lambda c: (c.term, c.tag))
        rng = random.Random(SEED)
        pick = rng.sample(items, min(n, len(items)))
        samples[method] = [(c.term, c.tag, c.source) for c in pick]
    report["spot_check"] = samples


def write_domains(domains: set[tuple[str, str]], out: Path, canon: Canon) -> int:
    names: set[str] = set()
    sources = sorted({s for _, s in domains})
    for raw, _ in domains:
        m = DOMAIN.match(canon(raw).strip().rstrip("/"))
        if m:
            names.add(m.group(1).strip("."))
    out.parent.mkdir(parents=True, exist_ok=True)
    head = [
        "# safecorpus domain blocklist (for a later blocklist feature; these are not keywords)",
        "# generated by scripts/build_lexicon.py from:",
        *(f"#   {s}" for s in sources),
        "# licences: lexicon_konsheng MIT (konsheng/Sensitive-lexicon);"
        " lexicon_fwwdn Apache-2.0 (fwwdn/sensitive-stop-words)",
        "# one domain per line, lower case, deduplicated, sorted",
    ]
    out.write_text("\n".join(head + sorted(names)) + "\n", "utf-8")
    return len(names)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--datasets", type=Path, default=REPO.parent / "shared/datasets")
    ap.add_argument("--date", type=dt.date.fromisoformat, default=dt.date.today())
    ap.add_argument("--out", type=Path, default=OUT_TSV)
    ap.add_argument("--domains-out", type=Path, default=OUT_DOMAINS)
    ap.add_argument("--report", type=Path, help="write counts and spot-check samples here (JSON)")
    ap.add_argument(
        "--with-derived",
        action="store_true",
        help="also add COLD/ToxiGen log-odds terms (off: their spot check was too poor to ship)",
    )
    ap.add_argument("--sample", type=int, default=50, help="spot-check sample size per method")
    args = ap.parse_args(argv)
    if not args.datasets.is_dir():
        ap.error(f"datasets folder {args.datasets} not found")

    import jieba

    jieba.setLogLevel(60)
    canon = Canon()
    report: dict = {"missing": []}
    seeds = SeedMatcher(load_rules(MAPPINGS / "seeds_zh.toml"), canon)
    filters = Filters(args.datasets, canon)

    cands, domains = lexicon_lists(args.datasets, canon, seeds, report)
    cands += derive_swsr(args.datasets, canon, seeds, report)
    if args.with_derived:
        cands += derive_cold(args.datasets, canon, report)
    filters.compute_benign_df(c.term for c in cands)
    cands += containment(cands, filters)
    cands += english(args.datasets, canon, report, args.with_derived)
    report["unassigned_dropped"] = len(
        {c.term for c in cands if c.method == "unassigned"}
        - {c.term for c in cands if c.method != "unassigned"}
    )
    kept = select(cands, filters, report)
    spot_check(kept, report, args.sample)

    tax = load_taxonomy()
    terms = []
    for (term, lang), c in sorted(kept.items()):
        risk, topic = tax.validate_tag(c.tag)
        terms.append(
            Term(term=term, risk=risk, topic=topic, weight=round(c.weight, 2), lang=lang, source=c.source)
        )
    terms.sort(key=lambda t: (t.risk, t.topic or "", t.lang or "", t.term))
    lex = Lexicon(
        name="default",
        version=args.date.strftime("%Y.%m.%d"),
        updated_at=args.date,
        terms=terms,
        header={
            "description": "safecorpus default keyword library (TC260-003 §8.1), built by "
            "scripts/build_lexicon.py from permissive datasets only; see docs/lexicon-library.md and NOTICE",
        },
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_lexicon(lex, args.out)
    n_domains = write_domains(domains, args.domains_out, canon)

    per_risk = Counter(t.risk for t in terms if t.lang == "zh")
    per_risk_en = Counter(t.risk for t in terms if t.lang == "en")
    per_method = Counter(c.source.split("@")[-1] if "@" in c.source else c.method for c in kept.values())
    report.update(
        total=len(terms),
        zh=sum(per_risk.values()),
        en=sum(per_risk_en.values()),
        per_risk_zh=dict(sorted(per_risk.items())),
        per_risk_en=dict(sorted(per_risk_en.items())),
        per_risk_all=dict(sorted(Counter(t.risk for t in terms).items())),
        per_method=dict(sorted(per_method.items())),
        domains=n_domains,
    )
    if args.report:
        args.report.write_text(json.dumps(report, ensure_ascii=False, indent=1), "utf-8")
    summary = {k: v for k, v in report.items() if k != "spot_check"}
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
