"""Programmes, people, roles and coordinator chats; processed update ids (both engines)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.hours.places import OrganisationKind
from domain.roles import Role
from storage import migrate, people, updates
from storage.db import create_session_factory
from storage.hours.models import Organisation
from storage.models import (
    ChannelIdentity,
    Person,
    ProcessedUpdate,
    Programme,
    RoleGrant,
)

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


@pytest.fixture
async def sessions(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    await migrate.upgrade(engine)
    yield create_session_factory(engine)


async def _count(session: AsyncSession, model: type) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _counts(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, ...]:
    async with sessions() as s:
        return tuple([await _count(s, m) for m in (Programme, Person, ChannelIdentity, RoleGrant)])


async def _organisation(session: AsyncSession, programme_id: int, name: str) -> int:
    org = Organisation(
        programme_id=programme_id, name=name, kind=OrganisationKind.SPORT, created_at=T0
    )
    session.add(org)
    await session.flush()
    return org.id


async def test_ensure_programme_is_idempotent(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as s:
        first = await people.ensure_programme(s, "Rotterdam", "Europe/Amsterdam", T0)
        assert first.id is not None
    async with sessions.begin() as s:
        again = await people.ensure_programme(s, "Rotterdam", "UTC", T0 + HOUR)
        other = await people.ensure_programme(s, "Utrecht", "Europe/Amsterdam", T0)
    assert again.id == first.id
    assert again.timezone == "Europe/Amsterdam" and again.created_at == T0  # untouched
    assert other.id != first.id
    async with sessions() as s:
        assert await _count(s, Programme) == 2
        assert (await people.get_programme(s, "Rotterdam")).id == first.id  # type: ignore[union-attr]
        assert await people.get_programme(s, "Den Haag") is None
        assert (await people.default_programme(s)).id == first.id  # type: ignore[union-attr]


async def test_ensure_telegram_coordinator_is_idempotent(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as s:
        programme = await people.ensure_programme(s, "Rotterdam", "Europe/Amsterdam", T0)
        member, changed = await people.ensure_telegram_coordinator(s, programme, 777, T0)
    assert changed is True
    assert member.identity.external_id == "777" and member.identity.chat_id == "777"
    assert member.programme_id == programme.id
    counts = await _counts(sessions)
    assert counts == (1, 1, 1, 1)

    async with sessions.begin() as s:
        programme = await people.ensure_programme(s, "Rotterdam", "Europe/Amsterdam", T0)
        again, changed = await people.ensure_telegram_coordinator(s, programme, 777, T0 + HOUR)
    assert changed is False
    assert again.person.id == member.person.id and again.identity.id == member.identity.id
    assert Role.COORDINATOR in again.roles
    assert await _counts(sessions) == counts
    async with sessions() as s:
        grant = await s.scalar(select(RoleGrant))
    assert grant is not None and grant.granted_at == T0  # the first grant stands


async def test_find_member_returns_active_roles(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as s:
        programme = await people.ensure_programme(s, "Rotterdam", "Europe/Amsterdam", T0)
        created = await people.ensure_telegram_member(
            s, user_id=5, chat_id=5, first_name="Daan", display_name="@daan", now=T0
        )
        assert created.roles == frozenset()
        pid = created.person.id
        assert await people.grant_role(s, pid, programme.id, Role.PARTICIPANT, T0)
        assert await people.grant_role(s, pid, programme.id, Role.CITYTRAINER, T0)
        s.add(
            RoleGrant(
                person_id=pid,
                programme_id=programme.id,
                role=Role.COORDINATOR.value,
                granted_at=T0,
                revoked_at=T0 + HOUR,
            )
        )
        s.add(RoleGrant(person_id=pid, programme_id=programme.id, role="astronaut", granted_at=T0))

    async with sessions() as s:
        member = await people.find_member(s, people.TELEGRAM, "5")
        assert await people.find_member(s, people.TELEGRAM, "6") is None
        assert await people.find_member(s, "web", "5") is None
    assert member is not None
    assert member.person.id == pid and member.person.first_name == "Daan"
    assert member.identity.display_name == "@daan"
    # Revoked and unknown roles are not active.
    assert member.roles == frozenset({Role.PARTICIPANT, Role.CITYTRAINER})


async def test_ensure_telegram_member_needs_a_programme(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as s:
        with pytest.raises(RuntimeError, match="no programme"):
            await people.ensure_telegram_member(
                s, user_id=5, chat_id=5, first_name="Daan", display_name="d", now=T0
            )


async def test_grant_role_with_and_without_organisation(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as s:
        programme = await people.ensure_programme(s, "Rotterdam", "Europe/Amsterdam", T0)
        boss, _ = await people.ensure_telegram_coordinator(s, programme, 1, T0)
        member = await people.ensure_telegram_member(
            s, user_id=2, chat_id=2, first_name="Fleur", display_name="f", now=T0
        )
        club = await _organisation(s, programme.id, "Sparta")
        museum = await _organisation(s, programme.id, "Kunsthal")
        pid, prog = member.person.id, programme.id

        sup = Role.SUPERVISOR
        assert await people.grant_role(s, pid, prog, sup, T0, organisation_id=club)
        assert not await people.grant_role(s, pid, prog, sup, T0, organisation_id=club)
        assert await people.grant_role(s, pid, prog, sup, T0, organisation_id=museum)
        assert await people.grant_role(
            s, pid, prog, sup, T0, granted_by=boss.person.id
        )  # without organisation: a different grant
        assert not await people.grant_role(s, pid, prog, sup, T0)
        assert not await people.grant_role(s, pid, prog, sup, T0, organisation_id=museum)

    async with sessions() as s:
        grants = list(
            await s.scalars(
                select(RoleGrant).where(RoleGrant.person_id == pid).order_by(RoleGrant.id)
            )
        )
    assert [(g.role, g.organisation_id) for g in grants] == [
        ("supervisor", club),
        ("supervisor", museum),
        ("supervisor", None),
    ]
    assert grants[2].granted_by == boss.person.id

    # A revoked grant can be granted anew.
    async with sessions.begin() as s:
        grant = await s.get(RoleGrant, grants[0].id)
        assert grant is not None
        grant.revoked_at = T0 + HOUR
    async with sessions.begin() as s:
        assert await people.grant_role(s, pid, prog, sup, T0 + 2 * HOUR, organisation_id=club)
        assert await _count(s, RoleGrant) == 5  # 3 + the boss's coordinator grant + 1


async def test_coordinator_chats(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as s:
        rdam = await people.ensure_programme(s, "Rotterdam", "Europe/Amsterdam", T0)
        utr = await people.ensure_programme(s, "Utrecht", "Europe/Amsterdam", T0)
        await people.ensure_telegram_coordinator(s, rdam, 11, T0)
        await people.ensure_telegram_coordinator(s, utr, 22, T0)
        both, _ = await people.ensure_telegram_coordinator(s, rdam, 33, T0)
        # a grant in another programme than the person's own (legacy data): it gives nothing
        s.add(
            RoleGrant(
                person_id=both.person.id,
                programme_id=utr.id,
                role=Role.COORDINATOR.value,
                granted_at=T0,
            )
        )
        revoked, _ = await people.ensure_telegram_coordinator(s, rdam, 44, T0)
        gone, _ = await people.ensure_telegram_coordinator(s, rdam, 55, T0)
        leader = await people.create_member(
            s,
            programme_id=rdam.id,
            channel=people.TELEGRAM,
            external_id="66",
            chat_id="66",
            display_name=None,
            first_name=None,
            now=T0,
        )
        await people.grant_role(s, leader.person.id, rdam.id, Role.COURSE_LEADER, T0)
        web, _ = await people.ensure_telegram_coordinator(s, rdam, 77, T0)
        web.identity.channel = "web"  # a coordinator reached on another channel only
        ids = (rdam.id, utr.id, revoked.person.id, gone.person.id)

    rdam_id, utr_id, revoked_id, _ = ids
    async with sessions.begin() as s:
        grant = await s.scalar(select(RoleGrant).where(RoleGrant.person_id == revoked_id))
        assert grant is not None
        grant.revoked_at = T0 + HOUR
        await people.mark_unreachable(s, people.TELEGRAM, "55", T0 + HOUR)

    async with sessions() as s:
        assert sorted(await people.coordinator_chats(s, rdam_id)) == ["11", "33"]
        # Utrecht's messages never reach a person of Rotterdam, whatever grant they hold there
        assert sorted(await people.coordinator_chats(s, utr_id)) == ["22"]
        assert sorted(await people.coordinator_chats(s)) == ["11", "22", "33"]

    # Reachable again (e.g. they wrote to the bot): back in the list.
    async with sessions.begin() as s:
        identity = await s.scalar(select(ChannelIdentity).where(ChannelIdentity.chat_id == "55"))
        assert identity is not None
        await people.mark_reachable(s, identity)
    async with sessions() as s:
        assert sorted(await people.coordinator_chats(s, rdam_id)) == ["11", "33", "55"]


async def test_mark_unreachable(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as s:
        await people.ensure_programme(s, "Rotterdam", "Europe/Amsterdam", T0)
        a = await people.ensure_telegram_member(
            s, user_id=1, chat_id=1, first_name="A", display_name="a", now=T0
        )
        b = await people.ensure_telegram_member(
            s, user_id=2, chat_id=2, first_name="B", display_name="b", now=T0
        )
        a_id, b_id = a.identity.id, b.identity.id

    async with sessions.begin() as s:
        await people.mark_unreachable(s, people.TELEGRAM, "1", T0 + HOUR)
        await people.mark_unreachable(s, "web", "2", T0 + HOUR)  # other channel: no match
    async with sessions.begin() as s:
        await people.mark_unreachable(s, people.TELEGRAM, "1", T0 + 2 * HOUR)  # keeps the first
    async with sessions() as s:
        ia = await s.get(ChannelIdentity, a_id)
        ib = await s.get(ChannelIdentity, b_id)
    assert ia is not None and ib is not None
    assert (ia.reachable, ia.unreachable_since) == (False, T0 + HOUR)
    assert (ib.reachable, ib.unreachable_since) == (True, None)


async def test_processed_updates(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as s:
        assert not await updates.is_processed(s, 1, 100)
        updates.mark_processed(s, 1, 100, T0 - 25 * HOUR)  # older than a day
        updates.mark_processed(s, 1, 101, T0 - 24 * HOUR)  # exactly a day: kept
        updates.mark_processed(s, 1, 102, T0 - 23 * HOUR)
        updates.mark_processed(s, 2, 100, T0 - 30 * HOUR)  # another bot, same update id
    async with sessions() as s:
        assert await updates.is_processed(s, 1, 100)
        assert await updates.is_processed(s, 2, 100)
        assert not await updates.is_processed(s, 2, 101)
        assert not await updates.is_processed(s, 3, 100)

    async with sessions.begin() as s:
        assert await updates.purge_processed(s, T0) == 2
    async with sessions.begin() as s:
        assert await updates.purge_processed(s, T0) == 0
        left = set(await s.execute(select(ProcessedUpdate.bot_id, ProcessedUpdate.update_id)))
    assert left == {(1, 101), (1, 102)}


async def test_mark_processed_rolls_back_with_the_handler(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as s, s.begin():
        updates.mark_processed(s, 1, 5, T0)
        await s.flush()
        assert await updates.is_processed(s, 1, 5)
        await s.rollback()
    async with sessions() as s:
        assert not await updates.is_processed(s, 1, 5)


async def test_roles_count_only_in_the_persons_own_programme(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as s:
        den_bosch = await people.ensure_programme(s, "'s-Hertogenbosch", "Europe/Amsterdam", T0)
        oss = await people.ensure_programme(s, "Oss", "Europe/Amsterdam", T0)
        eva, _ = await people.ensure_telegram_coordinator(s, oss, 8, T0)
        with pytest.raises(people.OtherProgramme):
            await people.grant_role(s, eva.person.id, den_bosch.id, Role.COORDINATOR, T0)
        # legacy: a coordinator grant of 's-Hertogenbosch held by a person of Oss
        s.add(
            RoleGrant(
                person_id=eva.person.id,
                programme_id=den_bosch.id,
                role=Role.COORDINATOR.value,
                granted_at=T0,
            )
        )
        ids = den_bosch.id, oss.id
    async with sessions() as s:
        member = await people.find_member(s, people.TELEGRAM, "8")
    assert member is not None
    den_bosch_id, oss_id = ids
    assert member.roles == {Role.COORDINATOR}
    assert member.may(oss_id, Role.COORDINATOR)
    assert not member.may(den_bosch_id, Role.COORDINATOR)
    assert not member.may(oss_id, Role.SUPERVISOR, Role.COURSE_LEADER)
    assert not member.may(None, Role.COORDINATOR)


async def test_someone_known_elsewhere_is_made_coordinator_only_explicitly(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as s:
        den_bosch = await people.ensure_programme(s, "'s-Hertogenbosch", "Europe/Amsterdam", T0)
        oss = await people.ensure_programme(s, "Oss", "Europe/Amsterdam", T0)
        # only pressed /start (created in the first programme): moves without fuss
        newcomer = await people.ensure_telegram_member(
            s, user_id=9, chat_id=9, first_name="Noor", display_name="n", now=T0
        )
        assert newcomer.person.programme_id == den_bosch.id
        _, changed = await people.ensure_telegram_coordinator(s, oss, 9, T0)
        assert changed and newcomer.person.programme_id == oss.id
        # a participant of 's-Hertogenbosch: refused unless moved on purpose
        pupil = await people.ensure_telegram_member(
            s, user_id=10, chat_id=10, first_name="Bo", display_name="b", now=T0
        )
        await people.grant_role(s, pupil.person.id, den_bosch.id, Role.PARTICIPANT, T0)
        with pytest.raises(people.OtherProgramme):
            await people.ensure_telegram_coordinator(s, oss, 10, T0)
        assert pupil.person.programme_id == den_bosch.id
        assert not await people.may_join(s, pupil.person, oss.id)
        assert not await people.join_programme(s, pupil.person, oss.id)
        await people.ensure_telegram_coordinator(s, oss, 10, T0 + HOUR, move=True)
        ids = oss.id
    async with sessions() as s:
        moved = await people.find_member(s, people.TELEGRAM, "10")
    assert moved is not None and moved.programme_id == ids
    assert moved.roles == {Role.COORDINATOR}  # the participant role of the old programme ended
