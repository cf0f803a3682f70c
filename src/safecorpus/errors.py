"""Errors a user can cause. The CLI prints their message (which says what to do) without a traceback."""

from __future__ import annotations


class SafecorpusError(Exception):
    """Base class: the message is shown to the user as is."""

    exit_code = 2


class ConfigError(SafecorpusError):
    """A configuration file, profile or option is wrong."""


class InputError(SafecorpusError):
    """An input path is missing, unreadable or holds nothing that can be read."""


class LexiconError(SafecorpusError):
    """A keyword-library file is malformed."""


class StoreError(SafecorpusError):
    """The results store cannot be opened or migrated."""
