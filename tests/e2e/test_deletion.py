"""/verwijderen deletes: a person who took part in every feature is erased, and none of their
texts, nor their Telegram id, is left in any column of any table (SQLite and PostgreSQL).
/mijngegevens shows every table first. Also: a NUL byte typed in a signup answer."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import MetaData, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.kit import notify
from bot.kit.clock import ManualClock
from domain.activities.status import ActivityKind, ActivityStatus, ThreadSide
from domain.course.rules import ReminderAnswer
from domain.hours.places import OrganisationKind, PlacementTrack
from domain.hours.practice import LogStatus
from domain.nazorg.engagement import NudgeStep, ReplyAnswer
from domain.opportunities.status import OpportunityStatus
from domain.roles import Role
from simulator.client import EmulatorClient, TestUser
from storage import people
from storage.activities import queries as activities
from storage.activities.models import Activity
from storage.course import queries as course
from storage.course.models import CourseSession
from storage.hours import queries as hours
from storage.hours.models import PracticeHours
from storage.models import ChannelIdentity, OutboxMessage, Person, Programme
from storage.nazorg import queries as nazorg
from storage.nazorg.models import NazorgNudge
from storage.opportunities import queries as opportunities
from storage.opportunities.models import Opportunity
from storage.signup.models import Consent, Signup
from tests.conftest import BotHarness
from tests.e2e.helpers import eventually
from tests.e2e.test_question_flow import ask
from tests.services import postgres_schema_engine
from tests.signup.signup_helpers import answer, count, expect_text, fast, make_cohort, tap

FIRST, LAST = "Zyxqwv", "Vrbkowskiq"
MOTIVATION = "Qmotivatiex kickboksles geven, let op: ik heb astma Qgezondheidx"
SECRETS = {
    "first name": FIRST,
    "last name": LAST,
    "postcode": "5211 AB",
    "motivation": "Qmotivatiex",
    "health remark": "Qgezondheidx",
    "question": "Qvraagx",
    "answer to the question": "Qantwoordx",
    "hours: what": "Qwatgedaanx",
    "hours: reason": "Qcorrectiex",
    "placement": "Qplaatsingx",
    "absence reason": "Qafwezigx",
    "nudge note": "Qnotitiex",
    "activity": "Qactiviteitx",
    "activity story": "Qverhaalx",
    "proposal thread": "Qdraadx",
    "parent": "Qouderx",
}


@pytest.fixture(params=["sqlite", "postgres"])
async def database(request: pytest.FixtureRequest) -> AsyncIterator[AsyncEngine | None]:
    """None: the harness's SQLite file; else a PostgreSQL engine with a fresh schema."""
    if request.param == "sqlite":
        yield None
    else:
        async for engine in postgres_schema_engine():
            yield engine


async def _sign_up(user: TestUser, motivation: str) -> None:
    intro = await answer(user, "/aanmelden", "Aanmelden voor Citytrainers")
    q = await tap(user, intro, "Beginnen", "Vraag 1 van")
    q = await answer(user, FIRST, "achternaam")
    q = await answer(user, LAST, "geboortedatum")
    q = await answer(user, "01-05-2009", "Nederlands")
    q = await tap(user, q, "Ja", "richting")
    q = await tap(user, q, "Ik train mijn stad (sport)", "organiseren")
    q = await answer(user, motivation, "postcode")
    q = await answer(user, "5211ab", "meisje")
    q = await tap(user, q, "Meisje / vrouw", "school")
    q = await tap(user, q, "havo / vwo", "gehoord")
    q = await tap(user, q, "Op school", "contact")
    q = await tap(user, q, "Hier in de chat", "privacyverklaring")
    summary = await tap(user, q, "Ik ga akkoord", "Klopt alles?")
    await tap(user, summary, "Klopt, versturen", "verstuurd")


