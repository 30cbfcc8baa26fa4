"""Course leaders of a group: a coordinator sends an invite link for one group, or chooses and
removes a leader later (also after "Choose a leader later" in /nieuwegroep). A course leader
sees the groups they lead and nothing a coordinator sees; every tapped id is checked again."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.kit.clock import ManualClock
from domain.course.rules import CourseTrack, PlannedSession, SessionKind
from domain.roles import Role
from simulator.client import BotMessage, EmulatorClient, TestUser
from storage import migrate, people
from storage.course import queries as course
from storage.course.models import CohortLeader, CourseLeaderInvite
from storage.db import create_session_factory
from storage.models import Person, RoleGrant
from tests.conftest import BotHarness
from tests.course.conftest import make_world
from tests.course.test_course_tapped_ids import forged_message
from tests.e2e.helpers import eventually

UTC = dt.UTC
ADULT = dt.date(1990, 5, 1)
STALE = "Deze knop werkt niet meer"
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
FIRST = dt.datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
SECOND = dt.timedelta(seconds=1)
LINK = re.compile(r"start=(l-[A-Za-z0-9_-]+)")


async def add_group(harness: BotHarness, name: str, programme_id: int | None = None) -> int:
    """A group without a leader (in the first programme unless given), one meeting."""
    async with harness.app.sessions.begin() as session:
        if programme_id is None:
            programme = await people.default_programme(session)
            assert programme is not None
            programme_id = programme.id
        cohort = await course.create_cohort(
            session, programme_id=programme_id, name=name, track=CourseTrack.CULTURE,
            start_date=FIRST.date(), location="Bibliotheek", leader_ids=[],
            planned=[PlannedSession(SessionKind.MEETING, 1, FIRST, FIRST + dt.timedelta(hours=2))],
            now=NOW,
        )  # fmt: skip
        return cohort.id


async def add_person(
    harness: BotHarness, user: TestUser, role: Role | None, programme: str | None = None
) -> int:
    """`user` as a person of the first programme (or of `programme`, made if new), with `role`."""
    async with harness.app.sessions.begin() as session:
        if programme is None:
            found = await people.default_programme(session)
            assert found is not None
        else:
            found = await people.ensure_programme(session, programme, "Europe/Amsterdam", NOW)
        member = await people.create_member(
            session, programme_id=found.id, channel=people.TELEGRAM, external_id=str(user.id),
            chat_id=str(user.id), display_name=user.first_name, first_name=user.first_name,
            now=NOW,
        )  # fmt: skip
        if role is not None:
            await people.grant_role(session, member.person.id, found.id, role, NOW)
        return member.person.id


async def leaders(harness: BotHarness, cohort_id: int) -> list[int]:
    async with harness.app.sessions() as session:
        return await course.leaders_of(session, cohort_id)


async def person_of(harness: BotHarness, user: TestUser) -> Person | None:
    async with harness.app.sessions() as session:
        member = await people.find_member(session, people.TELEGRAM, str(user.id))
        return member.person if member else None


async def invites(harness: BotHarness) -> list[CourseLeaderInvite]:
    async with harness.app.sessions() as session:
        return list(
            await session.scalars(select(CourseLeaderInvite).order_by(CourseLeaderInvite.id))
        )


async def leader_view(cor: TestUser, group: str, listed: str = "") -> BotMessage:
    """/planning → the group (its listing names the leaders: `listed`) → "Cursusleider": the
    group's leaders and what can be done."""
    await cor.send("/planning")
    await cor.tap(await cor.expect_message(), group)
    listing = await cor.expect_message()
    assert "Cursusleider" in listing.buttons and listed in listing.text, listing
    await cor.tap(listing, "Cursusleider")
    return await cor.expect_message()


async def invite_link(cor: TestUser, group: str) -> str:
    view = await leader_view(cor, group)
    await cor.tap(view, "Nieuwe cursusleider uitnodigen")
    text = (await cor.expect_message()).text or ""
    assert "werkt één keer en 7 dagen lang" in text
    found = LINK.search(text)
    assert found is not None and len(found.group(1)) <= 64, text
    return found.group(1)


