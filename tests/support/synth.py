"""Synthetic identifiers with valid (or deliberately broken) check digits, for tests and benchmarks.

Every number is random: none belongs to a real person or organisation except by chance.
"""

from __future__ import annotations

import random

from safecorpus.detect.pii.recognizers import cn_resident_id, cn_uscc, hk_id, iban, tw_id
from safecorpus.detect.pii.recognizers.base import luhn_check_digit
from safecorpus.detect.pii.recognizers.cn_common import PROVINCE_CODES

_PROVINCES = [p for p in PROVINCE_CODES if p not in ("71", "81", "82", "83")]


def _break(s: str, alphabet: str, rng: random.Random) -> str:
    """Replace the last character by another one from ``alphabet``."""
    return s[:-1] + rng.choice([c for c in alphabet if c != s[-1]])


def resident_id(rng: random.Random, valid: bool = True) -> str:
    region = rng.choice(_PROVINCES) + f"{rng.randint(1, 20):02d}{rng.randint(1, 30):02d}"
    birth = f"{rng.randint(1940, 2015)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    first17 = region + birth + f"{rng.randint(0, 999):03d}"
    full = first17 + cn_resident_id.check_char(first17)
    return full if valid else _break(full, "0123456789X", rng)


def uscc(rng: random.Random, valid: bool = True) -> str:
    first = rng.choice("9159")
    second = rng.choice(cn_uscc.AUTHORITIES[first])
    region = rng.choice(_PROVINCES) + f"{rng.randint(1, 20):02d}{rng.randint(0, 30):02d}"
    org = "".join(rng.choice(cn_uscc.ALPHABET) for _ in range(9))
    first17 = first + second + region + org
    full = first17 + cn_uscc.check_char(first17)
    return full if valid else _break(full, cn_uscc.ALPHABET, rng)


def card(rng: random.Random, valid: bool = True, prefix: str = "62", length: int = 19) -> str:
    body = prefix + "".join(str(rng.randint(0, 9)) for _ in range(length - len(prefix) - 1))
    full = body + luhn_check_digit(body)
    return full if valid else _break(full, "0123456789", rng)


def mobile(rng: random.Random) -> str:
    prefix = rng.choice(["138", "139", "150", "151", "158", "177", "186", "189", "199", "135", "166"])
    return prefix + "".join(str(rng.randint(0, 9)) for _ in range(8))


def hkid(rng: random.Random, valid: bool = True) -> str:
    letters = "".join(rng.choice("ABCDEGHKMPRSTVYZ") for _ in range(rng.choice((1, 1, 2))))
    prefix = letters + "".join(str(rng.randint(0, 9)) for _ in range(6))
    c = hk_id.check_char(prefix)
    if not valid:
        c = rng.choice([x for x in "0123456789A" if x != c])
    return f"{prefix}({c})"


def twid(rng: random.Random, valid: bool = True) -> str:
    first9 = (
        rng.choice("ABCDEFGHJKLMNPQRSTUVXYWZIO")
        + rng.choice("12")
        + "".join(str(rng.randint(0, 9)) for _ in range(7))
    )
    full = first9 + tw_id.check_digit(first9)
    return full if valid else _break(full, "0123456789", rng)


def iban_code(rng: random.Random, country: str = "DE", valid: bool = True) -> str:
    length = iban.LENGTHS[country]
    bban = "".join(str(rng.randint(0, 9)) for _ in range(length - 4))
    check = 98 - iban.mod97(country + "00" + bban)
    full = f"{country}{check:02d}{bban}"
    return full if valid else full[:2] + f"{(check + 1) % 97 or 2:02d}" + bban


def email(rng: random.Random) -> str:
    user = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 10)))
    if rng.random() < 0.4:
        user += str(rng.randint(1, 9999))
    return f"{user}@{rng.choice(['example.com', 'example.cn', 'mail.example.org', 'test.example.net'])}"
