"""The one inventory of personal data: what every table holds, how it is found for a person,
what deletion does to it and how long it is kept.

`INVENTORY` names every table of the schema. For each one it says which columns hold personal
data and what erasing does to them (`NULL`, a neutral value, or `KEEP`: a category the
programme counts, anonymous once the person is gone), which text columns hold nothing personal,
how its rows are found for a person (`links`), whether erasing deletes the rows or keeps them
(without the personal columns) for the anonymous figures, and how long rows are kept.

Everything that deals with a person's data works from it, so no feature can forget a table:

- `export_person`: /mijngegevens (AVG art. 15), every table that has rows about the person;
- `erase_person`: /verwijderen (AVG art. 17), every table, and copies of the person's texts in
  messages to other people (`OUTBOX`);
- `erase_rows`: the personal columns of some rows and everything hanging off them (the signup's
  retention of signups that never led to a place);
- `purge_expired`: rows whose time is up (sent messages, conversation state), run by the
  runtime's retention sweep.

`tests/storage/test_privacy_inventory.py` fails when a table, or a text or JSON column, appears
that this module does not classify.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    MetaData,
    Select,
    String,
    Table,
    Text,
    and_,
    cast,
    delete,
    false,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxStatus
from storage.schema import Base
from storage.types import EnumText

OUTBOX_KEEP_DAYS = 30
"""Sent (and otherwise finished) outbox rows are deleted this many days after they were sent."""

CONVERSATION_LIFETIME = dt.timedelta(days=7)
"""Conversation state (answers typed so far in a flow) is forgotten this long after the last
change: an abandoned signup does not stay in the database (nor in Redis: its TTL)."""

NEUTRAL_TEXT = "-"
"""What a required text column holds once its personal text is erased."""

MIN_MATCH = 2
"""Shorter values are not looked for in messages to other people (too many false hits)."""

LONG_MATCH = 5
"""In a message still waiting, only values this long (or of several words) are replaced."""

FINISHED = (
    OutboxStatus.SENT,
    OutboxStatus.FAILED,
    OutboxStatus.UNREACHABLE,
    OutboxStatus.UNCERTAIN,
    OutboxStatus.DEAD,
    OutboxStatus.CANCELLED,
)


class Erase(StrEnum):
    """What erasing a person does to one column."""

    NULL = "null"  # set to NULL
    NEUTRAL = "neutral"  # replaced with a neutral value (the column is required)
    KEEP = "keep"  # a category the programme counts; anonymous once the person is erased


@dataclass(frozen=True)
class Personal:
    """A column with personal data, and what erasing does to it.

    `match`: look for its values in messages to other people (off for ids, payloads, keys).
    """

    erase: Erase = Erase.NULL
    neutral: Any = None
    match: bool = True


NULL = Personal()
NULL_QUIET = Personal(match=False)
"""Set to NULL, not looked for in other messages: a value many people share (a postcode, a
park, "zaterdagmiddag"); messages about the row itself are found by their ref."""
KEEP = Personal(Erase.KEEP, match=False)


def neutral(value: Any, *, match: bool = True) -> Personal:
    """Replaced by `value`, or by what `value(table)` computes (an SQL expression)."""
    return Personal(Erase.NEUTRAL, value, match)


def _erased_key(table: Table) -> Any:
    return literal("erased:") + cast(table.c.id, String)


class Rows(StrEnum):
    """What erasing a person does to the rows found for them."""

    ERASE = "erase"  # the rows stay (counted in the figures), their personal columns are erased
    DELETE = "delete"  # the rows are deleted


@dataclass(frozen=True)
class ByPerson:
    """Rows whose `column` holds the person's id."""

    column: str = "person_id"


@dataclass(frozen=True)
class Via:
    """Rows whose `column` holds the id of a row of `parent` that belongs to the person."""

    column: str
    parent: str


@dataclass(frozen=True)
class ByChat:
    """Rows whose `column` is one of the person's chat ids (or matches `like`, "{chat}" filled)."""

    column: str
    like: str | None = None