async def _person_id(harness: BotHarness, user: TestUser) -> int:
    async def probe() -> int | None:
        async with harness.app.sessions() as session:
            return await session.scalar(
                select(ChannelIdentity.person_id).where(ChannelIdentity.external_id == str(user.id))
            )

    return int(await eventually(probe, lambda found: found is not None))  # type: ignore[arg-type]


async def _log_hours(user: TestUser, what: str) -> None:
    await user.send("/uren")
    overview = await user.expect_message()
    await user.tap(overview, "Uren invullen")
    await tap(user, await user.expect_message(), "Vandaag", "Hoeveel uur")
    await answer(user, "2", "Wat heb je gedaan?")
    summary = await answer(user, what)
    await tap(user, summary, "Opslaan", "wacht op bevestiging")


async def _everything_else(
    harness: BotHarness, clock: ManualClock, zyx_id: int, cor_id: int, ans_id: int
) -> None:
    """What the other features store, written with their own storage functions."""
    now = clock.now()
    async with harness.app.sessions.begin() as s:
        programme = await s.scalar(select(Programme))
        assert programme is not None
        log = await s.scalar(select(PracticeHours).where(PracticeHours.person_id == zyx_id))
        assert log is not None
        await hours.decide(
            s,
            log.id,
            status=LogStatus.CONFIRMED,
            minutes=90,
            by=ans_id,
            now=now,
            reason="Qcorrectiex was korter",
        )
        first_session = await s.scalar(select(CourseSession))
        assert first_session is not None
        await course.set_answer(
            s, first_session.id, zyx_id, ReminderAnswer.CANNOT, now, reason="Qafwezigx: longarts"
        )
        await notify.to_person(  # what the course leader is told (another person's message)
            s,
            cor_id,
            notify.message_payload(f"{FIRST} kan niet komen: Qafwezigx: longarts"),
            key=f"absence:{first_session.id}:{zyx_id}",
            now=now,
        )
        await course.ensure_certificate(s, programme.id, zyx_id, first_session.cohort_id)
        nudge = NazorgNudge(
            programme_id=programme.id,
            person_id=zyx_id,
            cycle_start=now - dt.timedelta(days=60),
            step=NudgeStep.FOLLOW_UP,
            created_at=now,
        )
        s.add(nudge)
        await s.flush()
        await nazorg.mark_contacted(s, nudge.id, programme.id, cor_id, "Qnotitiex: belde", now)
        await nazorg.add_reply(s, zyx_id, ReplyAnswer.AGAIN, now)
        activity = await activities.create(
            s,
            programme_id=programme.id,
            person_id=zyx_id,
            title="Qactiviteitx in het park",
            kind=ActivityKind.SPORT,
            planned_date=dt.date(2026, 5, 1),
            created_at=now,
            target_group="kinderen uit de Qactiviteitx-buurt",
            place="Zuiderpark",
            needs="ballen",
        )
        await activities.add_message(
            s, activity.id, cor_id, ThreadSide.COORDINATOR, "Hoeveel kinderen, Zyxqwv?", now
        )
        await activities.add_message(
            s, activity.id, zyx_id, ThreadSide.CITYTRAINER, "Qdraadx: twintig", now
        )
        await activities.decide(s, activity.id, ActivityStatus.APPROVED, cor_id, None, now)
        await activities.save_report(
            s,
            activity.id,
            happened=True,
            participants=20,
            minutes=120,
            story="Qverhaalx: het regende",
            photo_file_id="AgACAgQxyzphoto",
            now=now,
        )
        helpers = Opportunity(
            programme_id=programme.id,
            title="Qactiviteitx in het park",
            organisation_name=f"Citytrainer {FIRST}",
            description=f"{FIRST} organiseert dit en zoekt hulp.",
            places=2,
            track="both",
            status=OpportunityStatus.OPEN,
            created_at=now,
            created_by=zyx_id,
            activity_id=activity.id,
        )
        s.add(helpers)
        await s.flush()
        await notify.to_person(  # the request for helpers, to someone else
            s,
            cor_id,
            notify.message_payload(f"Kans: Qactiviteitx, van Citytrainer {FIRST}"),
            key=f"op:{helpers.id}:to:{cor_id}",
            ref=f"op:{helpers.id}",
            now=now,
        )
        other = Opportunity(
            programme_id=programme.id,
            title="Helpen bij het buurtfeest",
            places=5,
            for_trainees=True,
            track="both",
            status=OpportunityStatus.OPEN,
            created_at=now,
        )
        s.add(other)
        await s.flush()
        await opportunities.join(s, other.id, zyx_id, now)
        await opportunities.set_opportunity_messages(s, zyx_id, True)
        signup = await s.scalar(select(Signup).where(Signup.person_id == zyx_id))
        assert signup is not None
        s.add(
            Consent(
                programme_id=programme.id,
                person_id=zyx_id,
                kind="parental",
                version="1",
                given_by="Qouderx Vrbkowskiq",
                method="web",
                given_at=now,
                signup_id=signup.id,
            )
        )


