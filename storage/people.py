"""Queries about programmes, people, their channels and roles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.roles import Role, parse_roles
from storage.models import ChannelIdentity, Person, Programme, RoleGrant

TELEGRAM = "telegram"


class NotAPrivateChat(ValueError):
    """A person's Telegram channel can only be their private chat with the bot."""


def check_private_chat(channel: str, external_id: str, chat_id: str) -> None:
    """Refuse to store a group, supergroup or channel as a person's chat.

    A Telegram private chat has the id of the user (a positive number); groups, supergroups and
    channels have negative ids of their own. Personal messages follow the stored chat, so a
    group stored here would receive them.
    """
    private = external_id.isascii() and external_id.isdigit() and chat_id == external_id
    if channel == TELEGRAM and not private:
        raise NotAPrivateChat("a Telegram channel must be the user's private chat with the bot")


@dataclass(frozen=True)
class Member:
    """Who sent an update: their person, channel identity and active roles."""

    person: Person
    identity: ChannelIdentity
    roles: frozenset[Role]

    @property
    def programme_id(self) -> int:
        return self.person.programme_id


async def ensure_programme(
    session: AsyncSession, name: str, timezone: str, now: dt.datetime
) -> Programme:
    programme = await session.scalar(select(Programme).where(Programme.name == name))
    if programme is None:
        programme = Programme(name=name, timezone=timezone, settings={}, created_at=now)
        session.add(programme)
        await session.flush()
    return programme


async def get_programme(session: AsyncSession, name: str) -> Programme | None:
    return await session.scalar(select(Programme).where(Programme.name == name))


async def default_programme(session: AsyncSession) -> Programme | None:
    return await session.scalar(select(Programme).order_by(Programme.id).limit(1))


async def find_member(session: AsyncSession, channel: str, external_id: str) -> Member | None:
    """Load the sender in one round trip; None when we have never met them."""
    row = (
        await session.execute(
            select(ChannelIdentity, Person)
            .join(Person, Person.id == ChannelIdentity.person_id)
            .where(ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id)
        )
    ).first()
    if row is None:
        return None
    identity, person = row
    roles = await active_roles(session, person.id)
    return Member(person=person, identity=identity, roles=roles)


async def active_roles(session: AsyncSession, person_id: int) -> frozenset[Role]:
    values = await session.scalars(
        select(RoleGrant.role).where(
            RoleGrant.person_id == person_id, RoleGrant.revoked_at.is_(None)
        )
    )
    return parse_roles(list(values))


async def create_member(
    session: AsyncSession,
    *,
    programme_id: int,
    channel: str,
    external_id: str,
    chat_id: str,
    display_name: str | None,
    first_name: str | None,
    now: dt.datetime,
) -> Member:
    """A new person with this channel; a Telegram chat must be the person's private chat."""
    check_private_chat(channel, external_id, chat_id)
    person = Person(programme_id=programme_id, first_name=first_name, created_at=now)
    session.add(person)
    await session.flush()
    identity = ChannelIdentity(
        person_id=person.id,
        channel=channel,
        external_id=external_id,
        chat_id=chat_id,
        display_name=display_name,
        reachable=True,
        created_at=now,
    )
    session.add(identity)
    await session.flush()
    return Member(person=person, identity=identity, roles=frozenset())


async def ensure_telegram_member(
    session: AsyncSession,
    *,
    user_id: int,
    chat_id: int,
    first_name: str,
    display_name: str,
    now: dt.datetime,
) -> Member:
    """The sender as a member, created in the first programme when we have never met them.

    Raises NotAPrivateChat for any chat other than the user's private chat with the bot.
    """
    check_private_chat(TELEGRAM, str(user_id), str(chat_id))
    member = await find_member(session, TELEGRAM, str(user_id))
    if member is not None:
        if member.person.first_name is None:
            member.person.first_name = first_name[:64]
        return member
    programme = await default_programme(session)
    if programme is None:
        raise RuntimeError("no programme yet: run `citytrainers-bot db upgrade` and start the bot")
    return await create_member(
        session,
        programme_id=programme.id,
        channel=TELEGRAM,
        external_id=str(user_id),
        chat_id=str(chat_id),
        display_name=display_name[:128],
        first_name=first_name[:64],
        now=now,
    )


async def grant_role(
    session: AsyncSession,
    person_id: int,
    programme_id: int,
    role: Role,
    now: dt.datetime,
    *,
    organisation_id: int | None = None,
    granted_by: int | None = None,
) -> bool:
    """Grant `role` unless it is already active; True when something changed."""
    existing = await session.scalar(
        select(RoleGrant.id).where(
            RoleGrant.person_id == person_id,
            RoleGrant.programme_id == programme_id,
            RoleGrant.role == role.value,
            RoleGrant.revoked_at.is_(None),
            RoleGrant.organisation_id.is_(None)
            if organisation_id is None
            else RoleGrant.organisation_id == organisation_id,
        )
    )
    if existing is not None:
        return False
    session.add(
        RoleGrant(
            person_id=person_id,
            programme_id=programme_id,
            role=role.value,
            organisation_id=organisation_id,
            granted_at=now,
            granted_by=granted_by,
        )
    )
    await session.flush()
    return True


async def ensure_telegram_coordinator(
    session: AsyncSession, programme: Programme, telegram_id: int, now: dt.datetime
) -> tuple[Member, bool]:
    """Make the Telegram account `telegram_id` a coordinator of `programme` (idempotent)."""
    member = await find_member(session, TELEGRAM, str(telegram_id))
    if member is None:
        member = await create_member(
            session,
            programme_id=programme.id,
            channel=TELEGRAM,
            external_id=str(telegram_id),
            chat_id=str(telegram_id),
            display_name=None,
            first_name=None,
            now=now,
        )
    changed = await grant_role(session, member.person.id, programme.id, Role.COORDINATOR, now)
    return member, changed


async def coordinator_chats(session: AsyncSession, programme_id: int | None = None) -> list[str]:
    """Chat ids of reachable coordinators (of one programme, or of all)."""
    query = (
        select(ChannelIdentity.chat_id)
        .join(RoleGrant, RoleGrant.person_id == ChannelIdentity.person_id)
        .where(
            RoleGrant.role == Role.COORDINATOR.value,
            RoleGrant.revoked_at.is_(None),
            ChannelIdentity.channel == TELEGRAM,
            ChannelIdentity.reachable.is_(True),
        )
        .distinct()
    )
    if programme_id is not None:
        query = query.where(RoleGrant.programme_id == programme_id)
    return list(await session.scalars(query))


async def mark_unreachable(
    session: AsyncSession, channel: str, chat_id: str, now: dt.datetime
) -> None:
    identities = await session.scalars(
        select(ChannelIdentity).where(
            ChannelIdentity.channel == channel, ChannelIdentity.chat_id == chat_id
        )
    )
    for identity in identities:
        if identity.reachable:
            identity.reachable = False
            identity.unreachable_since = now


async def mark_reachable(session: AsyncSession, identity: ChannelIdentity) -> None:
    if not identity.reachable:
        identity.reachable = True
        identity.unreachable_since = None
