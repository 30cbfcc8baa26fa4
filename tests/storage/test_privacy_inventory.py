"""The inventory of personal data (storage/privacy.py) covers the whole schema, and what works
from it: retention (sent messages, conversation state), erasing, engines that keep parameters
out of errors. Storage tests run on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextvars import ContextVar

import pytest
from aiogram.fsm.storage.base import StorageKey
from pydantic import SecretStr
from sqlalchemy import Column, MetaData, String, Table, Text, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app.factory import build_app
from bot.app.sweeps import foundation_sweeps
from bot.features.signup.handlers.privacy import SECTIONS, SHOWN_IN_FULL
from bot.kit.config import Settings
from bot.kit.metrics import Metrics
from storage import db, migrate, privacy
from storage.db import create_session_factory
from storage.fsm import DbStorage
from storage.models import (
    ChannelIdentity,
    FsmRecord,
    OutboxMessage,
    OutboxStatus,
    Person,
    Programme,
)
from storage.schema import Base
from storage.signup import privacy as signup_privacy
from storage.signup.models import Consent, ConsentToken, Signup
from tests.services import redis_url

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


# --- the inventory itself ------------------------------------------------------------------


def test_the_inventory_classifies_every_table_and_text_column() -> None:
    assert privacy.problems() == []
    assert set(privacy.BY_TABLE) == set(Base.metadata.tables)


def test_a_new_table_or_text_column_that_nobody_classified_is_caught() -> None:
    schema = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(schema)
    Table("pet", schema, Column("id", String, primary_key=True), Column("name", String(40)))
    schema.tables["signup"].append_column(Column("allergies", Text))
    found = privacy.problems(schema)
    assert any(p.startswith("table pet: not in the inventory") for p in found), found
    assert "signup.allergies: a text column nobody classified" in found


def test_every_counted_section_of_mijngegevens_has_a_dutch_name() -> None:
    sections = {e.section for e in privacy.INVENTORY if e.section is not None}
    assert sections - SHOWN_IN_FULL <= set(SECTIONS), sections - SHOWN_IN_FULL - set(SECTIONS)


def test_the_retention_sweep_is_one_of_the_runtimes_sweeps() -> None:
    assert "privacy_retention" in {s.name for s in foundation_sweeps(Metrics())}


# --- retention ------------------------------------------------------------------------------


@pytest.fixture
async def sessions(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    await migrate.upgrade(engine)
    yield create_session_factory(engine)


async def _message(
    session: AsyncSession,
    key: str,
    *,
    at: dt.datetime,
    status: OutboxStatus,
    chat: str = "7",
    text: str | None = None,
    channel: str = "telegram",
    ref: str | None = None,
) -> None:
    session.add(
        OutboxMessage(
            channel=channel,
            ref=ref,
            chat_id=chat,
            method="sendMessage",
            payload={"text": text or key},
            priority=0,
            idempotency_key=key,
            status=status,
            attempts=0,
            not_before=at,
            created_at=at,
            sent_at=at if status == OutboxStatus.SENT else None,
        )
    )
    await session.flush()


async def test_sent_messages_and_old_conversations_are_purged(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    now = T0 + 100 * DAY
    keep = privacy.OUTBOX_KEEP_DAYS
    async with sessions.begin() as s:
        await _message(s, "old-sent", at=now - (keep + 1) * DAY, status=OutboxStatus.SENT)
        await _message(s, "old-failed", at=now - (keep + 1) * DAY, status=OutboxStatus.FAILED)
        await _message(s, "recent-sent", at=now - (keep - 1) * DAY, status=OutboxStatus.SENT)
        await _message(s, "old-pending", at=now - (keep + 9) * DAY, status=OutboxStatus.PENDING)
        for key, age in (("fsm:1:1:default", 8 * DAY), ("fsm:2:2:default", 6 * DAY)):
            s.add(FsmRecord(key=key, state="Flow:step", data={"name": "Zyx"}, updated_at=now - age))
    for sweep in foundation_sweeps(Metrics()):
        async with sessions.begin() as s:
            await sweep.func(s, now)
    async with sessions() as s:
        keys = set(await s.scalars(select(OutboxMessage.idempotency_key)))
        fsm = set(await s.scalars(select(FsmRecord.key)))
    assert keys == {"recent-sent", "old-pending"}
    assert fsm == {"fsm:2:2:default"}


async def test_conversation_state_older_than_its_lifetime_reads_as_empty(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = [T0]
    current: ContextVar[AsyncSession | None] = ContextVar("current", default=None)
    storage = DbStorage(sessions, current, lambda: clock[0])
    key = StorageKey(bot_id=1, chat_id=5, user_id=5)
    await storage.set_state(key, "Signup:asking")
    await storage.set_data(key, {"answers": {"first_name": "Zyxqwv"}})
    clock[0] = T0 + privacy.CONVERSATION_LIFETIME - dt.timedelta(minutes=1)
    assert await storage.get_state(key) == "Signup:asking"
    clock[0] = T0 + privacy.CONVERSATION_LIFETIME + dt.timedelta(minutes=1)
    assert await storage.get_state(key) is None
    assert await storage.get_data(key) == {}
    await storage.set_state(key, "Question:typing")  # a new conversation keeps nothing old
    assert await storage.get_data(key) == {}
    async with sessions() as s:
        record = await s.scalar(select(FsmRecord))
    assert record is not None and record.data == {} and record.state == "Question:typing"


async def test_a_signup_past_its_retention_loses_the_parents_details_too(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as s:
        programme = Programme(name="Den Bosch", created_at=T0)
        s.add(programme)
        await s.flush()
        person = Person(programme_id=programme.id, first_name="Zyxqwv", created_at=T0)
        s.add(person)
        await s.flush()
        signup = Signup(
            programme_id=programme.id,
            person_id=person.id,
            status="declined",
            track="sport",
            age_at_signup=15,
            motivation="Qmotivatiex",
            gender="female",
            needs_consent=True,
            parent_name="Qouderx",
            parent_contact="06 99887766",
            privacy_version="1",
            privacy_accepted_at=T0,
            created_at=T0,
        )
        s.add(signup)
        await s.flush()
        s.add(
            Consent(
                programme_id=programme.id,
                person_id=person.id,
                kind="parental",
                version="1",
                given_by="Qouderx",
                method="telegram",
                given_at=T0,
                signup_id=signup.id,
            )
        )
        s.add(
            ConsentToken(
                signup_id=signup.id, token_hash="a" * 64, created_at=T0, expires_at=T0 + DAY
            )
        )
        person_id = person.id
    async with sessions.begin() as s:
        await signup_privacy.anonymise_signups(s, person_id, T0 + 400 * DAY)
    async with sessions() as s:
        stored = await s.scalar(select(Signup))
        consent = await s.scalar(select(Consent))
        tokens = await s.scalar(select(func.count()).select_from(ConsentToken))
    assert stored is not None and consent is not None
    assert stored.motivation is None and stored.parent_name is None
    assert stored.parent_contact is None and stored.anonymised_at is not None
    assert stored.gender == "female" and stored.track == "sport"  # the figures
    assert consent.given_by is None and tokens == 0


async def test_erasing_a_person_erases_the_messages_to_and_about_them(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions.begin() as s:
        programme = Programme(name="Den Bosch", created_at=T0)
        s.add(programme)
        await s.flush()
        wil = Person(programme_id=programme.id, first_name="Wil", last_name="Qzyx", created_at=T0)
        s.add(wil)
        await s.flush()
        s.add(
            ChannelIdentity(
                person_id=wil.id,
                channel="telegram",
                external_id="4242",
                chat_id="4242",
                created_at=T0,
            )
        )
        s.add(FsmRecord(key="fsm:4242:4242:default", state="X:y", data={}, updated_at=T0))
        signup = Signup(
            programme_id=programme.id,
            person_id=wil.id,
            status="awaiting_consent",
            track="sport",
            age_at_signup=15,
            motivation="Qmotivatiex",
            needs_consent=True,
            parent_name="Qouderx",
            parent_contact="ouder@example.nl",
            privacy_version="1",
            privacy_accepted_at=T0,
            created_at=T0,
        )
        s.add(signup)
        await s.flush()
        wil_id = wil.id
        sent = OutboxStatus.SENT
        await _message(s, "to-wil-sent", at=T0, status=sent, chat="4242")
        await _message(s, "to-wil-pending", at=T0, status=OutboxStatus.PENDING, chat="4242")
        await _message(s, "about-sent", at=T0, status=sent, chat="1", text="Nieuw: <b>Wil Qzyx</b>")
        await _message(
            s,
            "about-pending",
            at=T0,
            status=OutboxStatus.PENDING,
            chat="1",
            text="Vraag van Wil Qzyx: hoe laat?",
        )
        await _message(
            s, "other-pending", at=T0, status=OutboxStatus.PENDING, chat="1", text="Wil je komen?"
        )
        await _message(  # the e-mail to the parent
            s,
            f"signup:{signup.id}:mail",
            at=T0,
            status=sent,
            chat="ouder@example.nl",
            channel="email",
            text="Geeft u toestemming?",
        )
        await _message(  # a coordinator's card of the signup, without the name
            s,
            "card",
            at=T0,
            status=OutboxStatus.PENDING,
            chat="1",
            text="Aanmelding #1: toestemming gegeven",
            ref=f"signup:{signup.id}",
        )
    async with sessions.begin() as s:
        await privacy.erase_person(s, wil_id, T0 + DAY)
    async with sessions() as s:
        rows = {r.id: r for r in await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))}
        person = await s.get(Person, wil_id)
        left = await s.scalar(select(func.count()).select_from(ChannelIdentity))
        fsm = await s.scalar(select(func.count()).select_from(FsmRecord))
    by_text = {str(r.payload.get("text")): r for r in rows.values()}
    assert person is not None and person.first_name is None and person.anonymised_at is not None
    assert left == 0 and fsm == 0
    to_wil = [r for r in rows.values() if r.channel == "telegram" and r.chat_id == ""]
    assert len(to_wil) == 2
    assert all(r.payload == {} and r.idempotency_key.startswith("erased:") for r in to_wil)
    assert {r.status for r in to_wil} == {OutboxStatus.SENT, OutboxStatus.CANCELLED}
    assert "Vraag van …: hoe laat?" in by_text  # waiting: goes without the name
    assert "Wil je komen?" in by_text  # a short first name alone is not replaced there
    assert not any("Qzyx" in str(r.payload) for r in rows.values())
    assert not any("ouder@example.nl" in (r.chat_id + str(r.payload)) for r in rows.values())
    [card] = [r for r in rows.values() if r.ref is not None]
    assert card.payload == {} and card.status == OutboxStatus.CANCELLED  # about the signup


async def test_conversation_state_in_redis_expires(tmp_path: object) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        telegram_bot_token=SecretStr("123456:AAtesttokenforredisttl"),
        database_url=f"sqlite+aiosqlite:///{tmp_path}/r.db",
        redis_url=await redis_url(),
    )
    app = build_app(settings, [])
    try:
        key = StorageKey(bot_id=1, chat_id=5, user_id=5)
        await app.dispatcher.storage.set_state(key, "Signup:asking")
        await app.dispatcher.storage.set_data(key, {"answers": {"first_name": "Zyxqwv"}})
        assert app.redis is not None
        keys = [k async for k in app.redis.scan_iter("fsm:*")]
        assert len(keys) == 2
        lifetime = privacy.CONVERSATION_LIFETIME.total_seconds()
        for redis_key in keys:
            assert lifetime - 60 < await app.redis.ttl(redis_key) <= lifetime
    finally:
        await app.close()


# --- logs -----------------------------------------------------------------------------------


async def test_engines_keep_the_values_of_a_failed_statement_out_of_errors(
    tmp_path: object,
) -> None:
    engine = db.create_engine(f"sqlite+aiosqlite:///{tmp_path}/p.db")
    try:
        assert engine.sync_engine.hide_parameters
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (name VARCHAR(20) UNIQUE)"))
            await conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": "Zyxqwv Geheim"})
        with pytest.raises(IntegrityError) as failed:
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": "Zyxqwv Geheim"})
        assert "Zyxqwv" not in str(failed.value)
    finally:
        await engine.dispose()
