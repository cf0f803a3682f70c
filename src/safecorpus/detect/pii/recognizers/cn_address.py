"""Chinese addresses and place mentions.

Three kinds of candidate, from most to least identifying:

1. ``address`` — a structured address: administrative divisions (省/市/区/县/镇/乡/村) and a street part
   (路/街/巷/弄/号/小区/大厦 …), often with a house number; scored 0.5–0.85. Only a *precise* address
   scores 0.85 (the default identifying threshold): a dwelling (3号楼2单元501室, 12层, 小区12号, 新村53号)
   or a street address right after a word of residence or delivery (家住, 住址, 收货地址 …). A street and
   house number alone (中山路123号) is how a building, school, museum or shop is located in news and
   encyclopedic text: 0.7, the finding's ``precision`` says which (``dwelling``, ``residence``,
   ``street``, ``number`` — a number with no street or place —, ``area``);
2. ``landmark`` — a name with a place suffix on its own (金融街, 丽泽商务区, 海渔广场, 蒜村); scored 0.4;
3. ``place`` — a bare place name from the gazetteer: every mainland division (from cpca's GB/T 2260 table,
   full and short forms), foreign countries and cities, regions and geographic names; scored 0.35.

Kinds 2 and 3 score below 0.5, the default PI threshold: a place name alone rarely identifies anyone, but
it is still reported (the finding's ``kind`` says which) so a policy can count place mentions.

A place name that starts an organisation, a title or another entity (北京大学, 美国海军, 《洛杉矶时报》)
is not a place. All word lists live in ``data/`` (``cn_address.toml``, ``cn_divisions.tsv``,
``places_world.txt``, ``cn_common_words.txt``); ``scripts/build_places.py`` builds the generated ones.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources

import ahocorasick_rs

from safecorpus.detect.pii.recognizers.base import Check, Pattern, Recognizer, trie_regex
from safecorpus.detect.pii.recognizers.cn_common import PROVINCE_CODES
from safecorpus.detect.pii.recognizers.cn_person_name import SURNAMES


def _data(name: str) -> str:
    return resources.files("safecorpus.detect.pii").joinpath(f"data/{name}").read_text("utf-8")


SPEC = tomllib.loads(_data("cn_address.toml"))


def _divisions() -> dict[str, str]:
    out = {}
    for line in _data("cn_divisions.tsv").splitlines():
        if line and not line.startswith("#"):
            name, level, _form = line.split("\t")
            out[name] = level
    return out


def _world() -> dict[str, str]:
    out: dict[str, str] = {}
    kind = "place"
    for line in _data("places_world.txt").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            kind = line[1:-1]
        elif line:
            for w in line.split():
                out.setdefault(w, kind)
    return out


DIVISIONS = _divisions()
WORLD = _world()
COMMON_WORDS = frozenset(w for w in _data("cn_common_words.txt").splitlines() if w and not w.startswith("#"))
_EXCLUDE = frozenset(SPEC["exclude"])
_SURNAME_CHARS = frozenset(SURNAMES)
_PROVINCES_FULL = tuple(v for k, v in PROVINCE_CODES.items() if k != "83")

_CJK = "\u4e00-\u9fff"
_NUM = "0-9一二三四五六七八九十百零"
_NUMPART = re.compile(
    rf"(?:[{_NUM}]+[A-Za-z]?(?:号院|号楼|号|弄|巷|栋|幢|座|单元|室|楼|层|院|期)(?:之[{_NUM}]+)?)+"
)
_SUFFIXES = list(dict.fromkeys(SPEC["division_suffixes"] + SPEC["street_suffixes"]))
_SUFFIX = re.compile(rf"{trie_regex(_SUFFIXES)}(?![{re.escape(SPEC['not_after'])}])")
_SHORT_OK = frozenset(SPEC["short_name_suffixes"])
_LANDMARK = tuple(sorted(set(SPEC["landmark_suffixes"]), key=len, reverse=True))
# Characters that end an address on its left: particles, pronouns, verbs of residence, punctuation.
_STOP = frozenset(SPEC["stop_chars"])
STRUCTURED = _SUFFIX.pattern  # gates the prefilter; :func:`find_addresses` proposes the spans


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def find_addresses(text: str) -> list[tuple[int, int]]:
    """Runs of address components (名+省/市/区/路/…), each with up to 7 characters before its suffix,
    joined when they follow one another, plus a trailing house number (123号, 3号楼2单元501室)."""
    hits = [m.span() for m in _SUFFIX.finditer(text)]
    out: list[tuple[int, int]] = []
    i, n = 0, len(hits)
    while i < n:
        s0, e0 = hits[i]
        i += 1
        j, k = s0, 0
        while j > 0 and k < 7 and _is_cjk(text[j - 1]) and text[j - 1] not in _STOP:
            j -= 1
            k += 1
        if j == s0 or (out and j < out[-1][1]):
            continue
        end = e0
        while i < n:
            s1, e1 = hits[i]
            gap = text[end:s1]
            if len(gap) <= 8 and all(_is_cjk(c) and c not in _STOP for c in gap):
                end = e1
                i += 1
                continue
            m = _NUMPART.match(text, end)
            if m and m.end() == s1:
                end = e1
                i += 1
                continue
            break
        m = _NUMPART.match(text, end)
        if m:
            end = m.end()
            while i < n and hits[i][0] < end:
                i += 1
        out.append((j, end))
    return out


_GAZ = sorted((set(DIVISIONS) | set(WORLD) | set(_PROVINCES_FULL)) - _EXCLUDE, key=len, reverse=True)
GAZETTEER = trie_regex(_GAZ)
_GAZ_SET = frozenset(_GAZ)
# The same gazetteer as an Aho–Corasick automaton (leftmost-longest, like the regex): ~20x faster on text.
_GAZ_AC = ahocorasick_rs.AhoCorasick(_GAZ, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)


def find_places(text: str) -> list[tuple[int, int]]:
    """Gazetteer hits, leftmost-longest, as code-point spans."""
    return [(s, e) for _, s, e in _GAZ_AC.find_matches_as_indexes(text)]


_ORG_AFTER_RE = re.compile(trie_regex(SPEC["org_after"]))
# An organisation word ending within a few characters after the place (北京市住建委, 星展银行香港分行).
_ORG_WINDOW_RE = re.compile(rf"[{_CJK}A-Za-z0-9·]{{0,6}}?{trie_regex(SPEC['org_suffixes'])}")
_ORG_NEXT_RE = re.compile(trie_regex(SPEC["org_suffixes"]))
_NO_ORG_GAP = frozenset("的在是和与及了到从向对把被将，。、：；！？“”《》（）()")
_TEAM_RE = re.compile(trie_regex(w.lower() for w in SPEC["team_context"]), re.IGNORECASE)
_TEAM_WINDOW = int(SPEC["team_window"])
_ORG_INSIDE_RE = re.compile(trie_regex(SPEC["org_inside"]))


@lru_cache(maxsize=65536)
def _trim_prefix(value: str) -> int:
    """How many leading characters are verbs or particles rather than address (现居住于黑龙江省… → 4).

    Depends on the value only, so it is cached: the same address strings recur across a corpus."""
    first_div = len(value)
    for i, c in enumerate(value):
        if c in "省市区县州镇乡村路街":
            first_div = i
            break
    cut = 0
    for i in range(first_div):
        if value[i] in _STOP:
            cut = i + 1
    # A known place starts the address even without a particle: the leftmost gazetteer word in
    # value[cut:first_div + 1] (the automaton finds the same leftmost start as a regex search would).
    for _, ms, _me in _GAZ_AC.find_matches_as_indexes(value[cut : first_div + 1]):
        ms += cut
        if ms > cut and value[ms - 1] not in "省市区县":
            cut = ms
        break
    return cut


def _starts_entity(text: str, end: int) -> bool:
    """The place at ``text[:end]`` is the first word of an organisation or other named entity."""
    if _ORG_AFTER_RE.match(text, end):
        return True
    m = _ORG_WINDOW_RE.match(text, end)
    return m is not None and not any(c in _NO_ORG_GAP for c in text[end : m.end()])


def _in_title(text: str, start: int, end: int) -> bool:
    """Inside 《…》 (a book, film, paper or game title)."""
    lo = max(0, start - 30)
    opened = text.rfind("《", lo, start)
    return opened >= 0 and text.rfind("》", opened, start) < 0 and text.find("》", end, end + 30) >= 0


def _team(text: str, start: int, end: int, kind: str) -> bool:
    """A foreign city or country in sports text is a team (罗马客场让平半)."""
    if kind not in ("city", "country"):
        return False
    w = _TEAM_WINDOW
    return _TEAM_RE.search(text, max(0, start - w), start) is not None or (
        _TEAM_RE.search(text, end, end + w) is not None
    )


def _embedded(text: str, start: int, end: int, level: str) -> bool:
    """A county-level short form or a two-character name glued into a longer word (孙中山, 地下城)."""
    if level != "county" or start == 0 or end >= len(text):
        return False
    before, after = text[start - 1], text[end]
    return _is_cjk(before) and before not in _STOP and _is_cjk(after) and after not in _STOP


@lru_cache(maxsize=65536)
def _landmark(value: str) -> bool:
    name = value
    suf = ""
    for suf in _LANDMARK:
        if value.endswith(suf):
            name = value[: -len(suf)]
            break
    else:
        return False
    return (
        (len(name) >= 2 or (len(name) == 1 and suf in _SHORT_OK))
        and value not in COMMON_WORDS
        and value not in _EXCLUDE
        and _ORG_INSIDE_RE.search(value) is None
    )


@lru_cache(maxsize=65536)
def _shape(value: str) -> tuple[bool, bool, int]:
    """A structured candidate's shape: ends in a house number; starts with a known place; how many
    address components it names. It needs one of the three to count as an address."""
    has_number = (
        any(c.isdigit() or c in "一二三四五六七八九十" for c in value[-6:])
        and value[-1] in "号弄巷栋幢座室楼层元"
    )
    known = any(ms == 0 for _, ms, _me in _GAZ_AC.find_matches_as_indexes(value)[:1])
    parts = sum(value.count(x) for x in ("省", "市", "区", "县", "镇", "乡", "村", "路", "街", "道", "号"))
    return has_number, known, parts


_RESIDENCE_RE = re.compile(trie_regex(SPEC["residence_context"]))
_RESIDENCE_WINDOW = 8
_DWELLING_RE = re.compile(
    rf"[{_NUM}]+[A-Za-z]?(?:{trie_regex(SPEC['dwelling_markers'])})"
    rf"|(?:{trie_regex(SPEC['compound_words'])})[{_NUM}]+[A-Za-z]?(?:号|弄|栋|幢)"
)


@lru_cache(maxsize=65536)
def _dwelling(value: str) -> bool:
    """A flat, floor or building within a compound (3号楼, 501室, 12层), or a house of a residential
    compound, village or lane (小区12号, 新村53号, 123弄4号)."""
    return _DWELLING_RE.search(value) is not None


def _residence(text: str, start: int) -> bool:
    """A word of residence or delivery (家住, 住址, 收货地址 …) just before the address."""
    return _RESIDENCE_RE.search(text, max(0, start - _RESIDENCE_WINDOW), start) is not None


def _validate(value: str, text: str, start: int, end: int) -> Check | None:
    if value not in _GAZ_SET:
        cut = _trim_prefix(value)
        if cut:
            start += cut
            value = value[cut:]
            if len(value) < 2:
                return None
    if value in _EXCLUDE:
        return None
    if value in _GAZ_SET:
        if _starts_entity(text, end) or _in_title(text, start, end):
            return None
        kind = DIVISIONS.get(value) or WORLD.get(value) or "province"
        if _team(text, start, end, kind) or _embedded(text, start, end, kind):
            return None
        return Check(score=0.35, extra={"kind": "place", "place": kind}, span=(start, end))
    has_number, known, parts = _shape(value)
    if has_number or known or parts >= 2:
        if not has_number and (_ORG_AFTER_RE.match(text, end) or _ORG_NEXT_RE.match(text, end)):
            return None
        if has_number and (parts >= 2 or known):
            if _dwelling(value):
                score, precision = 0.85, "dwelling"
            elif _residence(text, start):
                score, precision = 0.85, "residence"
            else:
                score, precision = 0.7, "street"
        elif has_number:  # a house or flat number with no street or place before it
            score, precision = 0.7, "number"
        else:
            score, precision = (0.7 if parts >= 2 else 0.5), "area"
        return Check(score=score, extra={"kind": "address", "precision": precision}, span=(start, end))
    if _landmark(value) and not _starts_entity(text, end) and not _in_title(text, start, end):
        return Check(score=0.4, extra={"kind": "landmark"}, span=(start, end))
    return None


RECOGNIZER = Recognizer(
    name="cn_address",
    entity="ADDRESS",
    patterns=(Pattern("address", rf"{STRUCTURED}|{GAZETTEER}", 0.6, prefilter=False),),
    finder=lambda text: find_addresses(text) + find_places(text),
    validate=_validate,
    languages=("zh",),
    version=str(SPEC.get("version", "2")),
)
