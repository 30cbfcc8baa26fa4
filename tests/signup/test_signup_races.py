"""Races of issue 12: people acting on one signup, one offer or one invite link at once.

Two coordinators tapping at the same moment must give exactly one decision (the other hears
"Already decided: ..." and nothing else happens), and N people redeeming a link with k uses
must give exactly k. Every test runs on SQLite and PostgreSQL (the `engine` fixture).

No timing: `race` starts N attempts together, each in its own session and transaction
(`asyncio.Barrier`), and on PostgreSQL keeps every transaction open until each attempt has
either finished its step or waits for another transaction's lock (`pg_blocking_pids`). So a
read-modify-write reads in all of them before anyone commits, every time, while correct code
lets them through one after the other. SQLite has one writer at a time and no way to see who
waits: there each attempt commits when it is done, truly concurrently. The other tests hold one
transaction open while another commits, to interleave two steps exactly.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import pytest
import sqlalchemy as sa
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from bot.app.i18n import build_i18n
from bot.features.signup.callbacks import DecisionAction, SignupDecision
from bot.features.signup.conversations.state import CoordinatorData, save_coordinator
from bot.features.signup.handlers import decisions
from bot.features.signup.labels import STATUS
from bot.kit.clock import ManualClock
from domain.roles import Role
from domain.signup.capacity import WaitingListRules
from domain.signup.status import ConsentMethod, ConsentRoute, SignupStatus
from storage import migrate, people
from storage.course.models import Cohort
from storage.db import create_session_factory
from storage.models import OutboxMessage, Person, Programme, RoleGrant
from storage.signup import groups as signup_groups
from storage.signup import queries as signups
from storage.signup.models import Consent, Enrolment, GroupInvite, Signup
from storage.signup.queries import AlreadyDecided

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
RULES = WaitingListRules(offer_valid_hours=48)
R = TypeVar("R")


# --- racing ---------------------------------------------------------------------------------


@asynccontextmanager
async def _engine_for(engine: AsyncEngine, attempts: int) -> AsyncIterator[AsyncEngine]:
    """On PostgreSQL an engine on the same schema with a connection for every attempt."""
    if engine.dialect.name != "postgresql":
        yield engine
        return
    async with engine.connect() as conn:
        schema = await conn.scalar(text("select current_schema()"))
    wide = create_async_engine(
        engine.url,
        connect_args={"server_settings": {"search_path": str(schema)}},
        pool_size=attempts + 2,
    )
    try:
        yield wide
    finally:
        await wide.dispose()


async def race(
    engine: AsyncEngine, attempts: int, attempt: Callable[[AsyncSession, int], Awaitable[R]]
) -> list[R]:
    """Run `attempt(session, i)` for i in 0..attempts-1 at once, each in its own transaction,
    committed after the attempt (see the module docstring for how they are held on PostgreSQL).
    """
    postgres = engine.dialect.name == "postgresql"
    async with _engine_for(engine, attempts) as racing:
        sessions = create_session_factory(racing)
        together = asyncio.Barrier(attempts)
        release = asyncio.Event()
        done: set[int] = set()
        pids: dict[int, int] = {}

        async def one(i: int) -> R:
            async with sessions() as session:
                if postgres:  # also begins the transaction on its own connection
                    pids[i] = int(await session.scalar(text("select pg_backend_pid()")) or 0)
                await together.wait()
                try:
                    result = await attempt(session, i)
                finally:
                    done.add(i)
                await release.wait()
                await session.commit()
                return result

        tasks = [asyncio.create_task(one(i)) for i in range(attempts)]
        if postgres:
            async with racing.connect() as probe:
                while not any(t.done() for t in tasks):
                    waiting = [pid for i, pid in pids.items() if i not in done]
                    blocked = await probe.scalar(
                        text(
                            "select count(*) from unnest(cast(:pids as int[])) as w(pid) "
                            "where cardinality(pg_blocking_pids(w.pid)) > 0"
                        ),
                        {"pids": waiting},
                    )
                    if len(pids) == attempts and len(done) + int(blocked or 0) == attempts:
                        break
                    await probe.rollback()  # a fresh snapshot of who waits for whom
        release.set()
        return list(await asyncio.gather(*tasks))


# --- the world ------------------------------------------------------------------------------


@dataclass
class World:
    programme_id: int
    full_id: int
    """A group of 15 with 14 places taken."""
    empty_id: int
    """A group of 15 with no places taken."""
    signup_id: int
    person_id: int
    coordinators: list[people.Member] = field(default_factory=list)


async def _person(session: AsyncSession, programme_id: int, name: str) -> Person:
    person = Person(programme_id=programme_id, first_name=name, created_at=T0)
    session.add(person)
    await session.flush()
    return person


async def _signup(session: AsyncSession, person: Person, status: str = "submitted") -> Signup:
    signup = Signup(
        programme_id=person.programme_id, person_id=person.id, status=status, track="sport",
        age_at_signup=17, needs_consent=False, privacy_version="2026-1",
        privacy_accepted_at=T0, created_at=T0, submitted_at=T0,
    )  # fmt: skip
    session.add(signup)
    await session.flush()
    return signup


async def _world(engine: AsyncEngine, coordinators: int = 0) -> World:
    await migrate.upgrade(engine)
    async with create_session_factory(engine).begin() as session:
        programme = Programme(name="Breda", timezone="Europe/Amsterdam", settings={}, created_at=T0)
        session.add(programme)
        await session.flush()
        groups = [
            Cohort(programme_id=programme.id, name=n, track="sport", capacity=15, created_at=T0)
            for n in ("Vol", "Leeg")
        ]
        session.add_all(groups)
        await session.flush()
        for n in range(14):
            person = await _person(session, programme.id, f"P{n}")
            await _signup(session, person, "placed")
            session.add(
                Enrolment(
                    programme_id=programme.id, cohort_id=groups[0].id, person_id=person.id,
                    status="placed", track="sport", created_at=T0, decided_at=T0,
                )
            )  # fmt: skip
        sam = await people.create_member(
            session, programme_id=programme.id, channel=people.TELEGRAM, external_id="500",
            chat_id="500", display_name="Sam", first_name="Sam", now=T0,
        )  # fmt: skip
        signup = await _signup(session, sam.person)
        world = World(programme.id, groups[0].id, groups[1].id, signup.id, sam.person.id)
        for n in range(coordinators):
            uid = str(900 + n)
            member = await people.create_member(
                session, programme_id=programme.id, channel=people.TELEGRAM, external_id=uid,
                chat_id=uid, display_name=f"Cor {n}", first_name=f"Cor {n}", now=T0,
            )  # fmt: skip
            await people.grant_role(session, member.person.id, programme.id, Role.COORDINATOR, T0)
            world.coordinators.append(member.with_role(programme.id, Role.COORDINATOR))
    return world


async def _scalar(engine: AsyncEngine, statement: Any) -> Any:
    async with create_session_factory(engine)() as session:
        return await session.scalar(statement)


async def _places(engine: AsyncEngine, person_id: int) -> list[tuple[int, str]]:
    async with create_session_factory(engine)() as session:
        rows = await session.execute(
            select(Enrolment.cohort_id, Enrolment.status)
            .where(Enrolment.person_id == person_id)
            .order_by(Enrolment.cohort_id)
        )
        return [(c, str(s)) for c, s in rows.all()]


async def _placed_in(engine: AsyncEngine, cohort_id: int) -> int:
    return int(
        await _scalar(
            engine,
            select(func.count()).where(
                Enrolment.cohort_id == cohort_id, Enrolment.status == "placed"
            ),
        )
    )


# --- placing in storage ---------------------------------------------------------------------


async def test_ten_coordinators_placing_one_signup_at_once_give_one_place(
    engine: AsyncEngine,
) -> None:
    """Half of them pick the group with one place left, half the empty group."""
    world = await _world(engine)

    async def place(session: AsyncSession, i: int) -> object:
        signup = await session.get(Signup, world.signup_id)  # what the tap read
        cohort = await session.get(Cohort, world.full_id if i % 2 else world.empty_id)
        assert signup is not None and cohort is not None
        return await signup_groups.place(session, signup, cohort, T0)

    results = await race(engine, 10, place)
    placed = [r for r in results if isinstance(r, Enrolment)]
    assert len(placed) == 1, results
    assert all(r == AlreadyDecided(SignupStatus.PLACED) for r in results if r not in placed)
    assert await _places(engine, world.person_id) == [(placed[0].cohort_id, "placed")]
    assert await _scalar(engine, select(Signup.status).where(Signup.id == world.signup_id)) == (
        "placed"
    )
    assert await _placed_in(engine, world.full_id) <= 15


async def test_placing_and_putting_on_a_waiting_list_at_once_give_one_decision(
    engine: AsyncEngine,
) -> None:
    world = await _world(engine)

    async def decide(session: AsyncSession, i: int) -> object:
        signup = await session.get(Signup, world.signup_id)
        cohort = await session.get(Cohort, world.empty_id if i % 2 else world.full_id)
        assert signup is not None and cohort is not None
        if i % 2:
            return await signup_groups.place(session, signup, cohort, T0)
        return await signup_groups.put_on_waiting_list(session, signup, cohort, T0)

    results = await race(engine, 6, decide)
    won = [r for r in results if not isinstance(r, AlreadyDecided)]
    assert len(won) == 1, results
    status = await _scalar(engine, select(Signup.status).where(Signup.id == world.signup_id))
    assert all(r == AlreadyDecided(status) for r in results if r is not won[0])
    rows = await _places(engine, world.person_id)
    if isinstance(won[0], Enrolment):
        assert status == "placed" and rows == [(world.empty_id, "placed")]
    else:
        assert status == "waiting" and rows == [(world.full_id, "waiting")]


async def test_a_coordinator_placing_after_the_person_accepted_an_offer_changes_nothing(
    engine: AsyncEngine,
) -> None:
    """The coordinator's tap read the signup while it was waiting; the person accepts an
    offered place and commits; then the coordinator's placement must find it decided."""
    world = await _world(engine)
    sessions = create_session_factory(engine)
    async with sessions.begin() as session:
        signup, full = (
            await session.get(Signup, world.signup_id),
            await session.get(Cohort, world.full_id),
        )
        assert signup is not None and full is not None
        full.capacity = 14
        assert await signup_groups.put_on_waiting_list(session, signup, full, T0) == 1
        full.capacity = 15  # a place is free: offered to Sam
        changes = await signup_groups.move_up(session, world.programme_id, T0, RULES)
        [offer] = changes.offered
    async with sessions() as coordinator:
        stale = await coordinator.get(Signup, world.signup_id)
        empty = await coordinator.get(Cohort, world.empty_id)
        assert stale is not None and stale.status == "waiting" and empty is not None
        async with sessions.begin() as person:
            row = await person.get(Enrolment, offer.id)
            assert row is not None
            assert await signup_groups.accept_offer(person, row, T0)
        result = await signup_groups.place(coordinator, stale, empty, T0)
        await coordinator.commit()
    assert result == AlreadyDecided(SignupStatus.PLACED)
    assert await _places(engine, world.person_id) == [(world.full_id, "placed")]
    assert await _placed_in(engine, world.full_id) == 15


