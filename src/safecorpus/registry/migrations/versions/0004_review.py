"""The review app's tables (review/models.py), with an append-only audit log enforced by triggers.

Revision ID: 0004
Revises: 0002
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "review_users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("locked_until", TS),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "review_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("review_users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
    )
    op.create_index("ix_review_sessions_user_id", "review_sessions", ["user_id"])
    op.create_table(
        "review_qualifications",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("review_users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("test_version", sa.String(32), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("passed", sa.Boolean, nullable=False),
        sa.Column("taken_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
    )
    op.create_index("ix_review_qualifications_user_id", "review_qualifications", ["user_id"])
    op.create_table(
        "review_items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("queue", sa.String(16), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("run_id", sa.String(32)),
        sa.Column("record_id", sa.Text, nullable=False),
        sa.Column("text", sa.Text),
        sa.Column("findings", sa.JSON, nullable=False),
        sa.Column("pii_spans", sa.JSON, nullable=False),
        sa.Column("flagged_layers", sa.JSON, nullable=False),
        sa.Column("meta", sa.JSON, nullable=False),
        sa.Column("labels_needed", sa.Integer, nullable=False),
        sa.Column("labels_done", sa.Integer, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("disagreement", sa.Boolean, nullable=False),
        sa.Column("lease_user_id", sa.Integer),
        sa.Column("lease_until", TS),
        sa.Column("final_risks", sa.JSON),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("retain_until", TS, nullable=False),
        sa.Column("purged_at", TS),
        sa.UniqueConstraint("queue", "record_id", name="uq_review_items_queue_record"),
    )
    op.create_index("ix_review_items_pick", "review_items", ["queue", "state", "id"])
    op.create_index("ix_review_items_source", "review_items", ["source"])
    for name in ("review_labels", "review_skips"):
        cols: list[sa.Column[Any]] = [
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column(
                "item_id", sa.Integer, sa.ForeignKey("review_items.id", ondelete="CASCADE"), nullable=False
            ),
            sa.Column("user_id", sa.Integer, sa.ForeignKey("review_users.id"), nullable=False),
        ]
        if name == "review_labels":
            cols += [sa.Column("risks", sa.JSON, nullable=False), sa.Column("note", sa.Text, nullable=False)]
        cols.append(sa.Column("created_at", TS, nullable=False))
        op.create_table(name, *cols, sa.UniqueConstraint("item_id", "user_id", name=f"uq_{name}_item_user"))
        op.create_index(f"ix_{name}_item_id", name, ["item_id"])
        op.create_index(f"ix_{name}_user_id", name, ["user_id"])
    op.create_table(
        "review_reviews",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "item_id",
            sa.Integer,
            sa.ForeignKey("review_items.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("reviewer_id", sa.Integer, sa.ForeignKey("review_users.id"), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("risks", sa.JSON, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_review_reviews_item_id", "review_reviews", ["item_id"])
    op.create_index("ix_review_reviews_reviewer_id", "review_reviews", ["reviewer_id"])
    op.create_table(
        "review_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("user_id", sa.Integer),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("item_id", sa.Integer),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    op.create_index("ix_review_audit_at", "review_audit", ["at"])
    op.create_index("ix_review_audit_user_id", "review_audit", ["user_id"])
    op.create_index("ix_review_audit_action", "review_audit", ["action"])
    _append_only_triggers()


def _append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER review_audit_no_{event.lower()} BEFORE {event} ON review_audit "
                "BEGIN SELECT RAISE(ABORT, 'review_audit is append-only'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION review_audit_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'review_audit is append-only'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER review_audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON review_audit "
            "FOR EACH STATEMENT EXECUTE FUNCTION review_audit_append_only()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS review_audit_append_only ON review_audit")
        op.execute("DROP FUNCTION IF EXISTS review_audit_append_only()")
    for name in (
        "review_audit",
        "review_reviews",
        "review_skips",
        "review_labels",
        "review_items",
        "review_qualifications",
        "review_sessions",
        "review_users",
    ):
        op.drop_table(name)
