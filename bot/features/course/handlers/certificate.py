"""A coordinator approves the Citytrainer certificate: the person becomes a Citytrainer (role and
date stored), is congratulated and receives a PDF, through the outbox."""

from __future__ import annotations

from aiogram import F, Router, html
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.course.callbacks import CertificateAction, CertificateCb
from bot.features.course.common import person_name, programme_setup
from bot.features.course.notify import certificate_document, send_certificate
from bot.kit.clock import Clock
from domain.local_time import to_local
from domain.roles import Role
from storage import people
from storage.course.models import CourseCertificate
from storage.models import Person


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(
        approve, CertificateCb.filter(F.action == CertificateAction.APPROVE)
    )
    return router


async def approve(
    query: CallbackQuery,
    callback_data: CertificateCb,
    db: AsyncSession,
    clock: Clock,
    member: people.Member | None,
) -> None:
    cert = await db.get(CourseCertificate, callback_data.certificate)
    if member is None or cert is None or not member.may(cert.programme_id, Role.COORDINATOR):
        await query.answer(_("Only a coordinator of this programme can approve."), show_alert=True)
        return
    person = await db.get(Person, cert.person_id)
    if person is None:
        await query.answer(_("This person no longer exists."), show_alert=True)
        return
    if cert.approved_at is not None:
        await query.answer(_("Already approved."), show_alert=True)
        return
    now = clock.now()
    tz, _settings = await programme_setup(db, cert.programme_id)
    since = to_local(now, tz).date()
    # the PDF first, in a worker thread and before anything is written (no write lock held)
    pdf = await certificate_document(db, cert, person, since)
    cert.approved_at = now
    cert.approved_by = member.person.id
    cert.citytrainer_since = since
    await people.grant_role(
        db, person.id, cert.programme_id, Role.CITYTRAINER, now, granted_by=member.person.id
    )
    reached = await send_certificate(db, cert, person, now, pdf)
    await query.answer(_("Certificate approved"))
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        text = _("{name} is now a Citytrainer.").format(name=html.quote(person_name(person)))
        if reached:
            text += " " + _("The certificate is on its way.")
        else:
            text += " " + _(
                "They cannot be reached in the chat: hand over the certificate yourself."
            )
        await query.message.answer(text)