async def test_an_offer_accepted_after_the_signup_was_declined_is_refused(
    engine: AsyncEngine,
) -> None:
    """Accepting re-reads the signup under the lock: a declined person gets no place."""
    world = await _world(engine)
    sessions = create_session_factory(engine)
    async with sessions.begin() as session:
        signup, full = (
            await session.get(Signup, world.signup_id),
            await session.get(Cohort, world.full_id),
        )
        assert signup is not None and full is not None
        full.capacity = 14
        await signup_groups.put_on_waiting_list(session, signup, full, T0)
        full.capacity = 15
        [offer] = (await signup_groups.move_up(session, world.programme_id, T0, RULES)).offered
    async with sessions() as person:
        row = await person.get(Enrolment, offer.id)  # what the tap read
        assert row is not None and row.status == "offered"
        async with sessions.begin() as coordinator:
            signup = await coordinator.get(Signup, world.signup_id)
            assert signup is not None
            await coordinator.execute(  # declined by a coordinator meanwhile (committed)
                sa.update(Signup).where(Signup.id == signup.id).values(status="declined")
            )
        assert not await signup_groups.accept_offer(person, row, T0)
        await person.commit()
    assert "placed" not in [s for _, s in await _places(engine, world.person_id)]
    assert await _placed_in(engine, world.full_id) == 14


