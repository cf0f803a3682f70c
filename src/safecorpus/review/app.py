"""``safecorpus serve``: the review web app (Starlette + Jinja2; every asset served from this package).

Security model: nothing but the login page and static files without a session; session cookie
HttpOnly + SameSite=Strict; a CSRF token in every form (per session; a double-submit cookie for the
login form); per-role permissions (permissions.py); items shown only to the person holding their lease
(admins may open any item, which is logged); templates autoescape every value; a strict
Content-Security-Policy (scripts and styles from this origin only).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import jinja2
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from safecorpus.assess.sequential import SequentialDesign
from safecorpus.errors import InputError
from safecorpus.review import (
    accounts,
    agreement,
    audit,
    calibration,
    corrected,
    qualification,
    queues,
    retention,
)
from safecorpus.review.guidelines import load_guidelines
from safecorpus.review.i18n import translator
from safecorpus.review.models import QUEUES, ROLES, Item, User
from safecorpus.review.permissions import can
from safecorpus.review.render import record_findings, segments
from safecorpus.review.sequential_stop import decided_sources
from safecorpus.taxonomy.risks import load_taxonomy

HERE = Path(__file__).parent
COOKIE = "sc_session"
PRELOGIN = "sc_prelogin"
# A signed-in page: (request, the session's login, the parsed form of a POST else None) → response.
Page = Callable[[Request, accounts.Login, FormData | None], Response]
Endpoint = Callable[[Request], Awaitable[Response]]
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


class SecurityHeaders:
    """Adds the security headers to every response (pure ASGI: no per-request task overhead)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"no-referrer"),
                ]
                if not scope["path"].startswith("/static/"):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(
    engine: Engine,
    secure_cookies: bool = False,
    default_lang: str = "zh",
    stop_design: SequentialDesign | None = None,
) -> ASGIApp:
    """The app; with ``stop_design``, a source's items stop being handed out for labelling once its
    sequential test has decided from reviewed labels (review/sequential_stop.py)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True)
    templates = Jinja2Templates(env=env)
    taxonomy = load_taxonomy()
    gl_version, gl = load_guidelines()

    def lang_of(request: Request, user: User | None) -> str:
        lang = request.query_params.get("lang") or request.cookies.get("sc_lang")
        if lang not in ("zh", "en"):
            lang = user.lang if user else default_lang
        return lang

    def render(
        request: Request, name: str, login: accounts.Login | None, status: int = 200, **ctx: Any
    ) -> Response:
        user = login.user if login else None
        lang = lang_of(request, user)
        ctx.update(
            request=request,
            user=user,
            csrf=login.csrf_token if login else "",
            t=translator(lang),
            lang=lang,
            can=lambda perm: can(user, perm),
            taxonomy=taxonomy,
            guidelines=gl,
            guidelines_version=gl_version,
        )
        resp = templates.TemplateResponse(request, name, ctx, status_code=status)
        if request.query_params.get("lang") in ("zh", "en"):
            resp.set_cookie("sc_lang", lang, httponly=True, samesite="strict", secure=secure_cookies)
        return resp

    def current(request: Request) -> accounts.Login | None:
        return accounts.lookup(engine, request.cookies.get(COOKIE))

    def to_login() -> Response:
        return RedirectResponse("/login", status_code=303)

    def denied(request: Request, login: accounts.Login | None) -> Response:
        return render(request, "message.html", login, status=403, message_key="forbidden")

    def csrf_ok(form: FormData, login: accounts.Login) -> bool:
        sent = str(form.get("csrf", ""))
        return bool(sent) and hmac.compare_digest(sent, login.csrf_token)

    def csrf_failed() -> Response:
        return HTMLResponse("CSRF token missing or wrong; reload the page and try again.", status_code=403)

    def signed_in(permission: str | None = None) -> Callable[[Page], Endpoint]:
        """The one session check every page but the login shares: no session → the login page; without
        ``permission`` → 403; a POST needs the session's CSRF token. The page itself, and the session
        look-up, run in the thread pool (database work and scrypt never block the event loop)."""

        def wrap(page: Page) -> Endpoint:
            def gate(request: Request) -> accounts.Login | Response:
                login = current(request)
                if login is None:
                    return to_login()
                if permission is not None and not can(login.user, permission):
                    return denied(request, login)
                return login

            async def endpoint(request: Request) -> Response:
                login = await run_in_threadpool(gate, request)
                if isinstance(login, Response):
                    return login
                form = None
                if request.method == "POST":
                    form = await request.form()
                    if not csrf_ok(form, login):
                        return csrf_failed()
                return await run_in_threadpool(page, request, login, form)

            return endpoint

        return wrap

    # -- login -------------------------------------------------------------------------------------
    def login_page(request: Request) -> Response:
        token = secrets.token_urlsafe(24)
        resp = render(request, "login.html", None, prelogin=token, error=False)
        resp.set_cookie(PRELOGIN, token, httponly=True, samesite="strict", secure=secure_cookies)
        return resp

    def sign_in(request: Request, form: FormData) -> Response:
        user = accounts.authenticate(engine, str(form.get("username", "")), str(form.get("password", "")))
        if user is None:
            token = secrets.token_urlsafe(24)
            resp = render(request, "login.html", None, status=401, prelogin=token, error=True)
            resp.set_cookie(PRELOGIN, token, httponly=True, samesite="strict", secure=secure_cookies)
            return resp
        token, _csrf = accounts.start_session(engine, user)
        resp = RedirectResponse("/", status_code=303)
        resp.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=secure_cookies)
        resp.delete_cookie(PRELOGIN)
        return resp

    async def login_post(request: Request) -> Response:
        form = await request.form()
        cookie, sent = request.cookies.get(PRELOGIN, ""), str(form.get("csrf", ""))
        if not cookie or not hmac.compare_digest(cookie, sent):
            return csrf_failed()
        return await run_in_threadpool(sign_in, request, form)  # scrypt: off the event loop

    @signed_in()
    def logout(request: Request, login: accounts.Login, form: FormData | None) -> Response:
        accounts.end_session(engine, request.cookies.get(COOKIE))
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(COOKIE)
        return resp

    # -- dashboard ---------------------------------------------------------------------------------
    @signed_in()
    def dashboard(request: Request, login: accounts.Login, form: FormData | None) -> Response:
        until = qualification.valid_until(engine, login.user)
        return render(
            request,
            "dashboard.html",
            login,
            progress=queues.progress(engine),
            queues=QUEUES,
            mine=queues.user_counts(engine, login.user),
            qualified_until=until,
        )

    @signed_in()
    def next_item(request: Request, login: accounts.Login, form: FormData | None) -> Response:
        queue = request.path_params["queue"]
        mode = "review" if request.query_params.get("mode") == "review" else "label"
        if queue not in QUEUES or not can(login.user, "annotate" if mode == "label" else "review"):
            return denied(request, login)
        if qualification.valid_until(engine, login.user) is None:
            return render(request, "message.html", login, status=403, message_key="not_qualified")
        exclude: set[str] = set()
        if stop_design is not None and mode == "label" and queue == "source":
            exclude = decided_sources(engine, stop_design)
        item_id = queues.claim(engine, login.user, queue, mode, exclude_sources=exclude)
        if item_id is None:
            return render(request, "message.html", login, message_key="nothing_left")
        return RedirectResponse(f"/item/{item_id}", status_code=303)

    # -- the item view -----------------------------------------------------------------------------
    def load_item(item_id: int) -> Item | None:
        with Session(engine) as s:
            return s.get(Item, item_id)

    def may_see(login: accounts.Login, item: Item) -> bool:
        if can(login.user, "view_any_item"):
            return True
        if item.lease_user_id != login.user.id:
            return False
        if item.state == "open":
            return can(login.user, "annotate")
        return item.state == "review" and can(login.user, "review")

    def show_item(
        request: Request,
        login: accounts.Login,
        item: Item,
        reveal: bool,
        status: int = 200,
        error: str | None = None,
    ) -> Response:
        if not retention.is_visible(item):
            return render(request, "message.html", login, status=410, message_key="expired")
        labels = queues.labels_of(engine, item.id) if item.state != "open" else []
        return render(
            request,
            "item.html",
            login,
            status=status,
            item=item,
            segs=segments(item.text or "", item.findings, item.pii_spans, reveal),
            whole=record_findings(item.findings),
            revealed=reveal,
            labels=labels,
            error=error,
            mode="review" if item.state == "review" else "label",
        )

    @signed_in()
    def item_view(request: Request, login: accounts.Login, form: FormData | None) -> Response:
        item = load_item(int(request.path_params["item_id"]))
        if item is None or not may_see(login, item):
            return denied(request, login)
        if item.lease_user_id != login.user.id:  # an admin looking: logged
            with Session(engine) as s:
                audit.record(s, login.user.id, "view", item.id)
                s.commit()
        return show_item(request, login, item, reveal=False)

    @signed_in()
    def item_post(request: Request, login: accounts.Login, form: FormData | None) -> Response:
        if form is None:  # a POST route: never
            return csrf_failed()
        action = request.path_params["action"]
        item = load_item(int(request.path_params["item_id"]))
        if item is None or not may_see(login, item):
            return denied(request, login)
        if action == "reveal":
            with Session(engine) as s:
                audit.record(s, login.user.id, "reveal", item.id, spans=len(item.pii_spans))
                s.commit()
            return show_item(request, login, item, reveal=True)
        mode = "review" if item.state == "review" else "label"
        try:
            if action == "skip":
                queues.skip(engine, login.user, item.id, mode)
            elif action in ("label", "review"):
                risks = [str(r) for r in form.getlist("risk")]
                clean = form.get("clean") == "1"
                if clean == bool(risks):
                    return show_item(request, login, item, False, 400, "choose clean or at least one risk")
                note = str(form.get("note", ""))
                if mode == "label" and can(login.user, "annotate"):
                    queues.submit_label(engine, login.user, item.id, risks, note)
                elif mode == "review" and can(login.user, "review"):
                    queues.submit_review(engine, login.user, item.id, risks, note)
                else:
                    return denied(request, login)
            else:
                return denied(request, login)
        except queues.Conflict as exc:
            return render(request, "message.html", login, status=409, message_key="conflict", detail=str(exc))
        except InputError as exc:
            return show_item(request, login, item, False, 400, str(exc))
        suffix = "?mode=review" if mode == "review" else ""
        return RedirectResponse(f"/queue/{item.queue}/next{suffix}", status_code=303)

    # -- guidelines, qualification -----------------------------------------------------------------
    @signed_in()
    def guidelines_page(request: Request, login: accounts.Login, form: FormData | None) -> Response:
        return render(request, "guidelines.html", login)

    @signed_in("qualify")
    def qualify(request: Request, login: accounts.Login, form: FormData | None) -> Response:
        test = qualification.load_test()
        result = None
        if form is not None:
            answers = {
                item_id: [str(r) for r in form.getlist(f"risk_{item_id}")] for item_id, _t, _r in test.items
            }
            result = qualification.take(engine, login.user, answers)
        return render(request, "qualify.html", login, test=test, result=result)

    # -- admin and statistics ----------------------------------------------------------------------
    def admin_view(
        request: Request, login: accounts.Login, error: str | None = None, status: int = 200
    ) -> Response:
        from safecorpus.registry.results import latest_results

        with Session(engine) as s:
            users = list(s.scalars(select(User).order_by(User.username)))
        return render(
            request,
            "admin.html",
            login,
            status=status,
            results=latest_results(engine),
            users=users,
            roles=ROLES,
            log=audit.entries(engine, 50),
            progress=queues.progress(engine),
            error=error,
        )

    @signed_in("admin")
    def admin_page(request: Request, login: accounts.Login, form: FormData | None) -> Response:
        return admin_view(request, login)

    @signed_in("admin")
    def admin_users(request: Request, login: accounts.Login, form: FormData | None) -> Response:
        if form is None:  # a POST route: never
            return csrf_failed()
        try:
            accounts.create_user(  # scrypt: this runs in the thread pool
                engine,
                str(form.get("username", "")),
                str(form.get("password", "")),
                str(form.get("role", "")),
                str(form.get("lang", "zh")),
                by=login.user.id,
            )
        except InputError as exc:
            return admin_view(request, login, str(exc), 400)
        return RedirectResponse("/admin", status_code=303)

    @signed_in("admin")
    def admin_purge(request: Request, login: accounts.Login, form: FormData | None) -> Response:
        retention.purge_expired(engine, by=login.user.id)
        return RedirectResponse("/admin", status_code=303)

    @signed_in("statistics")
    def stats_page(request: Request, login: accounts.Login, form: FormData | None) -> Response:
        return render(
            request,
            "stats.html",
            login,
            manual=calibration.manual_sample_result(engine),
            kappa=agreement.agreement(engine),
            calib=calibration.calibration_table(engine),
            corrected=corrected.corrected_table(engine),
        )

    routes = [
        Route("/", dashboard),
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login_post, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/queue/{queue}/next", next_item),
        Route("/item/{item_id:int}", item_view),
        Route("/item/{item_id:int}/{action}", item_post, methods=["POST"]),
        Route("/guidelines", guidelines_page),
        Route("/qualify", qualify, methods=["GET", "POST"]),
        Route("/admin", admin_page),
        Route("/admin/users", admin_users, methods=["POST"]),
        Route("/admin/purge", admin_purge, methods=["POST"]),
        Route("/stats", stats_page),
        Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    return SecurityHeaders(Starlette(routes=routes))
