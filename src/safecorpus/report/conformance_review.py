"""Clauses evidenced by the review store (9.2.a, 5.3.*) and by the question banks (8.2, 8.3)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from safecorpus.report.clauses import MAN, NC, C, Clause, Doc, Outcome, pct

_SKIPPED_ZH = (
    (re.compile(r"^no judging sheet imported \(--manual SHEET\)$"), "未导入人工评判表（--manual SHEET）"),
    (re.compile(r"^no (\S+) detector available$"), r"没有可用的\1检测器"),
    (re.compile(r"^keyword layer skipped: (.*)$"), r"未进行关键词检测：\1"),
)


def skipped_zh(reason: str) -> str:
    """The Chinese wording of a model-test draw's "skipped" reason (unknown reasons stay as given)."""
    for pattern, zh in _SKIPPED_ZH:
        if pattern.match(reason):
            return pattern.sub(zh, reason)
    return reason


def _review(doc: Doc) -> dict[str, Any]:
    return doc.get("review") or {"present": False}


# ------------------------------------------------------------------ review store
def manual_sample(doc: Doc) -> Outcome:
    th = doc["scope"]["thresholds"]
    title = (
        f"Manual sample ≥{th['manual_min_items']}, ≥{pct(th['manual_min_clean_rate'])} clean",
        f"人工抽检≥{th['manual_min_items']}条、合格率≥{pct(th['manual_min_clean_rate'])}",
    )
    rv = _review(doc)
    m = rv.get("manual_sample")
    if not rv["present"] or not m or not m["total"]:
        en = "no reviewed manual sample stored; attach the reviewers' sheet"
        return Outcome(MAN, en, "未存储已复核的人工抽检结果，需附评审记录", title)
    ci = f"{pct(m['ci_low'])}–{pct(m['ci_high'])}"
    en = (
        f"{m['total']}/{m['min_items']} reviewed, clean {m['clean']} = {pct(m['clean_rate'])}"
        f" ({round(m['confidence'] * 100)}% CI {ci}): {m['verdict']}"
        + (" (marginal)" if m["marginal"] else "")
    )
    zh = f"已复核{m['total']}/{m['min_items']}条，合格{m['clean']}条 = {pct(m['clean_rate'])}（区间{ci}）"
    if m["verdict"] == "incomplete":
        return Outcome(
            MAN, en + f"; {m['shortfall']} more needed", zh + f"；样本不足，还需{m['shortfall']}条", title
        )
    return Outcome(C if m["verdict"] == "meets" else NC, en, zh + f"：{m['verdict']}", title)


def from_review(check: Callable[[dict[str, Any]], tuple[bool, str, str]]) -> Callable[[Doc], Outcome]:
    """A clause the review store evidences: ``check(review)`` gives (conforms, en, zh)."""

    def run(doc: Doc) -> Outcome:
        rv = _review(doc)
        if not rv["present"]:
            return Outcome(MAN, "no review store data; attach the records", "审核库无数据，需附证明材料")
        ok, en, zh = check(rv)
        return Outcome(C if ok else NC, en, zh)

    return run


def qualified(rv: dict[str, Any]) -> tuple[bool, str, str]:
    people = rv["people"]
    unqual = [p["username"] for p in people if not p["qualified_before_first_label"]]
    return (
        not unqual,
        f"{len(people) - len(unqual)}/{len(people)} people who labelled or reviewed passed the"
        f" qualification test before their first label" + (f"; not: {', '.join(unqual)}" if unqual else ""),
        f"{len(people) - len(unqual)}/{len(people)}名标注/审核人员在首次标注前通过资质考核"
        + (f"；未通过：{'、'.join(unqual)}" if unqual else ""),
    )


def roles_separated(rv: dict[str, Any]) -> tuple[bool, str, str]:
    return (
        rv["self_reviews"] == 0,
        f"{rv['reviews']} reviews, {rv['self_reviews']} by the label's own annotator",
        f"共{rv['reviews']}次审核，其中自审{rv['self_reviews']}次",
    )


def guidelines_cover_risks(rv: dict[str, Any]) -> tuple[bool, str, str]:
    g = rv["guidelines"]
    return (
        g["covered"] == g["risks"],
        f"guidelines for {g['covered']}/{g['risks']} risks"
        + (f"; missing {', '.join(g['missing'])}" if g["missing"] else ""),
        f"标注规则覆盖{g['covered']}/{g['risks']}类风险",
    )


