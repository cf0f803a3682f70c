"""Blocklists of content that must not be used: domains and URL prefixes, exact content hashes, and
near-duplicates of blocked documents. Each list is a detector (layer ``blocklist``) whose version is a
digest of its entries, so every finding and the manifest name the exact list that produced them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import xxhash

from safecorpus.detect.base import Finding
from safecorpus.detect.layers import Layer
from safecorpus.errors import ConfigError
from safecorpus.io.attribution import url_parts
from safecorpus.io.options import ReaderOptions
from safecorpus.io.records import Record
from safecorpus.pipeline import minhash

LAYER = Layer.BLOCKLIST.value
RISK = "blocklist"
KINDS = ("domains", "hashes", "docs")
PACKAGED_DOMAINS = "packaged:domains"


_RECENT: dict[int, tuple[str, int]] = {}  # id(text) -> (text, hash): the hash and document lists share it


def content_hash(text: str) -> int:
    """The exact-content key: xxh3-64 of the text with runs of white space collapsed to one space.

    The last few thousand results are remembered by object identity (the text is kept alive with its
    entry, so an id cannot be reused while it is stored): the hash blocklist, the document blocklist and
    exact dedup each ask for the same record's key."""
    hit = _RECENT.get(id(text))
    if hit is not None and hit[0] is text:
        return hit[1]
    # Fast path: every white-space character but the ASCII space is "not printable" (a control or
    # separator), so in a printable text without double spaces collapsing runs changes only the ends.
    key = text.strip(" ") if text.isprintable() and "  " not in text else " ".join(text.split())
    h = xxhash.xxh3_64_intdigest(key.encode("utf-8", "surrogatepass"))
    if len(_RECENT) >= 4096:
        _RECENT.clear()
    _RECENT[id(text)] = (text, h)
    return h


def content_hash_hex(text: str) -> str:
    return f"{content_hash(text):016x}"


@dataclass(frozen=True)
class BlocklistSpec:
    """``kind`` is domains, hashes or docs; ``path`` a file (or, for docs, any corpus path)."""

    kind: str
    path: str

    @classmethod
    def parse(cls, text: str) -> BlocklistSpec:
        kind, sep, path = text.partition(":")
        if not sep or kind not in KINDS or not path:
            raise ConfigError(
                f"--blocklist {text!r}: write KIND:PATH with KIND one of {', '.join(KINDS)} "
                "(e.g. domains:blocked.txt, hashes:hashes.txt, docs:blocked.jsonl)"
            )
        return cls(kind, path)


def _list_lines(spec: BlocklistSpec) -> list[str]:
    if spec.path == PACKAGED_DOMAINS:
        text = resources.files("safecorpus.data").joinpath("blocklists/domains.txt").read_text("utf-8")
    else:
        try:
            text = Path(spec.path).read_text("utf-8")
        except FileNotFoundError:
            raise ConfigError(f"blocklist {spec.path}: file not found") from None
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return out


def _digest(entries: Sequence[str]) -> str:
    h = hashlib.sha256()
    for e in entries:
        h.update(e.encode("utf-8") + b"\n")
    return h.hexdigest()[:12]


def _name(spec: BlocklistSpec) -> str:
    stem = "packaged-domains" if spec.path == PACKAGED_DOMAINS else Path(spec.path).name
    return f"blocklist.{spec.kind}.{stem}"


class DomainBlocklist:
    """Domain rules match the host and every subdomain; ``host/path`` rules also need the URL path to
    start with that prefix. ``*.`` before a domain is accepted and means the same."""

    layer = LAYER

    def __init__(self, spec: BlocklistSpec, url_field: str = "url") -> None:
        entries = sorted({e.lower().removeprefix("*.") for e in _list_lines(spec)})
        self.spec = spec
        self.url_field = url_field
        self.name = _name(spec)
        self.version = _digest(entries)
        self.entries = len(entries)
        self.whole: set[str] = set()
        self.prefixes: dict[str, list[str]] = {}
        for e in entries:
            e = e.split("://", 1)[-1]
            host, slash, path = e.partition("/")
            if slash:
                self.prefixes.setdefault(host, []).append("/" + path)
            else:
                self.whole.add(host)

    def rule_for(self, url: str) -> str | None:
        parts = url_parts(url)
        if parts is None:
            return None
        host = (parts[0] or "").rstrip(".")
        if not host:
            return None
        path = parts[1] or "/"
        labels = host.split(".")
        for i in range(len(labels)):
            suffix = ".".join(labels[i:])
            if suffix in self.whole:
                return suffix
            for prefix in self.prefixes.get(suffix, ()):
                if path.startswith(prefix):
                    return suffix + prefix
        return None

    def detect(self, records: Sequence[Record]) -> list[list[Finding]]:
        out: list[list[Finding]] = []
        ident = f"{self.name}@{self.version}"
        for r in records:
            url = r.meta.get(self.url_field)
            rule = self.rule_for(url) if isinstance(url, str) and url else None
            out.append(
                [Finding(r.id, ident, LAYER, RISK, topic="domain", evidence={"rule": rule, "url": url})]
                if rule
                else []
            )
        return out


