"""Several machines (issue 12): three replicas of the bot on one PostgreSQL and one Redis, the
emulator delivering webhooks through a round-robin load balancer.

- one person's conversation (the signup) hops between the replicas and completes; its state is
  in Redis, not in the database;
- a broadcast drained by three senders sends each message once;
- a replica killed (SIGKILL) in the middle of a call loses nothing: the batch it had claimed is
  sent by the others after OUTBOX_LEASE_SECONDS, the row it was sending becomes `uncertain`
  (never resent): at most one per killed replica;
- sweeps run on every replica at once (every second here), and each reminder goes out once;
  PostgreSQL advisory locks let only one replica run a given sweep at a time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app import outbox_sender
from bot.app.i18n import build_i18n
from bot.app.scheduler import Sweeper
from bot.kit.clock import SystemClock
from bot.kit.sweep import Sweep
from simulator.client import EmulatorClient, TestUser
from simulator.server import TelegramEmulator
from storage import outbox
from storage.course.models import Cohort, CourseSession
from storage.db import create_engine, create_session_factory
from storage.models import (
    ChannelIdentity,
    FsmRecord,
    OutboxMessage,
    OutboxStatus,
    Person,
    Programme,
)
from storage.signup.models import Enrolment
from tests.conftest import TOKEN
from tests.e2e.helpers import eventually
from tests.e2e.replica_helpers import (
    ApiTap,
    Replica,
    RoundRobin,
    fresh_database,
    own_redis_database,
)
from tests.e2e.test_process import bot_env, free_port
from tests.services import postgres_schema_engine
from tests.signup.signup_helpers import answer, fast, tap

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

REPLICAS = 3
PROGRAMME = "'s-Hertogenbosch"  # PROGRAMME_NAME's default
TIMEZONE = "Europe/Amsterdam"
RECIPIENTS = 150  # three batches of 50: each sender claims one
HUNG = 4  # the fifth recipient's message hangs in the emulator until its sender is killed
LEASE_SECONDS = 2
CLASHES = (
    "IntegrityError",
    "UniqueViolation",
    "StaleDataError",
    "DeadlockDetected",
    "SerializationFailure",
    "could not serialize",
)
"""What two replicas doing the same work at the same moment would log."""
BROADCAST = "Nieuwe kans: voetbaltoernooi in De Hambaken. Doe je mee?"


@dataclass
class Cluster:
    emulator: TelegramEmulator
    emu: EmulatorClient
    coordinator: TestUser
    database_url: str
    redis_url: str
    balancer: RoundRobin
    taps: list[ApiTap]
    replicas: list[Replica]
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    started: float  # time.monotonic() when the fixture began


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[Cluster]:
    started = time.monotonic()
    async with fresh_database() as database_url, own_redis_database() as redis_url:
        emulator = TelegramEmulator(default_token=TOKEN)
        await emulator.start(host="127.0.0.1", port=0)
        emu = EmulatorClient(emulator.base_url)
        await fast(emu)
        await emu.set_limits(global_per_second=1000)  # three senders at once
        ports = [free_port() for _ in range(REPLICAS)]
        balancer = await RoundRobin([f"http://127.0.0.1:{port}" for port in ports]).start()
        taps = [await ApiTap(emulator.base_url).start() for _ in range(REPLICAS)]
        engine = create_engine(database_url)
        replicas: list[Replica] = []
        try:
            cor = await emu.create_user("Cor")
            secret = secrets.token_urlsafe(24)
            for index, port in enumerate(ports):
                env = bot_env(
                    tmp_path,
                    TELEGRAM_BOT_TOKEN=TOKEN,
                    TELEGRAM_API_BASE=taps[index].url,
                    WEBHOOK_URL=balancer.url + "/telegram/webhook",
                    WEBHOOK_SECRET=secret,
                    DATABASE_URL=database_url,
                    REDIS_URL=redis_url,
                    WEB_PORT=str(port),
                    ADMIN_TELEGRAM_IDS=str(cor.id),
                    OUTBOX_LEASE_SECONDS=str(LEASE_SECONDS),
                    OUTBOX_POLL_SECONDS="0.2",
                    OUTBOX_RATE_PER_SECOND="10",
                    SWEEP_SECONDS="1",
                )
                replicas.append(Replica(index, env, tmp_path))
            # Nothing made beforehand: three replicas at the same moment on an empty database
            # migrate and create the programme and the coordinator one after the other (the
            # advisory locks in storage.migrate and bootstrap), as after `docker compose up`.
            sessions = create_session_factory(engine)
            await asyncio.gather(*(replica.start() for replica in replicas))
            await asyncio.gather(*(replica.wait_ready() for replica in replicas))
            yield Cluster(
                emulator,
                emu,
                cor,
                database_url,
                redis_url,
                balancer,
                taps,
                replicas,
                engine,
                sessions,
                started,
            )
        finally:
            codes = await asyncio.gather(*(replica.stop() for replica in replicas))
            await engine.dispose()
            await balancer.close()
            for api_tap in taps:
                await api_tap.close()
            await emu.close()
            await emulator.stop()
        for replica, code in zip(replicas, codes, strict=True):
            assert code in (0, -9), f"replica {replica.index} ended with {code}"


# --- what the test puts in the database --------------------------------------------------------


async def programme_id(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        found = await session.scalar(select(Programme.id).order_by(Programme.id).limit(1))
        assert found is not None
        return found


async def adults(
    sessions: async_sessionmaker[AsyncSession], users: list[TestUser], programme: int
) -> dict[int, int]:
    """People of 30+ with these Telegram chats (quiet hours do not hold their messages back);
    returns person id by Telegram id."""
    now = dt.datetime.now(dt.UTC)
    ids = {}
    async with sessions.begin() as session:
        for user in users:
            person = Person(
                programme_id=programme,
                first_name=user.first_name,
                birth_date=dt.date(1990, 1, 1),
                created_at=now,
            )
            session.add(person)
            await session.flush()
            session.add(
                ChannelIdentity(
                    person_id=person.id,
                    channel="telegram",
                    external_id=str(user.id),
                    chat_id=str(user.id),
                    reachable=True,
                    created_at=now,
                )
            )
            ids[user.id] = person.id
    return ids


async def session_in_90_minutes(
    sessions: async_sessionmaker[AsyncSession], programme: int, participant: int
) -> None:
    """A course session that starts in 90 minutes with one placed participant: the reminder
    "2 hours before" is due now, on every replica's sweep."""
    now = dt.datetime.now(dt.UTC)
    async with sessions.begin() as session:
        cohort = Cohort(
            programme_id=programme,
            name="Groep Noord",
            track="sport",
            capacity=15,
            location="Buurthuis De Boog",
            created_at=now,
        )
        session.add(cohort)
        await session.flush()
        session.add(
            CourseSession(
                programme_id=programme,
                cohort_id=cohort.id,
                kind="meeting",
                seq=1,
                starts_at=now + dt.timedelta(minutes=90),
                duration_minutes=120,
                location="Buurthuis De Boog",
            )
        )
        session.add(
            Enrolment(
                programme_id=programme,
                cohort_id=cohort.id,
                person_id=participant,
                status="placed",
                track="sport",
                created_at=now,
            )
        )


