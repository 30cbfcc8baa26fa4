"""Course: groups, sessions, reminders, attendance, certificates (issue: course)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cohort_leader",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_cohort_leader_cohort_id_cohort"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_cohort_leader_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohort_leader")),
        sa.UniqueConstraint("cohort_id", "person_id", name=op.f("uq_cohort_leader_cohort_id")),
    )
    with op.batch_alter_table("cohort_leader", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cohort_leader_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cohort_leader_person_id"), ["person_id"], unique=False)

    op.create_table(
        "course_certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("participation_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("citytrainer_since", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["approved_by"],
            ["person.id"],
            name=op.f("fk_course_certificate_approved_by_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
            name=op.f("fk_course_certificate_cohort_id_cohort"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_course_certificate_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_course_certificate_programme_id_programme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_certificate")),
        sa.UniqueConstraint("person_id", name=op.f("uq_course_certificate_person_id")),
    )
    with op.batch_alter_table("course_certificate", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_course_certificate_approved_by"), ["approved_by"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_course_certificate_cohort_id"), ["cohort_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_course_certificate_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_course_certificate_programme_id"), ["programme_id"], unique=False
        )

    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_attendance_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["person.id"],
            name=op.f("fk_attendance_recorded_by_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["course_session.id"],
            name=op.f("fk_attendance_session_id_course_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance")),
        sa.UniqueConstraint("session_id", "person_id", name=op.f("uq_attendance_session_id")),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendance_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_attendance_recorded_by"), ["recorded_by"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_attendance_session_id"), ["session_id"], unique=False)

    op.create_table(
        "session_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_session_answer_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["course_session.id"],
            name=op.f("fk_session_answer_session_id_course_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_answer")),
        sa.UniqueConstraint("session_id", "person_id", name=op.f("uq_session_answer_session_id")),
    )
    with op.batch_alter_table("session_answer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_answer_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_session_answer_session_id"), ["session_id"], unique=False
        )

    with op.batch_alter_table("course_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bring", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("attendance_saved_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("course_session", schema=None) as batch_op:
        batch_op.drop_column("attendance_saved_at")
        batch_op.drop_column("bring")

    with op.batch_alter_table("session_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_answer_session_id"))
        batch_op.drop_index(batch_op.f("ix_session_answer_person_id"))

    op.drop_table("session_answer")
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_session_id"))
        batch_op.drop_index(batch_op.f("ix_attendance_recorded_by"))
        batch_op.drop_index(batch_op.f("ix_attendance_person_id"))

    op.drop_table("attendance")
    with op.batch_alter_table("course_certificate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_certificate_programme_id"))
        batch_op.drop_index(batch_op.f("ix_course_certificate_person_id"))
        batch_op.drop_index(batch_op.f("ix_course_certificate_cohort_id"))
        batch_op.drop_index(batch_op.f("ix_course_certificate_approved_by"))

    op.drop_table("course_certificate")
    with op.batch_alter_table("cohort_leader", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cohort_leader_person_id"))
        batch_op.drop_index(batch_op.f("ix_cohort_leader_cohort_id"))

    op.drop_table("cohort_leader")
