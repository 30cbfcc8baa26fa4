"""Migration 0009 settles grants made outside the person's programme (issue 11, point 4)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import migrate

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


async def test_grants_elsewhere_are_moved_or_revoked(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine, "0008_consent_evidence")
    async with engine.begin() as conn:
        for pid, name in ((1, "'s-Hertogenbosch"), (2, "Oss")):
            await conn.execute(
                sa.text(
                    "INSERT INTO programme (id, name, timezone, settings, created_at) "
                    "VALUES (:id, :name, 'Europe/Amsterdam', '{}', :t)"
                ),
                {"id": pid, "name": name, "t": T0},
            )
        # 10: signed up through Oss's group link, created in the first programme: moves to Oss
        # 11: a participant of 's-Hertogenbosch also made coordinator of Oss: that grant ends
        # 12: in order (a coordinator of 's-Hertogenbosch): unchanged
        for person_id in (10, 11, 12):
            await conn.execute(
                sa.text("INSERT INTO person (id, programme_id, created_at) VALUES (:p, 1, :t)"),
                {"p": person_id, "t": T0},
            )
        grants = [(1, 10, 2, "participant"), (2, 11, 1, "participant"), (3, 11, 2, "coordinator")]
        grants.append((4, 12, 1, "coordinator"))
        for gid, person_id, programme_id, role in grants:
            await conn.execute(
                sa.text(
                    "INSERT INTO role_grant (id, person_id, programme_id, role, granted_at) "
                    "VALUES (:g, :p, :prog, :role, :t)"
                ),
                {"g": gid, "p": person_id, "prog": programme_id, "role": role, "t": T0},
            )
    await migrate.upgrade(engine)
    async with engine.connect() as conn:
        homes = dict((await conn.execute(sa.text("SELECT id, programme_id FROM person"))).all())
        active = (
            await conn.execute(
                sa.text("SELECT id FROM role_grant WHERE revoked_at IS NULL ORDER BY id")
            )
        ).all()
    assert homes == {10: 2, 11: 1, 12: 1}
    assert [row[0] for row in active] == [1, 2, 4]
