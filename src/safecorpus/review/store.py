"""The review store's engine: the results store's schema, opened so that concurrent writers are safe.

PostgreSQL claims items with ``SELECT … FOR UPDATE SKIP LOCKED`` (see queues.py). SQLite has no row
locks, so every transaction starts with ``BEGIN IMMEDIATE``: writers take the database's one write lock
up front and queue behind each other (busy timeout 30 s) instead of failing half-way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from safecorpus.errors import StoreError
from safecorpus.registry.db import default_url, migrate


def open_review_store(url: str | None = None, store_dir: str | Path | None = None) -> Engine:
    """Open (creating and migrating) the store at ``url`` (default: SQLite under ``store_dir``)."""
    url = url or default_url(store_dir or ".safecorpus")
    try:
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
            _serialise_sqlite(engine)
        else:
            engine = create_engine(url, pool_size=24, max_overflow=8, pool_pre_ping=True)
        migrate(engine)
    except Exception as exc:  # driver exception types vary by database
        raise StoreError(f"cannot open the review store {url!r}: {exc}") from exc
    return engine


def _serialise_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let us issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
