"""Practice hours: organisations, supervisors, placements, logs (issue: hours)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "placement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=True),
        sa.Column("track", sa.String(length=16), nullable=True),
        sa.Column("motivation", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["person.id"],
            name=op.f("fk_placement_created_by_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_placement_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_placement_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_placement_programme_id_programme"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supervisor_id"],
            ["person.id"],
            name=op.f("fk_placement_supervisor_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placement")),
    )
    with op.batch_alter_table("placement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_placement_created_by"), ["created_by"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_placement_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_placement_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_placement_programme_id"), ["programme_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_placement_supervisor_id"), ["supervisor_id"], unique=False
        )

    op.create_table(
        "supervisor_invite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["person.id"],
            name=op.f("fk_supervisor_invite_created_by_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_supervisor_invite_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_supervisor_invite_programme_id_programme"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["used_by"],
            ["person.id"],
            name=op.f("fk_supervisor_invite_used_by_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervisor_invite")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_supervisor_invite_token_hash")),
    )
    with op.batch_alter_table("supervisor_invite", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_supervisor_invite_created_by"), ["created_by"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_supervisor_invite_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_supervisor_invite_programme_id"), ["programme_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_supervisor_invite_used_by"), ["used_by"], unique=False)

    op.create_table(
        "practice_hours_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("changed_by", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("old_status", sa.String(length=16), nullable=True),
        sa.Column("new_status", sa.String(length=16), nullable=False),
        sa.Column("old_minutes", sa.Integer(), nullable=True),
        sa.Column("new_minutes", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["changed_by"],
            ["person.id"],
            name=op.f("fk_practice_hours_change_changed_by_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["log_id"],
            ["practice_hours.id"],
            name=op.f("fk_practice_hours_change_log_id_practice_hours"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_hours_change")),
    )
    with op.batch_alter_table("practice_hours_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_practice_hours_change_changed_by"), ["changed_by"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_practice_hours_change_log_id"), ["log_id"], unique=False
        )

    with op.batch_alter_table("practice_hours", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="practice", nullable=False)
        )
        batch_op.add_column(sa.Column("opportunity_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("placement_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("logged_minutes", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("reminder_step", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.create_index(
            batch_op.f("ix_practice_hours_placement_id"), ["placement_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_practice_hours_placement_id_placement"),
            "placement",
            ["placement_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("practice_hours", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_practice_hours_placement_id_placement"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_practice_hours_placement_id"))
        batch_op.drop_column("reminder_step")
        batch_op.drop_column("reason")
        batch_op.drop_column("logged_minutes")
        batch_op.drop_column("placement_id")
        batch_op.drop_column("opportunity_id")
        batch_op.drop_column("kind")

    with op.batch_alter_table("practice_hours_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_practice_hours_change_log_id"))
        batch_op.drop_index(batch_op.f("ix_practice_hours_change_changed_by"))

    op.drop_table("practice_hours_change")
    with op.batch_alter_table("supervisor_invite", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervisor_invite_used_by"))
        batch_op.drop_index(batch_op.f("ix_supervisor_invite_programme_id"))
        batch_op.drop_index(batch_op.f("ix_supervisor_invite_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_supervisor_invite_created_by"))

    op.drop_table("supervisor_invite")
    with op.batch_alter_table("placement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_placement_supervisor_id"))
        batch_op.drop_index(batch_op.f("ix_placement_programme_id"))
        batch_op.drop_index(batch_op.f("ix_placement_person_id"))
        batch_op.drop_index(batch_op.f("ix_placement_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_placement_created_by"))

    op.drop_table("placement")
