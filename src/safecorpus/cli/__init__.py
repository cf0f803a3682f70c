"""The ``safecorpus`` command: a thin shell over the library's functions."""

from __future__ import annotations

import sys

import click

from safecorpus import __version__
from safecorpus.errors import SafecorpusError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="safecorpus")
def cli() -> None:
    """safecorpus: assess a training corpus and a model against GB/T 45654-2025 (TC260-003)."""


def _register() -> None:
    # Each sub-command lives in its own module; add one import line per module here.
    from safecorpus.cli import assess as _assess  # noqa: F401

    # -- sub-command modules added by later features go below this line --
    from safecorpus.cli import bank as _bank  # noqa: F401
    from safecorpus.cli import classifier as _classifier  # noqa: F401
    from safecorpus.cli import consent as _consent  # noqa: F401
    from safecorpus.cli import filter as _filter  # noqa: F401
    from safecorpus.cli import ip as _ip  # noqa: F401
    from safecorpus.cli import lexicon as _lexicon  # noqa: F401
    from safecorpus.cli import modeltest as _modeltest  # noqa: F401
    from safecorpus.cli import pii as _pii  # noqa: F401
    from safecorpus.cli import redecide as _redecide  # noqa: F401
    from safecorpus.cli import report as _report  # noqa: F401
    from safecorpus.cli import review as _review  # noqa: F401
    from safecorpus.cli import sources as _sources  # noqa: F401
    from safecorpus.cli import stats as _stats  # noqa: F401


def main() -> None:
    """Entry point: user errors print their message and exit non-zero, never a traceback."""
    _register()
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.exceptions.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except SafecorpusError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)
