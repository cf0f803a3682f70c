"""No private names imported across modules: ``from safecorpus.x import _name`` is refused anywhere in
src/, and a private module (``_cards.py``) is imported only from inside its own package. A helper two
modules share is public (no leading underscore) or lives in a module of its own."""

import ast
from pathlib import Path

import pytest

import safecorpus

SRC = Path(safecorpus.__file__).parent


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def private_imports(path: Path, root: Path = SRC) -> list[str]:
    """``line: what`` for every import in ``path`` that reaches into another module's private names."""
    here = module_name(path, root)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = [(module, a.name) for a in node.names]
        elif isinstance(node, ast.Import):
            targets = [(a.name, "") for a in node.names]
        else:
            continue
        for module, name in targets:
            if not module.startswith(root.name):
                continue
            if _private(name):
                out.append(f"{node.lineno}: {module}.{name}")
                continue
            parts = module.split(".")
            for i, part in enumerate(parts):
                owner = ".".join(parts[:i])
                if _private(part) and not (package == owner or package.startswith(owner + ".")):
                    out.append(f"{node.lineno}: {module} (private to {owner})")
    return sorted(out)


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_no_private_names_cross_modules(path):
    assert private_imports(path) == []


def test_the_check_finds_what_it_should(tmp_path):
    root = tmp_path / "safecorpus"
    pkg = root / "detect" / "pii"
    pkg.mkdir(parents=True)
    inside = pkg / "media.py"
    inside.write_text("from safecorpus.detect.pii._media import media_refs\nfrom ._media import refs\n")
    outside = root / "report.py"
    outside.write_text(
        "from safecorpus.report.conformance import _row, pct\n"
        "from safecorpus.detect.pii._media import media_refs\n"
        "import safecorpus.detect.pii._cards\n"
        "from re import _casefix\n"
        "from safecorpus.io import __version__\n",
        "utf-8",
    )
    assert private_imports(inside, root) == []
    assert private_imports(outside, root) == [
        "1: safecorpus.report.conformance._row",
        "2: safecorpus.detect.pii._media (private to safecorpus.detect.pii)",
        "3: safecorpus.detect.pii._cards (private to safecorpus.detect.pii)",
    ]