Link = ByPerson | Via | ByChat


@dataclass(frozen=True)
class Purge:
    """Rows are deleted `after` their time: the first of `columns` that is set; `only` limits
    it to rows with these values (e.g. outbox rows in a final status)."""

    after: dt.timedelta
    columns: tuple[str, ...]
    only: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Entry:
    """One table of the inventory."""

    table: str
    retention: str
    """How long its rows are kept, in words (README, privacy statement)."""
    links: tuple[Link, ...] = ()
    """How its rows are found for a person; empty: no row is about a user of the bot."""
    personal: Mapping[str, Personal] = field(default_factory=dict)
    not_personal: frozenset[str] = frozenset()
    """Text columns that hold nothing personal (names of groups, statuses, hashes, ...)."""
    rows: Rows = Rows.ERASE
    section: str | None = None
    """Its key in the /mijngegevens document (None: not exported, nothing about a person)."""
    stamp: str | None = None
    """A time column set when the row is erased (`anonymised_at`)."""
    purge: Purge | None = None
    refs: tuple[str, ...] = ()
    """Outbox ref kinds that name a row of this table ("signup" in "signup:12")."""
    names: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """Id columns shown with a name in /mijngegevens: column -> (table, name column)."""
    hidden: frozenset[str] = frozenset()
    """Columns left out of /mijngegevens (hashes, internal keys)."""


WHILE_TAKING_PART = "as long as the person takes part; /verwijderen erases it"
KEPT_ANONYMOUS = (
    "as long as the programme runs; /verwijderen erases what is personal, the row stays "
    "anonymous for the figures"
)

