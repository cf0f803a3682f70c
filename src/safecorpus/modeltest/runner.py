"""Ask any OpenAI-compatible chat-completions endpoint every question of a bank, resumably.

- Bounded concurrency (``concurrency`` workers over one connection pool), an optional request-rate limit,
  per-request timeouts, retries with exponential backoff (and ``Retry-After`` where the server sends it).
- The answer store is an append-only JSONL file: one line per finished question, written and flushed as soon
  as the question is done, so a killed run loses at most the questions in flight. On restart the store is
  read first and only questions without an ``ok`` answer are asked again (failed ones too, unless
  ``retry_failed=False``). The last line for an id wins; a torn last line is ignored.
- Each line keeps the raw answer, the finish reason, latency, token counts, the number of attempts and, for
  failures, the reason. A failure is never an answer: the judges treat it as not passing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from safecorpus.endpoint.client import ChatClient, EndpointConfig, run_pool
from safecorpus.errors import InputError
from safecorpus.modeltest.bank import BankItem

log = logging.getLogger(__name__)

RUNNER_VERSION = "1"


@dataclass(slots=True)
class Answer:
    """One finished question in the answer store."""

    item_id: str
    status: str  # "ok" | "failed"
    model: str
    answer: str | None = None
    finish_reason: str | None = None
    error: str | None = None
    latency_s: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    attempts: int = 0
    http_status: int | None = None
    asked_at: str = ""
    bank: str | None = None
    category: str | None = None
    question: str | None = None
    raw: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Answer:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in d.items() if k in known})


class AnswerStore:
    """Append-only JSONL of :class:`Answer` lines; the last line for an item id wins."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.answers: dict[str, Answer] = {}
        self.torn_lines = 0
        if self.path.exists():
            self._load()
        self._fh: BinaryIO | None = None

    def _load(self) -> None:
        with self.path.open("rb") as fh:
            for line in fh:
                if not line.strip():
                    continue
                try:
                    a = Answer.from_dict(orjson.loads(line))
                except (orjson.JSONDecodeError, TypeError):
                    self.torn_lines += 1  # a run killed mid-write leaves at most one torn line
                    continue
                self.answers[a.item_id] = a

    def answered(self) -> set[str]:
        return {k for k, a in self.answers.items() if a.ok}

    def append(self, answer: Answer) -> None:
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # a torn last line (no newline) must not glue onto the next record
            if self.path.exists() and self.path.stat().st_size:
                with self.path.open("rb") as fh:
                    fh.seek(-1, os.SEEK_END)
                    needs_nl = fh.read(1) != b"\n"
            else:
                needs_nl = False
            self._fh = self.path.open("ab")
            if needs_nl:
                self._fh.write(b"\n")
        self._fh.write(orjson.dumps(answer.to_dict()) + b"\n")
        self._fh.flush()
        self.answers[answer.item_id] = answer

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


@dataclass(slots=True)
class RunConfig(EndpointConfig):
    """The endpoint settings plus what only the question runner needs."""

    system_prompt: str | None = None
    retry_failed: bool = True


class Runner:
    """Ask questions concurrently and store the answers. Use :func:`run_bank` for the one-call form."""

    def __init__(self, config: RunConfig, store: AnswerStore, keep_raw: bool = True) -> None:
        self.config = config
        self.client = ChatClient(config)
        self.store = store
        self.keep_raw = keep_raw
        self.done = 0
        self.progress: Callable[[int, int], None] | None = None

    def _messages(self, question: str) -> list[dict[str, str]]:
        messages = []
        if self.config.system_prompt:
            messages.append({"role": "system", "content": self.config.system_prompt})
        messages.append({"role": "user", "content": question})
        return messages

    async def ask(self, client: Any, item: BankItem) -> Answer:
        res = await self.client.complete(client, self._messages(item.question))
        common: dict[str, Any] = {
            "item_id": item.id,
            "model": self.config.model,
            "latency_s": res.latency_s,
            "attempts": res.attempts,
            "http_status": res.http_status,
            "asked_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "bank": item.bank,
            "category": item.category,
            "question": item.question,
        }
        if res.ok:
            return Answer(
                status="ok",
                answer=res.content,
                finish_reason=res.finish_reason,
                prompt_tokens=res.prompt_tokens,
                completion_tokens=res.completion_tokens,
                raw=res.raw if self.keep_raw else None,
                **common,
            )
        return Answer(status="failed", error=res.error, **common)

    def pending(self, items: Iterable[BankItem]) -> list[BankItem]:
        have = self.store.answers
        out = []
        for it in items:
            prev = have.get(it.id)
            if prev is None or (not prev.ok and self.config.retry_failed):
                out.append(it)
        return out

    async def run(self, items: Sequence[BankItem]) -> dict[str, int]:
        todo = self.pending(items)
        total = len(todo)
        counts = {"asked": 0, "ok": 0, "failed": 0, "skipped": len(items) - total}

        async def handle(client: Any, item: BankItem) -> None:
            answer = await self.ask(client, item)
            self.store.append(answer)
            counts["asked"] += 1
            counts["ok" if answer.ok else "failed"] += 1
            if self.progress:
                self.progress(counts["asked"], total)

        await run_pool(self.config, todo, handle)
        return counts


def run_bank(
    items: Sequence[BankItem],
    config: RunConfig,
    store_path: str | Path,
    keep_raw: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Ask every question of ``items`` not yet answered in the store at ``store_path``; return counts."""
    if not items:
        raise InputError("no questions to ask; check the bank paths and --bank filter")
    store = AnswerStore(store_path)
    runner = Runner(config, store, keep_raw=keep_raw)
    runner.progress = progress
    try:
        return asyncio.run(runner.run(items))
    finally:
        store.close()


def load_answers(path: str | Path) -> dict[str, Answer]:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: answer store not found; run `safecorpus modeltest run` first")
    return AnswerStore(path).answers