def labels_reviewed(rv: dict[str, Any]) -> tuple[bool, str, str]:
    return (
        rv["done_without_review"] == 0,
        f"{rv['labelled_items']} labelled items, {rv['reviews']} reviewed,"
        f" {rv['awaiting_review']} awaiting review (not counted in any result);"
        f" {rv['done_without_review']} counted without a review",
        f"已标注{rv['labelled_items']}条，已审核{rv['reviews']}条，待审核{rv['awaiting_review']}条"
        f"（不计入结果）；未经审核而计入{rv['done_without_review']}条",
    )


# ------------------------------------------------------------------ question banks
def _banks_used(bc: dict[str, Any]) -> tuple[str, str]:
    if bc["starter_banks"]:
        return "starter banks", "内置初始题库"
    return ", ".join(bc["files"]), "、".join(bc["files"])


def bank_size(bank: str) -> Callable[[Doc], Outcome | None]:
    """A bank's size and per-category minimums; no row when no bank coverage is in the report."""

    def check(doc: Doc) -> Outcome | None:
        bc = doc.get("bank_coverage")
        if not bc:
            return None
        which, which_zh = _banks_used(bc)
        cov = bc["banks"].get(bank)
        if cov is None:
            return Outcome(MAN, f"no {bank} bank in {which}", f"{which_zh}中无此题库")
        short = [f for f in cov["shortfalls"] if f["check"] != "freshness"]
        more = f"; … {len(short) - 5} more" if len(short) > 5 else ""
        detail = (
            "; ".join(f["message"] for f in short[:5]) + more if short else "every category at its minimum"
        )
        en = f"{which}: {cov['distinct']}/{cov['required_total']} distinct questions; {detail}"
        zh = f"{which_zh}：不重复{cov['distinct']}/{cov['required_total']}题" + (
            f"；{len(short)}项不足" if short else "；各类别均达到下限"
        )
        return Outcome(NC if short else C, en, zh)

    return check


def banks_fresh(doc: Doc) -> Outcome | None:
    bc = doc.get("bank_coverage")
    if not bc:
        return None
    which, which_zh = _banks_used(bc)
    stale = [f for cov in bc["banks"].values() for f in cov["shortfalls"] if f["check"] == "freshness"]
    return Outcome(
        NC if stale else C,
        "; ".join(f["message"] for f in stale) or f"{which}: every bank updated within its period",
        f"{len(stale)}个题库超过更新周期" if stale else f"{which_zh}：均在更新周期内",
    )


REVIEW_CLAUSES: tuple[Clause, ...] = (
    Clause("TC260-003 9.2.a", ("Manual sample", "人工抽检"), manual_sample),
    Clause(
        "TC260-003 5.3.a.2",
        ("Annotators examined and qualified", "标注人员经考核具备资质"),
        from_review(qualified),
    ),
    Clause(
        "TC260-003 5.3.a.3",
        ("Annotation and review roles separated", "标注与审核角色分离"),
        from_review(roles_separated),
    ),
    Clause(
        "TC260-003 5.3.b.4",
        ("Safety annotation rules for every risk", "安全标注规则覆盖全部风险"),
        from_review(guidelines_cover_risks),
    ),
    Clause(
        "TC260-003 5.3.c.2",
        ("Every safety label reviewed", "每条安全标注均经审核"),
        from_review(labels_reviewed),
    ),
)

BANK_CLAUSES: tuple[Clause, ...] = (
    Clause(
        "TC260-003 8.2.a–b",
        ("Generated-content bank ≥2,000, every risk covered", "生成内容测试题库≥2000题、覆盖全部风险"),
        bank_size("generated"),
    ),
    Clause(
        "TC260-003 8.3.a",
        ("Should-refuse bank ≥500, ≥20 per risk", "应拒答题库≥500题、每类≥20题"),
        bank_size("should_refuse"),
    ),
    Clause(
        "TC260-003 8.3.b",
        ("Should-not-refuse bank ≥500, every aspect", "非拒答题库≥500题、覆盖全部方面"),
        bank_size("should_not_refuse"),
    ),
    Clause("TC260-003 8.2.d, 8.3.d", ("Banks updated at least monthly", "题库至少每月更新"), banks_fresh),
)