INVENTORY: tuple[Entry, ...] = (
    # --- the core ---------------------------------------------------------------------------
    Entry(
        "programme",
        "as long as the programme runs (nothing personal)",
        not_personal=frozenset({"name", "timezone", "settings"}),
    ),
    Entry(
        "person",
        KEPT_ANONYMOUS,
        links=(ByPerson("id"),),
        personal={
            "first_name": NULL,
            "last_name": NULL,
            "birth_date": NULL,
            "postcode": NULL_QUIET,
        },
        section="person",
        stamp="anonymised_at",
        names={"programme_id": ("programme", "name")},
    ),
    Entry(
        "channel_identity",
        WHILE_TAKING_PART,
        links=(ByPerson(),),
        personal={"external_id": NULL, "chat_id": NULL, "display_name": NULL},
        not_personal=frozenset({"channel"}),
        rows=Rows.DELETE,
        section="channels",
    ),
    Entry(
        "role_grant",
        KEPT_ANONYMOUS,
        links=(ByPerson(),),
        not_personal=frozenset({"role"}),
        section="roles",
        names={"programme_id": ("programme", "name"), "organisation_id": ("organisation", "name")},
    ),
    Entry(
        "outbox",
        f"sent messages: {OUTBOX_KEEP_DAYS} days; /verwijderen erases the messages to and about "
        "the person at once",
        links=(ByPerson(), ByChat("chat_id")),
        personal={
            "payload": neutral({}, match=False),
            "chat_id": neutral("", match=False),
            "idempotency_key": neutral(_erased_key, match=False),
        },
        not_personal=frozenset({"channel", "method", "claimed_by", "last_error", "ref"}),
        section="messages",
        purge=Purge(
            dt.timedelta(days=OUTBOX_KEEP_DAYS),
            ("sent_at", "not_before"),
            {"status": tuple(s.value for s in FINISHED)},
        ),
        hidden=frozenset(
            {"idempotency_key", "claimed_by", "claimed_at", "attempts", "first_attempt_at"}
        ),
    ),
    Entry(
        "processed_update",
        "24 hours (update numbers only, nothing personal)",
    ),
    Entry(
        "fsm_state",
        f"{CONVERSATION_LIFETIME.days} days after the last answer in a conversation",
        links=(ByChat("key", like="%:{chat}:%"),),
        personal={"key": NULL, "data": NULL},
        not_personal=frozenset({"state"}),
        rows=Rows.DELETE,
        section="conversation",
        purge=Purge(CONVERSATION_LIFETIME, ("updated_at",)),
    ),
    Entry(
        "question",
        KEPT_ANONYMOUS,
        links=(ByPerson(),),
        personal={"text": NULL},
        section="questions",
        refs=("question",),
    ),
    # --- signup ---------------------------------------------------------------------------
    Entry(
        "signup",
        "a signup that never led to a place: the programme's signup_retention_days (365 "
        "unless set); otherwise as long as the person takes part. The categories (track, "
        "gender, school type, heard-from) stay anonymous for the figures",
        links=(ByPerson(),),
        personal={
            "motivation": NULL,
            "parent_name": NULL,
            "parent_contact": NULL,
            "parent_telegram_id": NULL,
            "decline_reason": NULL,
            "track": KEEP,
            "gender": KEEP,
            "school": KEEP,
            "heard_from": KEEP,
            # how they like to be reached ("chat", "phone"): not needed for the figures
            "contact": Personal(match=False),
        },
        not_personal=frozenset({"privacy_version"}),
        section="signups",
        stamp="anonymised_at",
        refs=("signup",),
        names={"cohort_id": ("cohort", "name")},
    ),
    Entry(
        "consent",
        "as long as the programme runs, as evidence (without the parent's name and contact "
        "once erased)",
        links=(ByPerson(), Via("signup_id", "signup")),
        personal={"given_by": NULL, "contact": NULL},
        not_personal=frozenset({"version"}),
        section="consents",
    ),
    Entry(
        "signup_consent_token",
        "until the signup is erased",
        links=(Via("signup_id", "signup"),),
        not_personal=frozenset({"token_hash"}),
        rows=Rows.DELETE,
        section="consent_links",
        hidden=frozenset({"token_hash"}),
    ),
    Entry(
        "enrolment",
        KEPT_ANONYMOUS,
        links=(ByPerson(),),
        personal={"track": KEEP},
        section="groups",
        refs=("enrolment",),
        names={"cohort_id": ("cohort", "name")},
    ),
    Entry(
        "signup_invite",
        "until a coordinator deletes it (nothing personal)",
        not_personal=frozenset({"token_hash"}),
    ),
    # --- course ---------------------------------------------------------------------------
    Entry(
        "cohort",
        "as long as the programme runs (nothing personal)",
        not_personal=frozenset({"name", "location"}),
    ),
    Entry(
        "course_session",
        "as long as the programme runs (nothing personal)",
        not_personal=frozenset({"location", "bring"}),
    ),
    Entry(
        "cohort_leader",
        WHILE_TAKING_PART,
        links=(ByPerson(),),
        rows=Rows.DELETE,
        section="groups_led",
        names={"cohort_id": ("cohort", "name")},
    ),
    Entry(
        "course_leader_invite",
        "until a coordinator deletes it (nothing personal)",
        not_personal=frozenset({"token_hash"}),
    ),
    Entry(
        "session_answer",
        KEPT_ANONYMOUS,
        links=(ByPerson(),),
        personal={"reason": NULL},
        section="session_answers",
    ),
    Entry("attendance", KEPT_ANONYMOUS, links=(ByPerson(),), section="attendance"),
    Entry(
        "course_certificate",
        KEPT_ANONYMOUS,
        links=(ByPerson(),),
        section="certificates",
        names={"cohort_id": ("cohort", "name")},
    ),
    # --- hours ----------------------------------------------------------------------------
    Entry(
        "organisation",
        "as long as the organisation takes part; a coordinator changes or removes its contact",
        personal={"contact": NULL},  # its contact person, typed by a coordinator
        not_personal=frozenset({"name", "neighbourhood"}),
    ),
    Entry(
        "supervisor_invite",
        "until a coordinator deletes it (nothing personal)",
        not_personal=frozenset({"token_hash"}),
    ),
    Entry(
        "placement",
        KEPT_ANONYMOUS,
        links=(ByPerson(),),
        personal={"motivation": NULL},
        section="placements",
        names={"organisation_id": ("organisation", "name")},
    ),
    Entry(
        "practice_hours",
        KEPT_ANONYMOUS,
        links=(ByPerson(),),
        personal={"description": NULL, "reason": NULL},
        section="hours",
        refs=("hours",),
        names={"organisation_id": ("organisation", "name")},
    ),
    Entry(
        "practice_hours_change",
        KEPT_ANONYMOUS,
        links=(Via("log_id", "practice_hours"),),
        personal={"reason": NULL},
        section="hours_changes",
    ),
    # --- activities -----------------------------------------------------------------------
    Entry(
        "activity",
        KEPT_ANONYMOUS,
        links=(ByPerson(),),
        personal={
            "title": neutral(NEUTRAL_TEXT, match=False),
            "target_group": NULL_QUIET,
            "neighbourhood": NULL_QUIET,
            "place": NULL_QUIET,
            "when_text": NULL_QUIET,
            "needs": NULL_QUIET,
            "recruitment": NULL_QUIET,
            "decision_reason": NULL,
            "story": NULL,
            "photo_file_id": Personal(match=False),
        },
        section="activities",
        refs=("proposal", "activity"),
    ),
    Entry(
        "proposal_message",
        "as long as the activity's organiser takes part",
        links=(Via("activity_id", "activity"),),
        personal={"text": neutral(NEUTRAL_TEXT)},
        rows=Rows.DELETE,
        section="proposal_messages",
    ),
    # --- opportunities --------------------------------------------------------------------
    Entry(
        # only an activity's request for helpers is about a person (its organiser)
        "opportunity",
        "as long as the programme runs; a request for helpers loses its texts with the "
        "activity's organiser",
        links=(Via("activity_id", "activity"),),
        personal={
            "title": neutral(NEUTRAL_TEXT, match=False),
            "description": NULL_QUIET,
            "place": NULL_QUIET,
            "organisation_name": NULL_QUIET,
            "neighbourhoods": NULL_QUIET,
        },
        section="helper_requests",
        refs=("op",),
    ),
    Entry(
        "opportunity_signup",
        KEPT_ANONYMOUS,
        links=(ByPerson(),),
        section="opportunities",
        names={"opportunity_id": ("opportunity", "title")},
    ),
    Entry(
        "opportunity_preference",
        KEPT_ANONYMOUS,
        links=(ByPerson(),),
        section="opportunity_settings",
    ),
    Entry(
        "opportunity_broadcast",
        KEPT_ANONYMOUS,
        links=(ByPerson("requested_by"),),
        personal={
            "chat_id": neutral("", match=False),
            "progress_message_id": Personal(match=False),
        },
        not_personal=frozenset({"progress"}),
        section="broadcasts",
        names={"opportunity_id": ("opportunity", "title")},
    ),
    Entry(
        "opportunity_recipient",
        KEPT_ANONYMOUS,
        links=(ByPerson(),),
        not_personal=frozenset({"outbox_key"}),
        section="opportunity_messages",
        names={"opportunity_id": ("opportunity", "title")},
        hidden=frozenset({"outbox_key"}),
    ),
    # --- nazorg ---------------------------------------------------------------------------
    Entry(
        "nazorg_nudge",
        KEPT_ANONYMOUS,
        links=(ByPerson(),),
        personal={"note": NULL},
        not_personal=frozenset({"outbox_key"}),
        section="nudges",
        hidden=frozenset({"outbox_key"}),
    ),
    Entry("nazorg_reply", KEPT_ANONYMOUS, links=(ByPerson(),), section="nudge_answers"),
    Entry("nazorg_preference", KEPT_ANONYMOUS, links=(ByPerson(),), section="nudge_settings"),
    Entry(
        "nazorg_sweep_run",
        "as long as the programme runs (nothing personal)",
        not_personal=frozenset({"period"}),
    ),
)

