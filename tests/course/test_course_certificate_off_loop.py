"""The certificate PDF is built off the event loop: while it is being built, other people are
answered. The renderer is replaced by one that blocks until the test, on the event loop, lets
it go: were it run on the loop, nothing could let it go (it gives up after a while, failing)."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Sequence

import pytest

from bot.features.course import docs
from bot.features.course import notify as course_notify
from bot.features.course.callbacks import CertificateAction, CertificateCb
from bot.kit.keyboards import inline_choices
from simulator.client import EmulatorClient
from storage import people
from storage.course import queries as course
from tests.conftest import BotHarness
from tests.course.conftest import make_world

GIVE_UP = 10.0  # seconds the blocking renderer waits for the loop before it fails


async def test_others_are_answered_while_the_certificate_is_built(
    harness: BotHarness, emu: EmulatorClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    cor = await emu.create_user("Cor")
    await harness.start(admin_telegram_ids=[cor.id])
    lotte, anna, bas = (
        await emu.create_user("Lotte"),
        await emu.create_user("Anna"),
        await emu.create_user("Bas"),
    )
    now = harness.clock.now()
    async with harness.app.sessions.begin() as session:
        world = await make_world(
            session,
            starts=[now + dt.timedelta(days=7)],
            leader_tg=lotte.id,
            participants=[(anna.id, "Anna", dt.date(1990, 5, 1))],
            now=now,
        )
        programme = await people.default_programme(session)
        assert programme is not None
        cert = await course.ensure_certificate(
            session, programme.id, world.participant_ids[0], world.cohort_id
        )
        cert.requested_at = now
    approve = CertificateCb(action=CertificateAction.APPROVE, certificate=cert.id).pack()
    await harness.app.bot.send_message(
        cor.id, "Certificaat van Anna?", reply_markup=inline_choices([("Goedkeuren", approve)])
    )
    request = await cor.expect_message()

    loop = asyncio.get_running_loop()
    building = asyncio.Event()
    go_on = threading.Event()
    seen: dict[str, bool] = {}
    real = docs.certificate_pdf

    def blocking_renderer(name: str, programme: str, title: str, lines: Sequence[str]) -> bytes:
        seen["in a worker thread"] = threading.current_thread() is not threading.main_thread()
        loop.call_soon_threadsafe(building.set)
        seen["let go by the loop"] = go_on.wait(GIVE_UP)
        if not seen["let go by the loop"]:
            raise RuntimeError("the certificate was built on the event loop and blocked it")
        return real(name, programme, title, lines)

    monkeypatch.setattr(docs, "certificate_pdf", blocking_renderer)
    # where the handler's module imported the renderer itself (before it moved to a thread)
    monkeypatch.setattr(course_notify, "certificate_pdf", blocking_renderer, raising=False)

    tap = asyncio.create_task(cor.tap(request, "Goedkeuren", answer_timeout=GIVE_UP + 5))
    await asyncio.wait_for(building.wait(), GIVE_UP + 5)
    # the PDF is being built right now: someone else is answered meanwhile
    await bas.send("/help")
    assert "Dit kun je hier doen" in (await bas.expect_message(timeout=GIVE_UP)).text
    go_on.set()

    answer = await tap
    assert answer is not None and answer.text == "Goedgekeurd"
    assert seen == {"in a worker thread": True, "let go by the loop": True}
    assert "Anna is nu Citytrainer" in (await cor.expect_message()).text
    assert "Gefeliciteerd, Anna" in (await anna.expect_message()).text
    document = await anna.expect_message()
    assert document.kind == "document" and document.document is not None
    assert (await emu.download(document)).startswith(b"%PDF")


async def test_certificates_built_at_the_same_time_are_all_whole() -> None:
    names = ["Şükrü Öztürk", "Zofia Łukaszewska", "محمد علي", "Jan de Vries"]
    pdfs = await asyncio.gather(
        *(docs.render_certificate(n, "Citytrainers Oss", "Certificaat", ["Datum: 1-6-2026"])
          for n in names)
    )  # fmt: skip
    alone = [docs.certificate_pdf(n, "Citytrainers Oss", "Certificaat", ["Datum: 1-6-2026"])
             for n in names]  # fmt: skip
    assert [len(p) for p in pdfs] == [len(p) for p in alone]
    assert all(p.startswith(b"%PDF") for p in pdfs)
