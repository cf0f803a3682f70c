"""The whole migration chain (0001 → 0004) on a real PostgreSQL server, and the registry tables of 0003
in use there: registered sources imported from the demo file, an IP scan, a provenance audit and an
attached result written and read back; then down to base and up again."""

from __future__ import annotations

import datetime as dt
import os

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from safecorpus.registry.db import migrate, open_store
from safecorpus.registry.source_registry import import_file, registered
from safecorpus.registry.tables import AttachedResult, IpScan, IpSourceResult, ProvenanceAudit
from safecorpus.report.stored import attach

from ..conftest import REPO

HEAD = "0004"
TABLES_0003 = {"registered_sources", "ip_scans", "ip_source_results", "provenance_audits", "attached_results"}


def test_full_chain_and_registry_tables_on_postgresql(pg_server, tmp_path):
    url = pg_server.create_database(f"mig{os.getpid()}")
    engine = open_store(url)  # an empty database: every migration from 0001 runs
    assert engine.url.get_backend_name() == "postgresql"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
    assert TABLES_0003 | {"runs", "consent_records", "review_items"} <= set(inspect(engine).get_table_names())

    counts = import_file(engine, REPO / "examples" / "demo-sources.yaml")
    entries = registered(engine)
    assert len(entries) == sum(counts.values()) > 0
    now = dt.datetime.now(dt.UTC)
    with Session(engine) as s:
        s.add(IpScan(id="scan1", started_at=now, corpus="c", detectors=["ip"], records=10, evidence_file="e"))
        s.add(
            IpSourceResult(scan_id="scan1", name="web", records=10, copyright_notices=1, reservations=0,
                           licence_marks=2, restrictive_marks=0, creative_works=3, opt_outs=1, flagged=4,
                           marks={"cc-by": 2})
        )  # fmt: skip
        s.add(
            ProvenanceAudit(audit_id="a1", started_at=now, corpus="c", seed="s", provenance_type="open",
                            population=5, sampled=5, provenance_ok=5, risk_ok=5, ip_ok=4, passed=4,
                            sampled_ids_file="f")
        )  # fmt: skip
        s.commit()
    doc_file = tmp_path / "mt.json"
    doc_file.write_text('{"draws": []}')
    digest = attach(engine, "modeltest", doc_file, {"draws": [], "seed": "1"})
    with Session(engine) as s:
        assert s.scalar(select(IpSourceResult.marks).where(IpSourceResult.scan_id == "scan1")) == {"cc-by": 2}
        assert s.scalar(select(ProvenanceAudit.passed).where(ProvenanceAudit.audit_id == "a1")) == 4
        assert s.scalar(select(AttachedResult.sha256)) == digest
    # cascade of the scan's foreign key works on PostgreSQL
    with Session(engine) as s:
        s.delete(s.get(IpScan, "scan1"))
        s.commit()
        assert s.scalar(select(IpSourceResult.id)) is None

    cfg = Config()
    cfg.set_main_option("script_location", str(REPO / "src/safecorpus/registry/migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert not TABLES_0003 & set(inspect(engine).get_table_names())
    migrate(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES_0003
    engine.dispose()