def _as_text(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


async def _everything_stored(engine: AsyncEngine) -> list[tuple[str, str, Any]]:
    """(table, column, value) of every non-empty value in the database, tables reflected."""
    metadata = MetaData()
    async with engine.connect() as conn:
        await conn.run_sync(metadata.reflect)
        found: list[tuple[str, str, Any]] = []
        for table in metadata.sorted_tables:
            for row in (await conn.execute(select(table))).mappings():
                found.extend(
                    (table.name, column, value)
                    for column, value in row.items()
                    if value not in (None, "", {}, [])
                )
    return found


async def test_verwijderen_leaves_nothing_of_a_person_who_did_everything(
    harness: BotHarness,
    emu: EmulatorClient,
    manual_clock: ManualClock,
    database: AsyncEngine | None,
) -> None:
    cor = await emu.create_user("Cor")
    ans = await emu.create_user("Ans")
    zyx = await emu.create_user(FIRST, last_name=LAST)
    await harness.start(engine=database, admin_telegram_ids=[cor.id], clock=manual_clock)
    await fast(emu)
    await make_cohort(harness)

    # signup, placed in a group (the coordinator is told, through the outbox)
    await _sign_up(zyx, MOTIVATION)
    note = await expect_text(cor, "Nieuwe aanmelding")
    assert "Qmotivatiex" in (note.text or "") and "5211 AB" in (note.text or "")
    await cor.tap(note, "Plaatsen in een groep")
    groups = await cor.expect_message()
    await cor.tap(groups, groups.buttons[0])
    await cor.expect_message()
    await expect_text(zyx, "plek in groep")

    # /vraag, answered by reply
    await ask(zyx, "Qvraagx: mag mijn broer ook meedoen?")
    question = await expect_text(cor, "Qvraagx")
    await cor.reply(question, "Qantwoordx: ja hoor")
    await expect_text(cor, "onderweg")
    await expect_text(zyx, "Qantwoordx")

    # practice hours at an organisation, with a supervisor who is told what was done
    zyx_id = await _person_id(harness, zyx)
    cor_id = await _person_id(harness, cor)
    await ans.send("/start")
    await ans.expect_message()
    ans_id = await _person_id(harness, ans)
    now = manual_clock.now()
    async with harness.app.sessions.begin() as s:
        programme = await s.scalar(select(Programme))
        assert programme is not None
        org = await hours.add_organisation(
            s,
            programme.id,
            name="Sportclub",
            kind=OrganisationKind.SPORT,
            neighbourhood=None,
            contact=None,
            now=now,
        )
        await people.grant_role(
            s, ans_id, programme.id, Role.SUPERVISOR, now, organisation_id=org.id
        )
        await people.grant_role(s, zyx_id, programme.id, Role.PARTICIPANT, now)
        await hours.add_placement(
            s,
            programme_id=programme.id,
            person_id=zyx_id,
            organisation_id=org.id,
            supervisor_id=ans_id,
            track=PlacementTrack.SPORT,
            motivation="Qplaatsingx: wil trainer worden",
            created_by=cor_id,
            now=now,
        )
    await _log_hours(zyx, "Qwatgedaanx: training gegeven aan de F-jes")
    await expect_text(ans, "Qwatgedaanx")
    await _everything_else(harness, manual_clock, zyx_id, cor_id, ans_id)

    # /mijngegevens: every table with something about the person, all of it in the file
    await zyx.send("/mijngegevens")
    mine = await expect_text(zyx, "Wat we over je bewaren")
    assert "Praktijkuren: 1" in (mine.text or "") and "Activiteiten: 1" in (mine.text or "")
    document = await zyx.expect_message()
    data = json.loads(await emu.download(document))
    for section in (
        "questions",
        "hours",
        "hours_changes",
        "placements",
        "session_answers",
        "certificates",
        "nudges",
        "nudge_answers",
        "activities",
        "proposal_messages",
        "helper_requests",
        "opportunities",
        "consents",
        "messages",
        "roles",
        "groups",
        "signups",
    ):
        assert data[section], section
    exported = json.dumps(data, ensure_ascii=False)
    for what, secret in SECRETS.items():
        if what != "answer to the question":  # sent to them: in "messages" (as sent) too
            assert secret in exported, what

    before = " ".join(
        _as_text(value) for _t, _c, value in await _everything_stored(harness.app.engine)
    )
    assert all(secret in before for secret in SECRETS.values())  # the search finds them

    # /verwijderen
    await zyx.send("/verwijderen")
    confirm = await zyx.expect_message()
    await tap(zyx, confirm, "Ja, verwijder mijn gegevens", "gegevens zijn verwijderd")
    await eventually(
        lambda: count(harness, ChannelIdentity, ChannelIdentity.person_id == zyx_id),
        lambda n: n == 0,
    )
    await harness.app.sweeper.run_all()

    stored = await _everything_stored(harness.app.engine)
    left = [
        (what, table, column)
        for what, secret in SECRETS.items()
        for table, column, value in stored
        if secret in _as_text(value)
    ]
    assert left == [], left
    telegram_id = re.compile(rf"(?<!\d){zyx.id}(?!\d)")
    linked = [(t, c) for t, c, v in stored if v == zyx.id or telegram_id.search(_as_text(v))]
    assert linked == [], linked

    # the figures still count what happened, anonymously
    async with harness.app.sessions() as s:
        person = await s.get(Person, zyx_id)
        assert person is not None and person.anonymised_at is not None
        signup = await s.scalar(select(Signup).where(Signup.person_id == zyx_id))
        assert signup is not None and signup.track == "sport" and signup.gender == "female"
        log = await s.scalar(select(PracticeHours).where(PracticeHours.person_id == zyx_id))
        assert log is not None and log.minutes == 90 and log.status == LogStatus.CONFIRMED
        activity = await s.scalar(select(Activity).where(Activity.person_id == zyx_id))
        assert activity is not None and activity.participants == 20
        erased = await s.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.idempotency_key.like("erased:%"))
        )
        assert erased  # the messages to them stay counted, without text or chat


async def test_a_nul_byte_in_a_signup_answer_is_stripped(
    harness: BotHarness, emu: EmulatorClient, manual_clock: ManualClock, pg_engine: AsyncEngine
) -> None:
    """PostgreSQL refuses a NUL in text: without the cleaning the whole signup would fail."""
    cor = await emu.create_user("Cor")
    zyx = await emu.create_user(FIRST, last_name=LAST)
    await harness.start(engine=pg_engine, admin_telegram_ids=[cor.id], clock=manual_clock)
    await fast(emu)
    await _sign_up(zyx, "Een\x00 voetbaltoernooi\x07 in mijn straat")
    await expect_text(cor, "Nieuwe aanmelding")

    async def motivation() -> str | None:
        async with harness.app.sessions() as session:
            return await session.scalar(select(Signup.motivation))

    assert await eventually(motivation, lambda m: m is not None) == (
        "Een voetbaltoernooi in mijn straat"
    )
