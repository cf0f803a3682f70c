"""Assessment runs, per-source results and technical samples.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("corpus", sa.Text, nullable=False),
        sa.Column("profile", sa.String(64), nullable=False),
        sa.Column("profile_data", sa.JSON, nullable=False),
        sa.Column("seed", sa.Text, nullable=False),
        sa.Column("key_fingerprint", sa.String(32), nullable=False),
        sa.Column("sampling_design", sa.Text, nullable=False),
        sa.Column("sample_size", sa.Integer, nullable=False),
        sa.Column("detectors", sa.JSON, nullable=False),
        sa.Column("records_read", sa.Integer, nullable=False),
        sa.Column("records_assessed", sa.Integer, nullable=False),
        sa.Column("records_rejected", sa.Integer, nullable=False),
        sa.Column("rejected_reasons", sa.JSON, nullable=False),
        sa.Column("evidence_dir", sa.Text, nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
    )
    op.create_table(
        "source_results",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "run_id", sa.String(32), sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        sa.Column("name", sa.Text, nullable=False, index=True),
        sa.Column("read", sa.Integer, nullable=False),
        sa.Column("rejected", sa.Integer, nullable=False),
        sa.Column("sampled", sa.Integer, nullable=False),
        sa.Column("violations", sa.Integer, nullable=False),
        sa.Column("rate", sa.Float, nullable=False),
        sa.Column("ci_low", sa.Float, nullable=False),
        sa.Column("ci_high", sa.Float, nullable=False),
        sa.Column("census", sa.Integer, nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("needed_sample_size", sa.Integer),
        sa.Column("top_risks", sa.JSON, nullable=False),
        sa.Column("layers", sa.JSON, nullable=False),
        sa.Column("sampled_ids_file", sa.Text, nullable=False),
    )
    op.create_table(
        "technical_samples",
        sa.Column("run_id", sa.String(32), sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("fraction", sa.Float, nullable=False),
        sa.Column("sampled", sa.Integer, nullable=False),
        sa.Column("violations", sa.Integer, nullable=False),
        sa.Column("clean_rate", sa.Float, nullable=False),
        sa.Column("ci_low", sa.Float, nullable=False),
        sa.Column("ci_high", sa.Float, nullable=False),
        sa.Column("min_clean_rate", sa.Float, nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("marginal", sa.Integer, nullable=False),
        sa.Column("sampled_ids_file", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("technical_samples")
    op.drop_table("source_results")
    op.drop_table("runs")
