"""Users, logins and sessions. Session tokens are random, kept only as SHA-256 hashes, and expire;
each session has its own CSRF token. Five failed logins lock an account for 15 minutes."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safecorpus.errors import InputError
from safecorpus.review import audit
from safecorpus.review.models import ROLES, LoginSession, User, utcnow
from safecorpus.review.passwords import check_strength, hash_password, verify_password

SESSION_HOURS = 12
MAX_FAILURES = 5
LOCK_MINUTES = 15
_DUMMY_HASH = hash_password("not-a-real-password-0")


@dataclass(frozen=True)
class Login:
    user: User
    csrf_token: str
    token_hash: str


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def create_user(
    engine: Engine, username: str, password: str, role: str, lang: str = "zh", by: int | None = None
) -> User:
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    if not username or len(username) > 64 or not username.replace("-", "").replace("_", "").isalnum():
        raise InputError("a user name is 1–64 letters, digits, '-' or '_'")
    weak = check_strength(password, username)
    if weak:
        raise InputError(weak)
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        lang=lang if lang in ("zh", "en") else "zh",
        active=True,
        failed_logins=0,
        created_at=utcnow(),
    )
    with Session(engine, expire_on_commit=False) as s:
        s.add(user)
        try:
            s.flush()
        except IntegrityError:
            raise InputError(f"user {username!r} exists already") from None
        audit.record(s, by, "user_create", username=username, role=role)
        s.commit()
    return user


def set_active(engine: Engine, username: str, active: bool, by: int | None = None) -> None:
    with Session(engine) as s:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            raise InputError(f"no user {username!r}")
        user.active = active
        if not active:
            s.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
        audit.record(s, by, "user_active", username=username, active=active)
        s.commit()


def authenticate(engine: Engine, username: str, password: str) -> User | None:
    """The user, or None; the same hashing work is done for unknown names (no user enumeration)."""
    now = utcnow()
    with Session(engine, expire_on_commit=False) as s:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            verify_password(password, _DUMMY_HASH)
            return None
        locked = user.locked_until is not None and _aware(user.locked_until) > now
        ok = verify_password(password, user.password_hash) and not locked and user.active
        if ok:
            user.failed_logins = 0
            user.locked_until = None
            audit.record(s, user.id, "login")
        else:
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILURES:
                user.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
                user.failed_logins = 0
            audit.record(s, user.id, "login_failed", locked=locked)
        s.commit()
        return user if ok else None


def start_session(engine: Engine, user: User) -> tuple[str, str]:
    """A new (session token, CSRF token) pair; only the token's hash is stored."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = utcnow()
    with Session(engine) as s:
        s.add(
            LoginSession(
                token_hash=_token_hash(token),
                user_id=user.id,
                csrf_token=csrf,
                created_at=now,
                expires_at=now + dt.timedelta(hours=SESSION_HOURS),
            )
        )
        s.commit()
    return token, csrf


def lookup(engine: Engine, token: str | None) -> Login | None:
    if not token:
        return None
    with Session(engine, expire_on_commit=False) as s:
        row = s.execute(
            select(LoginSession, User)
            .join(User, User.id == LoginSession.user_id)
            .where(LoginSession.token_hash == _token_hash(token))
        ).first()
        if row is None:
            return None
        sess, user = row
        if _aware(sess.expires_at) <= utcnow() or not user.active:
            return None
        return Login(user=user, csrf_token=sess.csrf_token, token_hash=sess.token_hash)


def end_session(engine: Engine, token: str | None) -> None:
    if token:
        with Session(engine) as s:
            s.execute(delete(LoginSession).where(LoginSession.token_hash == _token_hash(token)))
            s.commit()


def _aware(when: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)
