"""The source registry, IP scans, provenance audits and attached results (registry/tables.py).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registered_sources",
        sa.Column("name", sa.String(256), primary_key=True),
        sa.Column("provenance_type", sa.String(32), nullable=False),
        sa.Column("fields", sa.JSON, nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("import_file", sa.Text),
    )
    op.create_table(
        "ip_scans",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("corpus", sa.Text, nullable=False),
        sa.Column("detectors", sa.JSON, nullable=False),
        sa.Column("records", sa.Integer, nullable=False),
        sa.Column("evidence_file", sa.Text, nullable=False),
    )
    op.create_table(
        "ip_source_results",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "scan_id",
            sa.String(32),
            sa.ForeignKey("ip_scans.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("records", sa.Integer, nullable=False),
        sa.Column("copyright_notices", sa.Integer, nullable=False),
        sa.Column("reservations", sa.Integer, nullable=False),
        sa.Column("licence_marks", sa.Integer, nullable=False),
        sa.Column("restrictive_marks", sa.Integer, nullable=False),
        sa.Column("creative_works", sa.Integer, nullable=False),
        sa.Column("opt_outs", sa.Integer, nullable=False),
        sa.Column("flagged", sa.Integer, nullable=False),
        sa.Column("marks", sa.JSON, nullable=False),
    )
    op.create_table(
        "provenance_audits",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("audit_id", sa.String(32), nullable=False, index=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("corpus", sa.Text, nullable=False),
        sa.Column("seed", sa.Text, nullable=False),
        sa.Column("provenance_type", sa.String(32), nullable=False),
        sa.Column("population", sa.Integer, nullable=False),
        sa.Column("sampled", sa.Integer, nullable=False),
        sa.Column("provenance_ok", sa.Integer, nullable=False),
        sa.Column("risk_ok", sa.Integer, nullable=False),
        sa.Column("ip_ok", sa.Integer, nullable=False),
        sa.Column("passed", sa.Integer, nullable=False),
        sa.Column("sampled_ids_file", sa.Text, nullable=False),
    )
    op.create_table(
        "attached_results",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False, index=True),
        sa.Column("attached_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("doc", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "attached_results",
        "provenance_audits",
        "ip_source_results",
        "ip_scans",
        "registered_sources",
    ):
        op.drop_table(table)