# --- the coordinators' buttons --------------------------------------------------------------


@dataclass
class FakeBot:
    sent: list[str] = field(default_factory=list)

    async def send_message(self, chat_id: int, text: str, **_kw: object) -> None:
        self.sent.append(text)


@dataclass
class FakeUser:
    id: int


@dataclass
class FakeQuery:
    """What the decision handlers use of a CallbackQuery: answer, bot and from_user."""

    from_user: FakeUser
    bot: FakeBot = field(default_factory=FakeBot)
    answers: list[str] = field(default_factory=list)

    async def answer(self, text: str | None = None, **_kw: object) -> None:
        self.answers.append(text or "")


@dataclass
class FakeMessage:
    """What `receive_text` uses of a Message."""

    text: str
    message_id: int = 1
    answers: list[str] = field(default_factory=list)

    async def answer(self, text: str, **_kw: object) -> None:
        self.answers.append(text)


async def _typing(member: people.Member, state: Any, signup_id: int) -> FSMContext:
    uid = int(member.identity.external_id)
    context = FSMContext(MemoryStorage(), StorageKey(bot_id=1, chat_id=uid, user_id=uid))
    await context.set_state(state)
    await save_coordinator(context, CoordinatorData(signup_id=signup_id))
    return context


async def _messages_to(engine: AsyncEngine, person_id: int) -> int:
    return int(
        await _scalar(engine, select(func.count()).where(OutboxMessage.person_id == person_id))
    )