BY_TABLE: Mapping[str, Entry] = {entry.table: entry for entry in INVENTORY}
OUTBOX = "outbox"
TELEGRAM = "telegram"


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def text_columns(t: Table) -> list[str]:
    """The columns that can hold free text: strings and JSON (enums stored as text excluded)."""
    found = []
    for column in t.columns:
        kind = column.type
        if isinstance(kind, EnumText):
            continue  # a closed set of values
        impl = getattr(kind, "impl", kind)
        if isinstance(kind, String | JSON) or isinstance(impl, String | JSON):
            found.append(column.name)
    return found


def problems(metadata: MetaData | None = None) -> list[str]:
    """What the inventory misses or gets wrong for a schema (by default ours); empty: complete.

    Every table must be in it; every text or JSON column must be either personal or named as
    not personal; what it names must exist; a row kept after erasing cannot keep a required
    personal column (it needs a neutral value); a table found for a person is exported.
    """
    tables = (metadata or Base.metadata).tables
    found: list[str] = []
    for name in sorted(set(tables) - set(BY_TABLE)):
        found.append(f"table {name}: not in the inventory of personal data (storage/privacy.py)")
    for name in sorted(set(BY_TABLE) - set(tables)):
        found.append(f"table {name}: in the inventory but not in the schema")
    for entry in INVENTORY:
        if entry.table not in tables:
            continue
        t = tables[entry.table]
        columns = set(t.c.keys())
        for column in text_columns(t):
            if column not in entry.personal and column not in entry.not_personal:
                found.append(f"{entry.table}.{column}: a text column nobody classified")
        for column in set(entry.personal) & entry.not_personal:
            found.append(f"{entry.table}.{column}: both personal and not personal")
        named = set(entry.personal) | entry.not_personal | set(entry.names) | entry.hidden
        named |= {link.column for link in entry.links}
        named |= {entry.stamp} if entry.stamp else set()
        if entry.purge is not None:
            named |= set(entry.purge.columns) | set(entry.purge.only)
        for column in sorted(named - columns):
            found.append(f"{entry.table}.{column}: named in the inventory, not in the schema")
        for link in entry.links:
            if isinstance(link, Via) and not BY_TABLE.get(link.parent, Entry("", "")).links:
                found.append(f"{entry.table}: found through {link.parent}, which is not")
        if entry.links and entry.section is None:
            found.append(f"{entry.table}: found for a person but not in /mijngegevens")
        if entry.rows is Rows.ERASE:
            for column, how in entry.personal.items():
                required = column in columns and not t.c[column].nullable
                if required and how.erase is Erase.NULL:
                    found.append(f"{entry.table}.{column}: required, so it needs a neutral value")
    return found


