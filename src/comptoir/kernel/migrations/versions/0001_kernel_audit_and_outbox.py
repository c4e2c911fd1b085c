"""Kernel: the hash-chained audit log, the transactional outbox and the inbox receipts.

Revision ID: 0001
Revises:
Create Date: 2026-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Written out rather than imported from the models: a migration must keep creating the schema
# of its day even after the models move on. Constraint names follow the naming convention in
# `comptoir.kernel.db`, so that SQLite (batch mode) and PostgreSQL agree on them; `op.f` marks
# them final, or the convention would be applied to them a second time.


def upgrade() -> None:
    op.create_table(
        "kernel_audit_entry",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("previous_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_kernel_audit_entry")),
        sa.UniqueConstraint("id", name=op.f("uq_kernel_audit_entry_id")),
        # Two appends linking to the same head would fork the chain: the second one fails.
        sa.UniqueConstraint("previous_hash", name=op.f("uq_kernel_audit_entry_previous_hash")),
    )
    op.create_index(op.f("ix_kernel_audit_entry_actor"), "kernel_audit_entry", ["actor"])
    op.create_index(op.f("ix_kernel_audit_entry_subject"), "kernel_audit_entry", ["subject"])

    op.create_table(
        "kernel_outbox_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("key", sa.String(200), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kernel_outbox_event")),
    )
    op.create_index(op.f("ix_kernel_outbox_event_topic"), "kernel_outbox_event", ["topic"])

    op.create_table(
        "kernel_outbox_delivery",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("handler", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_token", sa.Uuid(), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kernel_outbox_delivery")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["kernel_outbox_event.id"],
            name=op.f("fk_kernel_outbox_delivery_event_id_kernel_outbox_event"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "event_id", "handler", name=op.f("uq_kernel_outbox_delivery_event_id_handler")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'delivered', 'dead')",
            name=op.f("ck_kernel_outbox_delivery_status"),
        ),
    )
    op.create_index(
        op.f("ix_kernel_outbox_delivery_status_next_attempt_at"),
        "kernel_outbox_delivery",
        ["status", "next_attempt_at"],
    )

    op.create_table(
        "kernel_inbox_receipt",
        sa.Column("consumer", sa.String(200), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id", name=op.f("pk_kernel_inbox_receipt")),
    )


def downgrade() -> None:
    op.drop_table("kernel_inbox_receipt")
    op.drop_index(
        op.f("ix_kernel_outbox_delivery_status_next_attempt_at"),
        table_name="kernel_outbox_delivery",
    )
    op.drop_table("kernel_outbox_delivery")
    op.drop_index(op.f("ix_kernel_outbox_event_topic"), table_name="kernel_outbox_event")
    op.drop_table("kernel_outbox_event")
    op.drop_index(op.f("ix_kernel_audit_entry_subject"), table_name="kernel_audit_entry")
    op.drop_index(op.f("ix_kernel_audit_entry_actor"), table_name="kernel_audit_entry")
    op.drop_table("kernel_audit_entry")