class HashBlocklist:
    """Exact content hashes (16 hex digits of :func:`content_hash`, one a line)."""

    layer = LAYER

    def __init__(self, spec: BlocklistSpec) -> None:
        entries = sorted({e.lower() for e in _list_lines(spec)})
        try:
            self.hashes = {int(e, 16) for e in entries}
        except ValueError:
            raise ConfigError(
                f"blocklist {spec.path}: every line must be a 16-digit hex content hash"
            ) from None
        self.spec = spec
        self.name = _name(spec)
        self.version = _digest(entries)
        self.entries = len(entries)

    def detect(self, records: Sequence[Record]) -> list[list[Finding]]:
        ident = f"{self.name}@{self.version}"
        out: list[list[Finding]] = []
        for r in records:
            h = content_hash(r.text)
            out.append(
                [Finding(r.id, ident, LAYER, RISK, topic="hash", evidence={"hash": f"{h:016x}"})]
                if h in self.hashes
                else []
            )
        return out


class DocumentBlocklist:
    """Blocked documents (any corpus path): exact copies by content hash, edited copies by MinHash LSH."""

    layer = LAYER

    def __init__(
        self, spec: BlocklistSpec, threshold: float = 0.6, reader: ReaderOptions | None = None
    ) -> None:
        from safecorpus.io.reader import iter_corpus

        docs: list[tuple[str, str]] = []
        for item in iter_corpus(spec.path, reader or ReaderOptions()):
            if isinstance(item, Record):
                docs.append((item.id, item.text))
        if not docs:
            raise ConfigError(f"blocklist {spec.path}: no readable documents")
        self.spec = spec
        self.name = _name(spec)
        self.threshold = threshold
        self.exact = {content_hash(t): i for i, t in docs}
        # the signature recipe is part of the version: a recipe change changes which copies are found
        self.version = (
            _digest(sorted(f"{h:016x}" for h in self.exact)) + f"-j{threshold:g}-m{minhash.VERSION}"
        )
        self.entries = len(docs)
        self.index = minhash.LshIndex(threshold)
        for i, t in docs:
            self.index.add(i, minhash.signature(t))

    def detect(self, records: Sequence[Record]) -> list[list[Finding]]:
        ident = f"{self.name}@{self.version}"
        out: list[list[Finding]] = []
        # signatures and band look-ups for the whole batch at once; only rows sharing a band are compared
        hits = self.index.query_many(minhash.signatures([r.text for r in records]))
        for r, hit in zip(records, hits, strict=True):
            h = content_hash(r.text)
            if h in self.exact:
                out.append(
                    [Finding(r.id, ident, LAYER, RISK, topic="document", evidence={"match": self.exact[h]})]
                )
                continue
            out.append(
                [
                    Finding(
                        r.id,
                        ident,
                        LAYER,
                        RISK,
                        score=round(hit[1], 4),
                        topic="near_document",
                        evidence={"match": hit[0], "similarity": round(hit[1], 4)},
                    )
                ]
                if hit
                else []
            )
        return out


Blocklist = DomainBlocklist | HashBlocklist | DocumentBlocklist


def build_blocklist(spec: BlocklistSpec, url_field: str, near_threshold: float) -> Blocklist:
    if spec.kind == "domains":
        return DomainBlocklist(spec, url_field)
    if spec.kind == "hashes":
        return HashBlocklist(spec)
    return DocumentBlocklist(spec, near_threshold)


def describe(bl: Blocklist) -> dict[str, Any]:
    return {
        "kind": bl.spec.kind,
        "path": bl.spec.path,
        "detector": f"{bl.name}@{bl.version}",
        "version": bl.version,
        "entries": bl.entries,
    }