# --- finding a person's rows ---------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """Who is looked up: the person and the chats (Telegram ids) that reach them."""

    person_id: int
    chats: tuple[str, ...] = ()


async def subject_of(session: AsyncSession, person_id: int) -> Subject:
    identities = table("channel_identity")
    rows = await session.execute(
        select(identities.c.chat_id, identities.c.external_id).where(
            identities.c.person_id == person_id
        )
    )
    chats = sorted({value for row in rows.all() for value in row if value})
    return Subject(person_id, tuple(chats))


def condition(entry: Entry, subject: Subject) -> ColumnElement[bool]:
    """Rows of `entry`'s table that belong to the subject (any of its links)."""
    t = table(entry.table)
    parts: list[ColumnElement[bool]] = []
    for link in entry.links:
        if isinstance(link, ByPerson):
            parts.append(t.c[link.column] == subject.person_id)
        elif isinstance(link, Via):
            parent = table(link.parent)
            parts.append(
                t.c[link.column].in_(
                    select(parent.c.id).where(condition(BY_TABLE[link.parent], subject))
                )
            )
        elif subject.chats:
            column = t.c[link.column]
            if link.like is None:
                parts.append(column.in_(subject.chats))
            else:
                parts.extend(column.like(link.like.format(chat=chat)) for chat in subject.chats)
    return or_(*parts) if parts else false()


