"""Issue 11, point 4, for Citytrainers' own activities: nobody of programme B decides on, asks
about or answers for programme A's proposals, and nothing of A's Citytrainers reaches them.

Forged `pr:` buttons (`DecisionCb`, `HelpersCb`, `ReportCb`) with A's activity ids, the typed
step after "Vraag stellen" / "Afwijzen", and a reply to an old message about A's proposal
(ref `proposal:<id>`, `thread.by_reply`). Attackers: the coordinator kinds of
tests/e2e/test_cross_programme.py, and a Citytrainer of B.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from bot.features.activities.callbacks import (
    DecisionAction,
    DecisionCb,
    HelperCount,
    HelpersAction,
    HelpersCb,
    ReportAction,
    ReportCb,
)
from bot.features.activities.keys import proposal_ref
from domain.roles import Role
from simulator.client import EmulatorClient, TestUser
from storage.activities.models import Activity, ActivityKind, ActivityStatus, ProposalMessage
from storage.opportunities.models import Opportunity
from tests.conftest import BotHarness
from tests.e2e.test_cross_programme import (
    KINDS,
    TODAY,
    Cross,
    Kind,
    make_cross,
    plant_old_message,
)

PROPOSED = "Straatvoetbal in de Maaspoort"
APPROVED = "Dansmiddag in het Rosmalense wijkhuis"


@dataclass
class Activities:
    submitted: int
    approved: int
    ravi_id: int


async def activities_world(cross: Cross) -> Activities:
    _ravi, ravi_id = await cross.add_person("Ravi", cross.a, roles=[Role.CITYTRAINER])
    now = cross.clock.now()
    common = {
        "programme_id": cross.a,
        "person_id": ravi_id,
        "kind": ActivityKind.SPORT,
        "created_at": now,
        "target_group": "Kinderen van 8 tot 12 uit de Maaspoort",
        "neighbourhood": "Maaspoort",
        "place": "Trapveldje achter de Kastanjelaan",
        "when_text": "zaterdag 14:00",
        "planned_date": TODAY + dt.timedelta(days=12),
        "needs": "help",
    }
    async with cross.harness.app.sessions.begin() as session:
        submitted = Activity(title=PROPOSED, status=ActivityStatus.SUBMITTED, **common)
        approved = Activity(
            title=APPROVED,
            status=ActivityStatus.APPROVED,
            decided_at=now,
            decided_by=cross.cor_a_id,
            **common,
        )
        session.add_all([submitted, approved])
        await session.flush()
        ids = Activities(submitted.id, approved.id, ravi_id)
    cross.secrets += ["Kinderen van 8 tot 12 uit de Maaspoort", "Trapveldje achter de Kastanjelaan"]
    if cross.kind is not Kind.LEGACY_IN_A:  # a person of A sees A's /agenda, as everyone of A
        cross.secrets += [PROPOSED, APPROVED]
    return ids


def decisions(activity_id: int) -> list[str]:
    return [DecisionCb(action=action, activity_id=activity_id).pack() for action in DecisionAction]


def own_buttons(activity_id: int) -> list[str]:
    """The Citytrainer's own buttons under an approved activity and its report question."""
    return [
        HelpersCb(action=HelpersAction.ASK, activity_id=activity_id).pack(),
        HelpersCb(
            action=HelpersAction.COUNT, activity_id=activity_id, count=HelperCount.TEN
        ).pack(),
        ReportCb(action=ReportAction.HAPPENED, activity_id=activity_id).pack(),
        ReportCb(action=ReportAction.NOT_HAPPENED, activity_id=activity_id).pack(),
    ]


async def _state(cross: Cross) -> tuple[dict[int, str], int, int]:
    async with cross.harness.app.sessions() as session:
        statuses = {
            i: str(s) for i, s in await session.execute(select(Activity.id, Activity.status))
        }
        notes = await session.scalar(select(func.count()).select_from(ProposalMessage))
        opps = await session.scalar(select(func.count()).select_from(Opportunity))
    return statuses, int(notes or 0), int(opps or 0)


@pytest.mark.parametrize("kind", KINDS)
async def test_no_decision_or_thread_on_a_proposal_of_another_programme(
    harness: BotHarness, emu: EmulatorClient, kind: Kind
) -> None:
    cross = await make_cross(harness, emu, kind)
    w = await activities_world(cross)
    before = await _state(cross)
    cross.check(await cross.press(decisions(w.submitted) + decisions(w.approved)))
    cross.check(await cross.press(own_buttons(w.approved)))
    # the typed steps: whatever the attacker types is no question or reason for A's proposal
    for action in (DecisionAction.ASK, DecisionAction.DECLINE):
        cross.check(await cross.press([DecisionCb(action=action, activity_id=w.submitted).pack()]))
        cross.check(await cross.say("Waarom juist op dat veldje?"), refused=False)
    old = await plant_old_message(
        cross, "Een oud bericht over een voorstel", proposal_ref(w.submitted)
    )
    cross.check(await cross.reply(old, "Waarom juist op dat veldje?"))
    cross.same("the activities, thread messages and opportunities", before, await _state(cross))
    await cross.done()


@pytest.mark.parametrize("kind", KINDS)
async def test_the_agenda_shows_nothing_of_another_programme(
    harness: BotHarness, emu: EmulatorClient, kind: Kind
) -> None:
    cross = await make_cross(harness, emu, kind)
    await activities_world(cross)
    cross.check(await cross.say("/agenda"), refused=False)
    await cross.done()


async def test_a_citytrainer_of_b_gets_nothing_of_a_proposal(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    async def setup(cross: Cross) -> tuple[TestUser, int]:
        return await cross.add_person("Bo", cross.b, roles=[Role.CITYTRAINER], secret=False)

    cross = await make_cross(harness, emu, "citytrainer-of-B", setup=setup)
    w = await activities_world(cross)
    before = await _state(cross)
    cross.check(await cross.press(decisions(w.submitted) + own_buttons(w.approved)))
    old = await plant_old_message(
        cross, "Een oud bericht over een voorstel", proposal_ref(w.submitted)
    )
    cross.check(await cross.reply(old, "Ik help graag mee!"))
    cross.check(await cross.say("/agenda"), refused=False)
    cross.same("the activities, thread messages and opportunities", before, await _state(cross))
    await cross.done()


async def test_the_coordinator_of_b_does_decide_on_b(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    """The control: B's coordinator approves B's own proposal with the same button."""
    cross = await make_cross(harness, emu, Kind.COORDINATOR_B)
    await activities_world(cross)
    _bo, bo_id = await cross.add_person("Bo", cross.b, roles=[Role.CITYTRAINER], secret=False)
    async with harness.app.sessions.begin() as session:
        own = Activity(
            programme_id=cross.b,
            person_id=bo_id,
            title="Kermisspelen Oss",
            kind=ActivityKind.SOCIAL,
            status=ActivityStatus.SUBMITTED,
            created_at=cross.clock.now(),
        )
        session.add(own)
        await session.flush()
        own_id = own.id
    (outcome,) = await cross.press(
        [DecisionCb(action=DecisionAction.APPROVE, activity_id=own_id).pack()]
    )
    assert not outcome.refused() and outcome.changes, outcome.describe()
    await cross.done()
