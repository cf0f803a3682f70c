"""The one redactor, as ``filter`` calls it: ``(start, end, tag)`` spans, merged when they overlap."""

import random

import pytest

from safecorpus.detect.redact import redact


def reference(text: str, spans: list[tuple[int, int, str]], mode: str) -> str:
    """Character by character: a merged run of covered characters becomes one tag (or its mask)."""
    order = sorted(spans, key=lambda t: (t[0], -t[1]))
    out, pos = [], 0
    while order:
        s, e, tag = order.pop(0)
        while order and order[0][0] < e:
            e = max(e, order.pop(0)[1])
        out.append(text[pos:s])
        out.append("*" * (e - s) if mode == "mask" else f"<{tag}>")
        pos = e
    out.append(text[pos:])
    return "".join(out)


def test_tuples_are_tagged_with_their_tag():
    assert redact("abcdefgh", [(1, 3, "A.1.2"), (5, 6, "CN_MOBILE")]) == "a<A.1.2>de<CN_MOBILE>gh"


def test_overlapping_spans_merge_and_the_outer_tag_wins():
    assert redact("abcdefgh", [(2, 4, "inner"), (1, 6, "outer")]) == "a<outer>gh"
    assert redact("abcdefgh", [(1, 4, "first"), (3, 6, "second")], mode="mask") == "a*****gh"


@pytest.mark.parametrize("mode", ["tag", "mask"])
def test_random_spans_match_the_reference(mode):
    rng = random.Random(7)
    for _ in range(300):
        text = "".join(rng.choice("abcxyz一二三") for _ in range(rng.randint(1, 40)))
        spans = []
        for i in range(rng.randint(1, 6)):
            s = rng.randrange(len(text))
            spans.append((s, rng.randint(s + 1, len(text)), f"T{i}"))
        assert redact(text, list(spans), mode=mode) == reference(text, spans, mode)


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="unknown redaction mode"):
        redact("abc", [(0, 1, "X")], mode="blur")  # type: ignore[arg-type]
