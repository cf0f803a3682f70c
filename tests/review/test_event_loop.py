"""The review app keeps its event loop free: scrypt (login, new accounts) and database work run in the
thread pool, so one slow login does not stall every other request."""

from __future__ import annotations

import asyncio
import re
import time

import httpx
import pytest

from safecorpus.review import passwords
from safecorpus.review.app import create_app
from tests.review.conftest import make_user


async def _largest_loop_gap(app, logins: int) -> tuple[float, list[int]]:
    """Run ``logins`` wrong-password logins at once while a ticker measures the loop's longest stall."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://review") as client:
        page = await client.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        gaps: list[float] = []
        done = asyncio.Event()

        async def ticker() -> None:
            last = time.perf_counter()
            while not done.is_set():
                await asyncio.sleep(0.002)
                now = time.perf_counter()
                gaps.append(now - last)
                last = now

        async def attempt() -> int:
            data = {"username": "ann", "password": "not-the-password", "csrf": token}
            cookies = {"sc_prelogin": token}
            async with httpx.AsyncClient(transport=transport, base_url="http://review", cookies=cookies) as c:
                return (await c.post("/login", data=data)).status_code

        tick = asyncio.create_task(ticker())
        codes = await asyncio.gather(*(attempt() for _ in range(logins)))
        done.set()
        await tick
    return max(gaps), list(codes)


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_scrypt_does_not_block_the_event_loop(engine):
    make_user(engine, "ann", "annotator")
    stored = passwords.hash_password("x" * 12)
    start = time.perf_counter()
    passwords.verify_password("y" * 12, stored)
    one_check = time.perf_counter() - start
    gap, codes = asyncio.run(_largest_loop_gap(create_app(engine, default_lang="en"), logins=4))
    assert codes == [401] * 4
    # On the loop, four checks would stall it for about 4 × one_check; in the pool it keeps ticking.
    assert gap < max(one_check, 0.02), (gap, one_check)