def _json_safe(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): "(file)" if k == "base64" else _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


async def _names(
    session: AsyncSession, entry: Entry, rows: Sequence[Mapping[str, Any]]
) -> dict[str, dict[Any, Any]]:
    found: dict[str, dict[Any, Any]] = {}
    for column, (other, name) in entry.names.items():
        ids = {row[column] for row in rows if row[column] is not None}
        if not ids:
            continue
        t = table(other)
        result = await session.execute(select(t.c.id, t.c[name]).where(t.c.id.in_(ids)))
        found[column] = {row[0]: row[1] for row in result.all()}
    return found


async def export_person(session: AsyncSession, person_id: int) -> dict[str, Any]:
    """Everything stored about a person, table by table, as plain data (AVG art. 15).

    Each section is a list of rows (`person`: one row), with every column except hashes and
    internal keys; an id column of a group, organisation or opportunity also gets its name.
    """
    subject = await subject_of(session, person_id)
    document: dict[str, Any] = {}
    for entry in INVENTORY:
        if entry.section is None or not entry.links:
            continue
        t = table(entry.table)
        query: Select[Any] = select(t).where(condition(entry, subject))
        if "id" in t.c:
            query = query.order_by(t.c.id)
        rows = [dict(row) for row in (await session.execute(query)).mappings().all()]
        names = await _names(session, entry, rows)
        items = []
        for row in rows:
            item = {k: _json_safe(v) for k, v in row.items() if k not in entry.hidden}
            for column, by_id in names.items():
                item[column.removesuffix("_id")] = by_id.get(row[column])
            items.append(item)
        document[entry.section] = items[0] if entry.section == "person" and items else items
    return document


# --- erasing ----------------------------------------------------------------------------


def model(table_name: str) -> type[Any]:
    """The ORM class of a table (statements through it keep loaded objects up to date)."""
    for mapper in Base.registry.mappers:
        if getattr(mapper.local_table, "name", None) == table_name:
            return mapper.class_
    raise KeyError(table_name)


def _erase_values(entry: Entry) -> dict[str, Any]:
    t = table(entry.table)
    values: dict[str, Any] = {}
    for column, how in entry.personal.items():
        if how.erase is Erase.NULL:
            values[column] = None
        elif how.erase is Erase.NEUTRAL:
            values[column] = how.neutral(t) if callable(how.neutral) else how.neutral
    return values


async def _erase(
    session: AsyncSession, entry: Entry, where: ColumnElement[bool], now: dt.datetime
) -> None:
    """Erase the rows: delete them, or set their personal columns (and the stamp)."""
    cls = model(entry.table)
    fetch = {"synchronize_session": "fetch"}
    if entry.rows is Rows.DELETE:
        await session.execute(delete(cls).where(where).execution_options(**fetch))
        return
    values = _erase_values(entry)
    if values:
        await session.execute(update(cls).where(where).values(**values).execution_options(**fetch))
    if entry.stamp is not None:
        stamp = table(entry.table).c[entry.stamp]
        await session.execute(
            update(cls)
            .where(where, stamp.is_(None))
            .values({entry.stamp: now})
            .execution_options(**fetch)
        )


async def personal_values(session: AsyncSession, subject: Subject) -> set[str]:
    """The person's texts (names, answers, notes, ...) as stored, to find copies of them."""
    values: set[str] = set(subject.chats)
    for entry in INVENTORY:
        columns = [
            c
            for c, how in entry.personal.items()
            if how.match and how.erase is not Erase.KEEP and c in text_columns(table(entry.table))
        ]
        if not columns or not entry.links:
            continue
        t = table(entry.table)
        result = await session.execute(
            select(*(t.c[c] for c in columns)).where(condition(entry, subject))
        )
        for row in result.all():
            values.update(v.strip() for v in row if isinstance(v, str) and v.strip())
    if subject.person_id:
        person = table("person")
        names = (
            await session.execute(
                select(person.c.first_name, person.c.last_name).where(
                    person.c.id == subject.person_id
                )
            )
        ).first()
        if names is not None and names[0] and names[1]:
            values.add(f"{names[0]} {names[1]}")
    return {v for v in values if len(v) >= MIN_MATCH and v != NEUTRAL_TEXT}


