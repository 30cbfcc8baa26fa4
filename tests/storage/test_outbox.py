"""The outbox queries, on SQLite and PostgreSQL (plus SKIP LOCKED on PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.kit import notify
from domain.roles import Role
from storage import migrate, outbox, people
from storage.db import create_session_factory
from storage.models import (
    ChannelIdentity,
    OutboxMessage,
    OutboxStatus,
    Person,
    Programme,
    RoleGrant,
)
from storage.outbox import Priority

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
MIN = dt.timedelta(minutes=1)


@pytest.fixture
async def sessions(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    await migrate.upgrade(engine)
    yield create_session_factory(engine)


async def _add(
    sessions: async_sessionmaker[AsyncSession],
    key: str,
    *,
    chat: str = "100",
    priority: Priority = Priority.INTERACTIVE,
    not_before: dt.datetime | None = None,
    now: dt.datetime = T0,
) -> int:
    async with sessions.begin() as s:
        assert await outbox.enqueue(
            s,
            chat_id=chat,
            payload={"text": key},
            key=key,
            now=now,
            priority=priority,
            not_before=not_before,
        )
        row_id = await s.scalar(
            select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)
        )
    assert row_id is not None
    return row_id


async def _row(sessions: async_sessionmaker[AsyncSession], row_id: int) -> OutboxMessage:
    async with sessions() as s:
        row = await s.get(OutboxMessage, row_id)
    assert row is not None
    return row


async def _claim(
    sessions: async_sessionmaker[AsyncSession],
    now: dt.datetime = T0,
    *,
    limit: int = 10,
    worker: str = "w1",
    skip: frozenset[int] = frozenset(),
) -> list[outbox.Claimed]:
    async with sessions.begin() as s:
        return await outbox.claim_due(s, worker=worker, now=now, limit=limit, skip_priorities=skip)


async def _sending(
    sessions: async_sessionmaker[AsyncSession], now: dt.datetime = T0, *, worker: str = "w1"
) -> list[outbox.Claimed]:
    """Claim the due rows and mark each `sending`, as the sender does just before each call."""
    claimed = await _claim(sessions, now, worker=worker)
    async with sessions.begin() as s:
        for row in claimed:
            assert await outbox.start_sending(s, row.id, worker, now)
    return claimed


async def test_enqueue_is_idempotent_by_key(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as s:
        first = await outbox.enqueue(
            s, chat_id="7", payload={"text": "hoi"}, key="k1", now=T0, ref="q:1"
        )
        assert s.info.get("outbox") is True
    async with sessions.begin() as s:
        second = await outbox.enqueue(
            s, chat_id="8", payload={"text": "anders"}, key="k1", now=T0 + MIN
        )
    assert (first, second) == (True, False)
    async with sessions() as s:
        rows = list(await s.scalars(select(OutboxMessage)))
    assert len(rows) == 1
    row = rows[0]
    # The first write wins untouched.
    assert (row.chat_id, row.payload, row.ref) == ("7", {"text": "hoi"}, "q:1")
    assert (row.status, row.attempts, row.priority) == ("pending", 0, Priority.INTERACTIVE)
    assert row.not_before == T0 and row.created_at == T0
    assert row.not_before.tzinfo is not None


async def test_enqueue_in_same_transaction_twice(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as s:
        assert await outbox.enqueue(s, chat_id="7", payload={}, key="same", now=T0)
        assert not await outbox.enqueue(s, chat_id="7", payload={}, key="same", now=T0)
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(OutboxMessage)) == 1


async def test_enqueue_rolled_back_with_its_transaction(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as s, s.begin():
        assert await outbox.enqueue(s, chat_id="7", payload={}, key="gone", now=T0)
        await s.rollback()
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(OutboxMessage)) == 0


async def test_claim_due_order_future_and_skipped_priorities(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    # Ids deliberately not in time order within a priority.
    late = await _add(sessions, "late", priority=Priority.REMINDER, not_before=T0 - 1 * MIN)
    early = await _add(sessions, "early", priority=Priority.REMINDER, not_before=T0 - 5 * MIN)
    bulk = await _add(sessions, "bulk", priority=Priority.BROADCAST, not_before=T0 - 60 * MIN)
    urgent = await _add(sessions, "urgent", priority=Priority.INTERACTIVE)
    future = await _add(sessions, "future", not_before=T0 + MIN)

    claimed = await _claim(sessions, skip=frozenset({Priority.BROADCAST}))
    assert [c.id for c in claimed] == [urgent, early, late]
    assert all(c.attempts == 0 for c in claimed)  # counted when a call starts
    by_id = {c.id: c for c in claimed}
    assert by_id[early].payload == {"text": "early"}
    assert by_id[early].chat_id == "100" and by_id[early].method == "sendMessage"
    assert by_id[early].priority == Priority.REMINDER

    for row_id in (urgent, early, late):
        row = await _row(sessions, row_id)
        assert (row.status, row.claimed_by, row.claimed_at, row.attempts) == (
            "claimed",
            "w1",
            T0,
            0,
        )
    for row_id in (bulk, future):
        row = await _row(sessions, row_id)
        assert (row.status, row.attempts, row.claimed_by) == ("pending", 0, None)

    # Claimed rows are not claimed again; the skipped lane comes when no longer skipped.
    assert [c.id for c in await _claim(sessions)] == [bulk]
    # The future row becomes due exactly at not_before.
    assert await _claim(sessions, T0 + MIN - dt.timedelta(seconds=1)) == []
    assert [c.id for c in await _claim(sessions, T0 + MIN)] == [future]


async def test_claim_due_limit_takes_the_first_in_order(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    b = await _add(sessions, "b", priority=Priority.BROADCAST, not_before=T0 - 9 * MIN)
    r2 = await _add(sessions, "r2", priority=Priority.REMINDER, not_before=T0 - 1 * MIN)
    r1 = await _add(sessions, "r1", priority=Priority.REMINDER, not_before=T0 - 2 * MIN)
    assert [c.id for c in await _claim(sessions, limit=2)] == [r1, r2]
    assert [c.id for c in await _claim(sessions, limit=2)] == [b]
    assert await _claim(sessions, limit=2) == []


async def test_outcomes_only_touch_sending_rows(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    row_id = await _add(sessions, "a")
    # Pending: nothing happens.
    async with sessions.begin() as s:
        await outbox.mark_sent(s, row_id, 55, T0)
        await outbox.mark_final(s, row_id, "failed", "nope")
        await outbox.mark_retry(s, row_id, T0 + MIN, "later")
    row = await _row(sessions, row_id)
    assert (row.status, row.sent_at, row.last_error, row.not_before) == ("pending", None, None, T0)

    # Claimed but not sending: outcomes do nothing either.
    await _claim(sessions)
    async with sessions.begin() as s:
        await outbox.mark_sent(s, row_id, 55, T0)
    assert (await _row(sessions, row_id)).status == "claimed"
    async with sessions.begin() as s:
        assert not await outbox.start_sending(s, row_id, "someone else", T0)
        assert await outbox.start_sending(s, row_id, "w1", T0)
        assert not await outbox.start_sending(s, row_id, "w1", T0)  # once

    # Sending -> retry: pending again, later, with the error, unclaimed; attempts kept.
    async with sessions.begin() as s:
        await outbox.mark_retry(s, row_id, T0 + 10 * MIN, "x" * 400)
    row = await _row(sessions, row_id)
    assert (row.status, row.not_before, row.claimed_by, row.attempts) == (
        "pending",
        T0 + 10 * MIN,
        None,
        1,
    )
    assert row.last_error == "x" * 300
    assert await _claim(sessions, T0 + 9 * MIN) == []
    [again] = await _sending(sessions, T0 + 10 * MIN)
    assert again.attempts == 1 and again.first_attempt_at == T0
    row = await _row(sessions, row_id)
    assert (row.attempts, row.first_attempt_at) == (2, T0)  # the window counts from the first

    # Sending -> sent.
    async with sessions.begin() as s:
        await outbox.mark_sent(s, row_id, 4242, T0 + 11 * MIN)
    row = await _row(sessions, row_id)
    assert (row.status, row.telegram_message_id, row.sent_at) == ("sent", 4242, T0 + 11 * MIN)

    # Sent is final: neither retry nor final nor sent again change it.
    async with sessions.begin() as s:
        await outbox.mark_retry(s, row_id, T0 + 20 * MIN, "late retry")
        await outbox.mark_final(s, row_id, "failed", "late failure")
        await outbox.mark_sent(s, row_id, 1, T0 + 30 * MIN)
    row = await _row(sessions, row_id)
    assert (row.status, row.telegram_message_id, row.sent_at, row.last_error) == (
        "sent",
        4242,
        T0 + 11 * MIN,
        "x" * 300,
    )


@pytest.mark.parametrize("final", ["failed", "unreachable", "uncertain", "dead"])
async def test_mark_final(sessions: async_sessionmaker[AsyncSession], final: str) -> None:
    row_id = await _add(sessions, "a")
    await _sending(sessions)
    async with sessions.begin() as s:
        await outbox.mark_final(s, row_id, final, "e" * 301)
    row = await _row(sessions, row_id)
    assert (row.status, row.last_error) == (final, "e" * 300)
    assert await _claim(sessions, T0 + 60 * MIN) == []


async def test_drop_pending_for_chat(sessions: async_sessionmaker[AsyncSession]) -> None:
    in_flight = await _add(sessions, "in-flight", chat="1")
    await _claim(sessions)
    p1 = await _add(sessions, "p1", chat="1")
    p2 = await _add(sessions, "p2", chat="1", not_before=T0 + 60 * MIN)
    other = await _add(sessions, "other", chat="2")
    async with sessions.begin() as s:
        assert await outbox.drop_pending_for_chat(s, "1", "blocked") == 2
    statuses = {i: (await _row(sessions, i)).status for i in (in_flight, p1, p2, other)}
    assert statuses == {
        in_flight: "claimed",
        p1: "unreachable",
        p2: "unreachable",
        other: "pending",
    }
    assert (await _row(sessions, p1)).last_error == "blocked"
    async with sessions.begin() as s:
        assert await outbox.drop_pending_for_chat(s, "1", "blocked") == 0


async def test_recover_releases_claims_and_ends_calls_of_stopped_senders(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    lease = outbox.CLAIM_LEASE
    old_claim = await _add(sessions, "old-claim")
    await _claim(sessions, T0, worker="dead")
    old_call = await _add(sessions, "old-call")
    await _sending(sessions, T0, worker="dead")
    later = T0 + lease
    new_claim = await _add(sessions, "new-claim", now=later)
    await _claim(sessions, later, worker="alive")
    new_call = await _add(sessions, "new-call", now=later)
    await _sending(sessions, later, worker="alive")
    pending = await _add(sessions, "pending", now=later)

    async with sessions.begin() as s:
        found = await outbox.recover(s, later + dt.timedelta(seconds=1))
    assert (found.released, found.uncertain) == (1, [old_call])
    rows = {i: await _row(sessions, i) for i in (old_claim, old_call, new_claim, new_call)}
    assert {i: r.status for i, r in rows.items()} == {
        old_claim: "pending",  # never reached Telegram: due again, for anyone
        old_call: "uncertain",  # maybe arrived: never again
        new_claim: "claimed",
        new_call: "sending",
    }
    assert rows[old_claim].claimed_by is None
    # the stopped sender cannot start a call on the row it lost
    async with sessions.begin() as s:
        assert not await outbox.start_sending(s, old_claim, "dead", later)
    claimed = await _claim(sessions, later + dt.timedelta(seconds=2))
    assert sorted(c.id for c in claimed) == sorted([old_claim, pending])


async def test_give_back_returns_only_this_senders_claims(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    a = await _add(sessions, "a")
    b = await _add(sessions, "b")
    await _claim(sessions, worker="w1")
    async with sessions.begin() as s:
        assert await outbox.start_sending(s, a, "w1", T0)
        assert await outbox.give_back(s, [a, b], "w2", T0) == 0
        assert await outbox.give_back(s, [a, b], "w1", T0 + MIN) == 1  # not the one sending
    assert (await _row(sessions, a)).status == "sending"
    row = await _row(sessions, b)
    assert (row.status, row.not_before, row.attempts) == ("pending", T0 + MIN, 0)


def test_the_retry_window_counts_from_the_first_call() -> None:
    assert not outbox.window_over(None, T0)
    assert not outbox.window_over(T0, T0 + outbox.RETRY_WINDOW - MIN)
    assert outbox.window_over(T0, T0 + outbox.RETRY_WINDOW)
    assert outbox.window_over(T0.replace(tzinfo=None), T0 + 2 * outbox.RETRY_WINDOW)


async def test_lost_rows_name_who_is_told(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as s:
        await people.ensure_programme(s, "Oss", "Europe/Amsterdam", T0)
        boss = await people.ensure_telegram_member(
            s, user_id=7, chat_id=7, first_name="Eva", display_name="e", now=T0
        )
        for key, report_to in (
            ("told", boss.person.id),
            ("silent", None),
            ("fine", boss.person.id),
        ):
            await outbox.enqueue(
                s, chat_id="100", payload={"text": key}, key=key, now=T0, report_to=report_to
            )
    told, silent, fine = [
        (await _row_by_key(sessions, key)).id for key in ("told", "silent", "fine")
    ]
    await _sending(sessions)
    async with sessions.begin() as s:
        await outbox.mark_final(s, told, OutboxStatus.DEAD, "down")
        await outbox.mark_final(s, silent, OutboxStatus.FAILED, "no")
        await outbox.mark_sent(s, fine, 1, T0)
        lost = await outbox.lost_to_report(s, [told, silent, fine])
    assert [(item.id, item.status, item.report_to) for item in lost] == [
        (told, OutboxStatus.DEAD, boss.person.id)
    ]


async def _row_by_key(sessions: async_sessionmaker[AsyncSession], key: str) -> OutboxMessage:
    async with sessions() as s:
        row = await s.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))
    assert row is not None
    return row


async def test_stats(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as s:
        empty = await outbox.stats(s, T0)
    assert (empty.pending, empty.oldest_pending_seconds, empty.by_status) == (0, 0.0, {})

    await _add(sessions, "claimed", not_before=T0 - 60 * MIN)
    await _claim(sessions, T0)
    await _add(sessions, "old", not_before=T0 - 90 * MIN)  # after the claim: stays pending
    await _add(sessions, "new", not_before=T0 - 30 * MIN)
    await _add(sessions, "future", not_before=T0 + 30 * MIN)
    async with sessions() as s:
        st = await outbox.stats(s, T0)
    assert st.pending == 3
    assert st.by_status == {"pending": 3, "claimed": 1}
    assert st.oldest_sending_seconds == 0.0
    async with sessions() as s:
        later = await outbox.stats(s, T0 + 5 * MIN)
    assert later.oldest_sending_seconds == 5 * 60  # claimed at T0 and still not done
    # The oldest *due* pending row; the claimed one (older still) does not count.
    assert st.oldest_pending_seconds == 90 * 60

    async with sessions() as s:
        before_all = await outbox.stats(s, T0 - 200 * MIN)
    assert before_all.oldest_pending_seconds == 0.0


@pytest.fixture
async def pg_sessions(pg_engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    await migrate.upgrade(pg_engine)
    yield create_session_factory(pg_engine)


async def test_concurrent_claims_are_disjoint_on_postgres(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    ids = [await _add(pg_sessions, f"m{i}", not_before=T0 - i * MIN) for i in range(5)]

    async with pg_sessions() as first, pg_sessions() as second:
        await first.begin()
        await second.begin()
        a = await outbox.claim_due(first, worker="a", now=T0, limit=2)
        assert len(a) == 2
        # The first transaction is still open and holds its row locks. Without SKIP LOCKED
        # the second claim would block on them (or pick the same rows): give it 5 seconds.
        b = await asyncio.wait_for(outbox.claim_due(second, worker="b", now=T0, limit=10), 5)
        # Nothing committed yet: the second one cannot see the first one's claims.
        assert {c.id for c in a}.isdisjoint({c.id for c in b})
        assert len(b) == 3
        await second.commit()
        await first.commit()

    assert sorted(c.id for c in a + b) == sorted(ids)
    async with pg_sessions() as s:
        rows = {r.id: r for r in await s.scalars(select(OutboxMessage))}
    assert {rows[c.id].claimed_by for c in a} == {"a"}
    assert {rows[c.id].claimed_by for c in b} == {"b"}
    assert all(r.status == "claimed" and r.attempts == 0 for r in rows.values())
    # The oldest rows go to whoever claimed first.
    assert {c.id for c in a} == set(ids[-2:])


async def test_concurrent_claims_without_rows_left_on_postgres(
    pg_sessions: async_sessionmaker[AsyncSession],
) -> None:
    await _add(pg_sessions, "only")
    async with pg_sessions() as first, pg_sessions() as second:
        await first.begin()
        await second.begin()
        assert len(await outbox.claim_due(first, worker="a", now=T0, limit=5)) == 1
        b = await asyncio.wait_for(outbox.claim_due(second, worker="b", now=T0, limit=5), 5)
        assert b == []
        await first.commit()
        await second.commit()


# --- quiet hours (issue 11, point 6): every row for a minor waits until 08:00 ----------------

NIGHT = dt.datetime(2026, 3, 2, 21, 30, tzinfo=dt.UTC)  # Monday 22:30 in Amsterdam (CET)
EIGHT = dt.datetime(2026, 3, 3, 7, 0, tzinfo=dt.UTC)  # Tuesday 08:00 in Amsterdam
MINOR = dt.date(2011, 9, 1)  # 14
ADULT = dt.date(1990, 5, 1)


async def _person(
    sessions: async_sessionmaker[AsyncSession],
    chat: str,
    birth_date: dt.date | None,
    *roles: Role,
    timezone: str = "Europe/Amsterdam",
) -> int:
    """A person with a Telegram chat, a date of birth (or none) and roles."""
    async with sessions.begin() as s:
        programme = await s.scalar(select(Programme).where(Programme.timezone == timezone))
        if programme is None:
            programme = Programme(name=timezone, timezone=timezone, settings={}, created_at=T0)
            s.add(programme)
            await s.flush()
        person = Person(programme_id=programme.id, birth_date=birth_date, created_at=T0)
        s.add(person)
        await s.flush()
        s.add(
            ChannelIdentity(
                person_id=person.id,
                channel="telegram",
                external_id=chat,
                chat_id=chat,
                reachable=True,
                created_at=T0,
            )
        )
        for role in roles:
            s.add(
                RoleGrant(person_id=person.id, programme_id=programme.id, role=role, granted_at=T0)
            )
        return person.id


async def _not_before(sessions: async_sessionmaker[AsyncSession], key: str) -> dt.datetime:
    async with sessions() as s:
        value = await s.scalar(
            select(OutboxMessage.not_before).where(OutboxMessage.idempotency_key == key)
        )
    assert value is not None
    return value


@pytest.mark.parametrize(
    ("birth_date", "roles", "by_chat", "expected"),
    [
        (MINOR, (), False, EIGHT),  # a 14-year-old
        (MINOR, (), True, EIGHT),  # the same, found by chat only
        (ADULT, (), False, NIGHT),  # adults are not delayed
        (ADULT, (), True, NIGHT),
        (None, (), False, EIGHT),  # unknown age counts as a minor
        (None, (Role.CITYTRAINER,), True, EIGHT),
        (None, (Role.COORDINATOR,), True, NIGHT),  # staff without a date of birth: adult
        (None, (Role.SUPERVISOR,), False, NIGHT),
        (None, (Role.COURSE_LEADER,), False, NIGHT),
        (dt.date(2010, 1, 1), (Role.SUPERVISOR,), True, EIGHT),  # a 16-year-old supervisor
    ],
)
async def test_enqueue_at_night_moves_minors_to_eight(
    sessions: async_sessionmaker[AsyncSession],
    birth_date: dt.date | None,
    roles: tuple[Role, ...],
    by_chat: bool,
    expected: dt.datetime,
) -> None:
    person_id = await _person(sessions, "555", birth_date, *roles)
    async with sessions.begin() as s:
        assert await outbox.enqueue(
            s,
            chat_id="555",
            payload={"text": "hoi"},
            key="night",
            now=NIGHT,
            person_id=None if by_chat else person_id,
        )
    assert await _not_before(sessions, "night") == expected


async def test_enqueue_to_an_unknown_chat_at_night_waits_an_e_mail_to_a_parent_does_not(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    minor = await _person(sessions, "1", MINOR)
    async with sessions.begin() as s:
        await outbox.enqueue(s, chat_id="999", payload={}, key="stranger", now=NIGHT)
        # An e-mail goes to a parent (its person is the child it is about) and is read when the
        # parent chooses: not a message to a minor.
        await outbox.enqueue(
            s,
            chat_id="ouder@example.org",
            payload={},
            key="mail",
            now=NIGHT,
            channel="email",
            person_id=minor,
        )
    assert await _not_before(sessions, "stranger") == EIGHT
    assert await _not_before(sessions, "mail") == NIGHT


async def test_enqueue_keeps_a_later_time_and_moves_a_night_time(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    minor = await _person(sessions, "1", MINOR)
    adult = await _person(sessions, "2", ADULT)
    afternoon = EIGHT + dt.timedelta(hours=6)
    late = NIGHT + dt.timedelta(hours=1)  # 23:30
    past = NIGHT - dt.timedelta(hours=2)  # 20:30: asked for, but it is now 22:30
    cases = {
        "minor-afternoon": (minor, afternoon, afternoon),
        "minor-late": (minor, late, EIGHT),
        "minor-past": (minor, past, EIGHT),
        "adult-late": (adult, late, late),
        "adult-past": (adult, past, past),
    }
    async with sessions.begin() as s:
        for key, (person_id, asked, _expected) in cases.items():
            await outbox.enqueue(
                s,
                chat_id=str(person_id),
                payload={},
                key=key,
                now=NIGHT,
                person_id=person_id,
                not_before=asked,
            )
    for key, (_person_id, _asked, expected) in cases.items():
        assert await _not_before(sessions, key) == expected, key
    # By day nothing changes, also for a minor.
    async with sessions.begin() as s:
        await outbox.enqueue(s, chat_id="1", payload={}, key="day", now=T0, person_id=minor)
    assert await _not_before(sessions, "day") == T0


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Saturday 28 March 2026 22:30 CET -> Sunday 08:00 CEST
        (dt.datetime(2026, 3, 28, 21, 30, tzinfo=dt.UTC), dt.datetime(2026, 3, 29, 6, 0)),
        # 03:30 CEST, just after the clocks went forward
        (dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC), dt.datetime(2026, 3, 29, 6, 0)),
        # Saturday 24 October 2026 22:30 CEST -> Sunday 08:00 CET
        (dt.datetime(2026, 10, 24, 20, 30, tzinfo=dt.UTC), dt.datetime(2026, 10, 25, 7, 0)),
        # 02:30 the second time (CET), in the hour that happens twice
        (dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC), dt.datetime(2026, 10, 25, 7, 0)),
    ],
)
async def test_enqueue_on_the_nights_of_a_dst_change(
    sessions: async_sessionmaker[AsyncSession], now: dt.datetime, expected: dt.datetime
) -> None:
    minor = await _person(sessions, "1", MINOR)
    async with sessions.begin() as s:
        await outbox.enqueue(s, chat_id="1", payload={}, key="dst", now=now, person_id=minor)
    assert await _not_before(sessions, "dst") == expected.replace(tzinfo=dt.UTC)


async def test_enqueue_uses_the_programmes_time_zone(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    minor = await _person(sessions, "1", MINOR, timezone="Europe/London")
    # 21:30 UTC is 21:30 in London in March: quiet until 08:00 London (08:00 UTC).
    async with sessions.begin() as s:
        await outbox.enqueue(s, chat_id="1", payload={}, key="uk", now=NIGHT, person_id=minor)
    assert await _not_before(sessions, "uk") == EIGHT + dt.timedelta(hours=1)


async def test_notify_to_person_and_to_coordinators_at_night(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    minor = await _person(sessions, "1", MINOR, Role.CITYTRAINER)
    await _person(sessions, "2", None, Role.COORDINATOR)
    async with sessions() as s:
        programme_id = await s.scalar(select(Programme.id))
    assert programme_id is not None
    payload = notify.message_payload("Kans!")
    async with sessions.begin() as s:
        assert await notify.to_person(s, minor, payload, key="kans", now=NIGHT)
        assert await notify.to_coordinators(s, programme_id, payload, key="cor", now=NIGHT) == 1
    assert await _not_before(sessions, "kans") == EIGHT
    assert await _not_before(sessions, "cor:to:2") == NIGHT


async def test_enqueue_many_applies_the_same_rule(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    minor = await _person(sessions, "1", MINOR)
    adult = await _person(sessions, "2", ADULT)
    rows = [
        outbox.row(chat_id=str(p), payload={}, key=f"many-{p}", now=NIGHT, person_id=p)
        for p in (minor, adult)
    ]
    async with sessions.begin() as s:
        assert await outbox.enqueue_many(s, rows, now=NIGHT) == 2
        assert await outbox.enqueue_many(s, rows, now=NIGHT) == 0
    assert await _not_before(sessions, f"many-{minor}") == EIGHT
    assert await _not_before(sessions, f"many-{adult}") == NIGHT


async def test_claim_holds_a_minors_row_that_skipped_enqueue(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """A row written straight into the table (as `storage.nazorg.queries.enqueue_many` does) is
    still not handed to the sender at night: claiming moves it to 08:00."""
    minor = await _person(sessions, "1", MINOR)
    adult = await _person(sessions, "2", ADULT)
    async with sessions.begin() as s:
        for person_id in (minor, adult):
            values = outbox.row(
                chat_id=str(person_id), payload={}, key=f"raw-{person_id}", now=NIGHT
            )
            await s.execute(insert(OutboxMessage).values(**values))
    claimed = await _claim(sessions, NIGHT)
    assert [c.chat_id for c in claimed] == [str(adult)]
    assert await _not_before(sessions, f"raw-{minor}") == EIGHT
    assert await _claim(sessions, EIGHT - dt.timedelta(seconds=1)) == []
    assert [c.chat_id for c in await _claim(sessions, EIGHT)] == [str(minor)]


async def test_a_retry_that_falls_in_the_night_waits_until_eight(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    minor = await _person(sessions, "1", MINOR)
    evening = dt.datetime(2026, 3, 2, 19, 58, tzinfo=dt.UTC)  # 20:58
    async with sessions.begin() as s:
        await outbox.enqueue(s, chat_id="1", payload={}, key="r", now=evening, person_id=minor)
    [row] = await _sending(sessions, evening)
    async with sessions.begin() as s:  # a 429 with retry_after: due again at 21:01
        await outbox.mark_retry(s, row.id, evening + 3 * MIN, "429")
    assert await _claim(sessions, evening + 3 * MIN) == []
    assert await _not_before(sessions, "r") == EIGHT
    [again] = await _claim(sessions, EIGHT)
    assert again.id == row.id
