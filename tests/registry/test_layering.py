"""The registry is the store and nothing else: no module of it imports the pipeline, the assessment or
the IP scan (domain code imports the store, never the other way round)."""

import ast
from pathlib import Path

import pytest

import safecorpus.registry

REGISTRY = Path(safecorpus.registry.__file__).parent
FORBIDDEN = ("safecorpus.pipeline", "safecorpus.assess", "safecorpus.ip")


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module an ``import`` or ``from … import`` names in ``path`` (at any depth, lazy ones too)."""
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return out


def forbidden_imports(path: Path) -> list[str]:
    return [
        f"{path.name}:{line}: {name}"
        for line, name in sorted(imported_modules(path))
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    ]


def registry_modules() -> list[Path]:
    return sorted(REGISTRY.rglob("*.py"))


def test_the_registry_has_modules_to_check():
    names = {p.name for p in registry_modules()}
    assert {"db.py", "tables.py", "consent.py", "source_registry.py"} <= names


@pytest.mark.parametrize("path", registry_modules(), ids=lambda p: str(p.relative_to(REGISTRY)))
def test_registry_imports_no_domain_code(path):
    assert forbidden_imports(path) == []


def test_the_check_catches_lazy_and_plain_imports(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import safecorpus.ip.scan\n"
        "from safecorpus.assess import stats\n"
        "def f():\n"
        "    from safecorpus.pipeline.worker import run_scan\n"
        "from safecorpus.io.reader import iter_corpus\n"
        "from safecorpus.ipx import y\n",
        "utf-8",
    )
    assert forbidden_imports(bad) == [
        "bad.py:1: safecorpus.ip.scan",
        "bad.py:2: safecorpus.assess.stats",
        "bad.py:4: safecorpus.pipeline.worker.run_scan",
    ]