async def broadcast(
    sessions: async_sessionmaker[AsyncSession], people: dict[int, int], programme: int
) -> str:
    """One broadcast message to each of these people, as one transaction; returns its key."""
    now = dt.datetime.now(dt.UTC)
    tag = secrets.token_hex(4)
    rows = [
        outbox.row(
            chat_id=str(telegram_id),
            payload={"text": BROADCAST},
            key=f"test-broadcast:{tag}:{telegram_id}",
            now=now,
            priority=outbox.Priority.BROADCAST,
            person_id=person_id,
            programme_id=programme,
        )
        for telegram_id, person_id in people.items()
    ]
    async with sessions.begin() as session:
        assert await outbox.enqueue_many(session, rows, now=now) == len(rows)
    return f"test-broadcast:{tag}:"


async def statuses(sessions: async_sessionmaker[AsyncSession], prefix: str) -> Counter[str]:
    async with sessions() as session:
        rows = await session.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.idempotency_key.startswith(prefix))
            .group_by(OutboxMessage.status)
        )
        return Counter({str(status): int(n) for status, n in rows.all()})


def seventeen_today() -> str:
    """A birth date of someone who is 17 (and some weeks) today."""
    today = dt.date.today()
    return (today.replace(year=today.year - 17) - dt.timedelta(days=40)).strftime("%d-%m-%Y")


