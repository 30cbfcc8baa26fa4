"""Outbox delivery you can trust: the retry window and who hears of a lost message (issue 12)

`first_attempt_at`: retries go on for a window of time from here (not for a number of tries).
`report_to`: the person told when the message is lost (failed, uncertain, dead).
The statuses `claimed` and `dead` need no schema change (the column is a VARCHAR(16)).

Revision ID: 0012_outbox_delivery
Revises: 0011_one_place_per_person
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_outbox_delivery"
down_revision: str | None = "0011_one_place_per_person"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("first_attempt_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("report_to", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_report_to"), ["report_to"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_report_to_person"),
            "person",
            ["report_to"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_outbox_report_to_person"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_outbox_report_to"))
        batch_op.drop_column("report_to")
        batch_op.drop_column("first_attempt_at")
