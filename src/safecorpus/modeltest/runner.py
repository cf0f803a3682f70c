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
import random
import ssl
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from safecorpus.errors import ConfigError, InputError
from safecorpus.modeltest.bank import BankItem

log = logging.getLogger(__name__)

RUNNER_VERSION = "1"
RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


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
        self._fh = None

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
class RunConfig:
    endpoint: str  # API base, e.g. http://host:8000/v1
    model: str
    concurrency: int = 16
    requests_per_second: float | None = None
    timeout_s: float = 60.0
    max_retries: int = 4
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    temperature: float | None = 0.0
    max_tokens: int | None = 1024
    system_prompt: str | None = None
    api_key_env: str | None = "OPENAI_API_KEY"
    retry_failed: bool = True
    extra_body: dict[str, Any] = field(default_factory=dict)

    def validate(self) -> None:
        if not self.endpoint.startswith(("http://", "https://")):
            raise ConfigError(
                f"--endpoint {self.endpoint!r} must be an http(s) URL such as http://host:8000/v1"
            )
        if self.concurrency < 1:
            raise ConfigError("--concurrency must be at least 1")
        if self.requests_per_second is not None and self.requests_per_second <= 0:
            raise ConfigError("--rps must be positive")

    @property
    def url(self) -> str:
        base = self.endpoint.rstrip("/")
        return base if base.endswith("/chat/completions") else base + "/chat/completions"


class _RateLimiter:
    """Spaces request starts at least 1/rps apart (a token bucket of size one)."""

    def __init__(self, rps: float | None) -> None:
        self.interval = 1.0 / rps if rps else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        if not self.interval:
            return
        async with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + self.interval
        if delay > 0:
            await asyncio.sleep(delay)


