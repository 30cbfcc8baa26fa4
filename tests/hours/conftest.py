"""Fixtures of the practice-hours tests: a programme with a coordinator, an organisation with a
supervisor and a placed trainee, and helpers to log hours through the bot."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy import func, select

from bot.kit.clock import ManualClock
from domain.hours.places import OrganisationKind, PlacementTrack
from domain.hours.practice import LogStatus
from domain.roles import Role
from simulator.client import BotMessage, EmulatorClient, TestUser
from storage import people
from storage.hours import queries as hours
from storage.hours.models import Organisation, PracticeHours
from storage.models import ChannelIdentity
from tests.conftest import BotHarness
from tests.e2e.helpers import eventually


@dataclass
class World:
    harness: BotHarness
    emu: EmulatorClient
    clock: ManualClock
    cor: TestUser
    ans: TestUser  # supervisor
    sam: TestUser  # trainee
    org_id: int = 0

    @staticmethod
    async def expect(user: TestUser, needle: str) -> BotMessage:
        """The next bot message containing `needle` (other features may write in between)."""
        for _ in range(8):
            msg = await user.expect_message()
            if needle in (msg.text or ""):
                return msg
        raise AssertionError(f"no message with {needle!r}")

    async def buttons(self, user: TestUser, payloads: list[str]) -> BotMessage:
        """A message of the bot with a button "knop <n>" per callback data payload, as if sent
        by an older version of the bot (or made up by a modified client)."""
        rows = [
            [InlineKeyboardButton(text=f"knop {n}", callback_data=data)]
            for n, data in enumerate(payloads)
        ]
        await self.harness.app.bot.send_message(
            user.id, "Oude knoppen", reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
        )
        return await self.expect(user, "Oude knoppen")

    async def person_id(self, user: TestUser) -> int:
        async def probe() -> int | None:
            async with self.harness.app.sessions() as session:
                return await session.scalar(
                    select(ChannelIdentity.person_id).where(
                        ChannelIdentity.external_id == str(user.id)
                    )
                )

        return int(await eventually(probe, lambda found: found is not None))  # type: ignore[arg-type]

    async def make_supervisor(self, user: TestUser) -> None:
        await user.send("/start")
        await user.expect_message()
        pid = await self.person_id(user)
        async with self.harness.app.sessions.begin() as session:
            prog = await people.default_programme(session)
            assert prog is not None
            await people.grant_role(
                session,
                pid,
                prog.id,
                Role.SUPERVISOR,
                self.clock.now(),
                organisation_id=self.org_id,
            )

    async def log_hours(
        self, amount: str, day: str = "Vandaag", what: str = "Geholpen bij de training"
    ) -> BotMessage:
        """Log hours through /uren; returns the confirmation the trainee got."""
        await self.sam.send("/uren")
        overview = await self.sam.expect_message()
        await self.sam.tap(overview, "Uren invullen")
        ask_day = await self.sam.expect_message()
        assert "Op welke dag?" in (ask_day.text or "")
        await self.sam.tap(ask_day, day)
        assert "Hoeveel uur" in ((await self.sam.expect_message()).text or "")
        await self.sam.send(amount)
        assert "Wat heb je gedaan?" in ((await self.sam.expect_message()).text or "")
        await self.sam.send(what)
        summary = await self.sam.expect_message()
        before = await self._max_id()
        await self.sam.tap(summary, "Opslaan")
        saved = await self.sam.expect_message()
        assert "wacht op bevestiging" in (saved.text or "")
        await eventually(self._max_id, lambda latest: latest > before)
        return saved

    async def _max_id(self) -> int:
        async with self.harness.app.sessions() as session:
            latest = await session.scalar(select(func.max(PracticeHours.id)))
            return int(latest or 0)

    async def last_log(self) -> PracticeHours:
        async with self.harness.app.sessions() as session:
            found = await session.scalar(select(PracticeHours).order_by(PracticeHours.id.desc()))
            assert found is not None
            return found

    async def log_status(self, log_id: int, expected: LogStatus | str) -> PracticeHours:
        """Wait until the log has this status (a `LogStatus`; other features' tests pass its
        value)."""

        async def probe() -> PracticeHours | None:
            async with self.harness.app.sessions() as session:
                return await session.get(PracticeHours, log_id)

        found = await eventually(probe, lambda e: e is not None and e.status == expected)
        assert found is not None
        return found


@pytest.fixture
async def world(harness: BotHarness, emu: EmulatorClient, manual_clock: ManualClock) -> World:
    # people type slower than these tests: lift the emulator's per-chat flood limit
    await emu.set_limits(
        global_per_second=10_000, per_chat_burst=10_000, per_chat_refill_per_second=10_000
    )
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id], clock=manual_clock)
    ans = await emu.create_user("Ans")
    sam = await emu.create_user("Sam")
    w = World(harness, emu, manual_clock, cor, ans, sam)
    for user in (cor, sam):
        await user.send("/start")
        await user.expect_message()
    sam_id = await w.person_id(sam)
    async with harness.app.sessions.begin() as session:
        prog = await people.default_programme(session)
        assert prog is not None
        org = await hours.add_organisation(
            session,
            prog.id,
            name="Voetbalclub Rosmalen",
            kind=OrganisationKind.SPORT,
            neighbourhood=None,
            contact=None,
            now=manual_clock.now(),
        )
        w.org_id = org.id
        await people.grant_role(session, sam_id, prog.id, Role.PARTICIPANT, manual_clock.now())
    await w.make_supervisor(ans)
    ans_id = await w.person_id(ans)
    async with harness.app.sessions.begin() as session:
        org2 = await session.get(Organisation, w.org_id)
        assert org2 is not None
        await hours.add_placement(
            session,
            programme_id=org2.programme_id,
            person_id=sam_id,
            organisation_id=org2.id,
            supervisor_id=ans_id,
            track=PlacementTrack.SPORT,
            motivation=None,
            created_by=None,
            now=manual_clock.now(),
        )
    return w


@pytest.fixture
def now() -> dt.datetime:
    return dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
