"""Project configuration: one ``safecorpus.toml`` per project, every key optional.

[profile]            # which policy profile, plus overrides of any of its keys
name = "gbt45654-2025"
source.sample_size = 600

[input]              # reader defaults (command-line options win)
text_field = "text"
id_field = "id"
source_field = "source"
url_field = "url"
max_record_bytes = 16777216

[lexicon]
path = "default"     # a packaged library name or a .tsv path

[store]
dir = ".safecorpus"  # evidence files and the default SQLite database
url = ""             # e.g. postgresql+psycopg2://user@host/db; empty = SQLite under dir

[consent]
subject_field = "user_id"

Every section and key is in ``config_schema.CONFIG`` (``[assess]``, ``[modeltest]``, ``[bank]``,
``[review]``, ``[serve]``, ``[classifier]`` default their commands' options); an unknown or misspelt one
is refused with the nearest valid name, and types and ranges are checked.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from safecorpus.config_schema import CONFIG, NOT_POLICY
from safecorpus.errors import ConfigError
from safecorpus.keyspec import check

CONFIG_NAME = "safecorpus.toml"


@dataclass
class ProjectConfig:
    path: Path | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Any]:
        if name not in CONFIG.fields:
            raise AssertionError(f"no section [{name}] in the configuration schema")
        return dict(self.data.get(name, {}))

    @property
    def origin(self) -> str:
        return f"{self.path} [profile]" if self.path else "[profile] overrides"

    def policy_data(self) -> dict[str, Any]:
        """The sections that change how content is judged (for the fingerprint): all but the profile
        (merged into it), the store's location and the review server's settings."""
        return {k: v for k, v in self.data.items() if k not in NOT_POLICY}


def load_config(path: str | Path | None = None) -> ProjectConfig:
    """Read ``path``, or ``./safecorpus.toml`` when it exists, else an empty configuration."""
    if path is None:
        candidate = Path.cwd() / CONFIG_NAME
        if not candidate.exists():
            return ProjectConfig()
        path = candidate
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return ProjectConfig(path, check(data, CONFIG, str(path)))
