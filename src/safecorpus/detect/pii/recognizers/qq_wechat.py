"""QQ numbers and WeChat ids — only next to the words that name them (a bare 5–11 digit number or
a bare handle is far more often something else)."""

from __future__ import annotations

from safecorpus.detect.pii.recognizers.base import Check, Pattern, Recognizer

QQ = r"(?<![0-9A-Za-z])[1-9][0-9]{4,10}(?![0-9A-Za-z])"
WECHAT = r"(?<![0-9A-Za-z_\-])[A-Za-z][A-Za-z0-9_\-]{5,19}(?![0-9A-Za-z_\-])"

QQ_CONTEXT = ("qq", "扣扣", "企鹅号", "qq号")
WECHAT_CONTEXT = ("微信", "wechat", "weixin", "vx", "威信", "薇信", "wx")


def _qq(value: str, text: str, start: int, end: int) -> Check | None:
    if not QQ_RECOGNIZER.has_context(text, start, end):
        return None
    return Check(score=0.8)


def _wechat(value: str, text: str, start: int, end: int) -> Check | None:
    if not WECHAT_RECOGNIZER.has_context(text, start, end):
        return None
    if value.lower() in {"wechat", "weixin", "wxid"}:
        return None
    return Check(score=0.75)


QQ_RECOGNIZER = Recognizer(
    name="qq",
    entity="QQ_NUMBER",
    patterns=(Pattern("qq", QQ, 0.3),),
    validate=_qq,
    context=QQ_CONTEXT,
    context_window=8,
    context_boost=0.0,
    requires_context=True,
)
WECHAT_RECOGNIZER = Recognizer(
    name="wechat",
    entity="WECHAT_ID",
    patterns=(Pattern("wechat", WECHAT, 0.3),),
    validate=_wechat,
    context=WECHAT_CONTEXT,
    context_window=8,
    context_boost=0.0,
    requires_context=True,
)
RECOGNIZERS = (QQ_RECOGNIZER, WECHAT_RECOGNIZER)