def _variants(values: Iterable[str]) -> set[str]:
    """Each value as typed and as escaped in HTML messages."""
    return {
        form
        for value in values
        for form in (value, html.escape(value, quote=False), html.escape(value))
    }


def _pattern(values: Iterable[str]) -> re.Pattern[str] | None:
    """One regular expression for every value (whole words, in every form)."""
    variants = _variants(values)
    if not variants:
        return None
    parts = []
    for v in sorted(variants, key=len, reverse=True):
        before = r"(?<!\w)" if v[0].isalnum() else ""
        after = r"(?!\w)" if v[-1].isalnum() else ""
        parts.append(before + re.escape(v) + after)
    return re.compile("|".join(parts))


def _replace(value: Any, pattern: re.Pattern[str]) -> tuple[Any, bool]:
    """`value` (a payload) with every match replaced by "…"; and whether anything matched."""
    if isinstance(value, str):
        new = pattern.sub("…", value)
        return new, new != value
    if isinstance(value, Mapping):
        changed = False
        out: dict[str, Any] = {}
        for k, v in value.items():
            out[k], hit = _replace(v, pattern)
            changed = changed or hit
        return out, changed
    if isinstance(value, list):
        pairs = [_replace(v, pattern) for v in value]
        return [p[0] for p in pairs], any(p[1] for p in pairs)
    return value, False


async def _refs_of(session: AsyncSession, subject: Subject) -> set[str]:
    """Outbox refs that name one of the person's rows ("signup:12", "proposal:7")."""
    found: set[str] = set()
    for entry in INVENTORY:
        if not entry.refs or not entry.links:
            continue
        t = table(entry.table)
        ids: list[int] = list(
            await session.scalars(select(t.c.id).where(condition(entry, subject)))
        )
        found.update(f"{kind}:{row_id}" for kind in entry.refs for row_id in ids)
    return found


def _names_row(ref: Any, key: Any, refs: set[str]) -> bool:
    """True when a message's ref or idempotency key names one of the person's rows."""
    if ref in refs or key in refs:
        return True
    head = str(key or "").split(":")
    return len(head) > 1 and f"{head[0]}:{head[1]}" in refs


def _long(value: str) -> bool:
    """Long enough to look for in a message still waiting (a short first name like "Wil"
    would hit the start of "Wil je ..." in other people's messages)."""
    return len(value) >= LONG_MATCH or " " in value.strip()