@contextmanager
def dutch() -> Iterator[None]:
    i18n = build_i18n()
    with i18n.context(), i18n.use_locale("nl"):
        yield


async def test_two_coordinators_tapping_place_at_once_one_is_told_already_decided(
    engine: AsyncEngine,
) -> None:
    with dutch():
        world = await _world(engine, coordinators=2)
        clock = ManualClock(T0)
        queries = [FakeQuery(FakeUser(int(m.identity.external_id))) for m in world.coordinators]

        async def tap(session: AsyncSession, i: int) -> None:
            cohort = world.empty_id if i else world.full_id
            data = SignupDecision(
                action=DecisionAction.PLACE_IN, signup=world.signup_id, cohort=cohort
            )
            query = cast(CallbackQuery, queries[i])
            await decisions.place_in(query, data, session, clock, world.coordinators[i])

        await race(engine, 2, tap)
        answers = sorted(q.answers[0] for q in queries)
        already = _("Already decided: {status}.").format(status=STATUS["placed"])
        assert answers == sorted([_("Placed."), already]), answers
        loser = next(q for q in queries if q.answers == [already])
        assert loser.bot.sent == []  # nothing else for the second coordinator
        assert len([s for _, s in await _places(engine, world.person_id) if s == "placed"]) == 1
        assert await _messages_to(engine, world.person_id) == 1
        participant = await _scalar(
            engine,
            select(func.count()).where(
                RoleGrant.person_id == world.person_id, RoleGrant.role == "participant"
            ),
        )
        assert participant == 1


async def test_placing_and_declining_at_once_give_one_decision_and_one_message(
    engine: AsyncEngine,
) -> None:
    with dutch():
        world = await _world(engine, coordinators=2)
        clock = ManualClock(T0)
        placer, decliner = world.coordinators
        query = FakeQuery(FakeUser(int(placer.identity.external_id)))
        message = FakeMessage("Helaas is er nu geen plek voor jou.")
        state = await _typing(decliner, decisions.CoordinatorSignup.declining, world.signup_id)

        async def act(session: AsyncSession, i: int) -> None:
            if i == 0:
                data = SignupDecision(
                    action=DecisionAction.PLACE_IN, signup=world.signup_id, cohort=world.empty_id
                )
                await decisions.place_in(cast(CallbackQuery, query), data, session, clock, placer)
            else:
                await decisions.receive_text(
                    cast(Message, message), state, session, clock, decliner
                )

        await race(engine, 2, act)
        status = await _scalar(engine, select(Signup.status).where(Signup.id == world.signup_id))
        rows = await _places(engine, world.person_id)
        if status == "placed":
            assert query.answers == [_("Placed.")]
            assert message.answers == [_("This signup was already decided.")]
            assert rows == [(world.empty_id, "placed")]
        else:
            assert status == "declined"
            assert query.answers == [
                _("Already decided: {status}.").format(status=STATUS["declined"])
            ]
            assert query.bot.sent == []
            assert rows == []
        assert await _messages_to(engine, world.person_id) == 1


async def test_two_coordinators_putting_on_waiting_lists_at_once_give_one_entry(
    engine: AsyncEngine,
) -> None:
    with dutch():
        world = await _world(engine, coordinators=2)
        clock = ManualClock(T0)
        queries = [FakeQuery(FakeUser(int(m.identity.external_id))) for m in world.coordinators]

        async def tap(session: AsyncSession, i: int) -> None:
            cohort = world.empty_id if i else world.full_id
            data = SignupDecision(
                action=DecisionAction.WAIT_IN, signup=world.signup_id, cohort=cohort
            )
            await decisions.wait_in(
                cast(CallbackQuery, queries[i]), data, session, clock, world.coordinators[i]
            )

        await race(engine, 2, tap)
        already = _("Already decided: {status}.").format(status=STATUS["waiting"])
        assert sorted(q.answers[0] for q in queries) == sorted([_("On the waiting list."), already])
        assert len(await _places(engine, world.person_id)) == 1
        assert await _messages_to(engine, world.person_id) == 1


