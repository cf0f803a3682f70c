"""Review-store fixtures: every store test runs on SQLite and on a real PostgreSQL server.

The PostgreSQL server is started once per session from Debian's binaries (tests/support/pgtemp.py).
Without the binaries the PostgreSQL cases skip, unless SAFECORPUS_REQUIRE_PG=1 (set by .ci/run), where
they fail.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from safecorpus.registry.db import Run
from safecorpus.review import accounts, qualification
from safecorpus.review.models import User
from safecorpus.review.store import open_review_store
from tests.support.pgtemp import TempPostgres, find_bin

PASSWORD = "s3cure-Passw0rd"
_db_names = itertools.count()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[TempPostgres]:
    bin_dir = find_bin()
    if bin_dir is None:
        if os.environ.get("SAFECORPUS_REQUIRE_PG") == "1":
            pytest.fail("PostgreSQL binaries not found (/usr/lib/postgresql/*/bin); install postgresql")
        pytest.skip("PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb) are not installed")
    server = TempPostgres(bin_dir)
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:
    if request.param == "sqlite":
        eng = open_review_store(f"sqlite:///{tmp_path / 'review.db'}")
    else:
        server = request.getfixturevalue("pg_server")
        eng = open_review_store(server.create_database(f"t{os.getpid()}_{next(_db_names)}"))
    yield eng
    eng.dispose()


def make_user(engine: Engine, name: str, role: str, qualified: bool = True) -> User:
    user = accounts.create_user(engine, name, PASSWORD, role, "en")
    if qualified and role != "admin":
        test = qualification.load_test()
        qualification.take(engine, user, {i: sorted(r) for i, _t, r in test.items})
    return user


def stored_run(run_id: str, sample_size: int, records: int) -> Run:
    """A finished assess run row for the review tests: the sample size and record counts they read,
    placeholders elsewhere."""
    now = dt.datetime.now(dt.UTC)
    return Run(
        id=run_id,
        started_at=now,
        finished_at=now,
        corpus="c",
        profile="p",
        profile_data={},
        seed="s",
        key_fingerprint="k",
        sampling_design="d",
        sample_size=sample_size,
        detectors=[],
        records_read=records,
        records_assessed=records,
        records_rejected=0,
        rejected_reasons={},
        evidence_dir="e",
        summary={},
    )
