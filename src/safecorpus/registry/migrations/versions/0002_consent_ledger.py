"""The consent ledger (registry/consent.py).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consent_records",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("subject_id", sa.String(256), nullable=False, index=True),
        sa.Column("legal_basis", sa.String(32), nullable=False),
        sa.Column("purpose", sa.Text),
        sa.Column("consent_version", sa.String(64)),
        sa.Column("scope", sa.JSON, nullable=False),
        sa.Column("separate_consent", sa.Boolean, nullable=False),
        sa.Column("guardian_consent", sa.Boolean, nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True)),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True)),
        sa.Column("evidence_ref", sa.Text),
        sa.Column("pipia_ref", sa.Text),
        sa.Column("pipia_at", sa.DateTime(timezone=True)),
        sa.Column("pipia_retained_until", sa.DateTime(timezone=True)),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("import_file", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("consent_records")
