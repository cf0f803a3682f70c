"""Declarative key specs for TOML tables, and the one walker that checks a table against them.

A misspelt key in a compliance configuration must never be ignored: a silently dropped threshold leaves
the standard's default in force while the user believes theirs applies. Every table is therefore closed
(unknown keys are refused with the nearest valid one), and every value has a type and, where it has
one, a range or a list of choices. Values come back normalised (whole numbers in number fields become
floats) so that equal settings print, compare and fingerprint the same.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from safecorpus.errors import ConfigError

Choices = tuple[str, ...] | Callable[[], Iterable[str]]


def _choices(spec: Choices | None) -> tuple[str, ...] | None:
    if spec is None:
        return None
    return tuple(spec) if isinstance(spec, tuple) else tuple(spec())


def nearest(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to ``word`` (difflib), or None when nothing is close."""
    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


@dataclass(frozen=True)
class Value:
    """One scalar or list value: its kind, range, choices and a one-line description."""

    kind: str  # bool | int | float | str | list
    doc: str = ""
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: Choices | None = None
    item: Value | None = None  # for kind == "list"
    required: bool = False


@dataclass(frozen=True)
class Table:
    """A closed table: only the named keys are allowed."""

    fields: Mapping[str, Value | Table | MapOf]
    doc: str = ""


@dataclass(frozen=True)
class MapOf:
    """A table whose keys are data (risk ids, aspects, …): each key is checked against ``keys``."""

    value: Value
    keys: Choices | None = None
    key_doc: str = ""
    doc: str = ""


Spec = Value | Table | MapOf


def Bool(doc: str = "") -> Value:
    return Value("bool", doc)


def Int(low: float | None = None, high: float | None = None, doc: str = "", required: bool = False) -> Value:
    return Value("int", doc, low, high, required=required)


def Float(
    low: float | None = None,
    high: float | None = None,
    doc: str = "",
    *,
    low_open: bool = False,
    high_open: bool = False,
    required: bool = False,
) -> Value:
    return Value("float", doc, low, high, low_open, high_open, required=required)


def Str(doc: str = "", choices: Choices | None = None) -> Value:
    return Value("str", doc, choices=choices)


def List(item: Value, doc: str = "") -> Value:
    return Value("list", doc, item=item)


