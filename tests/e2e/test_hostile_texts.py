"""Texts Telegram refuses (issue 12): the main flows with hostile names and maximal inputs.

People and groups are named to break HTML ("<b>Sanne & Co</b>", "<script>", 64-character
names, a 200-character group name with "<", "&" and ">"); typed texts are as long as the flows
take. The emulator parses every text strictly and refuses bad HTML or a text that is too long
with a 400, exactly as Telegram does, so after each flow: the emulator recorded no 400, no outbox
row was lost, and the bot logged no error (a text it had to escape is logged as one).
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import func, select

from bot.kit.clock import ManualClock
from domain.hours.places import OrganisationKind, PlacementTrack
from domain.hours.practice import HoursKind, LogStatus
from domain.roles import Role
from simulator.client import BotMessage, EmulatorClient, TestUser
from storage import people
from storage.hours import queries as hours
from storage.hours.models import PracticeHours
from storage.models import LOST_STATUSES, WAITING_STATUSES, ChannelIdentity, OutboxMessage
from tests.conftest import BotHarness
from tests.e2e.helpers import eventually
from tests.signup.signup_helpers import answer, expect_text, fast, make_cohort, tap

COORDINATOR = "<b>Sanne & Co</b>"
SCRIPT = ("<script>alert('x')</script> & Co " * 3)[:64]  # Telegram's longest first name
GROUP = ("<b>Groep <Noord> & Zuid</b> " * 10)[:200]
TYPED_NAME = ("Sanne &amp; Co é " * 5)[:64]  # what a person types: shown as typed
MOTIVATION = "<b>Ik wil</b> " + "<&>" * 328 + "!"  # 1000 characters, over 4000 as HTML
QUESTION = ("<i>Wanneer</i> begint de <volgende> cursus & waar? " * 30)[:1000]


@pytest.fixture(autouse=True)
def errors(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.WARNING)
    return caplog


async def all_accepted(
    harness: BotHarness,
    emu: EmulatorClient,
    caplog: pytest.LogCaptureFixture,
    *,
    drain: bool = True,
) -> None:
    """Telegram (the emulator) accepted every text, and nothing was lost or escaped.

    `drain`: wait until the outbox has sent everything (else only what was sent so far counts;
    every row was checked when it was queued)."""

    async def waiting() -> int:
        async with harness.app.sessions() as session:
            return int(
                await session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.status.in_(WAITING_STATUSES))
                )
                or 0
            )

    if drain:
        await eventually(waiting, lambda n: n == 0, within=10)
    async with harness.app.sessions() as session:
        lost = list(
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.status.in_(LOST_STATUSES))
            )
        )
    assert not [(row.status, row.last_error) for row in lost]
    refused = [
        (call["method"], call.get("description"))
        for call in await emu.calls()
        if call.get("status", 200) >= 400 and "not modified" not in (call.get("description") or "")
    ]
    assert not refused
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def visible(user: TestUser, needle: str) -> BotMessage:
    return await expect_text(user, needle, skip=4)


async def sign_up(user: TestUser, start: str) -> BotMessage:
    """The signup with a typed name and motivation as long and hostile as allowed."""
    intro = await answer(user, start, "Aanmelden voor Citytrainers")
    q = await tap(user, intro, "Beginnen", "Vraag 1 van")
    await user.send("<script>")  # refused: a name cannot carry markup
    await expect_text(user, "voornaam", skip=2)
    await user.send(TYPED_NAME)
    q = await expect_text(user, "achternaam", skip=2)
    q = await tap(user, q, "Overslaan", "geboortedatum")
    q = await answer(user, "01-05-2008", "Nederlands")
    q = await tap(user, q, "Ja", "richting")
    q = await tap(user, q, "Ik train mijn stad (sport)", "organiseren")
    q = await answer(user, MOTIVATION, "postcode")
    q = await answer(user, "5211ab", "meisje")
    q = await tap(user, q, "Meisje / vrouw", "school")
    q = await tap(user, q, "havo / vwo", "gehoord")
    q = await tap(user, q, "Op school", "contact")
    q = await tap(user, q, "Hier in de chat", "privacyverklaring")
    return await tap(user, q, "Ik ga akkoord", "Klopt alles?")


async def test_signup_invite_groups_and_questions_with_hostile_names(
    harness: BotHarness,
    emu: EmulatorClient,
    manual_clock: ManualClock,
    errors: pytest.LogCaptureFixture,
) -> None:
    cor = await emu.create_user(COORDINATOR)
    await harness.start(admin_telegram_ids=[cor.id], clock=manual_clock)
    await fast(emu)
    await make_cohort(harness, name=GROUP)
    for command in ("/start", "/help", "/groepen"):
        await cor.send(command)
        await cor.expect_message()
    # the invite link and its QR code, for a group named to break HTML
    await cor.send("/uitnodiging")
    pick = await visible(cor, "Voor welke groep")
    uses = await tap(cor, pick, pick.buttons[0], "Hoeveel mensen")
    link = await tap(cor, uses, "1", "Uitnodigingslink voor groep")
    assert GROUP in link.text
    qr = await cor.expect_message()
    assert qr.kind == "photo" and GROUP in (qr.text or "")
    payload = link.text.split("start=")[1].split()[0]
    # someone named <script> opens it and signs up
    eve = await emu.create_user(SCRIPT)
    summary = await sign_up(eve, f"/start {payload}")
    assert TYPED_NAME in summary.text and MOTIVATION in summary.text
    await tap(eve, summary, "Klopt, versturen", "verstuurd")
    note = await visible(cor, "Nieuwe aanmelding")
    assert TYPED_NAME in note.text and GROUP in note.text
    await cor.tap(note, "Plaatsen in een groep")
    groups = await cor.expect_message()
    await cor.tap(groups, groups.buttons[0])
    await visible(cor, "is geplaatst in groep")
    assert GROUP in (await visible(eve, "plek in groep")).text
    await cor.send("/aanmeldingen")
    await cor.expect_message()
    # everything stored, with the long motivation (was cut at 4000 characters of HTML)
    await eve.send("/mijngegevens")
    mine = await visible(eve, "Aanmelding")
    assert MOTIVATION[:100] in mine.text
    assert (await eve.expect_message()).kind == "document"
    # a question of 1000 characters; an answer that does not fit is refused at once
    await eve.send("/vraag")
    await visible(eve, "Wat is je vraag")
    await eve.send(QUESTION)
    confirm = await visible(eve, "Zal ik hem")
    await eve.tap(confirm, "Versturen")
    await visible(eve, "Verstuurd!")
    asked = await visible(cor, "Vraag #")
    assert QUESTION in asked.text and TYPED_NAME in asked.text
    await cor.reply(asked, "<b>Op 3 maart</b> & om 19:00. " * 140)  # 4060 characters
    refused = await cor.expect_message()
    assert "Je antwoord is te lang: maximaal" in refused.text
    room = int(refused.text.split("maximaal ")[1].split()[0])
    assert 2900 < room < 3100
    await eve.expect_no_message(within=0.3)
    await cor.reply(asked, "<b>Op 3 maart</b> & om 19:00. " * 100)  # 2900 characters fit
    assert "onderweg" in (await cor.expect_message()).text
    answered = await visible(eve, "De coördinator heeft je vraag beantwoord")
    assert "<b>Op 3 maart</b> & om 19:00." in answered.text and QUESTION in answered.text
    await all_accepted(harness, emu, errors)


async def test_200_waiting_logs_are_paged_for_the_supervisor(
    harness: BotHarness,
    emu: EmulatorClient,
    manual_clock: ManualClock,
    errors: pytest.LogCaptureFixture,
) -> None:
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id], clock=manual_clock)
    await fast(emu)
    ans = await emu.create_user(COORDINATOR.replace("Sanne", "Ans"))
    sam = await emu.create_user(SCRIPT)
    for user in (ans, sam):
        await user.send("/start")
        await user.expect_message()
    ids = {}
    for user in (ans, sam):

        async def probe(user: TestUser = user) -> int | None:
            async with harness.app.sessions() as session:
                return await session.scalar(
                    select(ChannelIdentity.person_id).where(
                        ChannelIdentity.external_id == str(user.id)
                    )
                )

        ids[user.id] = await eventually(probe, lambda found: found is not None)
    now = manual_clock.now()
    async with harness.app.sessions.begin() as session:
        programme = await people.default_programme(session)
        assert programme is not None
        org = await hours.add_organisation(
            session,
            programme.id,
            name=("<Voetbal & Co> " * 10)[:120],
            kind=OrganisationKind.SPORT,
            neighbourhood=None,
            contact=None,
            now=now,
        )
        await people.grant_role(
            session, ids[ans.id], programme.id, Role.SUPERVISOR, now, organisation_id=org.id
        )
        await people.grant_role(session, ids[sam.id], programme.id, Role.PARTICIPANT, now)
        await hours.add_placement(
            session,
            programme_id=programme.id,
            person_id=ids[sam.id],
            organisation_id=org.id,
            supervisor_id=ids[ans.id],
            track=PlacementTrack.SPORT,
            motivation=None,
            created_by=None,
            now=now,
        )
        for n in range(200):
            session.add(
                PracticeHours(
                    programme_id=programme.id,
                    person_id=ids[sam.id],
                    organisation_id=org.id,
                    work_date=dt.date(2026, 3, 1) - dt.timedelta(days=n % 30),
                    minutes=90,
                    logged_minutes=90,
                    description=(f"<b>Training {n}</b> & <opruimen> " * 20)[:500],
                    status=LogStatus.PENDING,
                    kind=HoursKind.PRACTICE,
                    created_at=now,
                )
            )
    await ans.send("/begeleiden")
    first = await ans.expect_message()
    assert first.text.startswith("Wacht op jou (200): samen 300 uur.")
    assert "Hier zie je de eerste 20" in first.text
    assert first.buttons == ["Alles bevestigen", "Meer"]
    pages, page = [first], first
    while "Meer" in page.buttons:
        await ans.tap(page, "Meer")
        page = await ans.expect_message()
        pages.append(page)
    assert len(pages) == 10
    assert pages[1].text.startswith("Wacht op jou, 21 tot en met 40 van 200:")
    assert pages[-1].text.startswith("Wacht op jou, 181 tot en met 200 van 200:")
    assert pages[-1].buttons == ["Alles bevestigen"]
    shown = sum(page.text.count("\n#") + page.text.startswith("#") for page in pages)
    assert shown == 200
    answer_ = await ans.tap(pages[-1], "Alles bevestigen", answer_timeout=20)
    assert answer_ is not None and "Bevestigd: 200 keer uren" in (answer_.text or "")

    async def confirmed() -> int:
        async with harness.app.sessions() as session:
            return int(
                await session.scalar(
                    select(func.count())
                    .select_from(PracticeHours)
                    .where(PracticeHours.status == LogStatus.CONFIRMED)
                )
                or 0
            )

    await eventually(confirmed, lambda n: n == 200)
    # the trainee is told of each confirmed log: 200 messages at one a second, not waited for
    await all_accepted(harness, emu, errors, drain=False)
