"""Issue 11, point 4, for nazorg: nobody of programme B marks programme A's quiet Citytrainers
as approached, or sees them on a follow-up list, a digest or in figures.

Forged `nzf:` buttons (`FollowUpAction`) with A's follow-up entry, the typed note after one,
`nzd:` digest buttons, /opvolgen and /nazorgcijfers, by the coordinator kinds of
tests/e2e/test_cross_programme.py; and the nudge cycle itself with legacy Citytrainer grants in
another programme than the person's own.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.features.nazorg.callbacks import DigestAction, DigestItem, FollowUpAction, FollowUpChoice
from bot.kit.clock import ManualClock
from domain.nazorg.engagement import NudgeStep, Wording
from domain.roles import Role
from simulator.client import EmulatorClient
from storage.nazorg.models import NazorgNudge
from tests.conftest import BotHarness
from tests.e2e.test_cross_programme import KINDS, T0, Cross, Kind, make_cross

WEEK = dt.timedelta(weeks=1)
AFTERNOON = dt.datetime(2026, 3, 3, 15, 30, tzinfo=dt.UTC)  # Tuesday 16:30 in Amsterdam


async def follow_up_world(cross: Cross) -> int:
    """Ilse, a Citytrainer of A, quiet since long: nudged twice, now on A's follow-up list.
    Returns the id of her follow-up entry."""
    _ilse, ilse_id = await cross.add_person("Ilse", cross.a)
    start = cross.clock.now() - 10 * WEEK
    async with cross.harness.app.sessions.begin() as session:
        from storage.models import RoleGrant

        session.add(
            RoleGrant(
                person_id=ilse_id,
                programme_id=cross.a,
                role=Role.CITYTRAINER.value,
                granted_at=start - 8 * WEEK,
            )
        )
        rows = [
            NazorgNudge(
                programme_id=cross.a,
                person_id=ilse_id,
                cycle_start=start,
                step=step,
                wording=wording,
                created_at=start + offset,
            )
            for step, wording, offset in (
                (NudgeStep.FIRST, Wording.A, WEEK),
                (NudgeStep.SECOND, Wording.B, 5 * WEEK),
                (NudgeStep.FOLLOW_UP, None, 9 * WEEK),
            )
        ]
        session.add_all(rows)
        await session.flush()
        return rows[-1].id


async def _entry(cross: Cross, nudge_id: int) -> NazorgNudge:
    async with cross.harness.app.sessions() as session:
        found = await session.get(NazorgNudge, nudge_id)
        assert found is not None
        return found


@pytest.mark.parametrize("kind", KINDS)
async def test_no_one_of_another_programme_marks_a_follow_up_as_approached(
    harness: BotHarness, emu: EmulatorClient, kind: Kind
) -> None:
    """ "Benaderd: Ilse" forged with A's entry, then a note or "Zonder notitie": nothing is
    recorded. The tap itself is refused too (it acts on A's entry)."""
    cross = await make_cross(harness, emu, kind)
    entry = await follow_up_world(cross)
    done = FollowUpAction(action=FollowUpChoice.DONE, nudge_id=entry).pack()
    cross.check(await cross.press([done]))
    cross.check(await cross.say("Gebeld, ze doet mee met de sportdag"), refused=False)
    cross.check(await cross.press([done], label="again: "))  # then "Zonder notitie"
    cross.check(
        await cross.press([FollowUpAction(action=FollowUpChoice.SKIP).pack()]), refused=False
    )
    found = await _entry(cross, entry)
    if found.contacted_at is not None:
        cross.problems.append(
            f"[{kind}] A's follow-up entry #{entry} marked approached by {found.contacted_by}"
        )
    await cross.done()


@pytest.mark.parametrize("kind", KINDS)
async def test_the_follow_up_list_digest_and_figures_show_nothing_of_another_programme(
    harness: BotHarness, emu: EmulatorClient, kind: Kind
) -> None:
    cross = await make_cross(harness, emu, kind)
    await follow_up_world(cross)
    coordinator = kind is Kind.COORDINATOR_B  # a coordinator of B sees B's (empty) lists
    cross.check(await cross.say("/opvolgen"), refused=not coordinator)
    cross.check(await cross.say("/nazorgcijfers"), refused=not coordinator)
    cross.check(
        await cross.press([DigestAction(item=item).pack() for item in DigestItem]),
        refused=not coordinator,
    )
    await cross.done()


LEGACY_CT_IN_A = "person-of-A-citytrainer-grant-in-B"
LEGACY_CT_IN_B = "person-of-B-citytrainer-grant-in-A"


@pytest.mark.parametrize("legacy", [LEGACY_CT_IN_A, LEGACY_CT_IN_B])
async def test_a_legacy_citytrainer_grant_puts_nobody_on_another_programme_s_list(
    harness: BotHarness, emu: EmulatorClient, legacy: str
) -> None:
    """A quiet person holding a Citytrainer grant only in a programme that is not their own
    (legacy data) is no Citytrainer there: the nudge cycle of that programme does not nudge
    them, and its coordinator never sees their name on the follow-up list. Run through the
    whole cycle (nudge 1, nudge 2, follow-up) by moving the clock."""
    clock = ManualClock(T0)
    cross = await make_cross(harness, emu, Kind.COORDINATOR_B, clock=clock)
    # the quiet one, certified long ago; the grant in the other programme only
    home, other = (cross.a, cross.b) if legacy == LEGACY_CT_IN_A else (cross.b, cross.a)
    _quiet, quiet_id = await cross.add_person(
        "Wessel", home, grants=[(other, Role.CITYTRAINER, None)], secret=False
    )
    async with harness.app.sessions.begin() as session:
        from storage.models import RoleGrant

        grant = await session.scalar(select(RoleGrant).where(RoleGrant.person_id == quiet_id))
        assert grant is not None
        grant.granted_at = T0 - 7 * WEEK
    for moment in (AFTERNOON + WEEK, AFTERNOON + 5 * WEEK, AFTERNOON + 9 * WEEK):
        clock.set(moment)
        await harness.app.sweeper.run_all()
    async with harness.app.sessions() as session:
        rows = list(
            await session.scalars(select(NazorgNudge).where(NazorgNudge.person_id == quiet_id))
        )
    wrong = [(r.programme_id, r.step.value) for r in rows if r.programme_id != home]
    if wrong:
        cross.problems.append(
            f"[{legacy}] the person of programme {home} was nudged as a Citytrainer of "
            f"programme {other}: {wrong}"
        )
    # the coordinator of the grant's programme: never their name on the follow-up list
    coordinator = cross.attacker if other == cross.b else cross.cor_a
    await coordinator.send("/opvolgen")
    listing = await coordinator.expect_message()
    while (
        "opvolg" not in (listing.text or "").lower()
        and "benader" not in (listing.text or "").lower()
    ):
        listing = await coordinator.expect_message()
    if "Wessel" in (listing.text or "") or "Wessel" in str(listing.buttons):
        cross.problems.append(
            f"[{legacy}] programme {other}'s follow-up list shows Wessel (a person of "
            f"programme {home}): {listing.text!r}"
        )
    await cross.done()
