"""The poller: people concurrently, one person in order, bounded, and an offset that never
passes an update that is not finished (a low-water mark). Against a fake Telegram and a fake
dispatcher; every wait is for an event, none for a time."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any, cast

import pytest
from aiogram import Bot, Dispatcher
from aiogram.types import Chat, Message, Update, User

from bot.app.polling import ReliablePoller, Watermark
from bot.kit.config import ConfigError, load_settings

WITHIN = 5.0  # a generous bound on waiting for an event; never a pause


def update(update_id: int, person: int) -> Update:
    return Update(
        update_id=update_id,
        message=Message(
            message_id=update_id,
            date=dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC),
            chat=Chat(id=person, type="private"),
            from_user=User(id=person, is_bot=False, first_name=f"P{person}"),
            text=f"message {update_id}",
        ),
    )


class World:
    """What both fakes change; a test waits on it until a condition holds."""

    def __init__(self) -> None:
        self.changed = asyncio.Condition()

    async def notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    async def until(self, check: Callable[[], bool]) -> None:
        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(check), WITHIN)


class FakeTelegram:
    """getUpdates as Telegram does it: `offset` confirms everything below it; what is not
    confirmed is given again, at once; otherwise wait (long poll) for something new."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.updates: list[Update] = []
        self.offsets: list[int] = []  # every offset the bot confirmed, in order
        self._arrived = asyncio.Event()

    async def push(self, *updates: Update) -> None:
        self.updates.extend(updates)
        self._arrived.set()
        await self.world.notify()

    async def get_updates(
        self,
        offset: int | None = None,
        timeout: int = 0,  # noqa: ASYNC109
        limit: int = 100,
        **_: Any,
    ) -> list[Update]:
        if offset is not None:
            self.offsets.append(offset)
            self.updates = [u for u in self.updates if u.update_id >= offset]
            await self.world.notify()
        if not self.updates and timeout:
            self._arrived.clear()
            with suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), timeout)
        return self.updates[:limit]


