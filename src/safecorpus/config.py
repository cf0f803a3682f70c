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
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from safecorpus.errors import ConfigError

CONFIG_NAME = "safecorpus.toml"
_SECTIONS = {"profile", "input", "lexicon", "store", "assess"}


@dataclass
class ProjectConfig:
    path: Path | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Any]:
        return dict(self.data.get(name, {}))


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
    unknown = set(data) - _SECTIONS
    if unknown:
        raise ConfigError(
            f"{path}: unknown section(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(_SECTIONS))}"
        )
    return ProjectConfig(path, data)