async def test_two_coordinators_recording_paper_consent_at_once_record_one(
    engine: AsyncEngine,
) -> None:
    with dutch():
        world = await _world(engine, coordinators=2)
        async with create_session_factory(engine).begin() as session:
            signup = await session.get(Signup, world.signup_id)
            assert signup is not None
            signup.status, signup.needs_consent = SignupStatus.AWAITING_CONSENT, True
            signup.parent_name, signup.parent_contact = "Karin", "06 12345678"
            await signups.issue_consent_token(session, signup, T0, 14)
        clock = ManualClock(T0)
        messages = [FakeMessage("Karin Jansen") for _ in world.coordinators]
        states = [
            await _typing(m, decisions.CoordinatorSignup.paper, world.signup_id)
            for m in world.coordinators
        ]

        async def record(session: AsyncSession, i: int) -> None:
            await decisions.receive_text(
                cast(Message, messages[i]), states[i], session, clock, world.coordinators[i]
            )

        await race(engine, 2, record)
        assert sorted(m.answers[0] for m in messages) == sorted(
            [
                _("Paper consent for signup #{id} is recorded.").format(id=world.signup_id),
                _("This signup was already decided."),
            ]
        )
        consents = await _scalar(
            engine, select(func.count()).where(Consent.signup_id == world.signup_id)
        )
        assert consents == 1
        assert await _scalar(engine, select(Signup.status).where(Signup.id == world.signup_id)) == (
            "submitted"
        )


async def test_two_coordinators_confirming_a_permission_at_once_one_confirms(
    engine: AsyncEngine,
) -> None:
    with dutch():
        world = await _world(engine, coordinators=2)
        async with create_session_factory(engine).begin() as session:
            signup = await session.get(Signup, world.signup_id)
            assert signup is not None
            signup.needs_consent, signup.parent_name = True, "Karin"
            await signups.record_parental_consent(
                session, signup, method=ConsentMethod.TELEGRAM, route=ConsentRoute.FORWARDED,
                account=signups.TelegramAccount(2001, "Karin J"), now=T0,
            )  # fmt: skip
        clock = ManualClock(T0)
        queries = [FakeQuery(FakeUser(int(m.identity.external_id))) for m in world.coordinators]

        async def confirm(session: AsyncSession, i: int) -> None:
            data = SignupDecision(action=DecisionAction.VERIFY, signup=world.signup_id)
            await decisions.verify(
                cast(CallbackQuery, queries[i]), data, session, clock, world.coordinators[i]
            )

        await race(engine, 2, confirm)
        assert sorted(q.answers[0] for q in queries) == sorted(
            [_("Confirmed."), _("This permission was already confirmed.")]
        )
        winner = next(i for i, q in enumerate(queries) if q.answers == [_("Confirmed.")])
        verified_by = await _scalar(
            engine, select(Consent.verified_by).where(Consent.signup_id == world.signup_id)
        )
        assert verified_by == world.coordinators[winner].person.id


# --- group invite links ---------------------------------------------------------------------


async def _invite(engine: AsyncEngine, max_uses: int | None, valid_days: int | None = 30) -> str:
    world = await _world(engine)
    async with create_session_factory(engine).begin() as session:
        return await signups.create_invite(
            session, world.programme_id, world.empty_id, None, T0,
            valid_days=valid_days, max_uses=max_uses,
        )  # fmt: skip


async def _redeem_all(engine: AsyncEngine, token: str, attempts: int) -> list[object]:
    async def redeem(session: AsyncSession, _i: int) -> object:
        return await signups.use_invite(session, token, T0 + dt.timedelta(hours=1))

    return await race(engine, attempts, redeem)


