"""English personal names: two or three capitalised words whose first word is a common given name, or
any capitalised pair after a title (Mr, Ms, Dr …) or a naming cue (named, patient, doctor …)."""

from __future__ import annotations

import re

from safecorpus.detect.pii.recognizers.base import Check, Pattern, Recognizer, words

GIVEN_NAMES = frozenset(
    words(
        "aaliyah aaron abigail adam adrian ahmed aiden aisha akira alan albert alessandro alex alexander "
        "alexandra ali alice alicia allison amanda amber amelia amit amy ananya anastasia andrea andrew "
        "angela anna anne anthony antonio april aria ariana arjun arthur ashley audrey austin ava barbara "
        "benjamin betty beverly billy bobby brandon brenda brian brittany bruce bryan caleb cameron carl "
        "carlos carmen carol caroline catherine charles charlotte chen cheryl chloe chris christian "
        "christina christine christopher cindy claire connor cynthia daniel danielle david deborah debra "
        "denise dennis diana diane diego dmitri donald donna doris dorothy douglas dylan edward elena "
        "elizabeth ella ellie emily emma eric erica erik ethan eugene evelyn fatima frances francesca "
        "frank fritz gabriel gary george gerald giovanni giulia gloria grace gregory greta hailey hannah "
        "hans harold harper harry hassan heather helen henry hiroshi ingrid isaac isabella ivan jack jacob "
        "jacqueline jacques james jamie janet janice jason javier jean jeffrey jennifer jeremy jerry jesse "
        "jessica joan joe john johnny jonathan jordan jose joseph joshua joyce juan judith judy julia "
        "julie justin karen katherine kathleen kathryn kayla keith kelly kenji kenneth kevin kimberly "
        "klaus kyle larry lars laura lauren layla leah leo li liam lily linda lisa liu logan lori louis "
        "luca lucas lucia lucy luis luke madison marco margaret maria marie marilyn mark martha martin "
        "mary mason mateo matthew megan mei melissa mia michael michelle mila ming mohammed muhammad nancy "
        "natalia natalie nathan nicholas nicole noah nora olga oliver olivia omar pablo pamela patricia "
        "patrick paul peter philip pierre priya rachel rahul raj ralph randy raymond rebecca richard riley "
        "robert roger ronald rose russell ruth ryan sakura samantha samuel sandra sara sarah scott sean "
        "sergei sharon shirley sofia sophia sophie stephanie stephen steven sunita susan sven teresa terry "
        "theresa thomas timothy tyler victoria vincent virginia walter wang wayne wei william willie yuki "
        "yusuf zachary zhang zoe"
    )
)
TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Madam)\.?"
CUES = (
    r"(?:named|called|patient|doctor|physician|nurse|client|customer|employee|applicant|tenant"
    r"|plaintiff|defendant)"
)
_NAMEWORD = r"[A-Z][A-Za-z]*[a-z][A-Za-z]*(?:['\-][A-Za-z]+)?"
_REST = rf"(?:\s+[A-Z]\.)?(?:\s+{_NAMEWORD}){{1,2}}(?![A-Za-z])"
# The look-behind sits after the first character so that ``re`` can skip ahead to capitals quickly.
NAME = rf"[A-Z](?<![A-Za-z][A-Z])[A-Za-z]*[a-z][A-Za-z]*(?:['\-][A-Za-z]+)?{_REST}"
CUED = rf"(?<![A-Za-z])(?:{TITLES}|{CUES})\s+{_NAMEWORD}{_REST}"
_TITLE_RE = re.compile(rf"^{TITLES}\s+")
_CUE_RE = re.compile(rf"^{CUES}\s+")
_NOT_SURNAME = frozenset(
    words(
        "And April August Avenue Bank Boulevard But Center Centre City College Company Corp County Court "
        "December Department Drive February Friday Group Had Has Hospital Inc Is January July June Lane "
        "Ltd March May Ministry Monday November October Office Or Park Place Road Saturday School "
        "September Services Square State Street Sunday That The These This Those Thursday Tuesday "
        "University Was Wednesday"
    )
)


def _validate(value: str, text: str, start: int, end: int) -> Check | None:
    s = start
    m = _TITLE_RE.match(value) or _CUE_RE.match(value)
    titled = m is not None
    if m:
        s += m.end()
    name = text[s:end]
    words = [w for w in name.split() if not (len(w) == 2 and w.endswith("."))]
    if any(w in _NOT_SURNAME for w in words[1:]):
        # Cut the name before a word that ends it (``Emma Street``) — keep it only if two words remain.
        keep = []
        for w in words:
            if w in _NOT_SURNAME:
                break
            keep.append(w)
        if len(keep) < 2:
            return None
        end = s + name.index(keep[-1]) + len(keep[-1])
        words = keep
    if not titled and words[0].lower() not in GIVEN_NAMES:
        # ``Yesterday Emily Carter``: start at the first given name if two words remain from it.
        idx = next((i for i, w in enumerate(words) if w.lower() in GIVEN_NAMES), None)
        if idx is None or len(words) - idx < 2:
            return None
        s = s + name.index(words[idx])
        words = words[idx:]
    first = words[0].lower()
    if first in GIVEN_NAMES:
        score = 0.85
    elif titled:
        score = 0.8
    else:
        return None
    # A capitalised word starting a sentence is weak evidence on its own.
    return Check(score=score, span=(s, end))


RECOGNIZER = Recognizer(
    name="en_person_name",
    entity="PERSON",
    patterns=(Pattern("name", NAME, 0.6), Pattern("cued", CUED, 0.8)),
    validate=_validate,
    languages=("en",),
)
