"""Queries about programmes, people, their channels and roles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.roles import Role, allowed, parse_roles
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


class OtherProgramme(ValueError):
    """A role in a programme other than the person's own: refused, never silently granted."""


@dataclass(frozen=True)
class Member:
    """Who sent an update: their person, channel identity and active roles per programme.

    A person belongs to one programme (`person.programme_id`); lists and menus use the roles
    held there (`roles`). Every action on an object is authorised with `may`, against the
    programme of that object.
    """

    person: Person
    identity: ChannelIdentity
    grants: Mapping[int, frozenset[Role]] = field(default_factory=dict)

    @property
    def programme_id(self) -> int:
        return self.person.programme_id

    @property
    def roles(self) -> frozenset[Role]:
        """The roles held in the person's own programme."""
        return self.grants.get(self.person.programme_id, frozenset())

    def may(self, programme_id: int | None, *roles: Role) -> bool:
        """May this member act, in one of `roles`, on an object of `programme_id`?"""
        return allowed(self.grants, programme_id, roles)

    def with_role(self, programme_id: int, role: Role) -> Member:
        """This member after a grant made in this update (the middleware loaded the old roles)."""
        grants = dict(self.grants)
        grants[programme_id] = grants.get(programme_id, frozenset()) | {role}
        return Member(person=self.person, identity=self.identity, grants=grants)


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


def in_own_programme() -> ColumnElement[bool]:
    """A role grant counts only in its person's own programme: the condition every query of
    roles adds (a grant elsewhere, from before roles were bound to programmes, gives nothing)."""
    own = (
        select(Person.programme_id)
        .where(Person.id == RoleGrant.person_id)
        .correlate(RoleGrant)
        .scalar_subquery()
    )
    return RoleGrant.programme_id == own


def active_grant() -> ColumnElement[bool]:
    """Not revoked, and in the person's own programme (`in_own_programme`)."""
    return and_(RoleGrant.revoked_at.is_(None), in_own_programme())


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
    return Member(person=person, identity=identity, grants=await active_grants(session, person))


async def active_grants(session: AsyncSession, person: Person) -> dict[int, frozenset[Role]]:
    """Active roles per programme. Only the person's own programme counts: a grant elsewhere
    (made before roles were bound to their programme) gives nothing."""
    rows = await session.execute(
        select(RoleGrant.programme_id, RoleGrant.role).where(
            RoleGrant.person_id == person.id,
            RoleGrant.programme_id == person.programme_id,
            RoleGrant.revoked_at.is_(None),
        )
    )
    values: dict[int, list[str]] = {}
    for programme_id, role in rows:
        values.setdefault(programme_id, []).append(role)
    return {programme: parse_roles(roles) for programme, roles in values.items()}


async def active_roles(session: AsyncSession, person: Person) -> frozenset[Role]:
    """The roles a person holds in their own programme."""
    return (await active_grants(session, person)).get(person.programme_id, frozenset())


async def join_programme(session: AsyncSession, person: Person, programme_id: int) -> bool:
    """Make `programme_id` the person's programme, when that is safe.

    True when the person already belongs there, or held no role anywhere (someone who only
    pressed /start, created in the first programme): they move. False when they hold a role in
    another programme: that needs a coordinator's explicit decision, never a link.
    """
    if not await may_join(session, person, programme_id):
        return False
    if person.programme_id != programme_id:
        person.programme_id = programme_id
        await session.flush()
    return True


async def may_join(session: AsyncSession, person: Person, programme_id: int) -> bool:
    """Would `join_programme` succeed? (Changes nothing.)"""
    if person.programme_id == programme_id:
        return True
    held = await session.scalar(
        select(RoleGrant.id).where(RoleGrant.person_id == person.id, RoleGrant.revoked_at.is_(None))
    )
    return held is None


async def move_to_programme(
    session: AsyncSession, person: Person, programme_id: int, now: dt.datetime
) -> list[Role]:
    """Move a person to another programme on an administrator's explicit request: every role
    they hold elsewhere is revoked (returned), so nothing of the old programme stays in reach."""
    grants = list(
        await session.scalars(
            select(RoleGrant).where(
                RoleGrant.person_id == person.id,
                RoleGrant.revoked_at.is_(None),
                RoleGrant.programme_id != programme_id,
            )
        )
    )
    for grant in grants:
        grant.revoked_at = now
    person.programme_id = programme_id
    await session.flush()
    return sorted(parse_roles([grant.role for grant in grants]))


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
    return Member(person=person, identity=identity)


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
    """Grant `role` unless it is already active; True when something changed.

    Raises OtherProgramme for a programme other than the person's own (see `join_programme`).
    """
    person = await session.get(Person, person_id)
    if person is None or person.programme_id != programme_id:
        raise OtherProgramme(f"person {person_id} does not belong to programme {programme_id}")
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
    session: AsyncSession,
    programme: Programme,
    telegram_id: int,
    now: dt.datetime,
    *,
    move: bool = False,
) -> tuple[Member, bool]:
    """Make the Telegram account `telegram_id` a coordinator of `programme` (idempotent).

    Someone who holds a role in another programme is not made a coordinator here unless `move`
    (their roles there are then revoked): raises OtherProgramme.
    """
    member = await find_member(session, TELEGRAM, str(telegram_id))
    if member is not None and not await join_programme(session, member.person, programme.id):
        if not move:
            raise OtherProgramme(
                f"Telegram account {telegram_id} holds a role in another programme"
            )
        await move_to_programme(session, member.person, programme.id, now)
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
        .join(Person, Person.id == RoleGrant.person_id)
        .where(
            RoleGrant.programme_id == Person.programme_id,
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
