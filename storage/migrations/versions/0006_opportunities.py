"""Opportunities, sign-ups and activity proposals (issue: opportunities)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)

ACTIVITY_COLUMNS = [
    ("target_group", sa.String(length=200)),
    ("neighbourhood", sa.String(length=80)),
    ("place", sa.String(length=200)),
    ("when_text", sa.String(length=100)),
    ("expected_participants", sa.Integer()),
    ("needs", sa.Text()),
    ("recruitment", sa.Text()),
    ("decided_at", TS),
    ("decision_reason", sa.Text()),
    ("report_asked_at", TS),
    ("reported_at", TS),
    ("happened", sa.Boolean()),
    ("story", sa.Text()),
    ("photo_file_id", sa.String(length=200)),
]


def _fk(column: str, table: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def _index(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    with op.batch_alter_table("activity", schema=None) as batch_op:
        for name, type_ in ACTIVITY_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
        batch_op.add_column(sa.Column("decided_by", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_activity_decided_by"), ["decided_by"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_activity_decided_by_person"),
            "person",
            ["decided_by"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organisation_name", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("neighbourhoods", sa.String(length=300), nullable=True))
        batch_op.add_column(
            sa.Column("for_trainees", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("places_taken", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("created_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("activity_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("published_at", TS, nullable=True))
        batch_op.create_index(batch_op.f("ix_opportunity_created_by"), ["created_by"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_opportunity_activity_id"), ["activity_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_opportunity_created_by_person"),
            "person",
            ["created_by"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_opportunity_activity_id_activity"),
            "activity",
            ["activity_id"],
            ["id"],
            ondelete="SET NULL",
        )

    op.create_table(
        "opportunity_signup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("joined_at", TS, nullable=False),
        sa.Column("placed_at", TS, nullable=True),
        sa.Column("cancelled_at", TS, nullable=True),
        sa.Column("attended", sa.Boolean(), nullable=True),
        sa.Column("attended_at", TS, nullable=True),
        _fk("opportunity_id", "opportunity_signup", "opportunity"),
        _fk("person_id", "opportunity_signup", "person"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity_signup")),
        sa.UniqueConstraint(
            "opportunity_id", "person_id", name=op.f("uq_opportunity_signup_opportunity_id")
        ),
    )
    _index("opportunity_signup", "opportunity_id", "person_id")

    op.create_table(
        "opportunity_preference",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("opportunity_messages", sa.Boolean(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        _fk("person_id", "opportunity_preference", "person"),
        _fk("programme_id", "opportunity_preference", "programme"),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_opportunity_preference")),
    )
    _index("opportunity_preference", "programme_id")

    op.create_table(
        "opportunity_broadcast",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("progress_message_id", sa.BigInteger(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.String(length=64), nullable=True),
        sa.Column("progress_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        _fk("programme_id", "opportunity_broadcast", "programme"),
        _fk("opportunity_id", "opportunity_broadcast", "opportunity"),
        _fk("requested_by", "opportunity_broadcast", "person", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity_broadcast")),
    )
    _index("opportunity_broadcast", "opportunity_id", "programme_id", "requested_by")

    op.create_table(
        "opportunity_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("broadcast_id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("outbox_key", sa.String(length=200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        _fk("broadcast_id", "opportunity_recipient", "opportunity_broadcast"),
        _fk("opportunity_id", "opportunity_recipient", "opportunity"),
        _fk("person_id", "opportunity_recipient", "person"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunity_recipient")),
        sa.UniqueConstraint(
            "opportunity_id", "person_id", name=op.f("uq_opportunity_recipient_opportunity_id")
        ),
    )
    _index("opportunity_recipient", "broadcast_id", "opportunity_id", "person_id", "outbox_key")

    op.create_table(
        "proposal_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        _fk("activity_id", "proposal_message", "activity"),
        _fk("author_id", "proposal_message", "person", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_message")),
    )
    _index("proposal_message", "activity_id", "author_id")


def downgrade() -> None:
    for table in (
        "proposal_message",
        "opportunity_recipient",
        "opportunity_broadcast",
        "opportunity_preference",
        "opportunity_signup",
    ):
        op.drop_table(table)
    with op.batch_alter_table("opportunity", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_opportunity_activity_id_activity"), "foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_opportunity_created_by_person"), "foreignkey")
        batch_op.drop_index(batch_op.f("ix_opportunity_activity_id"))
        batch_op.drop_index(batch_op.f("ix_opportunity_created_by"))
        for name in (
            "published_at",
            "activity_id",
            "created_by",
            "places_taken",
            "for_trainees",
            "neighbourhoods",
            "organisation_name",
        ):
            batch_op.drop_column(name)
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_activity_decided_by_person"), "foreignkey")
        batch_op.drop_index(batch_op.f("ix_activity_decided_by"))
        batch_op.drop_column("decided_by")
        for name, _type in reversed(ACTIVITY_COLUMNS):
            batch_op.drop_column(name)
