"""One request to an OpenAI-compatible chat-completions endpoint, with retries, shared by every caller.

The model-test runner (asking a model the bank's questions) and the guard judge (asking a guard model for
a verdict) both need the same things: a per-request timeout, retries with exponential backoff and jitter on
timeouts, connection errors, HTTP 408/409/425/429/5xx and malformed responses (honouring ``Retry-After``),
an immediate failure on other 4xx, an optional request-rate limit, and a result that says what happened
(content, tokens, latency, attempts, or the reason it failed). A caller can also reject a well-formed
answer it cannot use (``validate`` raising :class:`Unusable`), which is retried like a malformed response.

Each worker owns one single-connection ``httpx.AsyncClient`` (:func:`worker_client`): httpcore's shared pool
scans every connection on each request, which costs more than the requests at a few dozen connections.
"""

from __future__ import annotations

import asyncio
import os
import random
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from safecorpus.errors import ConfigError

RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


@dataclass(slots=True)
class EndpointConfig:
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
    api_key_env: str | None = "OPENAI_API_KEY"
    extra_body: dict[str, Any] = field(default_factory=dict)

    def validate(self) -> None:
        if not self.endpoint.startswith(("http://", "https://")):
            raise ConfigError(
                f"endpoint {self.endpoint!r} must be an http(s) URL such as http://host:8000/v1"
            )
        if self.concurrency < 1:
            raise ConfigError("concurrency must be at least 1")
        if self.requests_per_second is not None and self.requests_per_second <= 0:
            raise ConfigError("requests per second must be positive")
        if self.timeout_s <= 0:
            raise ConfigError("timeout must be positive")

    @property
    def url(self) -> str:
        base = self.endpoint.rstrip("/")
        return base if base.endswith("/chat/completions") else base + "/chat/completions"


@dataclass(slots=True)
class ChatResult:
    """What one logical request (all its attempts) came to."""

    ok: bool
    content: str | None = None
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_s: float = 0.0  # of the successful attempt, or of all attempts for a failure
    attempts: int = 0
    http_status: int | None = None
    error: str | None = None
    raw: dict[str, Any] | None = None
    parsed: Any = None  # what ``validate`` returned


class Unusable(Exception):
    """Raised by a ``validate`` callback: the answer arrived but cannot be used (retried)."""


class RateLimiter:
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


def parse_completion(body: bytes) -> tuple[str, str | None, int | None, int | None, dict[str, Any]]:
    """(content, finish reason, prompt tokens, completion tokens, document) of a chat-completions body."""
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


def worker_client(config: EndpointConfig, verify: ssl.SSLContext | None = None) -> Any:
    """A single-connection keep-alive client for one worker (use as ``async with``)."""
    import httpx

    return httpx.AsyncClient(
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        timeout=httpx.Timeout(config.timeout_s),
        trust_env=False,
        verify=verify or ssl.create_default_context(),
    )


class ChatClient:
    """Send chat requests with the endpoint's retry policy; counts requests and retries for summaries."""

    def __init__(self, config: EndpointConfig) -> None:
        config.validate()
        self.config = config
        self.limiter = RateLimiter(config.requests_per_second)
        self.requests = 0  # HTTP requests sent (attempts)
        self.retries = 0

    def headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        env = self.config.api_key_env
        if env and os.environ.get(env):
            headers["Authorization"] = f"Bearer {os.environ[env]}"
        return headers

    def payload(self, messages: list[dict[str, str]], overrides: dict[str, Any] | None = None) -> bytes:
        body: dict[str, Any] = {"model": self.config.model, "messages": messages}
        if self.config.temperature is not None:
            body["temperature"] = self.config.temperature
        if self.config.max_tokens is not None:
            body["max_tokens"] = self.config.max_tokens
        body.update(self.config.extra_body)
        body.update(overrides or {})
        return orjson.dumps(body)

    async def _once(self, client: Any, body: bytes) -> tuple[str, str | None, int | None, int | None, dict]:
        import httpx

        await self.limiter.wait()
        self.requests += 1
        try:
            resp = await client.post(self.config.url, content=body, headers=self.headers())
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
        return parse_completion(resp.content)

    async def complete(
        self,
        client: Any,
        messages: list[dict[str, str]],
        validate: Callable[[str], Any] | None = None,
        overrides: dict[str, Any] | None = None,
    ) -> ChatResult:
        """Ask until an answer arrives (and passes ``validate``) or the retries run out; never raises."""
        cfg = self.config
        body = self.payload(messages, overrides)
        attempts = 0
        last_error, last_status = "", None
        started = time.monotonic()
        while True:
            attempts += 1
            t0 = time.monotonic()
            try:
                content, finish, p_tok, c_tok, raw = await self._once(client, body)
                parsed = None
                if validate is not None:
                    try:
                        parsed = validate(content)
                    except Unusable as exc:
                        raise _Retryable(f"unusable answer: {exc}", 200) from None
            except _Fatal as exc:
                last_error, last_status = str(exc), exc.status
                break
            except _Retryable as exc:
                last_error, last_status = str(exc), exc.status
                if attempts > cfg.max_retries:
                    break
                self.retries += 1
                delay = min(cfg.backoff_max_s, cfg.backoff_base_s * 2 ** (attempts - 1))
                delay *= 0.5 + random.random() / 2  # jitter: spread out retry bursts
                if exc.retry_after is not None:
                    delay = min(cfg.backoff_max_s, max(delay, exc.retry_after))
                await asyncio.sleep(delay)
                continue
            return ChatResult(
                ok=True,
                content=content,
                finish_reason=finish,
                prompt_tokens=p_tok,
                completion_tokens=c_tok,
                latency_s=round(time.monotonic() - t0, 4),
                attempts=attempts,
                http_status=200,
                raw=raw,
                parsed=parsed,
            )
        return ChatResult(
            ok=False,
            error=f"{last_error} (after {attempts} attempt{'s' if attempts > 1 else ''})",
            latency_s=round(time.monotonic() - started, 4),
            attempts=attempts,
            http_status=last_status,
        )


async def run_pool(config: EndpointConfig, items: list[Any], handle: Callable[[Any, Any], Any]) -> None:
    """Run ``await handle(client, item)`` for every item with ``config.concurrency`` workers.

    Each worker owns one keep-alive connection; ``handle`` must not raise (record failures instead).
    """
    queue: asyncio.Queue[Any] = asyncio.Queue()
    for it in items:
        queue.put_nowait(it)
    verify = ssl.create_default_context()  # loaded once, shared by every worker's client

    async def worker() -> None:
        async with worker_client(config, verify) as client:
            while True:
                try:
                    item = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                await handle(client, item)

    workers = [asyncio.create_task(worker()) for _ in range(min(config.concurrency, len(items)))]
    try:
        await asyncio.gather(*workers)
    finally:
        for w in workers:
            w.cancel()
