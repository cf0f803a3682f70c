"""Options and helpers shared by sub-commands."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import orjson
from rich.console import Console

from safecorpus.config import ProjectConfig, load_config
from safecorpus.errors import InputError
from safecorpus.io.options import ReaderOptions
from safecorpus.registry.db import default_url
from safecorpus.taxonomy.profile import Profile, load_profile

# Piped output gets a wide, fixed layout instead of rich's 80-column default.
console = Console(stderr=False, highlight=False, width=None if sys.stdout.isatty() else 132)
err_console = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 132)


def config_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False),
        help="Project configuration file (default: ./safecorpus.toml when present).",
    )(f)
    f = click.option(
        "--profile",
        "profile_name",
        metavar="NAME|PATH",
        help="Policy profile: gbt45654-2025 (default), tc260-003-2024, or a profile .toml.",
    )(f)
    return f


def store_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option(
        "--store-dir",
        type=click.Path(file_okay=False),
        help="Folder for the SQLite store and evidence files (default: ./.safecorpus).",
    )(f)
    f = click.option(
        "--store-url",
        metavar="URL",
        help="SQLAlchemy URL of the results store, e.g. postgresql+psycopg2://… "
        "(default: SQLite in --store-dir).",
    )(f)
    return f


def reader_options(f: Callable[..., Any]) -> Callable[..., Any]:
    opts = [
        click.option("--text-field", help="Field holding the text (default: text)."),
        click.option("--id-field", help="Field holding the record id (default: id; else <file>:<line>)."),
        click.option(
            "--source-field",
            help="Field naming the record's source (default: source; then the URL host; then the file path).",
        ),
        click.option(
            "--url-field", help="Field holding the record's URL, used for its source (default: url)."
        ),
        click.option(
            "--encoding",
            type=click.Choice(["utf-8", "gb18030"]),
            help="Force one encoding for every file (default: detect per file).",
        ),
        click.option(
            "--max-record-bytes",
            type=click.IntRange(min=1),
            metavar="N",
            help="Reject records larger than N bytes (default: 16 MiB).",
        ),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


def resolve_config(config_path: str | None, profile_name: str | None) -> tuple[ProjectConfig, Profile]:
    project = load_config(config_path)
    overrides = project.section("profile")
    name = profile_name or overrides.pop("name", None)
    overrides.pop("name", None)
    return project, load_profile(name, overrides or None)


def resolve_reader(project: ProjectConfig, **given: Any) -> ReaderOptions:
    defaults = ReaderOptions()
    section = project.section("input")
    values = {}
    for key in ("text_field", "id_field", "source_field", "url_field", "encoding", "max_record_bytes"):
        value = given.get(key)
        values[key] = value if value is not None else section.get(key, getattr(defaults, key))
    return ReaderOptions(**values)


def resolve_store(project: ProjectConfig, store_dir: str | None, store_url: str | None) -> tuple[Path, str]:
    section = project.section("store")
    folder = Path(store_dir or section.get("dir") or ".safecorpus")
    url = store_url or section.get("url") or default_url(folder)
    return folder, url


def require_path(path: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise InputError(f"{path}: no such file or folder; give the path of a corpus file or folder")
    return p


def write_json(path: str, doc: dict[str, Any]) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS) + b"\n")


def pct(x: float) -> str:
    return f"{100 * x:.1f}%" if x >= 0.001 or x == 0 else f"{100 * x:.2f}%"
