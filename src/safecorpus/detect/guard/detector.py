"""``GuardDetector``: a guard model as a detector (layer ``guard``), configured by the profile's ``[guard]``.

One finding per risk id the guard's verdict maps to (score 1.0 for unsafe, 0.5 for controversial when the
profile counts controversial as unsafe). An item the guard could not judge gets one finding with risk
``unjudged`` and ``evidence["judge_failed"] = True`` and the reason: the decision rule counts it as a
violation whenever ``guard`` is a decision layer, so a failure is never taken for clean content.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from safecorpus.detect.base import Finding
from safecorpus.detect.guard.judge import DEFAULT_CACHE, GuardConfig, GuardItem, GuardJudge
from safecorpus.detect.layers import Layer
from safecorpus.errors import ConfigError
from safecorpus.io.records import Record

UNJUDGED = "unjudged"


class GuardDetector:
    name = "guard"
    layer = Layer.GUARD.value  # a plain str: findings and the dicts keyed by layer stay JSON-plain

    def __init__(self, judge: GuardJudge) -> None:
        self.judge = judge
        self.version = judge.version

    def detect(self, records: Sequence[Record]) -> list[list[Finding]]:
        items = [GuardItem(str(i), r.text) for i, r in enumerate(records)]
        out: list[list[Finding]] = []
        det = f"{self.name}@{self.version}"
        for rec, res in zip(records, self.judge.judge(items), strict=True):
            if res.status != "judged" or res.verdict is None:
                reason = res.error or "not judged"
                ev = {"judge_failed": True, "reason": reason}
                out.append([Finding(rec.id, det, self.layer, UNJUDGED, 1.0, evidence=ev)])
                continue
            v = res.verdict
            if not res.flagged:
                out.append([])
                continue
            score = 1.0 if v.verdict == "unsafe" else 0.5
            ev = {"verdict": v.verdict, "categories": v.categories, "cached": res.cached}
            out.append([Finding(rec.id, det, self.layer, rid, score, evidence=ev) for rid in v.risks])
        return out

    def summary(self) -> dict[str, Any]:
        return self.judge.summary.to_dict()

    @classmethod
    def from_profile(cls, profile: Any) -> GuardDetector:
        return cls(GuardJudge(guard_config(profile.get("guard", {}) or {})))


def guard_config(section: dict[str, Any], **overrides: Any) -> GuardConfig:
    """A :class:`GuardConfig` from a ``[guard]`` table (endpoint, model, template, key_env, …)."""
    merged = {**section, **{k: v for k, v in overrides.items() if v is not None}}
    endpoint, model = merged.get("endpoint") or "", merged.get("model") or ""
    if not endpoint or not model:
        raise ConfigError(
            "the guard layer needs an endpoint and a model: set [guard] endpoint = 'http://host:8000/v1' "
            "and model = 'NAME' in the profile (or pass --guard-endpoint/--guard-model)"
        )
    key_env = merged.get("key_env", "OPENAI_API_KEY") or None  # unset in the environment: no header
    cache = merged.get("cache", DEFAULT_CACHE)
    return GuardConfig(
        endpoint=str(endpoint),
        model=str(model),
        template=str(merged.get("template", "qwen3guard")),
        send=merged.get("send") or None,
        concurrency=int(merged.get("concurrency", 8)),
        requests_per_second=merged.get("rps") or None,
        timeout_s=float(merged.get("timeout_s", 30.0)),
        max_retries=int(merged.get("max_retries", 3)),
        backoff_base_s=float(merged.get("backoff_base_s", 0.5)),
        max_tokens=int(merged.get("max_tokens", 256)),
        temperature=0.0,
        api_key_env=key_env,
        cache_path=str(cache) if cache else None,
        controversial=str(merged.get("controversial", "unsafe")),
        unmapped_risk=str(merged.get("unmapped_risk", "A.1.8")),
    )
