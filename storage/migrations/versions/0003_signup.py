"""Signup: answers, consents, invites, waiting list (issue: signup)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(column: str, table: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "signup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("track", sa.String(length=16), nullable=False),
        sa.Column("age_at_signup", sa.Integer(), nullable=False),
        sa.Column("motivation", sa.Text(), nullable=True),
        sa.Column("gender", sa.String(length=16), nullable=True),
        sa.Column("school", sa.String(length=16), nullable=True),
        sa.Column("heard_from", sa.String(length=16), nullable=True),
        sa.Column("contact", sa.String(length=16), nullable=True),
        sa.Column("needs_consent", sa.Boolean(), nullable=False),
        sa.Column("parent_name", sa.String(length=64), nullable=True),
        sa.Column("parent_contact", sa.String(length=128), nullable=True),
        sa.Column("parent_telegram_id", sa.String(length=64), nullable=True),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("privacy_version", sa.String(length=16), nullable=False),
        sa.Column("privacy_accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True),
        _fk("cohort_id", "signup", "cohort", "SET NULL"),
        _fk("person_id", "signup", "person"),
        _fk("programme_id", "signup", "programme"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signup")),
    )
    with op.batch_alter_table("signup", schema=None) as batch_op:
        for column in ("cohort_id", "person_id", "programme_id"):
            batch_op.create_index(batch_op.f(f"ix_signup_{column}"), [column], unique=False)

    op.create_table(
        "signup_consent_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signup_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        _fk("signup_id", "signup_consent_token", "signup"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signup_consent_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_signup_consent_token_token_hash")),
    )
    with op.batch_alter_table("signup_consent_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signup_consent_token_signup_id"), ["signup_id"], unique=False
        )

    op.create_table(
        "signup_invite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("uses", sa.Integer(), nullable=False),
        _fk("cohort_id", "signup_invite", "cohort"),
        _fk("created_by", "signup_invite", "person", "SET NULL"),
        _fk("programme_id", "signup_invite", "programme"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signup_invite")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_signup_invite_token_hash")),
    )
    with op.batch_alter_table("signup_invite", schema=None) as batch_op:
        for column in ("cohort_id", "created_by", "programme_id"):
            batch_op.create_index(batch_op.f(f"ix_signup_invite_{column}"), [column], unique=False)

    with op.batch_alter_table("enrolment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("track", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("offered_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("offer_expires_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signup_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_consent_signup_id"), ["signup_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_signup_id"))
        batch_op.drop_column("signup_id")
    with op.batch_alter_table("enrolment", schema=None) as batch_op:
        for column in ("decided_at", "offer_expires_at", "offered_at", "track"):
            batch_op.drop_column(column)
    with op.batch_alter_table("signup_invite", schema=None) as batch_op:
        for column in ("programme_id", "created_by", "cohort_id"):
            batch_op.drop_index(batch_op.f(f"ix_signup_invite_{column}"))
    op.drop_table("signup_invite")
    with op.batch_alter_table("signup_consent_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signup_consent_token_signup_id"))
    op.drop_table("signup_consent_token")
    with op.batch_alter_table("signup", schema=None) as batch_op:
        for column in ("programme_id", "person_id", "cohort_id"):
            batch_op.drop_index(batch_op.f(f"ix_signup_{column}"))
    op.drop_table("signup")
