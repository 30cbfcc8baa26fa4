"""/uren through the real bot: each accepted hours format, each refused one, dates, 24 h a day."""

from __future__ import annotations

import pytest

from domain.hours.practice import HoursKind
from tests.hours.conftest import World

ACCEPTED = [
    ("2", "2"),
    ("2,5", "2,5"),
    ("2.5", "2,5"),
    ("2:30", "2,5"),
    ("2u30", "2,5"),
    ("2 uur", "2"),
    ("90 min", "1,5"),
    ("anderhalf", "1,5"),
]
REFUSED = [
    ("veel", "begrijp ik niet"),
    ("0", "te weinig"),
    ("10 min", "te weinig"),
    ("13", "te veel"),
    ("1,3", "Rond af op een kwartier"),
    ("-2", "begrijp ik niet"),
    ("2 dagen", "begrijp ik niet"),
]


async def _to_amount(world: World, day: str = "Vandaag") -> None:
    await world.sam.send("/uren")
    overview = await world.sam.expect_message()
    await world.sam.tap(overview, "Uren invullen")
    ask_day = await world.sam.expect_message()
    await world.sam.tap(ask_day, day)
    if day != "Andere dag":
        assert "Hoeveel uur" in (await world.sam.expect_message()).text


async def test_every_accepted_format_reaches_the_summary(world: World) -> None:
    for typed, shown in ACCEPTED:
        await _to_amount(world)
        await world.sam.send(typed)
        assert "Wat heb je gedaan?" in (await world.sam.expect_message()).text, typed
        await world.sam.send("Training gegeven")
        summary = await world.sam.expect_message()
        assert f"Uren: {shown}\n" in summary.text, typed
        await world.sam.send("/cancel")
        await world.sam.expect_message()


async def test_refused_formats_are_explained_with_examples(world: World) -> None:
    await _to_amount(world)
    for typed, reason in REFUSED:
        await world.sam.send(typed)
        answer = (await world.sam.expect_message()).text
        assert reason in answer and "Bijvoorbeeld" in answer, typed
    await world.sam.send_sticker()
    assert "als tekst" in (await world.sam.expect_message()).text
    await world.sam.send("1,75")
    assert "Wat heb je gedaan?" in (await world.sam.expect_message()).text
    await world.sam.send("x")
    assert "wat kort" in (await world.sam.expect_message()).text


async def test_overview_and_day_limit_of_24_hours(world: World) -> None:
    await world.log_hours("12")
    await world.log_hours("11,5")
    await _to_amount(world)
    await world.sam.send("1")
    assert "meer dan 24 uur" in (await world.sam.expect_message()).text
    await world.sam.send("0,5")
    assert "Wat heb je gedaan?" in (await world.sam.expect_message()).text
    await world.sam.send("/cancel")
    await world.sam.expect_message()
    await world.sam.send("/uren")
    overview = (await world.sam.expect_message()).text
    assert "02-03-2026: 12 uur, wacht op bevestiging (sinds 02-03)" in overview
    assert "Bevestigd: 0 van 15 uur" in overview and "Wacht op bevestiging: 23,5 uur" in overview


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("morgen", "begrijp ik niet"),
        ("3-3-2026", "nog niet geweest"),
        ("1-1", "meer dan 30 dagen"),
        ("31-2", "begrijp ik niet"),
    ],
)
async def test_other_day_refused(world: World, typed: str, answer: str) -> None:
    await _to_amount(world, "Andere dag")
    assert "Typ de datum" in (await world.sam.expect_message()).text
    await world.sam.send(typed)
    assert answer in (await world.sam.expect_message()).text


async def test_other_day_and_yesterday_accepted(world: World) -> None:
    await _to_amount(world, "Andere dag")
    await world.sam.expect_message()
    await world.sam.send("14 februari")
    assert "Hoeveel uur heb je op 14-02-2026" in (await world.sam.expect_message()).text
    await world.sam.send("/cancel")
    await world.sam.expect_message()
    await world.log_hours("2", day="Gisteren")
    log = await world.last_log()
    assert (
        str(log.work_date) == "2026-03-01" and log.minutes == 120 and log.kind is HoursKind.PRACTICE
    )


async def test_without_placement_no_logging(world: World) -> None:
    tom = await world.emu.create_user("Tom")
    await tom.send("/uren")
    answer = await tom.expect_message()
    assert "nog geen ervaringsplek" in answer.text.lower()