@dataclass
class Checker:
    """Walks one TOML document against a spec. ``where`` names the file in every message; ``root`` (with
    ``root_prefix``, the dotted path it sits at) lets a key in the wrong table be pointed at the right one."""

    where: str
    root: Table | None = None
    root_prefix: str = ""

    def fail(self, message: str) -> NoReturn:
        raise ConfigError(f"{self.where}: {message}")

    def table(self, data: Any, spec: Table, path: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            self.fail(f"{path or 'the document'} must be a table, got {data!r}")
        out: dict[str, Any] = {}
        for key, value in data.items():
            dotted = f"{path}.{key}" if path else key
            sub = spec.fields.get(key)
            if sub is None:
                self.unknown(dotted, key, path, spec)
            out[key] = self.any(value, sub, dotted)
        return out

    def unknown(self, dotted: str, key: str, path: str, spec: Table) -> NoReturn:
        guess = nearest(key, spec.fields)
        full = (f"{path}.{guess}" if path else guess) if guess else None
        if full is None and self.root is not None:  # perhaps the right key in the wrong table
            everywhere = dotted_keys(self.root, self.root_prefix)
            same_name = [k for k in everywhere if k.rsplit(".", 1)[-1] == key]
            full = (nearest(dotted, same_name) or same_name[0]) if same_name else nearest(dotted, everywhere)
        if full is not None:
            self.fail(f"unknown key {dotted!r}; did you mean {full!r}?")
        known = ", ".join(sorted(spec.fields))
        self.fail(f"unknown key {dotted!r}; valid keys{' in [' + path + ']' if path else ''}: {known}")

    def mapping(self, data: Any, spec: MapOf, path: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            self.fail(f"{path} must be a table of {spec.key_doc or 'keys'} to values, got {data!r}")
        allowed = _choices(spec.keys)
        out: dict[str, Any] = {}
        for key, value in data.items():
            dotted = f"{path}.{key}"
            if allowed is not None and key not in allowed:
                guess = nearest(key, allowed)
                hint = f"; did you mean {guess!r}?" if guess else f"; use one of {', '.join(allowed)}"
                self.fail(f"{dotted}: {key!r} is not a valid {spec.key_doc or 'key'} here{hint}")
            out[key] = self.value(value, spec.value, dotted)
        return out

    def any(self, data: Any, spec: Spec, path: str) -> Any:
        if isinstance(spec, Table):
            return self.table(data, spec, path)
        if isinstance(spec, MapOf):
            return self.mapping(data, spec, path)
        return self.value(data, spec, path)

    def value(self, data: Any, spec: Value, path: str) -> Any:
        kind = spec.kind
        if kind == "bool":
            if not isinstance(data, bool):
                self.fail(f"{path} must be true or false, got {data!r}")
            return data
        if kind == "int":
            if isinstance(data, bool) or not isinstance(data, int):
                self.fail(f"{path} must be a whole number, got {data!r}")
            self.range(data, spec, path)
            return data
        if kind == "float":
            if isinstance(data, bool) or not isinstance(data, int | float) or not math.isfinite(data):
                self.fail(f"{path} must be a number, got {data!r}")
            self.range(data, spec, path)
            return float(data)
        if kind == "str":
            if not isinstance(data, str):
                self.fail(f"{path} must be a string, got {data!r}")
            allowed = _choices(spec.choices)
            if allowed is not None and data not in allowed:
                guess = nearest(data, allowed)
                hint = f" (did you mean {guess!r}?)" if guess else ""
                self.fail(f"{path} = {data!r} is not one of {', '.join(allowed)}{hint}")
            return data
        if kind == "list":
            if not isinstance(data, list):
                self.fail(f"{path} must be a list, got {data!r}")
            assert spec.item is not None
            return [self.value(v, spec.item, f"{path}[{i}]") for i, v in enumerate(data)]
        raise AssertionError(f"unknown kind {kind!r} in the schema at {path}")

    def range(self, data: float, spec: Value, path: str) -> None:
        low_ok = spec.low is None or (data > spec.low if spec.low_open else data >= spec.low)
        high_ok = spec.high is None or (data < spec.high if spec.high_open else data <= spec.high)
        if not (low_ok and high_ok):
            lo = "(" if spec.low_open else "["
            hi = ")" if spec.high_open else "]"
            low = "-inf" if spec.low is None else spec.low
            high = "inf" if spec.high is None else spec.high
            self.fail(f"{path} = {data!r} is out of range {lo}{low}, {high}{hi}")


def check(data: Any, spec: Table, where: str, prefix: str = "") -> dict[str, Any]:
    """Check ``data`` against ``spec``; return it normalised. Raises ConfigError naming the dotted key."""
    return Checker(where, spec, prefix).table(data, spec, prefix)


def required(data: Mapping[str, Any], spec: Table, where: str, prefix: str = "") -> None:
    """Refuse a document that lacks a key the spec marks required (checked after layers are merged)."""
    for key, sub in spec.fields.items():
        dotted = f"{prefix}.{key}" if prefix else key
        if isinstance(sub, Value) and sub.required and data.get(key) is None:
            raise ConfigError(f"{where}: required key {dotted!r} is missing")
        if isinstance(sub, Table) and isinstance(data.get(key), dict):
            required(data[key], sub, where, dotted)
        elif isinstance(sub, Table) and any(_has_required(sub)):
            raise ConfigError(f"{where}: required table [{dotted}] is missing")


def _has_required(spec: Table) -> Iterable[bool]:
    for sub in spec.fields.values():
        if isinstance(sub, Value):
            yield sub.required
        elif isinstance(sub, Table):
            yield any(_has_required(sub))


def dotted_keys(spec: Table, prefix: str = "") -> list[str]:
    """Every dotted key the spec allows (maps end at their own name), for docs and tests."""
    out: list[str] = []
    for key, sub in spec.fields.items():
        dotted = f"{prefix}.{key}" if prefix else key
        if isinstance(sub, Table):
            out.extend(dotted_keys(sub, dotted))
        else:
            out.append(dotted)
    return out
