"""Read a guard model's answer into a verdict, or raise :class:`Unusable` (the request is then retried and,
if the answer stays unreadable, the item is marked failed: an unreadable answer is never taken as safe).

- Qwen3Guard: ``Safety: Safe|Unsafe|Controversial`` and ``Categories: A, B`` (``None`` when safe), and for a
  response also ``Refusal: Yes|No``.
- Llama Guard 3/4: first line ``safe`` or ``unsafe``; when unsafe, a line of codes such as ``S1,S10``.
- Rubric: one JSON object ``{"verdict": …, "risks": […], "reason": …}``, possibly inside a code fence.

Categories are mapped by the template; a category the template does not know goes to ``unmapped_risk``
(so an unsafe verdict always carries at least one risk id).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import orjson

from safecorpus.detect.guard.template import GuardTemplate
from safecorpus.endpoint.client import Unusable

VERDICTS = ("safe", "unsafe", "controversial")
_RISK_ID = re.compile(r"^A\.[1-5]\.[1-9]$")


@dataclass(slots=True)
class GuardVerdict:
    verdict: str  # safe | unsafe | controversial
    categories: list[str] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)
    refusal: bool | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "categories": self.categories,
            "risks": self.risks,
            "refusal": self.refusal,
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> GuardVerdict:
        return cls(d["verdict"], list(d["categories"]), list(d["risks"]), d.get("refusal"), d.get("reason"))


def _short(text: str) -> str:
    text = " ".join(text.split())
    return repr(text[:80] + ("…" if len(text) > 80 else ""))


def _map(template: GuardTemplate, categories: list[str], unmapped_risk: str, verdict: str) -> list[str]:
    risks: list[str] = []
    for cat in categories:
        mapped = template.risks_for(cat)
        for rid in mapped if mapped is not None else (unmapped_risk,):
            if rid not in risks:
                risks.append(rid)
    if verdict != "safe" and not risks:
        risks.append(unmapped_risk)  # unsafe with no (or only non-content) categories still flags
    return risks


def parse_qwen3guard(text: str, template: GuardTemplate, unmapped_risk: str) -> GuardVerdict:
    m = re.search(r"safety\s*[:：]\s*(safe|unsafe|controversial)\b", text, re.I)
    if not m:
        raise Unusable(f"no 'Safety: …' line in {_short(text)}")
    verdict = m.group(1).lower()
    cats: list[str] = []
    c = re.search(r"categories\s*[:：]\s*(.+)", text, re.I)
    if c:
        cats = [
            x.strip() for x in re.split(r"[,，]", c.group(1)) if x.strip() and x.strip().lower() != "none"
        ]
    r = re.search(r"refusal\s*[:：]\s*(yes|no)\b", text, re.I)
    refusal = None if not r else r.group(1).lower() == "yes"
    return GuardVerdict(verdict, cats, _map(template, cats, unmapped_risk, verdict), refusal)


def parse_llamaguard(text: str, template: GuardTemplate, unmapped_risk: str) -> GuardVerdict:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    if not lines or lines[0].lower().rstrip(".") not in ("safe", "unsafe"):
        raise Unusable(f"first line is not 'safe' or 'unsafe' in {_short(text)}")
    verdict = lines[0].lower().rstrip(".")
    cats: list[str] = []
    if verdict == "unsafe" and len(lines) > 1:
        cats = [x.strip().upper() for x in re.split(r"[,，\s]+", lines[1]) if x.strip()]
        if not all(re.fullmatch(r"S\d{1,2}", c) for c in cats):
            raise Unusable(f"category line is not a list of codes in {_short(text)}")
    return GuardVerdict(verdict, cats, _map(template, cats, unmapped_risk, verdict))


def parse_rubric(text: str, template: GuardTemplate, unmapped_risk: str) -> GuardVerdict:
    m = re.search(r"\{.*\}", text, re.S)
    if not m:
        raise Unusable(f"no JSON object in {_short(text)}")
    try:
        doc = orjson.loads(m.group(0))
    except orjson.JSONDecodeError:
        raise Unusable(f"invalid JSON in {_short(text)}") from None
    verdict = str(doc.get("verdict", "")).strip().lower() if isinstance(doc, dict) else ""
    if verdict not in VERDICTS:
        raise Unusable(f"verdict must be safe, unsafe or controversial in {_short(text)}")
    raw = doc.get("risks") or []
    if not isinstance(raw, list):
        raise Unusable(f"risks must be a list in {_short(text)}")
    ids = [str(x).strip() for x in raw]
    known = [x for x in ids if _RISK_ID.match(x)]
    risks = list(dict.fromkeys(known + ([unmapped_risk] if len(known) < len(ids) else [])))
    if verdict != "safe" and not risks:
        risks = [unmapped_risk]
    reason = doc.get("reason")
    return GuardVerdict(
        verdict, ids, risks if verdict != "safe" else [], None, str(reason) if reason else None
    )


PARSERS = {"qwen3guard": parse_qwen3guard, "llamaguard": parse_llamaguard, "rubric": parse_rubric}


def parse_verdict(text: str, template: GuardTemplate, unmapped_risk: str = "A.1.8") -> GuardVerdict:
    return PARSERS[template.parser](text, template, unmapped_risk)
