"""At most one place per person per programme (issue 12: races when placing a signup)

Two coordinators placing one signup at the same moment could both succeed and put the person
in two groups. Placing is now a conditional update of the signup under the groups' lock
(`storage.signup.groups`); this partial unique index makes the database refuse a second place
as well. Places given twice before this migration are settled once: the person keeps the first
place (lowest id), the later ones are withdrawn. The downgrade drops the index only.

Revision ID: 0011_one_place_per_person
Revises: 0010_course_leader_invite
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_one_place_per_person"
down_revision: str | None = "0010_course_leader_invite"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PLACED = sa.text("status = 'placed'")

enrolment = sa.table(
    "enrolment",
    sa.column("id", sa.Integer),
    sa.column("programme_id", sa.Integer),
    sa.column("person_id", sa.Integer),
    sa.column("status", sa.String),
)


def upgrade() -> None:
    earlier = enrolment.alias("earlier")
    op.get_bind().execute(
        enrolment.update()
        .where(
            enrolment.c.status == "placed",
            sa.exists().where(
                earlier.c.programme_id == enrolment.c.programme_id,
                earlier.c.person_id == enrolment.c.person_id,
                earlier.c.status == "placed",
                earlier.c.id < enrolment.c.id,
            ),
        )
        .values(status="withdrawn")
    )
    with op.batch_alter_table("enrolment", schema=None) as batch_op:
        batch_op.create_index(
            "uq_enrolment_one_place",
            ["programme_id", "person_id"],
            unique=True,
            postgresql_where=PLACED,
            sqlite_where=PLACED,
        )


def downgrade() -> None:
    with op.batch_alter_table("enrolment", schema=None) as batch_op:
        batch_op.drop_index("uq_enrolment_one_place")
