"""Evidence of a parent's permission: route, contact, verified (issue 11, point 1)

Revision ID: 0008_consent_evidence
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_consent_evidence"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("route", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("contact", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("verified_by", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_consent_verified_by"), ["verified_by"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_consent_verified_by_person"),
            "person",
            ["verified_by"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("signup_consent_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("route", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("signup_consent_token", schema=None) as batch_op:
        batch_op.drop_column("route")
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_consent_verified_by_person"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_consent_verified_by"))
        batch_op.drop_column("verified_by")
        batch_op.drop_column("verified_at")
        batch_op.drop_column("contact")
        batch_op.drop_column("route")
