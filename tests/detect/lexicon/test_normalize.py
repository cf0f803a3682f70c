from __future__ import annotations

import pytest

from safecorpus.detect.lexicon.normalize import Normalizer, NormalizerOptions, canonical_term


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ１２３", "abc123"),  # full width → half width, case folded
        ("國家與學習", "国家与学习"),  # traditional → simplified
        ("违\u200b禁\u200d词", "违禁词"),  # zero-width characters removed
        ("违.禁 词", "违禁词"),  # inserted separators between CJK removed
        ("违★禁☆词", "违禁词"),  # symbols between CJK removed
        ("违，禁", "违,禁"),  # Chinese sentence punctuation is structure, kept
        ("违\n禁", "违\n禁"),  # line breaks are kept
        ("违....禁", "违....禁"),  # runs longer than 3 are kept
        ("违. 禁", "违. 禁"),  # a stop and a space: a sentence break, kept
        ("违!禁", "违禁"),  # a lone "!" between characters is inserted
        ("hello  world", "hello  world"),  # spaces between Latin words are kept
        ("a.b", "a.b"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert Normalizer().normalize(raw) == expected


def test_batch_maps_every_char_back() -> None:
    norm = Normalizer()
    texts = ["违.禁\u200b词 ok", "ＡＢ", "", "國"]
    batch = norm.normalize_batch(texts)
    joined = "\n".join(texts)
    assert batch.text == "违禁词 ok\nab\n\n国"
    origin = batch.origin
    assert origin is not None and len(origin) == len(batch.text)
    for i, ch in enumerate(batch.text):
        assert norm.normalize(joined[origin[i]]) in (ch, "")


def test_options_can_switch_steps_off() -> None:
    plain = Normalizer(NormalizerOptions(t2s=False, lower=False, squeeze_separators=False))
    assert plain.normalize("國 A") == "國 A"


def test_canonical_term_strips() -> None:
    assert canonical_term("  國家 ") == "国家"


def test_map_back_over_random_removals() -> None:
    """Removed characters (invisible, NUL, separator runs between CJK) are skipped by the map back: each
    normalised character comes from an original one that normalises to it, in order, and the removed
    ones are exactly those not mapped to."""
    import random

    import numpy as np

    norm = Normalizer()
    rng = random.Random(1)
    pieces = ["字", "中文", "，", " ", "*", "·", "。", ". ", "\u200b", "\x00", "\ufeff", "a", "B", "１", "  "]
    for _ in range(500):
        texts = [
            "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(rng.randint(1, 6))
        ]
        batch = norm.normalize_batch(texts)
        joined = "\n".join(texts)
        back = batch.to_original(np.arange(batch.codes.size))
        assert np.all(np.diff(back) > 0)
        for q, i in enumerate(back.tolist()):
            assert norm.normalize(joined[i]) == chr(batch.codes[q]), (texts, q)
        for i in sorted(set(range(len(joined))) - set(back.tolist())):
            assert joined[i] in "，*·。\u200b\x00\ufeff " or not norm.normalize(joined[i]), (texts, i)
