"""Migrations: every step goes up and down cleanly, and head matches the models exactly.

The stairway walks base -> r1 -> ... -> head, then back down one step at a time to base,
then up to head again, on SQLite and on PostgreSQL. At head, alembic's autogenerate
comparison between the live schema and `Base.metadata` must find nothing: a model changed
without a migration (or the other way round) fails here.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import migrate
from storage.models import UTCDateTime
from storage.schema import Base


def _context(conn: Connection) -> MigrationContext:
    # The same options as storage/migrations/env.py, so we compare what autogenerate would.
    return MigrationContext.configure(
        conn,
        opts={
            "compare_type": True,
            "render_as_batch": conn.dialect.name == "sqlite",
            "target_metadata": Base.metadata,
        },
    )


def _is_utc_datetime_echo(diff: Any, dialect: str) -> bool:
    """SQLite keeps no time zone: a `DATETIME` column read back against our `UTCDateTime`
    (a TypeDecorator over `DateTime(timezone=True)`) is the same column, not a change.

    Only that exact case is tolerated: a ("modify_type", ...) entry, on SQLite, where the
    model type is UTCDateTime and the database type is a DateTime. Anything else counts.
    """
    if dialect != "sqlite" or not isinstance(diff, list) or len(diff) != 1:
        return False
    op = diff[0]
    if not (isinstance(op, tuple) and op and op[0] == "modify_type"):
        return False
    # ("modify_type", schema, table, column, existing_kw, existing_type, new_type)
    existing_type, model_type = op[5], op[6]
    return isinstance(model_type, UTCDateTime) and isinstance(existing_type, sa.DateTime)


def _schema_diff(conn: Connection, metadata: sa.MetaData = Base.metadata) -> list[Any]:
    dialect = conn.dialect.name
    diffs = compare_metadata(_context(conn), metadata)
    return [d for d in diffs if not _is_utc_datetime_echo(d, dialect)]


def _current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _tables(conn: Connection) -> set[str]:
    return set(sa.inspect(conn).get_table_names()) - {"alembic_version"}


async def _run(engine: AsyncEngine, fn: Any) -> Any:
    async with engine.connect() as conn:
        return await conn.run_sync(fn)


async def test_revisions_form_a_single_line() -> None:
    revs = migrate.revisions()
    assert revs, "no migrations found"
    assert len(revs) == len(set(revs))
    assert revs[0] == "0001"


async def test_stairway_up_down_up_and_no_drift(engine: AsyncEngine) -> None:
    revs = migrate.revisions()
    model_tables = set(Base.metadata.tables)
    seen_tables: list[set[str]] = []

    # Up, one step at a time.
    for rev in revs:
        await migrate.upgrade(engine, rev)
        assert await _run(engine, _current_revision) == rev
        tables = await _run(engine, _tables)
        if seen_tables:
            # a migration may only alter tables, but never loses one on the way up
            assert seen_tables[-1] <= tables, f"{rev} dropped a table on the way up"
        seen_tables.append(tables)
    assert seen_tables[-1] == model_tables

    # Down, one step at a time, back to base; each step restores the previous table set.
    for index in range(len(revs) - 1, -1, -1):
        target = revs[index - 1] if index > 0 else "base"
        await migrate.downgrade(engine, target)
        assert await _run(engine, _current_revision) == (None if target == "base" else target)
        expected = seen_tables[index - 1] if index > 0 else set()
        assert await _run(engine, _tables) == expected

    # And up again to head: downgrades left nothing behind that blocks an upgrade.
    await migrate.upgrade(engine)
    assert await _run(engine, _current_revision) == revs[-1]
    assert await _run(engine, _schema_diff) == []


async def test_drift_check_is_not_blind(engine: AsyncEngine) -> None:
    """The comparison above would notice a model change without a migration."""
    await migrate.upgrade(engine)
    changed = sa.MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["outbox"].append_column(sa.Column("extra", sa.String(10), nullable=True))
    # A UTCDateTime column turned into a string must still count on SQLite too.
    changed.tables["fsm_state"].c.updated_at.type = sa.String(40)
    diffs = await _run(engine, lambda conn: _schema_diff(conn, changed))
    flat = [d[0] if isinstance(d, list) else d for d in diffs]
    assert any(d[0] == "add_column" and d[3].name == "extra" for d in flat), diffs
    assert any(d[0] == "modify_type" and d[3] == "updated_at" for d in flat), diffs
    assert len(flat) == 2, diffs


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_utc_datetime_tolerance_is_narrow(dialect: str) -> None:
    echo: list[Any] = [
        (
            "modify_type",
            None,
            "outbox",
            "created_at",
            {},
            sa.DATETIME(),
            UTCDateTime(),
        )
    ]
    other: list[Any] = [
        ("modify_type", None, "outbox", "created_at", {}, sa.String(), UTCDateTime())
    ]
    assert _is_utc_datetime_echo(echo, dialect) is (dialect == "sqlite")
    assert not _is_utc_datetime_echo(other, dialect)
    assert not _is_utc_datetime_echo([("add_column", None, "outbox", sa.Column("x"))], dialect)
