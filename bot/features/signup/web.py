"""The parental-consent web page for parents who are not on Telegram: /toestemming/<token>.

Plain, accessible Dutch HTML without external assets. The form carries a CSRF token bound to
the consent token (an HMAC of its hash with a server key), so no other site can post it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from html import escape

from aiogram.utils.i18n import gettext as _
from aiohttp import web

from bot.features.signup import notices
from bot.features.signup.conversations.consent import problem_text
from bot.features.signup.notices import request_text
from bot.kit.feature import FeatureDeps
from domain.signup.settings import token_hash
from domain.signup.status import ConsentMethod, ConsentRoute
from storage.models import Programme
from storage.signup import queries as signups

HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _key(deps: FeatureDeps) -> bytes:
    secret = deps.settings.telegram_bot_token or deps.settings.webhook_secret
    if secret is None:
        return secrets.token_bytes(32)
    return hashlib.sha256(b"consent-csrf:" + secret.get_secret_value().encode()).digest()


def csrf_for(key: bytes, token: str) -> str:
    return hmac.new(key, token_hash(token).encode(), hashlib.sha256).hexdigest()


def page(title: str, body: str, status: int = 200) -> web.Response:
    html = (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        "<style>body{font-family:sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;"
        "line-height:1.5;font-size:1.1rem}button{font-size:1.1rem;padding:.6rem 1.2rem;"
        "margin:.3rem}</style></head><body><main>"
        f"<h1>{escape(title)}</h1>{body}</main></body></html>"
    )
    return web.Response(
        text=html, content_type="text/html", charset="utf-8", status=status, headers=HEADERS
    )


def _paragraphs(text: str) -> str:
    """Bot HTML (only <b>) to page HTML: paragraphs, the bold kept."""
    return "".join(f"<p>{part.replace(chr(10), '<br>')}</p>" for part in text.split("\n\n"))


def add_routes(app: web.Application, deps: FeatureDeps) -> None:
    key = _key(deps)

    async def show(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        with deps.i18n.context(), deps.i18n.use_locale(deps.i18n.default_locale):
            async with deps.sessions() as session:
                found = await signups.find_consent_request(session, token, deps.clock.now())
                if isinstance(found, signups.TokenProblem):
                    return page(_("Permission"), f"<p>{escape(problem_text(found))}</p>", 410)
                programme = await session.get(Programme, found.signup.programme_id)
                text = request_text(found.person, found.signup, programme.name if programme else "")
            form = (
                f'<form method="post"><input type="hidden" name="csrf" '
                f'value="{csrf_for(key, token)}">'
                f'<button type="submit" name="choice" value="yes">{escape(_("I give permission"))}'
                f'</button><button type="submit" name="choice" value="no">{escape(_("No"))}'
                "</button></form>"
            )
            return page(_("Permission"), _paragraphs(text) + form)

    async def submit(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        form = await request.post()
        with deps.i18n.context(), deps.i18n.use_locale(deps.i18n.default_locale):
            if not hmac.compare_digest(str(form.get("csrf", "")), csrf_for(key, token)):
                return page(
                    _("Permission"),
                    f"<p>{escape(_('This form is not valid. Open the link again.'))}</p>",
                    403,
                )
            now = deps.clock.now()
            async with deps.sessions.begin() as session:
                found = await signups.find_consent_request(session, token, now)
                if isinstance(found, signups.TokenProblem) or not await signups.mark_token_used(
                    session, found.token, now
                ):
                    problem = (
                        found
                        if isinstance(found, signups.TokenProblem)
                        else signups.TokenProblem.USED
                    )
                    return page(_("Permission"), f"<p>{escape(problem_text(problem))}</p>", 410)
                if form.get("choice") == "yes":
                    await signups.record_parental_consent(
                        session,
                        found.signup,
                        method=ConsentMethod.WEB,
                        route=found.token.route or ConsentRoute.FORWARDED,
                        now=now,
                    )
                    await notices.parental_consent_done(session, found.signup, now)
                    message = _(
                        "Thank you! Your permission is recorded. "
                        "To withdraw it later, contact the coordinator."
                    )
                else:
                    await notices.parental_consent_refused(session, found.signup, now)
                    message = _("Understood. The signup and its answers are deleted.")
            return page(_("Permission"), f"<p>{escape(message)}</p>")

    app.router.add_get("/toestemming/{token}", show)
    app.router.add_post("/toestemming/{token}", submit)
