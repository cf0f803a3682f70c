"""Annotator qualification (TC260-5.3.a.2): a test set with a pass mark; a pass expires.

Unqualified (or expired) annotators and reviewers are not given items.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from safecorpus.review import audit
from safecorpus.review.models import Qualification, User, utcnow


@dataclass(frozen=True)
class TestSet:
    version: str
    pass_mark: float
    valid_days: int
    items: tuple[tuple[str, str, frozenset[str]], ...]  # (id, text, expected risks; empty = clean)


@lru_cache(maxsize=1)
def load_test() -> TestSet:
    raw = tomllib.loads(
        resources.files("safecorpus.review").joinpath("data/qualification.toml").read_text("utf-8")
    )
    items = tuple((i["id"], i["text"], frozenset(i["risks"])) for i in raw["item"])
    return TestSet(str(raw["version"]), float(raw["pass_mark"]), int(raw["valid_days"]), items)


def score(answers: Mapping[str, Sequence[str]], test: TestSet | None = None) -> float:
    """Share of items answered right: clean for clean, and a violating answer naming an expected risk."""
    test = test or load_test()
    right = 0
    for item_id, _text, expected in test.items:
        given = set(answers.get(item_id, ()))
        right += (not given) if not expected else bool(given & expected)
    return right / len(test.items)


def take(engine: Engine, user: User, answers: Mapping[str, Sequence[str]]) -> Qualification:
    test = load_test()
    result = score(answers, test)
    now = utcnow()
    q = Qualification(
        user_id=user.id,
        test_version=test.version,
        score=result,
        passed=result >= test.pass_mark,
        taken_at=now,
        expires_at=now + dt.timedelta(days=test.valid_days),
    )
    with Session(engine, expire_on_commit=False) as s:
        s.add(q)
        audit.record(s, user.id, "qualification", score=result, passed=q.passed, version=test.version)
        s.commit()
    return q


def valid_until(engine: Engine, user: User, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the user's current qualification expires, or None when they hold none."""
    now = now or utcnow()
    with Session(engine) as s:
        latest = s.scalar(
            select(Qualification.expires_at)
            .where(Qualification.user_id == user.id, Qualification.passed.is_(True))
            .order_by(Qualification.expires_at.desc())
            .limit(1)
        )
    if latest is None:
        return None
    latest = latest if latest.tzinfo else latest.replace(tzinfo=dt.UTC)
    return latest if latest > now else None