class _Retryable(Exception):
    def __init__(self, reason: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.retry_after = retry_after


class _Fatal(Exception):
    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.status = status


def _parse_completion(body: bytes) -> tuple[str, str | None, int | None, int | None, dict[str, Any]]:
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise _Retryable(f"malformed JSON in response ({body[:60]!r})") from None
    try:
        choice = doc["choices"][0]
        message = choice.get("message") or {}
        content = message.get("content")
        if content is None and isinstance(message.get("refusal"), str):
            content = message["refusal"]  # OpenAI's structured refusal field
        if not isinstance(content, str):
            raise TypeError("no content")
    except (KeyError, IndexError, TypeError, AttributeError):
        raise _Retryable("response has no choices[0].message.content") from None
    usage = doc.get("usage") or {}
    return (
        content,
        choice.get("finish_reason"),
        usage.get("prompt_tokens"),
        usage.get("completion_tokens"),
        doc,
    )


class Runner:
    """Ask questions concurrently and store the answers. Use :func:`run_bank` for the one-call form."""

    def __init__(self, config: RunConfig, store: AnswerStore, keep_raw: bool = True) -> None:
        config.validate()
        self.config = config
        self.store = store
        self.keep_raw = keep_raw
        self.limiter = _RateLimiter(config.requests_per_second)
        self.done = 0
        self.progress: Callable[[int, int], None] | None = None

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        env = self.config.api_key_env
        if env and os.environ.get(env):
            headers["Authorization"] = f"Bearer {os.environ[env]}"
        return headers

    def _payload(self, question: str) -> bytes:
        messages = []
        if self.config.system_prompt:
            messages.append({"role": "system", "content": self.config.system_prompt})
        messages.append({"role": "user", "content": question})
        body: dict[str, Any] = {"model": self.config.model, "messages": messages}
        if self.config.temperature is not None:
            body["temperature"] = self.config.temperature
        if self.config.max_tokens is not None:
            body["max_tokens"] = self.config.max_tokens
        body.update(self.config.extra_body)
        return orjson.dumps(body)

    async def _ask_once(
        self, client: Any, question: str
    ) -> tuple[str, str | None, int | None, int | None, dict]:
        import httpx

        await self.limiter.wait()
        try:
            resp = await client.post(
                self.config.url, content=self._payload(question), headers=self._headers()
            )
        except httpx.TimeoutException:
            raise _Retryable(f"timed out after {self.config.timeout_s:g} s") from None
        except httpx.TransportError as exc:
            raise _Retryable(f"connection error: {type(exc).__name__}: {exc}") from None
        if resp.status_code in RETRY_STATUS:
            ra = resp.headers.get("retry-after")
            try:
                retry_after = float(ra) if ra else None
            except ValueError:
                retry_after = None
            raise _Retryable(f"HTTP {resp.status_code}", resp.status_code, retry_after)
        if resp.status_code >= 400:
            raise _Fatal(f"HTTP {resp.status_code}: {resp.text[:200]}", resp.status_code)
        return _parse_completion(resp.content)

    async def ask(self, client: Any, item: BankItem) -> Answer:
        cfg = self.config
        attempts = 0
        last_error, last_status = "", None
        started = time.monotonic()
        while True:
            attempts += 1
            t0 = time.monotonic()
            try:
                content, finish, p_tok, c_tok, raw = await self._ask_once(client, item.question)
            except _Fatal as exc:
                last_error, last_status = str(exc), exc.status
                break
            except _Retryable as exc:
                last_error, last_status = str(exc), exc.status
                if attempts > cfg.max_retries:
                    break
                delay = min(cfg.backoff_max_s, cfg.backoff_base_s * 2 ** (attempts - 1))
                delay *= 0.5 + random.random() / 2  # jitter: spread out retry bursts
                if exc.retry_after is not None:
                    delay = min(cfg.backoff_max_s, max(delay, exc.retry_after))
                await asyncio.sleep(delay)
                continue
            return Answer(
                item_id=item.id,
                status="ok",
                model=cfg.model,
                answer=content,
                finish_reason=finish,
                latency_s=round(time.monotonic() - t0, 4),
                prompt_tokens=p_tok,
                completion_tokens=c_tok,
                attempts=attempts,
                http_status=200,
                asked_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                bank=item.bank,
                category=item.category,
                question=item.question,
                raw=raw if self.keep_raw else None,
            )
        return Answer(
            item_id=item.id,
            status="failed",
            model=cfg.model,
            error=f"{last_error} (after {attempts} attempt{'s' if attempts > 1 else ''})",
            latency_s=round(time.monotonic() - started, 4),
            attempts=attempts,
            http_status=last_status,
            asked_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            bank=item.bank,
            category=item.category,
            question=item.question,
        )

    def pending(self, items: Iterable[BankItem]) -> list[BankItem]:
        have = self.store.answers
        out = []
        for it in items:
            prev = have.get(it.id)
            if prev is None or (not prev.ok and self.config.retry_failed):
                out.append(it)
        return out

    async def run(self, items: Sequence[BankItem]) -> dict[str, int]:
        import httpx

        todo = self.pending(items)
        total = len(todo)
        queue: asyncio.Queue[BankItem] = asyncio.Queue()
        for it in todo:
            queue.put_nowait(it)
        counts = {"asked": 0, "ok": 0, "failed": 0, "skipped": len(items) - total}
        # one single-connection client per worker: httpcore's shared pool scans every connection on each
        # request, which costs more than the requests themselves at a few dozen connections
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        timeout = httpx.Timeout(self.config.timeout_s)
        verify = ssl.create_default_context()  # loaded once, shared by every worker's client

        async def worker() -> None:
            async with httpx.AsyncClient(
                limits=limits, timeout=timeout, trust_env=False, verify=verify
            ) as client:
                while True:
                    try:
                        item = queue.get_nowait()
                    except asyncio.QueueEmpty:
                        return
                    answer = await self.ask(client, item)
                    self.store.append(answer)
                    counts["asked"] += 1
                    counts["ok" if answer.ok else "failed"] += 1
                    if self.progress:
                        self.progress(counts["asked"], total)

        workers = [asyncio.create_task(worker()) for _ in range(min(self.config.concurrency, total))]
        try:
            await asyncio.gather(*workers)
        finally:
            for w in workers:
                w.cancel()
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
