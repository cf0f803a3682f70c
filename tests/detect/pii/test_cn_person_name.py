import pytest
from pii_helpers import spans


@pytest.mark.parametrize(
    "text,name",
    [
        ("患者王小明说他头疼", "王小明"),
        ("张伟先生今天来访", "张伟"),
        ("欧阳明月是一位教师", "欧阳明月"),
        ("姓名：李华，性别：男", "李华"),
        ("在刘建国医生的指导下", "刘建国"),
        ("公司总裁赵明表示同意", "赵明"),
        ("昨天由孙丽介绍了情况", "孙丽"),
    ],
)
def test_found(text, name):
    assert [s.text_in(text) for s in spans(text, "PERSON")] == [name]


@pytest.mark.parametrize(
    "text",
    [
        "我们今天很高兴",
        "这个方法很有效",
        "王国的历史很长",
        # the tail of a longer word before a strong right cue
        "社区食堂拍摄了一组风景照片，现场还提供了茶水",
        "小区物业介绍了垃圾分类的方法",
        "骑行俱乐部介绍了垃圾分类的方法",
    ],
)
def test_negatives(text):
    assert spans(text, "PERSON") == []


def test_strong_cue_finder_equals_the_regex() -> None:
    """The cue-first finder must propose exactly the spans of RIGHT_STRONG_RE's finditer."""
    import random
    import re

    from safecorpus.detect.pii.recognizers.cn_person_name import (
        RIGHT_STRONG,
        RIGHT_STRONG_RE,
        SURNAMES,
        find_right_strong,
    )

    rx = re.compile(RIGHT_STRONG_RE)
    rng = random.Random(9)
    alphabet = (
        list(SURNAMES[:60])
        + list("的了明天说是一位先生女士小姐医生表示称岁，。 aZ9")
        + list(RIGHT_STRONG[:30])
    )
    texts = ["王芳说", "欧阳明女士和张伟先生", "记者李明表示", "王" * 5 + "说", "说王", ""]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))) for _ in range(3000)]
    for text in texts:
        assert find_right_strong(text) == [m.span() for m in rx.finditer(text)], text


def test_prefilter_gates_never_hide_a_name() -> None:
    """The hand-written hyperscan gates of the cue patterns must fire wherever the patterns match: the
    accelerated engine (gated) and the pure-Python one (every pattern runs) give the same spans."""
    import random

    from safecorpus.detect.pii.engine import PiiEngine, _hs
    from safecorpus.detect.pii.recognizers.cn_person_name import (
        RECOGNIZER,
        RIGHT_STRONG,
        RIGHT_WEAK,
        SURNAMES,
    )

    if _hs is None:
        pytest.skip("hyperscan is not installed")
    gated = PiiEngine([RECOGNIZER], accelerate=True)
    plain = PiiEngine([RECOGNIZER], accelerate=False)
    assert not gated._always, "the cue patterns should run behind their gates"
    rng = random.Random(11)
    alphabet = (
        list(SURNAMES[:80]) + list("明华伟芳丽强军平的了说是在，。、 aZ9（）") + list(RIGHT_STRONG[:40])
    )
    alphabet += list(RIGHT_WEAK)
    texts = ["王芳，", "，王芳的", "张伟先生", "王" * 4 + "是", "李明。", ""]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))) for _ in range(4000)]
    found = 0
    for text in texts:
        a = [(s.start, s.end, s.score) for s in gated.analyze(text)]
        assert a == [(s.start, s.end, s.score) for s in plain.analyze(text)], text
        found += bool(a)
    assert found > 400  # the random texts do exercise the patterns
