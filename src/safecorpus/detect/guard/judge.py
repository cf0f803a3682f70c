"""Ask a guard model about many items concurrently, with the cache, and summarise cost and latency.

Every item ends ``judged`` (with a verdict read from the guard's answer or the cache) or ``failed`` with a
reason (timeouts, HTTP errors, connection errors and unreadable answers are retried with backoff first).
A failed item is never safe: callers count it against the content (``flagged`` is ``None`` for it).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from safecorpus.detect.guard.cache import GuardCache, cache_key
from safecorpus.detect.guard.parse import GuardVerdict, parse_verdict
from safecorpus.detect.guard.template import GuardTemplate, load_template
from safecorpus.endpoint.client import ChatClient, EndpointConfig, run_pool
from safecorpus.errors import ConfigError

DEFAULT_CACHE = ".safecorpus/guard-cache.sqlite"


@dataclass(slots=True)
class GuardConfig(EndpointConfig):
    template: str = "qwen3guard"
    send: str | None = None  # override the template's conversation | prompt
    cache_path: str | None = DEFAULT_CACHE  # None: no cache
    controversial: str = "unsafe"  # how a "controversial" verdict counts: unsafe | safe
    unmapped_risk: str = "A.1.8"

    def validate(self) -> None:
        EndpointConfig.validate(self)
        if self.controversial not in ("unsafe", "safe"):
            raise ConfigError("guard.controversial must be 'unsafe' or 'safe'")


@dataclass(frozen=True, slots=True)
class GuardItem:
    id: str
    text: str
    question: str | None = None  # set when ``text`` is a model's answer to this question


@dataclass(slots=True)
class GuardResult:
    id: str
    status: str  # judged | failed
    verdict: GuardVerdict | None = None
    flagged: bool | None = None  # None when failed: not judged, and never counted as safe
    error: str | None = None
    cached: bool = False
    latency_s: float | None = None
    attempts: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "flagged": self.flagged,
            "verdict": self.verdict.to_dict() if self.verdict else None,
            "error": self.error,
            "cached": self.cached,
            "latency_s": self.latency_s,
            "attempts": self.attempts,
        }


@dataclass(slots=True)
class GuardSummary:
    items: int = 0
    judged: int = 0
    failed: int = 0
    cache_hits: int = 0
    requests: int = 0
    retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latencies: list[float] = field(default_factory=list)
    failure_reasons: dict[str, int] = field(default_factory=dict)

    @staticmethod
    def _pct(values: list[float], q: float) -> float | None:
        if not values:
            return None
        s = sorted(values)
        return round(s[min(len(s) - 1, max(0, math.ceil(q * len(s)) - 1))], 4)

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "judged": self.judged,
            "failed": self.failed,
            "cache_hits": self.cache_hits,
            "requests": self.requests,
            "retries": self.retries,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "latency_p50_s": self._pct(self.latencies, 0.5),
            "latency_p95_s": self._pct(self.latencies, 0.95),
            "failure_reasons": dict(sorted(self.failure_reasons.items())),
        }


def _reason_kind(error: str) -> str:
    head = error.split(" (after", 1)[0]
    for kind in ("timed out", "connection error", "malformed JSON", "no choices", "unusable answer"):
        if head.startswith(kind) or kind in head:
            return kind
    return head.split(":", 1)[0][:40]


class GuardJudge:
    """Judge items with one guard endpoint; ``summary`` accumulates over calls."""

    def __init__(self, config: GuardConfig, risk_names: dict[str, str] | None = None) -> None:
        config.validate()
        self.config = config
        self.template: GuardTemplate = load_template(config.template)
        self.client = ChatClient(config)
        self.cache = GuardCache(config.cache_path) if config.cache_path else None
        if risk_names is None:
            from safecorpus.taxonomy.risks import load_taxonomy

            risk_names = {r.id: r.en for r in load_taxonomy().risks}
        self.risk_names = risk_names
        self.summary = GuardSummary()

    @property
    def version(self) -> str:
        return f"{self.template.name}-{self.template.version}:{self.config.model}"

    def _flagged(self, v: GuardVerdict) -> bool:
        return v.verdict == "unsafe" or (
            v.verdict == "controversial" and self.config.controversial == "unsafe"
        )

    async def _judge_all(self, items: Sequence[GuardItem]) -> list[GuardResult]:
        results: dict[str, GuardResult] = {}
        todo: list[tuple[GuardItem, list[dict[str, str]], str]] = []
        for it in items:
            msgs = self.template.messages(it.text, it.question, self.risk_names, self.config.send)
            key = cache_key(self.template.name, self.template.version, self.config.model, msgs)
            hit = self.cache.get(key) if self.cache is not None else None
            if hit is not None:
                results[it.id] = GuardResult(it.id, "judged", hit, self._flagged(hit), cached=True)
                self.summary.cache_hits += 1
            else:
                todo.append((it, msgs, key))

        def validate(content: str) -> GuardVerdict:
            return parse_verdict(content, self.template, self.config.unmapped_risk)

        async def handle(client: Any, job: tuple[GuardItem, list[dict[str, str]], str]) -> None:
            it, msgs, key = job
            res = await self.client.complete(client, msgs, validate=validate)
            self.summary.prompt_tokens += res.prompt_tokens or 0
            self.summary.completion_tokens += res.completion_tokens or 0
            if res.ok:
                v: GuardVerdict = res.parsed
                self.summary.latencies.append(res.latency_s)
                if self.cache is not None:
                    self.cache.put(key, v, self.config.model, self.template.name, res.content)
                results[it.id] = GuardResult(
                    it.id, "judged", v, self._flagged(v), latency_s=res.latency_s, attempts=res.attempts
                )
            else:
                err = res.error or "unknown failure"
                kind = _reason_kind(err)
                self.summary.failure_reasons[kind] = self.summary.failure_reasons.get(kind, 0) + 1
                results[it.id] = GuardResult(
                    it.id, "failed", None, None, error=err, latency_s=res.latency_s, attempts=res.attempts
                )

        await run_pool(self.config, todo, handle)
        return [results[it.id] for it in items]

    def judge(self, items: Sequence[GuardItem]) -> list[GuardResult]:
        """Judge every item (in input order); ids must be unique within a call."""
        if len({it.id for it in items}) != len(items):
            raise ValueError("guard item ids must be unique within a call")
        requests0, retries0 = self.client.requests, self.client.retries
        out = asyncio.run(self._judge_all(items)) if items else []
        self.summary.items += len(out)
        self.summary.judged += sum(1 for r in out if r.status == "judged")
        self.summary.failed += sum(1 for r in out if r.status == "failed")
        self.summary.requests += self.client.requests - requests0
        self.summary.retries += self.client.retries - retries0
        return out

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()


def open_judge(config: GuardConfig) -> GuardJudge:
    if config.cache_path:
        Path(config.cache_path).parent.mkdir(parents=True, exist_ok=True)
    return GuardJudge(config)
