"""Issue 11, point 4: nobody acts on, or sees, another programme's objects.

Two municipalities: programme A ('s-Hertogenbosch, the first programme, with its own
coordinator Corrie) is the victim; programme B (Oss) is where the attacker comes from. The
attacker taps buttons with A's ids (`XCb(...).pack()`, as a modified client or a button kept
from long ago would) and types commands with A's ids. Set-ups (`Kind`):

- `COORDINATOR_B`: a proper coordinator of B (a person of B, coordinator grant in B);
- `LEGACY_IN_A`: legacy data, a person of A whose only coordinator grant is in B (the row is
  inserted directly: `people.grant_role` refuses it now); a role counts only in the programme it
  was granted in *and* that is the person's own, so this person is a coordinator nowhere;
- `LEGACY_IN_B`: legacy data the other way round, a person of B holding a coordinator grant in
  A ("made coordinator of another municipality"): also a coordinator nowhere.

Every attempt (`press`, `say`, `reply`) is checked the same way: the database is unchanged
(every table, outbox rows compared without their delivery columns), the attacker got a refusal,
and nothing the attacker received (answers, messages, buttons, outbox rows to their chat)
carries A's personal data. Waiting is never a sleep: after each attempt the attacker sends
/help and we read up to its answer (updates are handled in order, one at a time per person, and
committed before the next batch is fetched), so the attempt's handler has finished and
committed.

This module also holds the shared world the per-feature files
`tests/<feature>/test_<feature>_cross_programme.py` build on, and the cross-cutting tests:
the question flow (/vraag) and `storage.people.coordinator_chats`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pytest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy import select

from bot.kit.clock import ManualClock
from domain.roles import Role
from simulator.client import BotMessage, CallbackAnswer, EmulatorClient, TestUser
from storage import people
from storage.models import ChannelIdentity, OutboxMessage, OutboxStatus, Person, Question, RoleGrant
from storage.refs import ref
from storage.schema import Base
from tests.conftest import BotHarness
from tests.e2e.helpers import eventually

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)  # Monday 11:00 in Amsterdam (no quiet hours)
TODAY = dt.date(2026, 3, 2)
HELP = "Dit kun je hier doen"
PROGRAMME_B = "Oss"


class Kind(StrEnum):
    """Who attacks programme A (see the module docstring)."""

    COORDINATOR_B = "coordinator-of-B"
    LEGACY_IN_A = "person-of-A-coordinator-grant-in-B"
    LEGACY_IN_B = "person-of-B-coordinator-grant-in-A"


KINDS = tuple(Kind)

REFUSALS: tuple[str, ...] = (
    "Deze knop werkt niet meer",
    "Deze knop is niet geldig",
    "Deze aanmelding bestaat niet meer",
    "Deze groep bestaat niet meer",
    "Alleen de coördinator beslist over dit voorstel",
    "Alleen een coördinator van dit programma kan goedkeuren",
    "Over deze uren kun jij niet beslissen",
    "Je kunt deze groep niet plannen",
    "Je kunt deze bijeenkomst niet plannen",
    "Je bent geen cursusleider van deze groep",
    "Alleen coördinatoren kunnen de cijfers zien",
    "Sorry, deze kans is niet voor jou",
    "Deze organisatie bestaat niet (meer)",
    "Ik weet niet waar deze reactie bij hoort",
    "Deze vraag bestaat niet meer",
    "Dat commando ken ik niet",
    "Alleen coördinatoren kunnen kansen plaatsen",
    "Alleen cursusleiders en coördinatoren kunnen bijeenkomsten plannen",
    "Alleen cursusleiders houden de aanwezigheid bij",
    "Alleen een coördinator kan een groep maken",
    "Typ /corrigeer met het nummer",
    "Dit is voor praktijkbegeleiders",
    "Ik kan deze persoon niet meer vinden op de lijst",
    "Dit is niet jouw voorstel",
    "Dit is niet jouw activiteit",
    "Deze vraag is niet voor jou",
)
"""The beginnings of the answers that refuse (alerts or messages), in Dutch."""

SKIPPED_TABLES = frozenset({"processed_update"})
VOLATILE = {
    # what the outbox sender changes while it delivers (not what a handler decides)
    "outbox": frozenset(
        {
            "status",
            "attempts",
            "claimed_at",
            "claimed_by",
            "sent_at",
            "telegram_message_id",
            "last_error",
            "not_before",
        }
    ),
    "fsm_state": frozenset({"updated_at"}),
    "channel_identity": frozenset({"reachable", "unreachable_since"}),
}


# --- the database, before and after ---------------------------------------------------------

Snapshot = dict[str, dict[tuple[Any, ...], dict[str, Any]]]


async def snapshot(harness: BotHarness) -> Snapshot:
    """Every row of every table (but the processed update ids), by primary key."""
    found: Snapshot = {}
    async with harness.app.sessions() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in SKIPPED_TABLES:
                continue
            skip = VOLATILE.get(table.name, frozenset())
            keys = [c.name for c in table.primary_key.columns]
            rows: dict[tuple[Any, ...], dict[str, Any]] = {}
            for row in (await session.execute(select(table))).mappings():
                values = {k: v for k, v in row.items() if k not in skip}
                rows[tuple(row[k] for k in keys)] = values
            found[table.name] = rows
    return found


def _short(values: dict[str, Any], limit: int = 260) -> str:
    text = json.dumps(values, default=str, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "…"


def diff(before: Snapshot, after: Snapshot) -> list[str]:
    """What changed, readable: `table +key {row}`, `table -key`, `table key: col a -> b`.
    Conversation state (`fsm_state`) is left out: see `flows`."""
    changes = []
    for table, rows in after.items():
        if table == "fsm_state":
            continue
        old = before.get(table, {})
        for key, values in rows.items():
            if key not in old:
                changes.append(f"{table} +{key} {_short(values)}")
                continue
            for column, value in values.items():
                if old[key].get(column) != value:
                    changes.append(f"{table} {key}: {column} {old[key].get(column)!r} -> {value!r}")
        changes += [f"{table} -{key}" for key in old if key not in rows]
    return changes


def flows(before: Snapshot, after: Snapshot) -> list[str]:
    """Conversation states entered (a flow that waits for the attacker's next message);
    a state cleared is no concern."""
    old = before.get("fsm_state", {})
    return [
        f"{row['state']} {_short(row['data'], 120)}"
        for key, row in after.get("fsm_state", {}).items()
        if row.get("state") and (key not in old or old[key] != row)
    ]


# --- the world --------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one attempt did: the tap's answer, the messages up to the barrier, the changes."""

    label: str
    answer: CallbackAnswer | None
    messages: list[BotMessage]
    changes: list[str]
    outbox_to_attacker: list[str]
    flows: list[str] = field(default_factory=list)

    def texts(self) -> list[str]:
        found = []
        if self.answer is not None and self.answer.text:
            found.append(self.answer.text)
        for msg in self.messages:
            found.append(msg.text or "")
            found += msg.buttons
        return found + self.outbox_to_attacker

    def refused(self, allowed: Sequence[str] = REFUSALS) -> bool:
        return any(text.startswith(tuple(allowed)) for text in self.texts())

    def leaks(self, secrets: Iterable[str]) -> list[str]:
        seen = "\n".join(self.texts())
        return [s for s in secrets if s in seen]

    def describe(self) -> str:
        answer = (
            "no answer"
            if self.answer is None
            else f"answer {self.answer.text!r} (alert={self.answer.show_alert})"
        )
        messages = [(m.text or "")[:160] for m in self.messages]
        flows = f"; flows {self.flows}" if self.flows else ""
        return f"{self.label}: {answer}; messages {messages}; changes {self.changes}{flows}"


@dataclass
class Cross:
    """Programmes A and B, A's coordinator, and the attacker of one `Kind`."""

    harness: BotHarness
    emu: EmulatorClient
    clock: ManualClock
    kind: str
    """A `Kind`, or the label of another set-up made by a feature's tests."""
    a: int
    b: int
    cor_a: TestUser
    cor_a_id: int
    attacker: TestUser
    attacker_id: int
    secrets: list[str] = field(default_factory=list)
    """A's personal data (names, free text): it must never reach the attacker."""
    problems: list[str] = field(default_factory=list)

    async def add_person(
        self,
        name: str,
        programme_id: int,
        *,
        roles: Sequence[Role] = (),
        grants: Sequence[tuple[int, Role, int | None]] = (),
        birth_date: dt.date | None = None,
        secret: bool | None = None,
    ) -> tuple[TestUser, int]:
        """An emulator user known as a person of `programme_id`, with `roles` there
        (`people.grant_role`) and raw `grants` (programme, role, organisation) inserted as rows,
        as legacy data would be. A person of A is a secret (their name) unless told otherwise."""
        user = await self.emu.create_user(name)
        now = self.clock.now()
        async with self.harness.app.sessions.begin() as session:
            member = await people.create_member(
                session,
                programme_id=programme_id,
                channel=people.TELEGRAM,
                external_id=str(user.id),
                chat_id=str(user.id),
                display_name=name,
                first_name=name,
                now=now,
            )
            member.person.birth_date = birth_date
            for role in roles:
                await people.grant_role(session, member.person.id, programme_id, role, now)
            for programme, role, organisation in grants:
                session.add(
                    RoleGrant(
                        person_id=member.person.id,
                        programme_id=programme,
                        role=role.value,
                        organisation_id=organisation,
                        granted_at=now - dt.timedelta(days=400),
                    )
                )
            person_id = member.person.id
        if secret if secret is not None else programme_id == self.a:
            self.secrets.append(name)
        return user, person_id

    async def buttons(self, user: TestUser, payloads: Sequence[str]) -> BotMessage:
        """A bot message with one button per payload (made up by a modified client, or kept
        on the phone from long ago)."""
        rows = [
            [InlineKeyboardButton(text=f"knop {n}", callback_data=data)]
            for n, data in enumerate(payloads)
        ]
        await self.harness.app.bot.send_message(
            user.id, "Knoppen", reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
        )
        for _ in range(20):
            msg = await user.expect_message()
            if msg.text == "Knoppen":
                return msg
        raise AssertionError("the buttons did not arrive")

    async def settle(self, user: TestUser | None = None) -> list[BotMessage]:
        """/help, and every bot message before its answer: the update before it is done."""
        user = user or self.attacker
        await user.send("/help")
        seen: list[BotMessage] = []
        for _ in range(40):
            msg = await user.expect_message()
            if (msg.text or "").startswith(HELP):
                return seen
            seen.append(msg)
        raise AssertionError(f"no answer to /help; saw {[m.text for m in seen]}")

    async def _outbox_texts(self, before: Snapshot, after: Snapshot) -> list[str]:
        old = before.get("outbox", {})
        return [
            json.dumps(row["payload"], ensure_ascii=False)
            for key, row in after.get("outbox", {}).items()
            if key not in old and row["chat_id"] == str(self.attacker.id)
        ]

    async def _attempt(self, label: str, act: Any) -> Outcome:
        before = await snapshot(self.harness)
        answer = await act()
        messages = await self.settle()
        after = await snapshot(self.harness)
        return Outcome(
            label,
            answer,
            messages,
            diff(before, after),
            await self._outbox_texts(before, after),
            flows(before, after),
        )

    async def press(self, payloads: Sequence[str], label: str = "") -> list[Outcome]:
        """The attacker taps each payload, each on a message of its own (a handler that lets
        the tap through may edit its message)."""
        outcomes = []
        for payload in payloads:
            message = await self.buttons(self.attacker, [payload])

            async def tap(payload: str = payload, message: BotMessage = message) -> Any:
                return await self.attacker.tap(message, callback_data=payload)

            outcomes.append(await self._attempt(f"{label}tap {payload}", tap))
        return outcomes

    async def say(self, text: str) -> Outcome:
        async def send() -> None:
            await self.attacker.send(text)

        return await self._attempt(f"say {text!r}", send)

    async def reply(self, to: BotMessage, text: str) -> Outcome:
        async def send() -> None:
            await self.attacker.reply(to, text)

        return await self._attempt(f"reply {text!r} to {to.text!r}", send)

    def check(
        self,
        outcomes: Outcome | Iterable[Outcome],
        *,
        refused: bool = True,
        allowed: Sequence[str] = REFUSALS,
    ) -> None:
        """Record (not raise) what is wrong with each outcome; `done()` raises them all."""
        for outcome in [outcomes] if isinstance(outcomes, Outcome) else outcomes:
            wrong = []
            if outcome.changes:
                wrong.append("CHANGED the database")
            if leaks := outcome.leaks(self.secrets):
                wrong.append(f"LEAKED {leaks}")
            if refused and not outcome.refused(allowed):
                wrong.append("NOT REFUSED")
            if refused and outcome.flows:
                wrong.append("ENTERED A FLOW")
            if wrong:
                self.problems.append(f"[{self.kind}] {', '.join(wrong)} - {outcome.describe()}")

    def same(self, what: str, before: object, after: object) -> None:
        """Record (not raise) when `what` changed."""
        if before != after:
            self.problems.append(f"[{self.kind}] {what} CHANGED: {before!r} -> {after!r}")

    async def transcript_leaks(self) -> list[str]:
        """A's personal data anywhere in the attacker's chat or in outbox rows to it."""
        seen = json.dumps(await self.attacker.transcript(), ensure_ascii=False)
        async with self.harness.app.sessions() as session:
            payloads: list[dict[str, Any]] = list(
                await session.scalars(
                    select(OutboxMessage.payload).where(
                        OutboxMessage.chat_id == str(self.attacker.id)
                    )
                )
            )
            seen += json.dumps(payloads, ensure_ascii=False)
        return [s for s in self.secrets if s in seen]

    async def done(self) -> None:
        """Raise everything recorded, and any of A's personal data in the attacker's chat."""
        if leaks := await self.transcript_leaks():
            self.problems.append(f"[{self.kind}] LEAKED {leaks} into the attacker's chat")
        assert not self.problems, "\n" + "\n".join(self.problems)


async def fast(emu: EmulatorClient) -> None:
    """People type slower than tests: lift the emulator's flood limits."""
    await emu.set_limits(
        global_per_second=10_000, per_chat_burst=10_000, per_chat_refill_per_second=10_000
    )


Setup = Callable[["Cross"], Awaitable[tuple[TestUser, int]]]
"""Makes an attacker of another kind than `Kind` (returns the user and their person id)."""


async def make_cross(
    harness: BotHarness,
    emu: EmulatorClient,
    kind: str,
    *,
    clock: ManualClock | None = None,
    setup: Setup | None = None,
) -> Cross:
    """Start the bot with Corrie as A's coordinator; programme B; the attacker of `kind`
    (made by `setup` when given)."""
    await fast(emu)
    clock = clock or ManualClock(T0)
    cor_a = await emu.create_user("Corrie")
    await harness.start(admin_telegram_ids=[cor_a.id], clock=clock)
    async with harness.app.sessions.begin() as session:
        programme_a = await people.default_programme(session)
        assert programme_a is not None
        programme_b = await people.ensure_programme(
            session, PROGRAMME_B, "Europe/Amsterdam", clock.now()
        )
        a, b = programme_a.id, programme_b.id
        cor_a_id = await session.scalar(
            select(ChannelIdentity.person_id).where(ChannelIdentity.external_id == str(cor_a.id))
        )
        assert cor_a_id is not None
        corrie = await session.get(Person, cor_a_id)
        assert corrie is not None
        corrie.first_name = "Corrie"  # known by name before she writes (no change mid-test)
    cross = Cross(harness, emu, clock, kind, a, b, cor_a, int(cor_a_id), cor_a, 0)
    if setup is not None:
        attacker, attacker_id = await setup(cross)
    elif kind is Kind.COORDINATOR_B:
        attacker, attacker_id = await cross.add_person(
            "Bram", b, roles=[Role.COORDINATOR], secret=False
        )
    elif kind is Kind.LEGACY_IN_A:
        attacker, attacker_id = await cross.add_person(
            "Lars", a, grants=[(b, Role.COORDINATOR, None)], secret=False
        )
    else:
        attacker, attacker_id = await cross.add_person(
            "Lotte", b, grants=[(a, Role.COORDINATOR, None)], secret=False
        )
    cross.attacker, cross.attacker_id = attacker, attacker_id
    await cross.settle()  # the attacker's chat exists; nothing of before counts
    return cross


async def plant_old_message(cross: Cross, text: str, reference: str) -> BotMessage:
    """A message in the attacker's chat that the bot sent through the outbox about
    `reference` ("question:12"), as it was delivered long ago (before the roles were bound to
    their programme, or while the attacker was still a coordinator of A): replies to it are
    routed by that ref."""
    await cross.harness.app.bot.send_message(cross.attacker.id, text)
    message = None
    for _ in range(20):
        found = await cross.attacker.expect_message()
        if found.text == text:
            message = found
            break
    assert message is not None
    now = cross.clock.now() - dt.timedelta(days=30)
    async with cross.harness.app.sessions.begin() as session:
        session.add(
            OutboxMessage(
                programme_id=cross.a,
                person_id=cross.attacker_id,
                chat_id=str(cross.attacker.id),
                method="sendMessage",
                payload={"text": text},
                priority=0,
                idempotency_key=f"test:old:{reference}:{cross.attacker.id}",
                status=OutboxStatus.SENT,
                attempts=1,
                not_before=now,
                created_at=now,
                sent_at=now,
                telegram_message_id=message.message_id,
                ref=reference,
            )
        )
    return message


def age(years: int) -> dt.date:
    """A date of birth: `years` old on TODAY (a few months past the birthday)."""
    return TODAY.replace(year=TODAY.year - years, month=1, day=10)


# --- the cross-cutting tests ------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
async def test_coordinator_chats_are_those_of_the_programme_only(
    harness: BotHarness, emu: EmulatorClient, kind: Kind
) -> None:
    """storage.people.coordinator_chats: A's coordinator messages reach only A's own
    coordinators; a grant in a programme that is not the person's own reaches nothing."""
    cross = await make_cross(harness, emu, kind)
    attacker_chat = str(cross.attacker.id)
    async with harness.app.sessions() as session:
        of_a = await people.coordinator_chats(session, cross.a)
        of_b = await people.coordinator_chats(session, cross.b)
        of_all = await people.coordinator_chats(session)
    assert of_a == [str(cross.cor_a.id)], (kind, of_a)
    if kind is Kind.COORDINATOR_B:
        assert of_b == [attacker_chat] and set(of_all) == {str(cross.cor_a.id), attacker_chat}
    else:
        assert of_b == [] and of_all == [str(cross.cor_a.id)], (kind, of_b, of_all)
    # the member the bot loads for the attacker: coordinator in B only when that is home
    async with harness.app.sessions() as session:
        member = await people.find_member(session, people.TELEGRAM, attacker_chat)
    assert member is not None
    assert not member.may(cross.a, Role.COORDINATOR), member.grants
    assert (Role.COORDINATOR in member.roles) is (kind is Kind.COORDINATOR_B), member.grants
    assert member.may(cross.b, Role.COORDINATOR) is (kind is Kind.COORDINATOR_B), member.grants


@pytest.mark.parametrize("kind", KINDS)
async def test_a_new_signup_of_a_minor_reaches_only_a_coordinators(
    harness: BotHarness, emu: EmulatorClient, kind: Kind
) -> None:
    """A minor of A signs up through the bot: the coordinators' message with her answers goes
    to Corrie only, never to the attacker (no outbox row, no message)."""
    from tests.signup.consent_helpers import sign_up_minor
    from tests.signup.signup_helpers import tap

    cross = await make_cross(harness, emu, kind)
    floor = await emu.create_user("Floortje")
    cross.secrets += ["Floortje", "Karin Jansen", "Een voetbaltoernooi in mijn straat"]
    summary = await sign_up_minor(floor)
    await tap(floor, summary, "Klopt, versturen")
    await cross.settle(floor)

    async def chats() -> set[str]:
        async with harness.app.sessions() as session:
            rows = await session.scalars(
                select(OutboxMessage.chat_id).where(OutboxMessage.chat_id != str(floor.id))
            )
            return set(rows)

    # the signup waits for the parent; the coordinators hear of it at once or once consent is
    # given: either way only Corrie may ever get a row
    rows = await chats()
    assert str(cross.attacker.id) not in rows, rows
    assert rows <= {str(cross.cor_a.id)}, rows
    await cross.done()


@pytest.mark.parametrize("kind", KINDS)
async def test_a_question_of_a_reaches_only_a_and_nobody_else_answers_it(
    harness: BotHarness, emu: EmulatorClient, kind: Kind
) -> None:
    """/vraag in A goes to Corrie only. The attacker, holding an old notification of the
    question (ref `question:<id>`), replies to it: refused, the question stays unanswered and
    the person of A gets nothing (bot/conversations/question.py: answer_by_reply)."""
    cross = await make_cross(harness, emu, kind)
    floor, floor_id = await cross.add_person("Floortje", cross.a, birth_date=age(15))
    question_text = "Mag ik meedoen aan de zomercursus in de Maaspoort?"
    cross.secrets.append(question_text)
    await floor.send("/vraag")
    await floor.expect_message()
    await floor.send(question_text)
    confirm = await floor.expect_message()
    await floor.tap(confirm, "Versturen")
    assert "Verstuurd!" in ((await floor.expect_message()).text or "")

    async def question() -> Question | None:
        async with harness.app.sessions() as session:
            return await session.scalar(select(Question).where(Question.person_id == floor_id))

    asked = await eventually(question, lambda q: q is not None)
    assert asked is not None and asked.programme_id == cross.a
    async with harness.app.sessions() as session:
        chats = set(
            await session.scalars(
                select(OutboxMessage.chat_id).where(OutboxMessage.ref == ref("question", asked.id))
            )
        )
    assert chats == {str(cross.cor_a.id)}, chats

    old = await plant_old_message(
        cross, "Een oud bericht over een vraag", ref("question", asked.id)
    )
    outcome = await cross.reply(old, "Ja hoor, dat mag. Groet, de coördinator")
    cross.check(outcome)
    later = await question()
    assert later is not None
    if later.answered_at is not None:
        cross.problems.append(
            f"[{kind}] question #{later.id} of A marked answered by person {later.answered_by}"
        )
    await cross.done()


@pytest.mark.parametrize("kind", [Kind.LEGACY_IN_A, Kind.LEGACY_IN_B])
async def test_a_legacy_grant_gives_no_coordinator_menu(
    harness: BotHarness, emu: EmulatorClient, kind: Kind
) -> None:
    """After a restart (commands published for every coordinator chat) and after /start, the
    legacy grant's holder has no coordinator commands in the menu, and /help lists none."""
    cross = await make_cross(harness, emu, kind)
    await harness.restart()
    await cross.attacker.send("/start")
    await cross.attacker.expect_message()
    await cross.settle()
    scope = {"type": "chat", "chat_id": cross.attacker.id}
    names = {c["command"] for c in await emu.commands(scope=scope, language_code="nl")}
    names |= {c["command"] for c in await emu.commands(scope=scope)}
    coordinator_only = {"aanmeldingen", "groepen", "organisatie", "kans", "opvolgen", "cijfers"}
    assert not names & coordinator_only, names
    await cross.attacker.send("/help")
    shown = await cross.attacker.expect_message()
    assert "/aanmeldingen" not in (shown.text or "") and "/cijfers" not in (shown.text or "")
