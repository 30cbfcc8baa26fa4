"""`admin add-coordinator` with a person known in another programme (issue 11, point 4).

A person belongs to one programme; a coordinator of Oss must not keep the roles of
's-Hertogenbosch, nor become one by a grant that silently spans both.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from bot.app import cli
from bot.features import all_features
from domain.roles import Role
from storage import migrate, people
from storage.db import create_engine, create_session_factory

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)

NAMES = ("'s-Hertogenbosch", "Oss")


def _admin(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(all_features(), ["admin", "add-coordinator", *args])
    out, err = capsys.readouterr()
    return code, out, err


async def _seed_participant(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
        async with create_session_factory(engine).begin() as s:
            home = await people.ensure_programme(s, NAMES[0], "Europe/Amsterdam", T0)
            pupil = await people.ensure_telegram_member(
                s, user_id=5151, chat_id=5151, first_name="Bo", display_name="b", now=T0
            )
            await people.grant_role(s, pupil.person.id, home.id, Role.PARTICIPANT, T0)
    finally:
        await engine.dispose()


async def _member(url: str) -> tuple[str | None, frozenset[Role]]:
    engine = create_engine(url)
    try:
        async with create_session_factory(engine)() as s:
            member = await people.find_member(s, people.TELEGRAM, "5151")
            assert member is not None
            programme = await s.get(people.Programme, member.programme_id)
            return (programme.name if programme else None), member.roles
    finally:
        await engine.dispose()


def test_a_person_of_another_programme_is_moved_only_with_move(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    asyncio.run(_seed_participant(url))

    code, out, err = _admin(capsys, "5151", "--programme", "Oss")
    assert code == 1 and out == ""
    assert "'s-Hertogenbosch" in err and "--move" in err and "nothing was changed" in err
    assert asyncio.run(_member(url)) == (NAMES[0], frozenset({Role.PARTICIPANT}))

    code, out, err = _admin(capsys, "5151", "--programme", "Oss", "--move")
    assert code == 0, err
    assert "is now a coordinator of Oss" in out and "moved from another programme" in out
    # the participant role of 's-Hertogenbosch ended with the move
    assert asyncio.run(_member(url)) == ("Oss", frozenset({Role.COORDINATOR}))
