"""Invite links for course leaders, one group each (issue 11, point 4)

Revision ID: 0010_course_leader_invite
Revises: 0009_grants_in_own_programme
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_course_leader_invite"
down_revision: str | None = "0009_grants_in_own_programme"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "course_leader_invite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_course_leader_invite_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["person.id"],
            name=op.f("fk_course_leader_invite_created_by_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_course_leader_invite_programme_id_programme"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["used_by"],
            ["person.id"],
            name=op.f("fk_course_leader_invite_used_by_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_leader_invite")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_course_leader_invite_token_hash")),
    )
    with op.batch_alter_table("course_leader_invite", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_course_leader_invite_cohort_id"), ["cohort_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_course_leader_invite_created_by"), ["created_by"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_course_leader_invite_programme_id"), ["programme_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_course_leader_invite_used_by"), ["used_by"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("course_leader_invite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_leader_invite_used_by"))
        batch_op.drop_index(batch_op.f("ix_course_leader_invite_programme_id"))
        batch_op.drop_index(batch_op.f("ix_course_leader_invite_created_by"))
        batch_op.drop_index(batch_op.f("ix_course_leader_invite_cohort_id"))
    op.drop_table("course_leader_invite")