async def _scrub_messages_about(
    session: AsyncSession, subject: Subject, values: set[str], refs: set[str]
) -> None:
    """Messages to other people that are about the person, or quote the person's texts.

    A message whose ref or idempotency key names one of the person's rows ("signup:12") is
    erased, and cancelled when it was still waiting. Any other sent message that quotes the
    person (a name, an answer) is erased; a waiting one goes out with the person's longer
    texts (full name, answers, notes) replaced by "…".
    """
    t = table(OUTBOX)
    every = _pattern(values)
    longer = _pattern(v for v in values if _long(v))
    # a first sieve in SQL (the payload as stored: JSON text with escapes), the check in Python
    stored = cast(t.c.payload, Text)
    maybe: list[ColumnElement[bool]] = []
    if refs:
        maybe.append(t.c.ref.in_(sorted(refs)))
        maybe.extend(t.c.idempotency_key.startswith(f"{r}:", autoescape=True) for r in refs)
        maybe.append(t.c.idempotency_key.in_(sorted(refs)))
    maybe.extend(stored.contains(json.dumps(v)[1:-1], autoescape=True) for v in _variants(values))
    if values:  # an address the person gave, e.g. a parent's e-mail address
        maybe.append(and_(t.c.channel != TELEGRAM, t.c.chat_id.in_(sorted(values))))
    if not maybe:
        return
    rows = await session.execute(
        select(
            t.c.id, t.c.status, t.c.payload, t.c.ref, t.c.idempotency_key, t.c.chat_id, t.c.channel
        ).where(~func.coalesce(condition(BY_TABLE[OUTBOX], subject), false()), or_(*maybe))
    )
    for row_id, status, payload, ref, key, chat, channel in rows.all():
        changes: dict[str, Any] = {}
        if channel != TELEGRAM and chat in values:  # to an address the person gave
            changes.update(chat_id="", idempotency_key=f"erased:{row_id}", payload={})
            if status == OutboxStatus.PENDING:
                changes.update(status=OutboxStatus.CANCELLED, last_error="about an erased person")
        elif _names_row(ref, key, refs):
            changes["payload"] = {}
            if status == OutboxStatus.PENDING:
                changes.update(status=OutboxStatus.CANCELLED, last_error="about an erased person")
        elif status in FINISHED:
            if every is not None and _replace(payload, every)[1]:
                changes["payload"] = {}
        elif longer is not None:
            replaced, hit = _replace(payload, longer)
            if hit:
                changes["payload"] = replaced
        if changes:
            await session.execute(update(t).where(t.c.id == row_id).values(**changes))


async def erase_person(session: AsyncSession, person_id: int, now: dt.datetime) -> None:
    """Erase everything personal about a person, in every table of the inventory.

    Rows the programme counts stay without their personal columns; rows that only make sense
    with the person (chats, conversation state, proposal threads) go; messages to the person
    are erased (waiting ones cancelled), and copies of the person's texts in messages to others.
    Objects already loaded in the session are updated too (`synchronize_session="fetch"`).
    """
    subject = await subject_of(session, person_id)
    values = await personal_values(session, subject)
    refs = await _refs_of(session, subject)
    outbox = table(OUTBOX)
    await session.execute(
        update(outbox)
        .where(condition(BY_TABLE[OUTBOX], subject), outbox.c.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.CANCELLED, last_error="the person erased their data")
    )
    await _scrub_messages_about(session, subject, values, refs)
    # rows found through another table first, while that table still leads to the person
    for entry in sorted(INVENTORY, key=lambda e: not any(isinstance(x, Via) for x in e.links)):
        if entry.links:
            await _erase(session, entry, condition(entry, subject), now)


async def erase_rows(
    session: AsyncSession, table_name: str, ids: Sequence[int], now: dt.datetime
) -> None:
    """Erase the personal columns of these rows, and of the rows found through them."""
    if not ids:
        return
    for entry in INVENTORY:
        for link in entry.links:
            if isinstance(link, Via) and link.parent == table_name:
                child = table(entry.table)
                child_ids: list[int] = list(
                    await session.scalars(select(child.c.id).where(child.c[link.column].in_(ids)))
                )
                await erase_rows(session, entry.table, child_ids, now)
    await _erase(session, BY_TABLE[table_name], table(table_name).c.id.in_(list(ids)), now)


# --- retention ---------------------------------------------------------------------------


async def purge_expired(session: AsyncSession, now: dt.datetime) -> dict[str, int]:
    """Delete the rows whose retention is over (`Entry.purge`); returns how many per table."""
    purged: dict[str, int] = {}
    for entry in INVENTORY:
        rule = entry.purge
        if rule is None:
            continue
        t = table(entry.table)
        moment = (
            t.c[rule.columns[0]]
            if len(rule.columns) == 1
            else func.coalesce(*(t.c[c] for c in rule.columns))
        )
        where = [moment < now - rule.after]
        where.extend(t.c[column].in_(allowed) for column, allowed in rule.only.items())
        result = await session.execute(delete(t).where(and_(*where)))
        purged[entry.table] = int(result.rowcount or 0)  # type: ignore[attr-defined]
    return purged