class FakeDispatcher:
    """Records when each update's handling starts and ends; a gated update waits to be let go;
    a failing one raises the given number of times."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.started: list[int] = []
        self.finished: list[int] = []
        self.gates: dict[int, asyncio.Event] = {}
        self.failures: dict[int, int] = {}
        self.running: set[int] = set()
        self.most_running = 0
        self.person_overlap = False
        self._person: dict[int, int] = {}

    def gate(self, *update_ids: int) -> None:
        for update_id in update_ids:
            self.gates[update_id] = asyncio.Event()

    async def release(self, update_id: int) -> None:
        self.gates[update_id].set()

    async def feed_update(self, bot: Any, upd: Update, **kwargs: Any) -> None:
        assert upd.message is not None and upd.message.from_user is not None
        person = upd.message.from_user.id
        if any(self._person[r] == person for r in self.running):
            self.person_overlap = True
        self._person[upd.update_id] = person
        self.started.append(upd.update_id)
        self.running.add(upd.update_id)
        self.most_running = max(self.most_running, len(self.running))
        await self.world.notify()
        try:
            if upd.update_id in self.gates:
                await self.gates[upd.update_id].wait()
            if self.failures.get(upd.update_id, 0) > 0:
                self.failures[upd.update_id] -= 1
                raise RuntimeError("the database is away")
        finally:
            self.running.discard(upd.update_id)
            await self.world.notify()
        self.finished.append(upd.update_id)
        await self.world.notify()


@contextmanager
def polling(
    telegram: FakeTelegram, dispatcher: FakeDispatcher, **options: Any
) -> Iterator[tuple[ReliablePoller, asyncio.Event, asyncio.Task[None]]]:
    poller = ReliablePoller(
        cast(Bot, telegram),
        cast(Dispatcher, dispatcher),
        ["message"],
        timeout=5,
        repoll_seconds=0.01,
        **options,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(poller.run(stop))
    try:
        yield poller, stop, task
    finally:
        stop.set()
        for gate in dispatcher.gates.values():
            gate.set()
        task.cancel()


def test_the_offset_is_the_oldest_update_not_finished() -> None:
    window = Watermark()
    assert window.offset is None
    assert all(window.take(i) for i in (10, 11, 12, 13, 14))
    # out-of-order completion never confirms past an unfinished update
    for done in (12, 14, 11):
        assert not window.finish(done)
        assert window.offset == 10
    assert not window.take(10) and not window.take(12)  # in hand, finished: given again
    assert window.finish(10)
    assert window.offset == 13
    assert not window.take(11)  # below the offset: done long ago
    assert window.take(15)
    assert window.finish(13)
    assert window.offset == 15
    assert window.finish(15)
    assert window.offset == 16 and window.pending == 0


async def test_someone_else_is_handled_while_one_update_hangs_and_it_is_not_confirmed() -> None:
    world = World()
    telegram, dispatcher = FakeTelegram(world), FakeDispatcher(world)
    ada, bas = 1, 2
    dispatcher.gate(100)
    with polling(telegram, dispatcher) as (poller, stop, task):
        await telegram.push(update(100, ada))
        await world.until(lambda: 100 in dispatcher.started)
        await telegram.push(update(101, bas))
        # Bas's update is handled while Ada's still hangs (the old poller waited for her batch)
        await world.until(lambda: 101 in dispatcher.finished)
        assert 100 in dispatcher.running
        # Ada's next one waits for her first, Bas's next one does not
        await telegram.push(update(102, ada), update(103, bas))
        await world.until(lambda: 103 in dispatcher.finished)
        assert 102 not in dispatcher.started
        # nothing at or past Ada's hanging update was confirmed; Telegram still has it
        assert max(telegram.offsets, default=0) <= 100
        assert 100 in [u.update_id for u in telegram.updates]
        assert poller.offset == 100
        await dispatcher.release(100)
        await world.until(lambda: 102 in dispatcher.finished)
        assert dispatcher.started.index(100) < dispatcher.started.index(102)
        # all done: the next getUpdates confirms all four
        await world.until(lambda: bool(telegram.offsets) and telegram.offsets[-1] == 104)
        assert not dispatcher.person_overlap
        stop.set()
        await asyncio.wait_for(task, WITHIN)


async def test_one_persons_updates_run_in_order_and_at_most_n_at_once() -> None:
    world = World()
    telegram, dispatcher = FakeTelegram(world), FakeDispatcher(world)
    cas, dirk, eva = 1, 2, 3
    dispatcher.gate(1, 6, 7)
    with polling(telegram, dispatcher, max_concurrent=2) as (_poller, stop, task):
        await telegram.push(update(1, cas), *(update(i, cas) for i in range(2, 6)), update(6, dirk))
        await world.until(lambda: {1, 6} <= dispatcher.running)
        await telegram.push(update(7, eva))
        # two slots, both taken by hanging updates: Eva's waits for a free one
        assert dispatcher.started == [1, 6]
        await dispatcher.release(1)  # Cas's five now run, one after the other
        await world.until(lambda: dispatcher.finished[-1:] == [5])
        await dispatcher.release(6)
        await dispatcher.release(7)
        await world.until(lambda: len(dispatcher.finished) == 7)
        cas_order = [i for i in dispatcher.started if i <= 5]
        assert cas_order == [1, 2, 3, 4, 5]
        assert dispatcher.most_running == 2
        assert not dispatcher.person_overlap
        await world.until(lambda: bool(telegram.offsets) and telegram.offsets[-1] == 8)
        stop.set()
        await asyncio.wait_for(task, WITHIN)


async def test_a_failed_update_is_tried_again_in_its_place() -> None:
    world = World()
    telegram, dispatcher = FakeTelegram(world), FakeDispatcher(world)
    dispatcher.failures[20] = 1
    with polling(telegram, dispatcher) as (_poller, stop, task):
        await telegram.push(update(20, 5), update(21, 5), update(22, 6))
        await world.until(lambda: 22 in dispatcher.finished and 20 in dispatcher.started)
        assert max(telegram.offsets, default=0) <= 20  # the failed one is not confirmed
        await world.until(lambda: dispatcher.finished.count(20) == 1 and 21 in dispatcher.finished)
        # 21 waited for the second try of 20; the other person's 22 did not wait at all
        tries = [i for i, started in enumerate(dispatcher.started) if started == 20]
        assert len(tries) == 2 and dispatcher.started.index(21) > tries[1]
        assert dispatcher.finished.index(22) < dispatcher.finished.index(20)
        await world.until(lambda: bool(telegram.offsets) and telegram.offsets[-1] == 23)
        stop.set()
        await asyncio.wait_for(task, WITHIN)


async def test_on_stop_the_update_in_flight_finishes_and_the_queued_one_comes_again() -> None:
    world = World()
    telegram, dispatcher = FakeTelegram(world), FakeDispatcher(world)
    dispatcher.gate(30)
    with polling(telegram, dispatcher) as (_poller, stop, task):
        await telegram.push(update(30, 8))
        await world.until(lambda: 30 in dispatcher.started)
        await telegram.push(update(31, 8))
        # wait until the poller has taken 31 in: a fetch after the push confirms nothing new
        calls = len(telegram.offsets)
        await world.until(lambda: len(telegram.offsets) > calls + 1)
        stop.set()
        await dispatcher.release(30)
        await asyncio.wait_for(task, WITHIN)
    assert dispatcher.finished == [30]
    assert 31 not in dispatcher.started
    assert telegram.offsets[-1] == 31  # confirmed at shutdown: 30 done, 31 delivered again
    assert [u.update_id for u in telegram.updates] == [31]


def test_max_concurrent_updates_is_a_setting() -> None:
    assert load_settings(_env_file=None).max_concurrent_updates == 16
    assert load_settings(_env_file=None, max_concurrent_updates="4").max_concurrent_updates == 4
    with pytest.raises(ConfigError, match=r"^MAX_CONCURRENT_UPDATES: "):
        load_settings(_env_file=None, max_concurrent_updates=0)
