"""Mainland mobile numbers (11 digits, 1[3-9]…) and landline numbers with an area code (0xx/0xxx).

A mobile number's three-digit prefix is checked against the allocated network prefixes; a landline
needs its area code written with a separator or in brackets, so long plain numbers are not taken for one.
An 11-digit figure followed by a unit or measure word (15034567892人次, 13800000000元) is a quantity, not
a mobile number.
"""

from __future__ import annotations

from safecorpus.detect.pii.recognizers.base import ALNUM, DIGIT, Check, Pattern, Recognizer, digits_of, words

# Allocated mobile prefixes (MIIT numbering plan): 13x, 14[5-9], 15[0-35-9], 16[2567], 17[0-8], 18x, 19x.
MOBILE_PREFIXES = frozenset(
    [f"13{i}" for i in range(10)]
    + ["145", "146", "147", "148", "149"]
    + [f"15{i}" for i in (0, 1, 2, 3, 5, 6, 7, 8, 9)]
    + ["162", "165", "166", "167"]
    + [f"17{i}" for i in range(9)]
    + [f"18{i}" for i in range(10)]
    + [f"19{i}" for i in range(10)]
)

_D = f"[{DIGIT}]"
_CC = r"(?:(?:\+|00)\s?86[\s\-]?|\(\+?86\)\s?|（\+?86）\s?)"
MOBILE = rf"(?<![{ALNUM}+])(?:{_CC})?1[3-9]{_D}(?:[\s\-]?{_D}{{4}}){{2}}(?![{ALNUM}])"
LANDLINE = (
    rf"(?<![{ALNUM}+])(?:{_CC}[1-9]{_D}{{1,2}}[\-\s]?|0[1-9]{_D}{{1,2}}[\-\s]|[\(（]0[1-9]{_D}{{1,2}}[\)）]\s?)"
    rf"[2-9]{_D}{{2,3}}[\-\s]?{_D}{{4}}(?:\s?(?:转|ext\.?|x)\s?{_D}{{1,5}})?(?![{ALNUM}])"
)


# Units and measure words after a figure (statistics in news and encyclopedic text).
_UNITS = words(
    "人次 人 次 元 美元 万 亿 吨 个 年 米 公里 千米 平方 件 台 辆 股 份 户 只 头",
    "千克 公斤 克 字节 位 倍 条 张 册 部 座 家 所",
)


def _validate(value: str, text: str, start: int, end: int) -> Check | None:
    if text.startswith(_UNITS, end) and not RECOGNIZER.has_context(text, start, end):
        return None  # a quantity (15034567892人次), not a number to call
    s = digits_of(value.split("转")[0].split("ext")[0].split("x")[0])
    if value.lstrip().startswith(("+", "0086", "(+", "（+", "(86", "（86")) or (
        s.startswith("86") and len(s) == 13
    ):
        s = s[2:] if s.startswith("86") else s[4:] if s.startswith("0086") else s
    if len(s) == 11 and s[0] == "1":
        ok = s[:3] in MOBILE_PREFIXES
        return Check(checks={"mobile_prefix": ok}, score=0.9 if ok else 0.5, entity="CN_MOBILE")
    if s.startswith("0") and 10 <= len(s) <= 12:
        return Check(score=0.75, entity="CN_LANDLINE")
    if not s.startswith("0") and 9 <= len(s) <= 11:  # area code written without the trunk 0 after +86
        return Check(score=0.65, entity="CN_LANDLINE")
    return None


RECOGNIZER = Recognizer(
    name="cn_phone",
    entity="CN_MOBILE",
    patterns=(Pattern("mobile", MOBILE, 0.8), Pattern("landline", LANDLINE, 0.65)),
    validate=_validate,
    context=("电话", "手机", "联系方式", "致电", "来电", "热线", "座机", "tel", "phone", "mobile", "call"),
    context_window=12,
    context_boost=0.08,
    version="2",
)
