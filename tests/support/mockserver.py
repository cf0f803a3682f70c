"""A small, real HTTP/1.1 server speaking the OpenAI chat-completions API, with scripted behaviour.

Used by the tests and the throughput benchmark (and handy for trying the runner without a model):

    with MockChatServer(lambda question, attempt: Reply(text="hello", delay=0.2)) as server:
        run_bank(items, RunConfig(endpoint=server.url, model="mock"), "answers.jsonl")

The script gets the question and how many times that question has been asked before (0 on the first
request), and returns a :class:`Reply`: an answer, an HTTP error, malformed JSON, or a dropped connection,
each after an optional delay. The server runs its own asyncio loop in a daemon thread on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import orjson


@dataclass(frozen=True, slots=True)
class Reply:
    text: str | None = None
    delay: float = 0.0
    status: int = 200
    raw_body: bytes | None = None  # sent as is (for malformed JSON)
    drop: bool = False  # close the connection without answering
    finish_reason: str = "stop"


Script = Callable[[str, int], Reply]


class MockChatServer:
    def __init__(self, script: Script, host: str = "127.0.0.1", port: int = 0) -> None:
        self.script = script
        self.host, self.port = host, port
        self.requests: Counter[str] = Counter()
        self.last_headers: dict[str, str] = {}
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    # -- lifecycle ---------------------------------------------------------------------------------------
    def start(self) -> MockChatServer:
        self._thread = threading.Thread(target=self._serve, name="mock-chat-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("mock server did not start")
        return self

    def stop(self) -> None:
        if self._loop and self._server:
            self._loop.call_soon_threadsafe(self._server.close)
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread:
            self._thread.join(5)

    def __enter__(self) -> MockChatServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        self._server = loop.run_until_complete(
            asyncio.start_server(self._handle, self.host, self.port, backlog=1024)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    # -- HTTP ----------------------------------------------------------------------------------------------
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
                self.last_headers = headers
                if method != "POST" or not path.rstrip("/").endswith("/chat/completions"):
                    await self._send(writer, 404, b'{"error": "not found"}')
                    continue
                try:
                    req = orjson.loads(body)
                    question = req["messages"][-1]["content"]
                    model = req.get("model", "mock")
                except (orjson.JSONDecodeError, KeyError, IndexError, TypeError):
                    await self._send(writer, 400, b'{"error": "bad request"}')
                    continue
                with self._lock:
                    attempt = self.requests[question]
                    self.requests[question] += 1
                reply = self.script(question, attempt)
                if reply.delay:
                    await asyncio.sleep(reply.delay)
                if reply.drop:
                    writer.close()
                    return
                if reply.raw_body is not None:
                    await self._send(writer, reply.status, reply.raw_body)
                elif reply.status != 200:
                    await self._send(writer, reply.status, b'{"error": {"message": "scripted failure"}}')
                else:
                    text = reply.text or ""
                    doc = {
                        "id": f"chatcmpl-{attempt}",
                        "object": "chat.completion",
                        "model": model,
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": text},
                                "finish_reason": reply.finish_reason,
                            }
                        ],
                        "usage": {
                            "prompt_tokens": len(question),
                            "completion_tokens": len(text),
                            "total_tokens": len(question) + len(text),
                        },
                    }
                    await self._send(writer, 200, orjson.dumps(doc))
                if headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, ConnectionError, ValueError, asyncio.LimitOverrunError):
            pass
        finally:
            with contextlib.suppress(RuntimeError):  # loop already closing
                writer.close()

    @staticmethod
    async def _send(writer: asyncio.StreamWriter, status: int, body: bytes) -> None:
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 429: "Too Many Requests"}.get(
            status, "Error"
        )
        head = (
            f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
        )
        writer.write(head.encode("latin-1") + body)
        await writer.drain()


# -- scripted guard models ----------------------------------------------------------------------------------

_GUARD_MARK = re.compile(r"\[\[(\w+)(?::([^\]]*))?\]\]")


@dataclass
class GuardScript:
    """A script that answers like a guard model, steered by markers in the judged text.

    ``[[unsafe:CAT]]`` (CAT a Qwen3Guard category name, a Llama Guard code or a risk id, by ``fmt``),
    ``[[controversial:CAT]]``, ``[[slow:SECONDS]]`` (every attempt), ``[[error:N]]`` (HTTP 500 on the first
    N attempts), ``[[garbage]]`` (always unreadable text), ``[[garbage_once]]`` (unreadable, then fine),
    ``[[down]]`` (HTTP 503 always); text with no marker is safe. ``fmt``: qwen3guard | llamaguard | rubric.
    """

    fmt: str
    calls: int = 0

    def __call__(self, text: str, attempt: int) -> Reply:
        self.calls += 1
        marks = {m.group(1): (m.group(2) or "") for m in _GUARD_MARK.finditer(text)}
        delay = float(marks["slow"]) if "slow" in marks else 0.0
        if "down" in marks:
            return Reply(status=503, delay=delay)
        if "error" in marks and attempt < int(marks["error"] or 1):
            return Reply(status=500, delay=delay)
        if "garbage" in marks or ("garbage_once" in marks and attempt == 0):
            return Reply(text="I think this text is probably fine, more or less.", delay=delay)
        verdict, cat = "safe", ""
        for v in ("unsafe", "controversial"):
            if v in marks:
                verdict, cat = v, marks[v]
        return Reply(text=self.render(verdict, cat), delay=delay)

    def render(self, verdict: str, cat: str) -> str:
        if self.fmt == "qwen3guard":
            return f"Safety: {verdict.capitalize()}\nCategories: {cat or 'None'}\nRefusal: No"
        if self.fmt == "llamaguard":
            return "safe" if verdict == "safe" else f"unsafe\n{cat}"
        risks = [cat] if cat and verdict != "safe" else []
        doc = {"verdict": verdict, "risks": risks, "reason": "scripted"}
        return "```json\n" + orjson.dumps(doc).decode() + "\n```"
