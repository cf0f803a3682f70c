"""Re-decide a stored `assess` run under a changed policy, from its findings file, without detectors.

The run's samples are fixed by the ids and the seed, and its findings file (``detect/findings_io``) holds
every finding of every sampled record, so a changed decision rule (``[decision] min_score``,
``risk_min_score``, ``layers``) or threshold (``[source] max_violation_rate``, ``confidence``,
``[technical_sample] min_clean_rate``) gives the per-source violations and verdicts a fresh run would.
That holds when the new rule only narrows the old one: a decision layer the run did not decide by, or a
minimum score below the run's, needs findings that were never produced (the PII detector drops spans
under the run's minimum), so such a policy is refused. A sequential run is re-counted over the items it
scanned; a fresh sequential run might stop elsewhere.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from safecorpus.assess import stats
from safecorpus.assess.decision import DecisionRule
from safecorpus.detect.base import Finding
from safecorpus.detect.findings_io import read_findings, read_header
from safecorpus.errors import ConfigError, InputError
from safecorpus.taxonomy.profile import Profile

Key = tuple[str, str]  # (sample, record id) per source


def check_narrows(old: dict[str, Any], new: DecisionRule) -> None:
    """Refuse a rule that would need findings the run did not keep (exit 2, naming what differs)."""
    extra = sorted(new.layers - set(old["layers"]))
    if extra:
        raise ConfigError(
            f"[decision] layers adds {', '.join(extra)}, which the run did not decide by; run assess again"
        )
    old_rule = DecisionRule(
        frozenset(old["layers"]), frozenset(old["risks"]), float(old["min_score"]), old["risk_min_score"]
    )
    for risk in sorted(new.risks | old_rule.risks):
        if new.threshold(risk) < old_rule.threshold(risk) and risk in new.risks:
            raise ConfigError(
                f"the minimum score for {risk} ({new.threshold(risk)}) is below the run's "
                f"({old_rule.threshold(risk)}): findings under it were not kept; run assess again"
            )


def _sampled(path: str | Path) -> list[str]:
    """The ids a sample file lists, in its order (header and comment lines skipped)."""
    ids = []
    for line in Path(path).read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("hash\t"):
            continue
        ids.append(line.split("\t")[1])
    return ids


def _count(
    ids: Iterable[str], findings: dict[str, list[Finding]], rule: DecisionRule
) -> tuple[int, int, Counter[str], Counter[str]]:
    n = violations = 0
    risks: Counter[str] = Counter()
    layers: Counter[str] = Counter()
    for rid in ids:
        n += 1
        counted = rule.counted(findings.get(rid, ()))
        violations += bool(counted)
        risks.update({f.risk for f in counted})
        layers.update({f.layer for f in counted})
    return n, violations, risks, layers


def _ranked(counts: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda x: (-x[1], x[0]))


def redecide(summary: dict[str, Any], profile: Profile) -> dict[str, Any]:
    """The run's per-source figures and technical sample under ``profile``'s decision rule and
    thresholds (``summary``: the run's summary document, which names its evidence)."""
    folder = Path(summary["evidence_dir"])
    path = folder / "findings.jsonl"
    if not path.exists():
        raise InputError(f"{path}: the run's findings file is gone; run assess again")
    header = read_header(path)
    old = header.get("decision") or summary["detectors"]["decision"]
    rule = DecisionRule.from_profile(profile)
    check_narrows(old, rule)
    by_sample: dict[str, dict[str, dict[str, list[Finding]]]] = {"source": {}, "technical": {}}
    for row in read_findings(path):
        sample = by_sample.get(str(row.extra.get("sample")))
        if sample is not None:
            sample.setdefault(row.source or "", {})[row.id] = row.findings
    max_rate = float(profile.get("source.max_violation_rate"))
    confidence = float(profile.get("source.confidence"))
    sources = []
    for src in summary["sources"]:
        ids = _sampled(src["sampled_ids_file"])
        n, k, risks, layers = _count(ids, by_sample["source"].get(src["name"], {}), rule)
        est = stats.estimate(k, n, population=src["read"], confidence=confidence)
        verdict = stats.source_verdict(est, max_rate)
        sources.append(
            {
                "name": src["name"],
                "read": src["read"],
                "sampled": n,
                "violations": k,
                "rate": est.rate,
                "ci_low": est.ci_low,
                "ci_high": est.ci_high,
                "verdict": verdict,
                "was": {"violations": src["violations"], "verdict": src["verdict"]},
                "top_risks": [
                    {"risk": r, "count": c} for r, c in sorted(risks.items(), key=lambda x: (-x[1], x[0]))
                ],
                "layers": dict(layers),
            }
        )
    tech = summary["technical_sample"]
    tech_found: dict[str, list[Finding]] = {}
    for per_source in by_sample["technical"].values():
        tech_found.update(per_source)
    n, k, _, tech_layers = _count(_sampled(tech["sampled_ids_file"]), tech_found, rule)
    min_clean = float(profile.get("technical_sample.min_clean_rate"))
    clean = stats.estimate(n - k, n, confidence=confidence)
    tech_verdict, marginal = stats.threshold_verdict(clean, min_clean) if n else ("fails", False)
    return {
        "run_id": summary["run_id"],
        "corpus": summary["corpus"],
        "profile": profile.name,
        "redecided_at": dt.datetime.now(dt.UTC).isoformat(),
        "decision": rule.describe(),
        "was_decision": old,
        "per_source_design": summary["sampling"]["per_source_design"],
        "max_violation_rate": max_rate,
        "sources": sources,
        "technical_sample": {
            "sampled": n,
            "violations": k,
            "clean_rate": clean.rate,
            "ci_low": clean.ci_low,
            "ci_high": clean.ci_high,
            "min_clean_rate": min_clean,
            "verdict": tech_verdict,
            "marginal": marginal,
            "flagged_by_layer": dict(sorted(tech_layers.items())),
        },
        "verdicts": dict(Counter(s["verdict"] for s in sources)),
    }