async def staff_commands(emu: EmulatorClient, user: TestUser) -> set[str]:
    scope = {"type": "chat", "chat_id": user.id}
    names = {c["command"] for c in await emu.commands(scope=scope, language_code="nl")}
    return names | {c["command"] for c in await emu.commands(scope=scope)}


async def test_an_invite_makes_a_course_leader_of_exactly_that_group(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    clock = ManualClock(NOW)
    cor = await emu.create_user("Cor")
    await harness.start(clock=clock, admin_telegram_ids=[cor.id])
    lotte, anna = await emu.create_user("Lotte"), await emu.create_user("Anna")
    async with harness.app.sessions.begin() as session:
        world = await make_world(
            session, starts=[FIRST], leader_tg=lotte.id,
            participants=[(anna.id, "Anna", ADULT)], now=clock.now(),
        )  # fmt: skip
    zuid = await add_group(harness, "Zuid")
    view = await leader_view(cor, "Zuid", listed="Cursusleider: nog niemand")
    assert "Groep Zuid heeft nog geen cursusleider." in view.text
    payload = await invite_link(cor, "Zuid")

    # Karin, new to the bot, opens the link
    karin = await emu.create_user("Karin")
    await karin.send(f"/start {payload}")
    welcome = await karin.expect_message()
    assert "Je bent nu cursusleider van groep Zuid" in welcome.text
    assert "/planning" in welcome.text and "/aanwezigheid" in welcome.text
    told = await cor.expect_message()
    assert "Karin is nu cursusleider van groep Zuid" in told.text
    person = await eventually(lambda: person_of(harness, karin), lambda p: p is not None)
    assert person is not None
    assert await leaders(harness, zuid) == [person.id]
    assert await leaders(harness, world.cohort_id) == [world.leader_id]
    async with harness.app.sessions() as session:
        member = await people.find_member(session, people.TELEGRAM, str(karin.id))
        assert member is not None and member.roles == {Role.COURSE_LEADER}
        assert member.may(person.programme_id, Role.COURSE_LEADER)
        stored = [i.token_hash for i in await invites(harness)]
    assert stored == [course.hash_token(payload.removeprefix("l-"))]  # only the hash
    commands = await eventually(
        lambda: staff_commands(emu, karin), lambda names: "planning" in names
    )
    assert "aanwezigheid" in commands
    assert not commands & {"aanmeldingen", "cijfers", "nieuwegroep", "groepen"}

    # she plans her group, and only hers; she sees neither signups nor figures
    await karin.send("/planning")
    groups = await karin.expect_message()
    assert groups.buttons == ["Zuid"]
    await karin.tap(groups, "Zuid")
    listing = await karin.expect_message()
    assert "Bijeenkomst 1" in listing.text
    assert "Cursusleider" not in listing.buttons and "Cursusleider" not in listing.text
    other = await forged_message(harness, karin, [f"cs:grp:{world.cohort_id}:0"])
    answer = await karin.tap(other, callback_data=f"cs:grp:{world.cohort_id}:0")
    assert answer is not None and "niet plannen" in (answer.text or "")
    await karin.send("/aanwezigheid")
    assert "geen bijeenkomst van je groepen" in (await karin.expect_message()).text
    await karin.send("/aanmeldingen")
    refused = await karin.expect_message()
    assert "Dat commando ken ik niet" in refused.text
    await karin.send("/cijfers")
    assert "Alleen coördinatoren" in (await karin.expect_message()).text
    # and she manages no leaders
    buttons = [f"cl:show:{zuid}:0", f"cl:inv:{zuid}:0", f"cl:set:{zuid}:{person.id}"]
    made_up = await forged_message(harness, karin, buttons)
    for data in buttons:
        answer = await karin.tap(made_up, callback_data=data)
        assert answer is not None and STALE in (answer.text or ""), data
    await karin.expect_no_message(within=0.3)

    # used once: a second person gets a kind refusal and nothing changes
    eve = await emu.create_user("Eve")
    await eve.send(f"/start {payload}")
    assert "werkt niet (meer)" in (await eve.expect_message()).text
    # an unknown link
    await eve.send("/start l-bestaat-niet")
    assert "werkt niet (meer)" in (await eve.expect_message()).text
    # expired: a link is good for 7 days
    late = await invite_link(cor, "Zuid")
    clock.advance(dt.timedelta(days=7, minutes=1))
    await eve.send(f"/start {late}")
    assert "werkt niet (meer)" in (await eve.expect_message()).text
    eve_person = await person_of(harness, eve)
    assert eve_person is not None
    assert await leaders(harness, zuid) == [person.id]
    async with harness.app.sessions() as session:
        assert not await people.active_roles(session, eve_person)
        rows = await invites(harness)
    assert [r.used_by for r in rows] == [person.id, None]
    await cor.expect_no_message(within=0.3)


async def test_someone_with_a_role_in_another_programme_is_refused_and_the_link_still_works(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    clock = ManualClock(NOW)
    cor = await emu.create_user("Cor")
    await harness.start(clock=clock, admin_telegram_ids=[cor.id])
    zuid = await add_group(harness, "Zuid")
    otto = await emu.create_user("Otto")
    otto_id = await add_person(harness, otto, Role.COURSE_LEADER, programme="Anderdorp")
    payload = await invite_link(cor, "Zuid")
    await otto.send(f"/start {payload}")
    refused = await otto.expect_message()
    assert "andere gemeente" in refused.text and "geen cursusleider" in refused.text
    await cor.expect_no_message(within=0.3)
    async with harness.app.sessions() as session:
        person = await session.get(Person, otto_id)
        assert person is not None
        programme = await people.get_programme(session, "Anderdorp")
        assert programme is not None and person.programme_id == programme.id
        assert await people.active_roles(session, person) == {Role.COURSE_LEADER}
    assert await leaders(harness, zuid) == []
    assert [r.used_at for r in await invites(harness)] == [None]
    # the link was not used up: the person it was meant for still gets in
    karin = await emu.create_user("Karin")
    await karin.send(f"/start {payload}")
    assert "Je bent nu cursusleider van groep Zuid" in (await karin.expect_message()).text
    karin_person = await eventually(lambda: person_of(harness, karin), lambda p: p is not None)
    assert karin_person is not None
    assert await eventually(lambda: leaders(harness, zuid), bool) == [karin_person.id]


async def test_a_coordinator_changes_the_leader_and_forged_buttons_are_refused(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    clock = ManualClock(NOW)
    cor = await emu.create_user("Cor")
    await harness.start(clock=clock, admin_telegram_ids=[cor.id])
    lotte, anna, piet = (
        await emu.create_user("Lotte"),
        await emu.create_user("Anna"),
        await emu.create_user("Piet"),
    )
    async with harness.app.sessions.begin() as session:
        world = await make_world(
            session, starts=[FIRST], leader_tg=lotte.id,
            participants=[(anna.id, "Anna", ADULT)], now=clock.now(),
        )  # fmt: skip
    noord, anna_id = world.cohort_id, world.participant_ids[0]
    piet_id = await add_person(harness, piet, Role.COURSE_LEADER)
    # another municipality: its group, its course leader
    otto = await emu.create_user("Otto")
    otto_id = await add_person(harness, otto, Role.COURSE_LEADER, programme="Anderdorp")
    async with harness.app.sessions() as session:
        anderdorp = await people.get_programme(session, "Anderdorp")
        assert anderdorp is not None
    elders = await add_group(harness, "Elders", anderdorp.id)
    async with harness.app.sessions.begin() as session:
        await course.add_leader(session, elders, otto_id, NOW)

    view = await leader_view(cor, "Groep <Noord>", listed="Cursusleider: Lotte")
    assert "Cursusleider van Groep <Noord>: Lotte." in view.text
    assert "Lotte weghalen" in view.buttons
    await cor.tap(view, "Cursusleider kiezen")
    offered = await cor.expect_message()
    assert offered.buttons == ["Piet", "Ik leid hem zelf", "Nieuwe cursusleider uitnodigen"]

    big = 2**31 - 1
    forged = [
        f"cl:set:{noord}:{anna_id}",  # a participant: may not lead
        f"cl:set:{noord}:{otto_id}",  # a course leader of another programme
        f"cl:set:{noord}:{big}",  # nobody
        f"cl:set:{noord}:{10**30}",  # not even a possible id
        f"cl:set:{noord}:-5",
        f"cl:set:{elders}:{piet_id}",  # a group of another programme
        f"cl:show:{elders}:0",
        f"cl:pick:{elders}:0",
        f"cl:inv:{elders}:0",
        f"cl:rm:{elders}:{otto_id}",
        f"cl:rm:{noord}:{piet_id}",  # does not lead this group
        f"cl:rm:{noord}:{10**30}",
        f"cl:set:{10**30}:{piet_id}",  # no such group
        f"cl:show:{big}:0",
    ]
    made_up = await forged_message(harness, cor, forged)
    for data in forged:
        answer = await cor.tap(made_up, callback_data=data)
        assert answer is not None and answer.show_alert, data
        assert STALE in (answer.text or ""), (data, answer)
    await cor.expect_no_message(within=0.3)
    await otto.expect_no_message(within=0.1)
    assert await leaders(harness, noord) == [world.leader_id]
    assert await leaders(harness, elders) == [otto_id]
    assert await invites(harness) == []

    # what was offered works: Piet leads the group too, and is told
    await cor.tap(offered, "Piet")
    done = await cor.expect_message()
    assert "Piet leidt nu Groep <Noord>. Diegene krijgt een bericht." in done.text
    assert "Cursusleider van Groep <Noord>: Lotte, Piet." in done.text
    assert "Je bent nu cursusleider van groep Groep <Noord>" in (await piet.expect_message()).text
    # then Lotte no longer leads it, and is told
    await cor.tap(done, "Lotte weghalen")
    changed = await cor.expect_message()
    assert "Lotte leidt Groep <Noord> niet meer." in changed.text
    assert "Cursusleider van Groep <Noord>: Piet." in changed.text
    assert "geen cursusleider meer" in (await lotte.expect_message()).text
    assert await eventually(lambda: leaders(harness, noord), lambda r: r == [piet_id])
    # removing her again (a button kept from before) changes nothing
    again = f"cl:rm:{noord}:{world.leader_id}"
    answer = await cor.tap(await forged_message(harness, cor, [again]), callback_data=again)
    assert answer is not None and STALE in (answer.text or "")

    await lotte.send("/planning")
    assert "nog geen groepen" in (await lotte.expect_message()).text
    stale = await forged_message(harness, lotte, [f"cs:grp:{noord}:0"])
    answer = await lotte.tap(stale, callback_data=f"cs:grp:{noord}:0")
    assert answer is not None and "niet plannen" in (answer.text or "")
    await piet.send("/planning")
    groups = await piet.expect_message()
    assert groups.buttons == ["Groep <Noord>"]
    await piet.tap(groups, "Groep <Noord>")
    assert "Bijeenkomst 1" in (await piet.expect_message()).text
    # leading a group counts only with the course-leader role in its programme
    async with harness.app.sessions.begin() as session:
        await session.execute(
            update(RoleGrant)
            .where(RoleGrant.person_id == piet_id, RoleGrant.role == Role.COURSE_LEADER.value)
            .values(revoked_at=NOW)
        )
    answer = await piet.tap(groups, "Groep <Noord>")
    assert answer is not None and "niet plannen" in (answer.text or "")


async def test_choose_a_leader_later_says_where_and_works(
    harness: BotHarness, emu: EmulatorClient
) -> None:
    clock = ManualClock(NOW)
    cor = await emu.create_user("Cor")
    await harness.start(clock=clock, admin_telegram_ids=[cor.id])
    await cor.send("/nieuwegroep")
    await cor.expect_message()
    await cor.send("Voorjaar Noord")
    await cor.tap(await cor.expect_message(), "Sport: Ik train mijn stad")
    await cor.expect_message()
    await cor.send("10-3-2026")
    await cor.expect_message()
    await cor.send("Wijkhuis De Poort")
    await cor.tap(await cor.expect_message(), "Later kiezen")
    await cor.tap(await cor.expect_message(), "Maken")
    made = await cor.expect_message()
    assert "is gemaakt" in made.text and "nog geen cursusleider" in made.text
    assert "/planning" in made.text and "Cursusleider" in made.text
    assert made.buttons == ["Cursusleider"]
    async with harness.app.sessions() as session:
        cohort_id = await session.scalar(select(CohortLeader.cohort_id))
    assert cohort_id is None  # nobody leads it yet
    await cor.tap(made, "Cursusleider")
    view = await cor.expect_message()
    assert "Groep Voorjaar Noord heeft nog geen cursusleider." in view.text
    assert view.buttons == ["Cursusleider kiezen", "Nieuwe cursusleider uitnodigen"]
    await cor.tap(view, "Cursusleider kiezen")
    offered = await cor.expect_message()
    assert offered.buttons == ["Ik leid hem zelf", "Nieuwe cursusleider uitnodigen"]
    await cor.tap(offered, "Ik leid hem zelf")
    done = await cor.expect_message()
    assert "Cor leidt nu Voorjaar Noord." in done.text and "bericht" not in done.text
    cor_person = await person_of(harness, cor)
    assert cor_person is not None

    async def led() -> list[tuple[int, int]]:
        async with harness.app.sessions() as session:
            rows = await session.execute(select(CohortLeader.cohort_id, CohortLeader.person_id))
            return [(c, p) for c, p in rows.all()]

    rows = await eventually(led, lambda r: len(r) == 1)
    assert rows[0][1] == cor_person.id
    # the same group is also reached later through /planning
    view = await leader_view(cor, "Voorjaar Noord", listed="Cursusleider: Cor")
    assert "Cursusleider van Voorjaar Noord: Cor." in view.text


async def test_leader_invites_and_leaders_on_both_databases(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine)
    sessions = create_session_factory(engine)
    async with sessions.begin() as session:
        programme = await people.ensure_programme(session, "Testdorp", "Europe/Amsterdam", NOW)
        made = []
        for n in range(2):
            member = await people.create_member(
                session, programme_id=programme.id, channel=people.TELEGRAM,
                external_id=str(3000 + n), chat_id=str(3000 + n), display_name="P",
                first_name="P", now=NOW,
            )  # fmt: skip
            made.append(member.person.id)
        cor, karin = made
        cohort = await course.create_cohort(
            session, programme_id=programme.id, name="Zuid", track=CourseTrack.SPORT,
            start_date=None, location=None, leader_ids=[], planned=[], now=NOW,
        )  # fmt: skip
        payload = await course.create_leader_invite(session, cohort, cor, NOW)
        other = await course.create_leader_invite(session, cohort, cor, NOW)
    assert payload.startswith(course.LEADER_INVITE_PREFIX) and payload != other
    token, late = payload.removeprefix("l-"), other.removeprefix("l-")
    async with sessions.begin() as session:
        found = await course.usable_leader_invite(session, token, NOW)
        assert found is not None and found.cohort_id == cohort.id and found.used_at is None
        assert await course.usable_leader_invite(session, "unknown", NOW) is None
        used = await course.redeem_leader_invite(session, token, karin, NOW)
        assert used is not None and used.used_by == karin and used.programme_id == programme.id
        assert await course.redeem_leader_invite(session, token, cor, NOW) is None  # once
        assert await course.usable_leader_invite(session, token, NOW) is None
        expired = NOW + course.LEADER_INVITE_TTL
        assert await course.usable_leader_invite(session, late, expired) is None
        assert await course.redeem_leader_invite(session, late, cor, expired) is None
        assert await course.redeem_leader_invite(session, late, cor, expired - SECOND) is not None
        # leaders: added once, removed once
        assert await course.add_leader(session, cohort.id, karin, NOW)
        assert not await course.add_leader(session, cohort.id, karin, NOW)
        assert await course.listed_leaders(session, cohort.id) == [karin]
        # listed, but without a course-leader role in the group's programme: told nothing
        assert await course.leaders_of(session, cohort.id) == []
        assert not await course.remove_leader(session, cohort.id, cor)
        assert await course.remove_leader(session, cohort.id, karin)
        assert await course.listed_leaders(session, cohort.id) == []
