"""Local paths and fsspec URLs behind one small interface; every write is atomic (temp file + rename)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from safecorpus.errors import InputError
from safecorpus.io.atomic import temp_name, write_atomic


def is_remote(url: str) -> bool:
    return "://" in url and not url.startswith("file://")


def local_path(url: str) -> Path:
    return Path(url.removeprefix("file://"))


class Folder:
    """A folder of output files, local or behind fsspec."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.remote = is_remote(url)
        if self.remote:
            import fsspec

            self.fs, self.root = fsspec.core.url_to_fs(self.url)
        else:
            self.fs, self.root = None, str(local_path(self.url))

    def _full(self, rel: str) -> str:
        return f"{self.root}/{rel}"

    def read_bytes(self, rel: str) -> bytes | None:
        full = self._full(rel)
        try:
            if self.fs is None:
                return Path(full).read_bytes()
            return self.fs.cat_file(full)
        except FileNotFoundError:
            return None

    def exists(self, rel: str) -> bool:
        full = self._full(rel)
        return Path(full).exists() if self.fs is None else self.fs.exists(full)

    def write_atomic(self, rel: str, data: bytes) -> None:
        """Write ``data`` to ``rel`` so that readers see either the old file or the whole new one."""
        full = self._full(rel)
        if self.fs is None:
            write_atomic(full, data)
            return
        parent = full.rsplit("/", 1)[0]
        staged = f"{parent}/{temp_name(PurePosixPath(rel).name)}"
        self.fs.makedirs(parent, exist_ok=True)
        self.fs.pipe_file(staged, data)
        self.fs.mv(staged, full)

    def listdir(self, rel: str) -> list[str]:
        """File names (not paths) directly inside ``rel``; temp files included."""
        full = self._full(rel)
        if self.fs is None:
            p = Path(full)
            return sorted(x.name for x in p.iterdir() if x.is_file()) if p.is_dir() else []
        if not self.fs.exists(full):
            return []
        return sorted(PurePosixPath(x).name for x in self.fs.ls(full, detail=False))

    def remove(self, rel: str) -> None:
        full = self._full(rel)
        if self.fs is None:
            Path(full).unlink(missing_ok=True)
        else:
            self.fs.rm_file(full)


def list_inputs(url: str) -> tuple[list[tuple[str, str]], bool]:
    """(file URL or path, path relative to the root) for every input file, sorted; and whether the
    root is a folder. Hidden files and folders are skipped, as the corpus reader does."""
    if not is_remote(url):
        from safecorpus.io.reader import corpus_files

        root = local_path(url)
        files = corpus_files(root)
        if root.is_dir():
            return [(str(f), f.relative_to(root).as_posix()) for f in files], True
        return [(str(root), root.name)], False
    import fsspec

    fs, root = fsspec.core.url_to_fs(url)
    if not fs.exists(root):
        raise InputError(f"{url}: no such file or folder")
    if fs.isfile(root):
        return [(url, PurePosixPath(root).name)], False
    protocol = url.split("://", 1)[0]
    out = []
    for path in sorted(fs.find(root)):
        rel = PurePosixPath(path).relative_to(PurePosixPath(root)).as_posix()
        if any(part.startswith(".") for part in rel.split("/")):
            continue
        out.append((f"{protocol}://{path}", rel))
    return out, True


@contextmanager
def local_copy(url: str, suffix: str) -> Iterator[Path]:
    """A local path for an input file: the file itself, or a temporary copy of a remote one."""
    if not is_remote(url):
        yield local_path(url)
        return
    import fsspec

    fs, path = fsspec.core.url_to_fs(url)
    with tempfile.TemporaryDirectory(prefix="safecorpus-in-") as tmp:
        target = Path(tmp) / f"input{suffix}"
        fs.get_file(path, str(target))
        yield target
