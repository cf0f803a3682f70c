"""A persistent cache of guard verdicts (SQLite), so a re-run asks the endpoint only about new items.

The key is a SHA-256 of the template name and version, the guard model's name and the exact messages sent;
only readable verdicts are stored (failures are asked again next time).
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

import orjson

from safecorpus.detect.guard.parse import GuardVerdict


def cache_key(template: str, version: str, model: str, messages: list[dict[str, str]]) -> str:
    payload = orjson.dumps([template, version, model, messages], option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(payload).hexdigest()


class GuardCache:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS verdicts (key TEXT PRIMARY KEY, verdict TEXT NOT NULL, "
            "model TEXT NOT NULL, template TEXT NOT NULL, raw TEXT, "
            "created_at TEXT DEFAULT CURRENT_TIMESTAMP)"
        )
        self._db.commit()

    def get(self, key: str) -> GuardVerdict | None:
        with self._lock:
            row = self._db.execute("SELECT verdict FROM verdicts WHERE key = ?", (key,)).fetchone()
        return GuardVerdict.from_dict(orjson.loads(row[0])) if row else None

    def put(self, key: str, verdict: GuardVerdict, model: str, template: str, raw: str | None) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO verdicts (key, verdict, model, template, raw) VALUES (?, ?, ?, ?, ?)",
                (key, orjson.dumps(verdict.to_dict()).decode(), model, template, raw),
            )
            self._db.commit()

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM verdicts").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