async def test_thirty_redeem_a_ten_use_link_at_once_exactly_ten_get_in(
    engine: AsyncEngine,
) -> None:
    token = await _invite(engine, max_uses=10, valid_days=1)
    results = await _redeem_all(engine, token, 30)
    assert len([r for r in results if isinstance(r, GroupInvite)]) == 10, results
    assert [r for r in results if not isinstance(r, GroupInvite)] == [
        signups.TokenProblem.USED
    ] * 20
    assert await _scalar(engine, select(GroupInvite.uses)) == 10
    # used up, unknown or expired: refused, and not counted
    later = T0 + dt.timedelta(days=1)
    async with create_session_factory(engine).begin() as session:
        assert await signups.use_invite(session, token, T0) is signups.TokenProblem.USED
        assert await signups.use_invite(session, "x" * 32, T0) is signups.TokenProblem.UNKNOWN
        await session.execute(sa.update(GroupInvite).values(max_uses=20))
        assert await signups.use_invite(session, token, later) is signups.TokenProblem.EXPIRED
    assert await _scalar(engine, select(GroupInvite.uses)) == 10


async def test_every_use_of_an_unlimited_link_is_counted(engine: AsyncEngine) -> None:
    token = await _invite(engine, max_uses=None, valid_days=None)
    results = await _redeem_all(engine, token, 30)
    assert all(isinstance(r, GroupInvite) for r in results), results
    assert await _scalar(engine, select(GroupInvite.uses)) == 30


# --- the database's own guard ---------------------------------------------------------------


async def test_one_place_per_person_is_kept_by_the_database(engine: AsyncEngine) -> None:
    """Migration 0011 settles places given twice (the first stays) and refuses new ones."""
    await migrate.upgrade(engine, "0010_course_leader_invite")
    async with engine.begin() as conn:
        await conn.execute(
            sa.text(
                "insert into programme (id, name, timezone, settings, created_at) "
                "values (1, 'Breda', 'Europe/Amsterdam', '{}', :t)"
            ),
            {"t": T0},
        )
        await conn.execute(
            sa.text("insert into person (id, programme_id, created_at) values (1, 1, :t)"),
            {"t": T0},
        )
        for cid in (1, 2, 3):
            await conn.execute(
                sa.text(
                    "insert into cohort (id, programme_id, name, track, capacity, created_at) "
                    "values (:c, 1, 'G', 'sport', 15, :t)"
                ),
                {"c": cid, "t": T0},
            )
        for eid, cid, status in ((1, 1, "placed"), (2, 2, "placed"), (3, 3, "waiting")):
            await conn.execute(
                sa.text(
                    "insert into enrolment (id, programme_id, cohort_id, person_id, status, "
                    "created_at) values (:e, 1, :c, 1, :s, :t)"
                ),
                {"e": eid, "c": cid, "s": status, "t": T0},
            )
    await migrate.upgrade(engine, "0011_one_place_per_person")
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.text("select id, status from enrolment order by id"))).all()
    assert [tuple(r) for r in rows] == [(1, "placed"), (2, "withdrawn"), (3, "waiting")]
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await conn.execute(sa.text("update enrolment set status = 'placed' where id = 3"))
    async with engine.begin() as conn:  # a place given up frees the person for another one
        await conn.execute(sa.text("update enrolment set status = 'withdrawn' where id = 1"))
        await conn.execute(sa.text("update enrolment set status = 'placed' where id = 3"))


async def test_withdrawing_and_placing_at_once_never_leave_a_withdrawn_signup_with_a_place(
    engine: AsyncEngine,
) -> None:
    from bot.features.signup.callbacks import ConsentAction, ConsentCb
    from bot.features.signup.conversations import consent

    with dutch():
        world = await _world(engine, coordinators=1)
        clock = ManualClock(T0)
        (coordinator,) = world.coordinators
        async with create_session_factory(engine)() as session:
            sam = await people.find_member(session, people.TELEGRAM, "500")
        assert sam is not None
        placing = FakeQuery(FakeUser(int(coordinator.identity.external_id)))
        withdrawing = FakeQuery(FakeUser(500))

        async def act(session: AsyncSession, i: int) -> None:
            if i == 0:
                data = SignupDecision(
                    action=DecisionAction.PLACE_IN, signup=world.signup_id, cohort=world.empty_id
                )
                query = cast(CallbackQuery, placing)
                await decisions.place_in(query, data, session, clock, coordinator)
            else:
                data2 = ConsentCb(action=ConsentAction.WITHDRAW, signup=world.signup_id)
                await consent.withdraw(cast(CallbackQuery, withdrawing), data2, session, clock, sam)

        await race(engine, 2, act)
        status = await _scalar(engine, select(Signup.status).where(Signup.id == world.signup_id))
        places = [s for _, s in await _places(engine, world.person_id) if s == "placed"]
        if status == "withdrawn":
            assert places == []
        else:
            assert status == "placed" and places == ["placed"]
            assert withdrawing.answers and "werkt niet meer" in withdrawing.answers[0]
