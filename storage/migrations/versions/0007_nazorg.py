"""Nazorg: nudges, pauses, follow-up list (issue: nazorg)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def _fk(column: str, table: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def _index(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "nazorg_nudge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("cycle_start", TS, nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("wording", sa.String(length=1), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("deliver_at", TS, nullable=True),
        sa.Column("outbox_key", sa.String(length=200), nullable=True),
        sa.Column("contacted_at", TS, nullable=True),
        sa.Column("contacted_by", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        _fk("programme_id", "nazorg_nudge", "programme"),
        _fk("person_id", "nazorg_nudge", "person"),
        _fk("contacted_by", "nazorg_nudge", "person", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nazorg_nudge")),
        sa.UniqueConstraint(
            "person_id", "cycle_start", "step", name=op.f("uq_nazorg_nudge_person_id")
        ),
    )
    _index("nazorg_nudge", "programme_id", "person_id", "contacted_by")

    op.create_table(
        "nazorg_reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("nudge_id", sa.Integer(), nullable=True),
        sa.Column("answer", sa.String(length=16), nullable=False),
        sa.Column("months", sa.Integer(), nullable=True),
        sa.Column("at", TS, nullable=False),
        _fk("person_id", "nazorg_reply", "person"),
        _fk("nudge_id", "nazorg_reply", "nazorg_nudge", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nazorg_reply")),
    )
    _index("nazorg_reply", "person_id", "nudge_id", "at")

    op.create_table(
        "nazorg_preference",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("nudges_off", sa.Boolean(), nullable=False),
        sa.Column("paused_until", sa.Date(), nullable=True),
        sa.Column("stopped_at", TS, nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        _fk("person_id", "nazorg_preference", "person"),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_nazorg_preference")),
    )

    op.create_table(
        "nazorg_sweep_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("ran_at", TS, nullable=False),
        _fk("programme_id", "nazorg_sweep_run", "programme"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nazorg_sweep_run")),
        sa.UniqueConstraint(
            "programme_id", "kind", "period", name=op.f("uq_nazorg_sweep_run_programme_id")
        ),
    )
    _index("nazorg_sweep_run", "programme_id")


def downgrade() -> None:
    for table in ("nazorg_sweep_run", "nazorg_preference", "nazorg_reply", "nazorg_nudge"):
        op.drop_table(table)
