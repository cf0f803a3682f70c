"""Security of the web app over real HTTP (uvicorn + httpx), on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from safecorpus.detect.pii.detector import PiiDetector
from safecorpus.review.importers import pii_spans
from safecorpus.review.models import AuditEntry
from safecorpus.review.queues import NewItem, add_items
from tests.review.conftest import PASSWORD, make_user
from tests.review.server import LiveServer

SCRIPT = "<script>document.title='pwned'</script><img src=x onerror=alert(1)>"


@pytest.fixture
def live(engine):
    make_user(engine, "admin1", "admin")
    make_user(engine, "ann", "annotator")
    make_user(engine, "rita", "reviewer")
    make_user(engine, "newbie", "annotator", qualified=False)
    body = f"hello {SCRIPT} call 13812345678 now"
    spans = pii_spans(PiiDetector(), body)
    add_items(engine, [NewItem("source", "s1", "r1", body, pii_spans=spans)], double_share=0)
    with LiveServer(engine) as server:
        yield server, engine


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def login(base: str, name: str) -> httpx.Client:
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=10)
    page = client.get("/login")
    resp = client.post("/login", data={"username": name, "password": PASSWORD, "csrf": _csrf(page.text)})
    assert resp.status_code == 303, resp.text
    return client


def test_nothing_without_login(live):
    server, _ = live
    with httpx.Client(base_url=server.url, follow_redirects=False) as anon:
        for path in ("/", "/item/1", "/admin", "/stats", "/guidelines", "/qualify", "/queue/source/next"):
            resp = anon.get(path)
            assert resp.status_code == 303 and resp.headers["location"] == "/login", path
        assert anon.post("/item/1/label", data={"clean": "1"}).status_code == 303
        assert anon.get("/static/review.js").status_code == 200  # assets are public, local


def test_wrong_password_and_login_csrf(live):
    server, _ = live
    with httpx.Client(base_url=server.url) as c:
        page = c.get("/login")
        bad = c.post(
            "/login", data={"username": "ann", "password": "wrong-one-123", "csrf": _csrf(page.text)}
        )
        assert bad.status_code == 401
        page = c.get("/login")
        forged = c.post("/login", data={"username": "ann", "password": PASSWORD, "csrf": "forged"})
        assert forged.status_code == 403


def test_csrf_rejected_on_every_form(live):
    server, _ = live
    ann = login(server.url, "ann")
    resp = ann.get("/queue/source/next")
    item_url = resp.headers["location"]
    page = ann.get(item_url)
    assert page.status_code == 200
    for data in ({"clean": "1"}, {"clean": "1", "csrf": "wrong"}):
        assert ann.post(f"{item_url}/label", data=data).status_code == 403
    ok = ann.post(f"{item_url}/label", data={"clean": "1", "csrf": _csrf(page.text)})
    assert ok.status_code == 303
    admin = login(server.url, "admin1")
    assert (
        admin.post("/admin/users", data={"username": "x1", "password": "p" * 12, "role": "admin"}).status_code
        == 403
    )


def test_annotators_kept_out_of_admin_pages(live):
    server, _ = live
    ann = login(server.url, "ann")
    assert ann.get("/admin").status_code == 403
    assert ann.get("/stats").status_code == 403
    page = ann.get("/")
    assert (
        ann.post(
            "/admin/users",
            data={"csrf": _csrf(page.text), "username": "evil", "password": "x" * 12, "role": "admin"},
        ).status_code
        == 403
    )
    assert ann.post("/admin/purge", data={"csrf": _csrf(page.text)}).status_code == 403
    rita = login(server.url, "rita")
    assert rita.get("/admin").status_code == 403 and rita.get("/stats").status_code == 200
    assert login(server.url, "admin1").get("/admin").status_code == 200


def test_unqualified_annotator_gets_no_items_and_others_cannot_see_a_leased_item(live):
    server, _ = live
    assert login(server.url, "newbie").get("/queue/source/next").status_code == 403
    ann = login(server.url, "ann")
    item_url = ann.get("/queue/source/next").headers["location"]
    assert login(server.url, "rita").get(item_url).status_code == 403


def test_script_in_item_text_is_shown_as_text_and_pii_masked_until_revealed(live):
    server, engine = live
    ann = login(server.url, "ann")
    item_url = ann.get("/queue/source/next").headers["location"]
    page = ann.get(item_url)
    assert "<script>document.title" not in page.text
    assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in page.text
    assert "13812345678" not in page.text  # masked
    assert "script-src 'self'" in page.headers["content-security-policy"]
    shown = ann.post(f"{item_url}/reveal", data={"csrf": _csrf(page.text)})
    assert "13812345678" in shown.text
    with Session(engine) as s:
        assert s.scalar(select(AuditEntry).where(AuditEntry.action == "reveal")) is not None


def test_chinese_and_english_interface(live):
    server, _ = live
    with httpx.Client(base_url=server.url) as c:
        assert "登录" in c.get("/login?lang=zh").text
        assert "登录" in c.get("/login").text  # the choice sticks (cookie)
        assert "Log in" in c.get("/login?lang=en").text


def test_every_asset_is_local(live):
    server, _ = live
    ann = login(server.url, "ann")
    pages = [ann.get("/").text, ann.get(ann.get("/queue/source/next").headers["location"]).text]
    pages.append(ann.get("/guidelines").text)
    for html in pages:
        refs = re.findall(r'(?:src|href|action)="([^"]*)"', html)
        assert refs and all(r.startswith(("/", "?", "data:")) for r in refs), refs
    for asset in ("/static/review.css", "/static/review.js"):
        body = ann.get(asset).text
        assert "http://" not in body and "https://" not in body and "//cdn" not in body
