"""Roles count only in the person's own programme (issue 11, point 4)

A person belongs to one programme. Grants made elsewhere before this rule (a participant who
signed up through another municipality's group link, a coordinator added to a second
municipality) are settled once: someone whose roles are all in one other programme moves there;
any grant left outside the person's programme is revoked.

Revision ID: 0009_grants_in_own_programme
Revises: 0008_consent_evidence
Create Date: 2026-12-01
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_grants_in_own_programme"
down_revision: str | None = "0008_consent_evidence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

person = sa.table("person", sa.column("id", sa.Integer), sa.column("programme_id", sa.Integer))
grant = sa.table(
    "role_grant",
    sa.column("id", sa.Integer),
    sa.column("person_id", sa.Integer),
    sa.column("programme_id", sa.Integer),
    sa.column("revoked_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    bind = op.get_bind()
    now = dt.datetime.now(dt.UTC)
    rows = bind.execute(
        sa.select(grant.c.person_id, grant.c.programme_id, person.c.programme_id)
        .join(person, person.c.id == grant.c.person_id)
        .where(grant.c.revoked_at.is_(None))
    ).all()
    held: dict[int, set[int]] = {}
    home: dict[int, int] = {}
    for person_id, programme_id, own in rows:
        held.setdefault(person_id, set()).add(programme_id)
        home[person_id] = own
    for person_id, programmes in held.items():
        if home[person_id] not in programmes and len(programmes) == 1:
            bind.execute(
                person.update()
                .where(person.c.id == person_id)
                .values(programme_id=next(iter(programmes)))
            )
    bind.execute(
        grant.update()
        .where(
            grant.c.revoked_at.is_(None),
            grant.c.programme_id
            != sa.select(person.c.programme_id)
            .where(person.c.id == grant.c.person_id)
            .scalar_subquery(),
        )
        .values(revoked_at=now)
    )


def downgrade() -> None:
    """Nothing to undo: revoked grants stay revoked (revoking is how roles end)."""
