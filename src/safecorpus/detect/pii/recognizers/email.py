"""E-mail addresses (RFC 5322 dot-atom subset). The local part never takes CJK characters in front of it."""

from __future__ import annotations

from safecorpus.detect.pii.recognizers.base import Check, Pattern, Recognizer

EMAIL = (
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9](?:[A-Za-z0-9._%+\-]{0,62}[A-Za-z0-9_%+\-])?"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9\-])"
)


def _validate(value: str, text: str, start: int, end: int) -> Check | None:
    local, _, domain = value.rpartition("@")
    if ".." in local or len(value) > 254:
        return None
    return Check(score=0.95, extra={"domain": domain.lower()})


RECOGNIZER = Recognizer(
    name="email",
    entity="EMAIL",
    patterns=(Pattern("email", EMAIL, 0.9),),
    validate=_validate,
    context=("邮箱", "邮件", "email", "e-mail", "mail"),
)
