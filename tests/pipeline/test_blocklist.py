from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from safecorpus.io.records import Record
from safecorpus.pipeline import BlocklistSpec, content_hash_hex
from safecorpus.pipeline.blocklist import DocumentBlocklist, DomainBlocklist, HashBlocklist
from safecorpus.pipeline.minhash import signature, similarity
from tests.pipeline.corpus import document, edit


def _rec(i: int, text: str, **meta: object) -> Record:
    return Record(str(i), text, "s", "f", i, dict(meta))


@pytest.mark.parametrize(
    ("url", "hit"),
    [
        ("https://bad.example/x", "bad.example"),
        ("http://a.b.bad.example:8080/", "bad.example"),
        ("https://notbad.example/", None),
        ("https://good.org/private/area/1", "good.org/private"),
        ("https://www.good.org/private", "good.org/private"),
        ("https://good.org/public", None),
        ("bad.example/path", "bad.example"),
        ("not a url", None),
    ],
)
def test_domain_rules(tmp_path: Path, url: str, hit: str | None) -> None:
    p = tmp_path / "d.txt"
    p.write_text("# comment\n*.bad.example\ngood.org/private\n")
    bl = DomainBlocklist(BlocklistSpec("domains", str(p)))
    assert bl.rule_for(url) == hit
    found = bl.detect([_rec(1, "t", url=url)])[0]
    assert bool(found) == bool(hit)


def test_packaged_domain_list_is_versioned() -> None:
    bl = DomainBlocklist(BlocklistSpec("domains", "packaged:domains"))
    assert bl.entries > 10_000 and len(bl.version) == 12


def test_hash_list(tmp_path: Path) -> None:
    p = tmp_path / "h.txt"
    p.write_text(content_hash_hex("blocked  text\n") + "\n")
    bl = HashBlocklist(BlocklistSpec("hashes", str(p)))
    assert [bool(f) for f in bl.detect([_rec(1, "blocked text"), _rec(2, "other text")])] == [True, False]


def test_signature_estimates_jaccard() -> None:
    rng = random.Random(5)
    a = document(rng)
    assert similarity(signature(a), signature(a)) == 1.0
    assert similarity(signature(a), signature(document(rng))) < 0.2


def test_near_duplicates_of_blocked_documents_recall_and_false_removals(tmp_path: Path) -> None:
    rng = random.Random(11)
    blocked = [document(rng) for _ in range(500)]
    path = tmp_path / "blocked.jsonl"
    path.write_text("".join(json.dumps({"id": f"b{i}", "text": t}) + "\n" for i, t in enumerate(blocked)))
    bl = DocumentBlocklist(BlocklistSpec("docs", str(path)), threshold=0.6)
    cases = []
    for i, t in enumerate(blocked):
        kind = i % 3
        text = edit(rng, t, changes=8) if kind == 0 else edit(rng, t, 3, shuffle=True)
        if kind == 2:  # words changed, paragraphs reordered, a sentence added
            text = edit(rng, text, 5) + " " + " ".join(rng.sample(sorted(text.split()), 12))
        cases.append(_rec(i, text))
    found = bl.detect(cases)
    recall = sum(bool(f) for f in found) / len(cases)
    assert recall >= 0.95
    assert all(f[0].evidence["match"] == f"b{i}" for i, f in enumerate(found) if f)
    unrelated = [_rec(10_000 + i, document(rng)) for i in range(2000)]
    false = sum(bool(f) for f in bl.detect(unrelated))
    assert false / len(unrelated) <= 0.001


def test_no_letters_or_digits_above_the_alnum_table_limit() -> None:
    from safecorpus.pipeline.minhash import ALNUM_LIMIT

    assert not any(chr(cp).isalnum() for cp in range(ALNUM_LIMIT, 0x110000))


def test_fold_table_is_the_first_code_point_of_each_letter_or_digits_lower_case() -> None:
    from safecorpus.pipeline.minhash import ALNUM_LIMIT, fold_table

    table = fold_table()
    for cp in range(ALNUM_LIMIT):
        ch = chr(cp)
        assert table[cp] == (ord(ch.lower()[0]) if ch.isalnum() else 0), hex(cp)
    assert not table[ALNUM_LIMIT:].any()


def _shingle_set(text: str) -> set[str]:
    folded = "".join(c.lower()[0] for c in text if c.isalnum())
    return {folded[i : i + 5] for i in range(len(folded) - 4)}


def test_signature_is_the_minimum_of_each_bin_over_the_texts_shingles() -> None:
    """The vectorised signature equals one computed shingle by shingle from its definition."""
    import numpy as np

    from safecorpus.pipeline import minhash

    def hash5(s: str) -> int:
        m = [0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F, 0x165667B1]
        h = sum(ord(c) * k for c, k in zip(s, m, strict=True)) & 0xFFFFFFFF
        h ^= h >> 16
        h = (h * 0x7FEB352D) & 0xFFFFFFFF
        h ^= h >> 15
        h = (h * 0x846CA68B) & 0xFFFFFFFF
        return h ^ (h >> 16)

    rng = random.Random(8)
    for text in [document(rng, paragraphs=1, words=40), "Ab-C d!E fGh 字字字字字 İx ΣΑΣ", "abcd", ""]:
        want = np.full(minhash.BINS, minhash.EMPTY, dtype=np.uint32)
        for sh in _shingle_set(text):
            h = hash5(sh)
            want[h >> 25] = min(int(want[h >> 25]), h)
        assert np.array_equal(signature(text), want), text


def test_batched_signatures_equal_one_by_one() -> None:
    import numpy as np

    from safecorpus.pipeline.minhash import band_keys, band_keys_many, signatures

    rng = random.Random(3)
    texts = [document(rng) for _ in range(20)] + ["", "abcd", "ΑΣ ΑΣΑ Σ and İstanbul", "a\x00bcdefg", " x "]
    texts += [edit(rng, texts[0], 3)] + ["ab", "", "cdefgh"] * 30 + [document(rng) for _ in range(70)]
    sigs = signatures(texts)
    assert np.array_equal(sigs, np.array([signature(t) for t in texts]))
    assert band_keys_many(sigs) == [band_keys(s) for s in sigs]


def test_batched_queries_equal_one_by_one() -> None:
    from safecorpus.pipeline.minhash import LshIndex, signatures

    rng = random.Random(6)
    blocked = [document(rng) for _ in range(30)]
    index = LshIndex(0.6)
    for i, sig in enumerate(signatures(blocked)):
        index.add(f"b{i}", sig)
    probes = [edit(rng, t, 6) for t in blocked[:15]] + [document(rng) for _ in range(15)] + ["", "x"]
    sigs = signatures(probes)
    many = index.query_many(sigs)
    assert many == [index.query(s) for s in sigs]
    assert sum(h is not None for h in many) >= 14


def test_content_hash_fast_path_equals_collapsing_white_space() -> None:
    import xxhash

    from safecorpus.pipeline.blocklist import _RECENT, content_hash

    # the fast path relies on this: no white space but the ASCII space is printable
    assert not any(chr(c).isprintable() for c in range(0x110000) if chr(c).isspace() and c != 0x20)
    rng = random.Random(4)
    pieces = [" ", "  ", "\t", "\n", "\u3000", "\xa0", "\u2028", "\x1c", "\x85", "\u200b", "a", "字", "b c"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        _RECENT.clear()
        want = xxhash.xxh3_64_intdigest(" ".join(text.split()).encode("utf-8", "surrogatepass"))
        assert content_hash(text) == want, repr(text)