# --- the test ----------------------------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.timeout(240)  # about 40-60 s; more only on a machine under heavy load
async def test_three_replicas_share_the_work_and_lose_nothing_when_one_is_killed(
    cluster: Cluster,
) -> None:
    started = time.monotonic()
    emu, lb, taps, replicas = cluster.emu, cluster.balancer, cluster.taps, cluster.replicas
    sessions = cluster.sessions
    webhook = await emu.webhook()
    assert webhook["url"] == lb.url + "/telegram/webhook"  # set once, by whichever came first
    assert len(await emu.calls(method="setWebhook")) <= REPLICAS
    programme = await programme_id(sessions)

    # Sweeps: a reminder is due; three replicas sweep every second, it goes out once.
    pieter = await emu.create_user("Pieter")
    people = await adults(sessions, [pieter], programme)
    await session_in_90_minutes(sessions, programme, people[pieter.id])
    reminder = await pieter.expect_message(timeout=10)
    assert "Buurthuis De Boog" in (reminder.text or "")

    # A conversation that hops: the first half of the signup, round robin over all three.
    sara = await emu.create_user("Sara")
    intro = await answer(sara, "/aanmelden", "Aanmelden voor Citytrainers")
    q = await tap(sara, intro, "Beginnen", "Vraag 1 van")
    q = await answer(sara, "Sara", "achternaam")
    q = await tap(sara, q, "Overslaan", "geboortedatum")
    q = await answer(sara, seventeen_today(), "Nederlands")
    q = await tap(sara, q, "Ja", "richting")
    assert sorted(set(lb.replicas_of(sara.id))) == [0, 1, 2]
    # Her answers so far are in Redis, not in the database.
    redis = Redis.from_url(cluster.redis_url)
    try:
        assert await redis.keys(f"fsm:{sara.id}:*")
    finally:
        await redis.aclose()
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(FsmRecord)) == 0

    # A broadcast to 150 people; the fifth message hangs in the "network" until its sender dies.
    members = [await emu.create_user(f"Lid {n}") for n in range(RECIPIENTS)]
    hung = members[HUNG]
    await emu.inject_fault("sendMessage", 1, "timeout", hang_seconds=60, chat_id=hung.id)
    recipients = await adults(sessions, members, programme)
    prefix = await broadcast(sessions, recipients, programme)

    async def hanging_at() -> list[int]:  # the replica whose call to that chat hangs
        return [i for i, api in enumerate(taps) if api.sending[str(hung.id)] > 0]

    [victim] = await eventually(hanging_at, lambda found: len(found) == 1, within=15)
    # the row is committed as `sending` before its call
    async with sessions() as session:
        row = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == f"{prefix}{hung.id}")
        )
        assert row is not None and row.status == OutboxStatus.SENDING

    # no update of anyone is in the middle of being handled there: then the machine goes away
    async def idle() -> int:
        return lb.in_flight[victim]

    await eventually(idle, lambda n: n == 0, within=10)
    sent_before_kill = len([c for c in taps[victim].delivered if int(c) in recipients])
    replicas[victim].kill()
    killed_at = time.monotonic()
    survivors = [i for i in range(REPLICAS) if i != victim]

    # The conversation goes on on the other two and completes.
    handled_before = len(lb.replicas_of(sara.id))
    q = await tap(sara, q, "Ik train mijn stad (sport)", "organiseren")
    q = await answer(sara, "Een voetbaltoernooi in mijn straat", "postcode")
    q = await answer(sara, "5211ab", "meisje")
    q = await tap(sara, q, "Meisje / vrouw", "school")
    q = await tap(sara, q, "havo / vwo", "gehoord")
    q = await tap(sara, q, "Op school", "contact")
    q = await tap(sara, q, "Hier in de chat", "privacyverklaring")
    summary = await tap(sara, q, "Ik ga akkoord", "Klopt alles?")
    # everything she answered on three machines is in the summary
    text = summary.text or ""
    assert "Sara" in text and "5211 AB" in text and seventeen_today() in text
    await tap(sara, summary, "Klopt, versturen", "aanmelding is verstuurd")
    after_kill = lb.replicas_of(sara.id)[handled_before:]
    assert sorted(set(after_kill)) == survivors

    # The coordinator hears of it (through the outbox of one of the two).
    coordinator = cluster.coordinator.id

    async def coordinator_told() -> bool:
        calls = await emu.calls(method="sendMessage")
        return any(
            c["ok"]
            and c["params"].get("chat_id") == str(coordinator)
            and "Nieuwe aanmelding" in c["params"].get("text", "")
            for c in calls
        )

    await eventually(coordinator_told, bool, within=15)

    # The broadcast drains: the rows the killed sender had claimed are due again after the
    # lease and the next recovery pass of a survivor; its row in the call is `uncertain`.
    within = outbox_sender.RECOVER_EVERY_SECONDS + LEASE_SECONDS + 20

    async def final() -> Counter[str]:
        return await statuses(sessions, prefix)

    done = await eventually(
        final,
        lambda c: c[OutboxStatus.SENT] + c[OutboxStatus.UNCERTAIN] == RECIPIENTS,
        within=within,
    )
    drained_at = time.monotonic()

    calls = await emu.calls(method="sendMessage")
    delivered = Counter(
        c["params"]["chat_id"] for c in calls if c["ok"] and c["params"].get("text") == BROADCAST
    )
    duplicates = sum(n - 1 for n in delivered.values() if n > 1)
    by_replica = [len([c for c in api.delivered if int(c) in recipients]) for api in taps]
    report = (
        f"broadcast {RECIPIENTS}: sent {done[OutboxStatus.SENT]}, uncertain "
        f"{done[OutboxStatus.UNCERTAIN]}, duplicates {duplicates}; by replica {by_replica} "
        f"(killed: {victim}, it had sent {sent_before_kill}); drained {drained_at - killed_at:.1f}"
        f" s after the kill; Sara's updates by replica {lb.replicas_of(sara.id)}"
    )
    print(report)
    assert duplicates == 0, report
    assert done[OutboxStatus.SENT] + done[OutboxStatus.UNCERTAIN] == RECIPIENTS, report
    assert done[OutboxStatus.UNCERTAIN] <= 1, report  # at most one per killed replica
    assert done[OutboxStatus.UNCERTAIN] == 1, report  # here: exactly the one that hung
    assert str(hung.id) not in delivered  # it never arrived, and it was not sent again
    assert len(delivered) == done[OutboxStatus.SENT] == RECIPIENTS - 1, report
    assert all(n > 0 for n in by_replica), report  # three senders drained it
    assert by_replica[victim] == sent_before_kill  # the dead one sent nothing more
    assert sum(by_replica) == RECIPIENTS - 1
    survivor_logs = "".join(line for i in survivors for line in replicas[i].lines)
    assert "were mid-call when their sender stopped" in survivor_logs
    assert "claimed rows of a stopped sender are due again" in survivor_logs

    # The reminder went out once, whichever replicas swept at the same moment.
    reminders = [c for c in calls if c["ok"] and c["params"].get("chat_id") == str(pieter.id)]
    assert len(reminders) == 1
    async with sessions() as session:
        rows = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.chat_id == str(pieter.id))
        )
        assert rows == 1
    # no replica ran into another: no conflict, lost update, deadlock or stale row anywhere
    for replica in replicas:
        clashes = [line for line in replica.lines if any(c in line for c in CLASHES)]
        assert clashes == [], f"replica {replica.index}:\n" + "".join(clashes)
    # each update was answered by one replica, once
    update_ids = [update_id for update_id, _, _ in lb.handled]
    assert len(update_ids) == len(set(update_ids))
    print(
        f"wall time {time.monotonic() - cluster.started:.1f} s, of which "
        f"{started - cluster.started:.1f} s to start the replicas"
    )


