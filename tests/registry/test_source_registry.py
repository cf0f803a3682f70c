"""The source registry: `sources add` / `sources import` (YAML and CSV, the file `filter` reads), named
non-conformances for missing required fields, and the diversity view."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from safecorpus.errors import ConfigError
from safecorpus.registry.db import open_store
from safecorpus.registry.source_registry import import_file, registered
from safecorpus.sources.catalog import SourceEntry, load_sources
from safecorpus.sources.diversity import diversity
from safecorpus.sources.requirements import missing_fields, required_fields

from ..conftest import REPO

YAML = """
sources:
  - name: crawl
    provenance_type: self-collected
    match: [news.example.cn]
    url: https://news.example.cn
    languages: [zh, en]
    modality: text
    origin: domestic
    collected_at: 2026-10-01
    collection_method: crawler
    robots_snapshot: robots.txt
  - name: vendor
    provenance_type: commercial
    dataset: Books
    organisation: Example Ltd
    languages: zh
    modality: text
    origin: foreign
    licence: licence agreement
    contract: C-1
  - name: gen
    provenance_type: synthetic
    languages: [zh]
    modality: text
    origin: domestic
    generating_model: example-llm
"""


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run(
        [sys.executable, "-c", "from safecorpus.cli import main; main()", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_missing_required_fields_are_named_per_type() -> None:
    e = SourceEntry("vendor", "commercial", licence="x", contract="C-1", languages="zh", modality="text")
    fields = [nc.field for nc in missing_fields(e)]
    assert fields == ["origin", "supplier_attestation"]
    assert "generating_model" in required_fields("synthetic")
    assert [nc.field for nc in missing_fields(SourceEntry("o", "open-source"))][-2:] == [
        "licence",
        "url or dataset",
    ]


def test_import_yaml_keeps_the_filter_format_and_flags_missing_fields(tmp_path: Path) -> None:
    (tmp_path / "robots.txt").write_text("User-agent: *\nDisallow:\n")
    path = tmp_path / "sources.yaml"
    path.write_text(YAML)
    catalog = load_sources(path)  # what `filter --sources` reads: the new fields do not break it
    assert catalog.by_name["crawl"].languages == "zh;en"
    engine = open_store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert import_file(engine, path) == {"added": 3, "updated": 0}
    assert import_file(engine, path) == {"added": 0, "updated": 3}
    entries = {e.name: e for e in registered(engine)}
    assert Path(entries["crawl"].robots_snapshot or "").is_absolute()
    missing = {(nc.source, nc.field) for e in entries.values() for nc in missing_fields(e)}
    assert missing == {("vendor", "supplier_attestation"), ("gen", "model_version"), ("gen", "acquired_at")}


def test_import_csv(tmp_path: Path) -> None:
    path = tmp_path / "sources.csv"
    path.write_text(
        "name,provenance_type,match,languages,modality,origin,service,consent\n"
        "app,user-input,path:chat/*,zh;en,text,domestic,Example App,ToS v3\n"
    )
    engine = open_store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    import_file(engine, path)
    (e,) = registered(engine)
    assert e.match == ("path:chat/*",) and e.languages == "zh;en" and missing_fields(e) == []


def test_bad_modality_names_file_and_entry(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("sources:\n  - name: a\n    provenance_type: synthetic\n    modality: smell\n")
    engine = open_store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with pytest.raises(ConfigError, match=r"s\.yaml entry 1 \(a\): modality must be one of"):
        import_file(engine, path)


def test_diversity_flags_thin_cells_and_foreign_share() -> None:
    entries = [
        SourceEntry("a", "open-source", languages="zh;en", modality="text", origin="domestic"),
        SourceEntry("b", "open-source", languages="zh", modality="text", origin="foreign"),
        SourceEntry("c", "open-source", languages="zh", modality="image", origin="foreign"),
    ]
    view = diversity(entries, max_foreign_share=0.5)
    cells = {(c["modality"], c["language"]): c for c in view["cells"]}
    assert not cells[("text", "zh")]["flagged"] and cells[("text", "en")]["flagged"]
    assert cells[("image", "zh")]["flagged"] and view["flagged_cells"] == 2
    assert view["origin"]["foreign_share"] == pytest.approx(2 / 3) and not view["origin"]["within_cap"]
    weighted = diversity(entries, {"a": 900, "b": 50, "c": 50})
    assert weighted["origin"]["foreign_share"] == pytest.approx(0.1) and weighted["origin"]["within_cap"]


def test_cli_add_check_and_bad_input(tmp_path: Path) -> None:
    r = cli(
        "sources",
        "add",
        "chats",
        "--type",
        "user-input",
        "--service",
        "App",
        "--languages",
        "zh",
        "--modality",
        "text",
        "--origin",
        "domestic",
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert "missing consent" in r.stdout
    r = cli("sources", "check", "--json", "out.json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    doc = json.loads((tmp_path / "out.json").read_text())
    assert doc["nonconformances"][0]["field"] == "consent"
    assert doc["nonconformances"][0]["clause"] == "TC260-003 5.1.c.4"
    r = cli("sources", "import", "nope.yaml", cwd=tmp_path)
    assert r.returncode != 0 and "not found" in r.stderr and "Traceback" not in r.stderr


def test_import_keeps_the_pi_basis_and_rejects_a_bad_one(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n"
        "  - name: crm\n    provenance_type: commercial\n    licence: data licence\n"
        "    pi_basis: contract\n    pi_scope: [phone, email]\n"
        "  - name: wire\n    provenance_type: open-source\n    licence: CC-BY-4.0\n"
        "    pi_basis: news_reporting\n"
    )
    engine = open_store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    import_file(engine, path)
    entries = {e.name: e for e in registered(engine)}
    assert (entries["crm"].pi_basis, entries["crm"].pi_scope) == ("contract", "phone;email")
    assert (entries["wire"].pi_basis, entries["wire"].pi_scope) == ("news_reporting", None)
    bad = tmp_path / "bad.csv"
    bad.write_text("name,provenance_type,pi_basis\nx,synthetic,legitimate_interest\n")
    with pytest.raises(ConfigError, match=r"bad\.csv entry 1 \(x\): pi_basis must be one of"):
        import_file(engine, bad)


def test_cli_add_takes_the_pi_basis(tmp_path: Path) -> None:
    r = cli("sources", "add", "crm", "--type", "user-input", "--pi-basis", "contract",
            "--pi-scope", "phone;email", "--store-dir", "st", cwd=tmp_path)  # fmt: skip
    assert r.returncode == 0, r.stderr
    r = cli("sources", "add", "bad", "--type", "user-input", "--pi-basis", "contract", "--store-dir", "st",
            cwd=tmp_path)  # fmt: skip
    assert r.returncode == 2 and "needs pi_scope" in r.stdout + r.stderr
