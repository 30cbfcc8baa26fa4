"""Issue 11, point 4, for /cijfers: a coordinator sees the figures of their own programme only;
nobody else sees any, and nothing of programme A is counted in programme B's figures.

Programme A has three Citytrainers certified this year, with confirmed volunteer hours and an
activity reported as held; B has none of its own. The attackers are the coordinator kinds of
tests/e2e/test_cross_programme.py; the period buttons (`FiguresCb`) are forged too.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.features.impact.callbacks import FiguresAction, FiguresCb, FiguresPeriod
from domain.hours.practice import HoursKind, LogStatus
from domain.roles import Role
from simulator.client import EmulatorClient
from storage.activities.models import Activity, ActivityKind, ActivityStatus
from storage.hours.models import PracticeHours
from storage.models import RoleGrant
from tests.conftest import BotHarness
from tests.e2e.test_cross_programme import KINDS, TODAY, Cross, Kind, make_cross

TRAINED = "Citytrainers opgeleid:"
ORGANISED = "Georganiseerde activiteiten:"


async def figures_world(cross: Cross) -> None:
    """Three Citytrainers of A certified this year, 2 h confirmed each, one activity held."""
    now = cross.clock.now()
    for name in ("Ravi", "Ilse", "Jorien"):
        _user, pid = await cross.add_person(name, cross.a)
        async with cross.harness.app.sessions.begin() as session:
            session.add(
                RoleGrant(
                    person_id=pid,
                    programme_id=cross.a,
                    role=Role.CITYTRAINER.value,
                    granted_at=now - dt.timedelta(days=30),
                )
            )
            session.add(
                PracticeHours(
                    programme_id=cross.a,
                    person_id=pid,
                    work_date=TODAY - dt.timedelta(days=7),
                    minutes=120,
                    status=LogStatus.CONFIRMED,
                    kind=HoursKind.VOLUNTEER,
                    created_at=now - dt.timedelta(days=7),
                )
            )
            session.add(
                Activity(
                    programme_id=cross.a,
                    person_id=pid,
                    title=f"Buurtfeest van {name}",
                    kind=ActivityKind.SOCIAL,
                    status=ActivityStatus.APPROVED,
                    planned_date=TODAY - dt.timedelta(days=10),
                    participants=20,
                    minutes=120,
                    created_at=now - dt.timedelta(days=20),
                    reported_at=now - dt.timedelta(days=9),
                    happened=True,
                )
            )
            cross.secrets.append(f"Buurtfeest van {name}")


def _line(texts: list[str], prefix: str) -> str:
    for text in texts:
        for line in text.splitlines():
            if line.startswith(prefix):
                return line
    return ""


def periods() -> list[str]:
    return [FiguresCb(action=FiguresAction.PERIOD, period=p).pack() for p in FiguresPeriod]


@pytest.mark.parametrize("kind", KINDS)
async def test_the_figures_of_another_programme_are_never_shown(
    harness: BotHarness, emu: EmulatorClient, kind: Kind
) -> None:
    cross = await make_cross(harness, emu, kind)
    await figures_world(cross)
    if kind is not Kind.COORDINATOR_B:
        cross.check(await cross.say("/cijfers"))
        cross.check(await cross.press(periods()))
        await cross.done()
        return
    shown = await cross.say("/cijfers")
    cross.check(shown, refused=False)
    for outcome in [shown]:
        texts = outcome.texts()
        for prefix in (TRAINED, ORGANISED):
            line = _line(texts, prefix)
            if line != f"{prefix} 0":
                cross.problems.append(f"[{kind}] B's /cijfers counts A: {line!r}")
    cross.check(await cross.press(periods()), refused=False)
    await cross.done()


async def test_a_legacy_citytrainer_grant_counts_in_no_other_programme(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    """A person of A holding a Citytrainer grant only in B (legacy data) is no Citytrainer of
    B: B's figures do not count them (storage.impact.queries.citytrainers)."""
    cross = await make_cross(harness, emu, Kind.COORDINATOR_B)
    await figures_world(cross)
    await cross.add_person(
        "Wessel", cross.a, grants=[(cross.b, Role.CITYTRAINER, None)], secret=False
    )
    async with harness.app.sessions.begin() as session:
        from sqlalchemy import update

        await session.execute(
            update(RoleGrant)
            .where(RoleGrant.programme_id == cross.b, RoleGrant.role == Role.CITYTRAINER.value)
            .values(granted_at=cross.clock.now() - dt.timedelta(days=30))
        )
    shown = await cross.say("/cijfers")
    line = _line(shown.texts(), TRAINED)
    if line != f"{TRAINED} 0":
        cross.problems.append(f"[legacy grant] B's /cijfers counts a person of A: {line!r}")
    await cross.done()


async def test_the_coordinator_of_a_sees_a(harness: BotHarness, emu: EmulatorClient) -> None:
    """The control: Corrie sees A's three Citytrainers and three activities."""
    cross = await make_cross(harness, emu, Kind.COORDINATOR_B)
    await figures_world(cross)
    await cross.cor_a.send("/cijfers")
    text = ""
    while TRAINED not in text:
        text = (await cross.cor_a.expect_message()).text or ""
    assert f"{TRAINED} 3" in text and f"{ORGANISED} 3" in text, text
