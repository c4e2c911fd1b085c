"""The seller platform's sign-in codes wait between sends and are counted per phone and window:
at most five to one phone at one platform in an hour.

The state is kept per platform and phone rather than per business, so that a number without a
shop is counted and held back exactly like one with. The rows are carried over, with their
wrong-code counts and locks; a code in flight is voided (it was bound to the business, and is
now bound to the platform and phone), so its owner asks for a new one.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TABLE = "seller_signin"

_business = sa.table(
    "seller_business",
    sa.column("id", sa.Uuid()),
    sa.column("platform_id", sa.String()),
    sa.column("phone", sa.String()),
)


def _kept_columns() -> list[sa.Column[Any]]:
    """The columns both shapes have. The code itself is not among them: see the docstring."""
    return [
        sa.Column("code_digest", sa.String(length=64), nullable=True),
        sa.Column("code_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _kept(row: sa.RowMapping) -> dict[str, Any]:
    return {
        "code_digest": None,
        "code_expires_at": None,
        "failures": row["failures"],
        "locked_until": row["locked_until"],
        "updated_at": row["updated_at"],
    }


def upgrade() -> None:
    bind = op.get_bind()
    by_business = sa.table(
        TABLE,
        sa.column("business_id", sa.Uuid()),
        sa.column("failures", sa.Integer()),
        sa.column("locked_until", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    rows = (
        bind.execute(
            sa.select(
                _business.c.platform_id,
                _business.c.phone,
                by_business.c.failures,
                by_business.c.locked_until,
                by_business.c.updated_at,
            ).join(_business, _business.c.id == by_business.c.business_id)
        )
        .mappings()
        .all()
    )
    op.drop_table(TABLE)
    by_phone = op.create_table(
        TABLE,
        sa.Column("platform_id", sa.String(length=32), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        *_kept_columns(),
        sa.Column("code_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_in_window", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["seller_platform.id"],
            name=op.f("fk_seller_signin_platform_id_seller_platform"),
        ),
        sa.PrimaryKeyConstraint("platform_id", "phone", name=op.f("pk_seller_signin")),
    )
    if rows:
        op.bulk_insert(
            by_phone,
            [
                {"platform_id": row["platform_id"], "phone": row["phone"], **_kept(row)}
                for row in rows
            ],
        )


def downgrade() -> None:
    bind = op.get_bind()
    by_phone = sa.table(
        TABLE,
        sa.column("platform_id", sa.String()),
        sa.column("phone", sa.String()),
        sa.column("failures", sa.Integer()),
        sa.column("locked_until", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    # Only the numbers of a business had a row before; the others' counts go.
    rows = (
        bind.execute(
            sa.select(
                _business.c.id,
                by_phone.c.failures,
                by_phone.c.locked_until,
                by_phone.c.updated_at,
            ).join(
                _business,
                (_business.c.platform_id == by_phone.c.platform_id)
                & (_business.c.phone == by_phone.c.phone),
            )
        )
        .mappings()
        .all()
    )
    op.drop_table(TABLE)
    by_business = op.create_table(
        TABLE,
        sa.Column("business_id", sa.Uuid(), nullable=False),
        *_kept_columns(),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["seller_business.id"],
            name=op.f("fk_seller_signin_business_id_seller_business"),
        ),
        sa.PrimaryKeyConstraint("business_id", name=op.f("pk_seller_signin")),
    )
    if rows:
        op.bulk_insert(by_business, [{"business_id": row["id"], **_kept(row)} for row in rows])
