"""One recognizer per module. :func:`default_recognizers` lists them in priority order (an earlier one
wins a tie between overlapping candidates of equal validation and score)."""

from __future__ import annotations

from safecorpus.detect.pii.recognizers import (
    bank_card,
    cn_address,
    cn_person_name,
    cn_phone,
    cn_resident_id,
    cn_uscc,
    cn_vehicle_plate,
    credit_card,
    email,
    en_person_name,
    en_phone,
    hk_id,
    hk_mo_tw_permit,
    iban,
    ip_address,
    passport,
    qq_wechat,
    tw_id,
    us_ssn,
)
from safecorpus.detect.pii.recognizers.base import Check, Pattern, Recognizer

__all__ = ["Check", "Pattern", "Recognizer", "default_recognizers"]


def default_recognizers() -> list[Recognizer]:
    """Every built-in text recognizer, in priority order."""
    return [
        cn_resident_id.RECOGNIZER,
        cn_uscc.RECOGNIZER,
        bank_card.RECOGNIZER,
        credit_card.RECOGNIZER,
        iban.RECOGNIZER,
        email.RECOGNIZER,
        cn_phone.RECOGNIZER,
        en_phone.RECOGNIZER,
        ip_address.RECOGNIZER,
        passport.RECOGNIZER,
        hk_mo_tw_permit.RECOGNIZER,
        hk_id.RECOGNIZER,
        tw_id.RECOGNIZER,
        us_ssn.RECOGNIZER,
        cn_vehicle_plate.RECOGNIZER,
        *qq_wechat.RECOGNIZERS,
        cn_person_name.RECOGNIZER,
        en_person_name.RECOGNIZER,
        cn_address.RECOGNIZER,
    ]
