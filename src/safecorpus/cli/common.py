"""Options and helpers shared by sub-commands."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import orjson
from click.core import ParameterSource
from rich.console import Console

from safecorpus.config import load_config
from safecorpus.errors import InputError

# Piped output gets a wide, fixed layout instead of rich's 80-column default.
console = Console(stderr=False, highlight=False, width=None if sys.stdout.isatty() else 132)
err_console = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 132)


def config_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--config`` alone, for commands that read ``safecorpus.toml`` but no policy profile."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False),
        help="Project configuration file (default: ./safecorpus.toml when present).",
    )(f)


def config_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = config_option(f)
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


def section_defaults(section: str, keys: dict[str, str] | None = None) -> Callable[..., Any]:
    """Default a command's options from ``safecorpus.toml [section]``; an option given on the command
    line (or through its environment variable) wins. ``keys`` maps a config key to a parameter name
    where the two differ. Put it below the command's click options (it must wrap the function first).
    """
    rename = keys or {}

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(f)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            ctx = click.get_current_context()
            table = load_config(kwargs.get("config_path")).section(section)
            for key, value in table.items():
                name = rename.get(key, key)
                if name in kwargs and ctx.get_parameter_source(name) in _UNSET:
                    kwargs[name] = tuple(value) if isinstance(value, list) else value
            return f(*args, **kwargs)

        wrapper.config_section = (section, rename)  # type: ignore[attr-defined]
        return wrapper

    return decorate


_UNSET = (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP, None)


class OldNamesHidden(click.Option):
    """An option whose help shows only its first name; the other names are old spellings kept working."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        names = self.opts
        self.opts = names[:1]
        try:
            return super().get_help_record(ctx)
        finally:
            self.opts = names


def json_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--json`` prints one JSON document to stdout instead of the table; ``--json FILE`` writes it there."""
    return click.option(
        "--json",
        "json_path",
        is_flag=False,
        flag_value="-",
        metavar="[FILE]",
        help="Print the figures as one JSON document: to FILE when given, else to stdout (no table).",
    )(f)


def require_path(path: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise InputError(f"{path}: no such file or folder; give the path of a corpus file or folder")
    return p


def write_json(path: str, doc: dict[str, Any]) -> None:
    """Write ``doc`` (orjson, indent 2) to ``path``; ``-`` means stdout."""
    data = orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS) + b"\n"
    if path == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_bytes(data)


def pct(x: float) -> str:
    return f"{100 * x:.1f}%" if x >= 0.001 or x == 0 else f"{100 * x:.2f}%"


def pass_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """--workers, --executor, --address: where a corpus pass runs (the same names as assess and filter);
    the command receives them as one ``run_on`` (a :class:`PassOptions`)."""
    from safecorpus.pipeline.corpus_pass import PassOptions

    @functools.wraps(f)
    def wrapper(*args: Any, workers: int, executor: str, address: str | None, **kwargs: Any) -> Any:
        return f(*args, run_on=PassOptions(executor, workers, address), **kwargs)

    wrapper = click.option(
        "--address", metavar="ADDR", help="Ray cluster address (auto, host:port, ray://host:10001)."
    )(wrapper)
    wrapper = click.option(
        "--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True
    )(wrapper)
    return click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=1,
        show_default=True,
        help="Local processes (1: in this process). Results are identical for any number.",
    )(wrapper)


def resolve_corpus(path: str) -> Path | str:
    """A command's corpus argument: an fsspec URL (memory://, s3://, file://) as given, else a local
    path that must exist."""
    from safecorpus.pipeline.storage import is_remote, local_path

    if is_remote(path):
        return path
    return require_path(str(local_path(path)))