async def test_one_replica_at_a_time_runs_a_sweep() -> None:
    """The advisory lock in Sweeper.run_all: while one replica runs a sweep, the others skip
    it; once it has committed, the next run is free again."""
    async for engine in postgres_schema_engine():
        await _one_at_a_time(engine)


async def _one_at_a_time(engine: AsyncEngine) -> None:
    sessions = create_session_factory(engine)
    name = f"busy-{uuid.uuid4().hex}"  # advisory locks are per database: not another run's
    entered: list[int] = []
    release = asyncio.Event()

    def sweeper(replica: int) -> Sweeper:
        async def busy(session: AsyncSession, now: dt.datetime) -> None:
            await session.execute(text("SELECT 1"))
            entered.append(replica)
            if replica == 0:
                await release.wait()

        return Sweeper(sessions, SystemClock(), build_i18n(), [Sweep(name, busy)])

    first = asyncio.create_task(sweeper(0).run_all())

    async def inside() -> list[int]:
        return entered

    await eventually(inside, lambda e: e == [0])
    # the same sweep on two other replicas at the same moment: skipped, not waiting
    async with asyncio.timeout(5):
        await asyncio.gather(sweeper(1).run_all(), sweeper(2).run_all())
    assert entered == [0]
    release.set()
    await first
    await sweeper(2).run_all()  # the lock went with the first transaction
    assert entered == [0, 2]
