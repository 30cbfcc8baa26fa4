"""A parent's permission (issue 11, point 1): the pure rules, the one door that records it (on
SQLite and PostgreSQL), the one function that builds consent links, and the settings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.app import cli
from bot.features import all_features
from bot.features.signup.notices import consent_page_url
from bot.kit.config import ConfigError, Settings, check_for_run
from domain.roles import Role
from domain.signup.consent import (
    EMAIL_AGAIN_AFTER,
    ConsentRefusal,
    consent_refusal,
    may_email_again,
    may_place,
    request_route,
    verified_when_given,
)
from domain.signup.status import ConsentKind, ConsentMethod, ConsentRoute
from storage import migrate, people
from storage.db import create_session_factory
from storage.models import Person, Programme
from storage.signup import queries as signups
from storage.signup.models import Signup

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
TOKEN = "123456789:AAEmulatorTokenForCitytrainersTests"
PUBLIC = "https://citytrainers.example"


# -- the pure rules ---------------------------------------------------------------------------


def test_an_account_of_a_participant_never_gives_a_parents_permission() -> None:
    nobody: frozenset[Role] = frozenset()
    assert consent_refusal(is_the_participant=True, has_signup=True, roles=nobody) is (
        ConsentRefusal.OWN_ACCOUNT
    )
    assert consent_refusal(is_the_participant=False, has_signup=True, roles=nobody) is (
        ConsentRefusal.PARTICIPANT_ACCOUNT
    )
    for role in (Role.PARTICIPANT, Role.CITYTRAINER):
        assert consent_refusal(
            is_the_participant=False, has_signup=False, roles=frozenset({role})
        ) is (ConsentRefusal.PARTICIPANT_ACCOUNT)
    for role in (Role.COORDINATOR, Role.SUPERVISOR, Role.COURSE_LEADER, Role.PARENT):
        assert (
            consent_refusal(is_the_participant=False, has_signup=False, roles=frozenset({role}))
            is None
        )
    assert consent_refusal(is_the_participant=False, has_signup=False, roles=nobody) is None


def test_the_request_goes_by_e_mail_when_there_is_an_address_and_e_mail_works() -> None:
    assert request_route("karin@example.nl", email_available=True) is ConsentRoute.EMAIL
    assert request_route("karin@example.nl", email_available=False) is ConsentRoute.FORWARDED
    assert request_route("06 12345678", email_available=True) is ConsentRoute.FORWARDED
    assert request_route(None, email_available=True) is ConsentRoute.FORWARDED


def test_only_a_forwarded_link_needs_a_call_before_placing() -> None:
    assert verified_when_given(ConsentRoute.EMAIL)
    assert verified_when_given(ConsentRoute.PAPER)
    assert not verified_when_given(ConsentRoute.FORWARDED)
    assert may_place(needs_consent=False, consent_verified=False)
    assert may_place(needs_consent=True, consent_verified=True)
    assert not may_place(needs_consent=True, consent_verified=False)


def test_a_new_e_mail_to_the_parent_waits_a_while() -> None:
    assert may_email_again(None, T0)
    assert not may_email_again(T0, T0 + EMAIL_AGAIN_AFTER - dt.timedelta(seconds=1))
    assert may_email_again(T0, T0 + EMAIL_AGAIN_AFTER)


# -- the one door that records a parent's permission (SQLite and PostgreSQL) -----------------


async def _minor(
    session: AsyncSession, programme: Programme, telegram_id: int, contact: str
) -> Signup:
    member = await people.create_member(
        session,
        programme_id=programme.id,
        channel=people.TELEGRAM,
        external_id=str(telegram_id),
        chat_id=str(telegram_id),
        first_name="Noor",
        display_name="Noor",
        now=T0,
    )
    signup = Signup(
        programme_id=programme.id,
        person_id=member.person.id,
        status="awaiting_consent",
        track="sport",
        age_at_signup=14,
        needs_consent=True,
        parent_name="Karin Jansen",
        parent_contact=contact,
        privacy_version="2026-1",
        privacy_accepted_at=T0,
        created_at=T0,
    )
    session.add(signup)
    await session.flush()
    return signup


async def test_record_parental_consent_refuses_participants_and_keeps_the_evidence(
    engine: AsyncEngine,
) -> None:
    await migrate.upgrade(engine)
    async with create_session_factory(engine).begin() as session:
        programme = await people.ensure_programme(session, "Den Bosch", "Europe/Amsterdam", T0)
        noor = await _minor(session, programme, 1001, "06 12345678")
        sanne = await _minor(session, programme, 1002, "karin@example.nl")
        citytrainer = await people.create_member(
            session,
            programme_id=programme.id,
            channel=people.TELEGRAM,
            external_id="1003",
            chat_id="1003",
            first_name="Bram",
            display_name="Bram",
            now=T0,
        )
        await people.grant_role(session, citytrainer.person.id, programme.id, Role.CITYTRAINER, T0)
        coordinator = Person(programme_id=programme.id, first_name="Cor", created_at=T0)
        session.add(coordinator)
        await session.flush()

        def telegram(account: int) -> signups.TelegramAccount:
            return signups.TelegramAccount(account, "Iemand")

        forwarded = {"method": ConsentMethod.TELEGRAM, "route": ConsentRoute.FORWARDED}
        # the child herself, another child with a signup, a Citytrainer: refused, nothing stored
        assert await signups.record_parental_consent(
            session, noor, account=telegram(1001), now=T0, **forwarded
        ) is (ConsentRefusal.OWN_ACCOUNT)
        assert await signups.record_parental_consent(
            session, noor, account=telegram(1002), now=T0, **forwarded
        ) is (ConsentRefusal.PARTICIPANT_ACCOUNT)
        assert await signups.record_parental_consent(
            session, noor, account=telegram(1003), now=T0, **forwarded
        ) is (ConsentRefusal.PARTICIPANT_ACCOUNT)
        assert await signups.parental_consent(session, noor.id) is None
        assert noor.parent_telegram_id is None
        # nothing records a parent's permission past the check
        with pytest.raises(ValueError, match="record_parental_consent"):
            await signups.add_consent(
                session,
                noor,
                ConsentKind.PARENTAL,
                given_by="Noor",
                method=ConsentMethod.WEB,
                now=T0,
            )
        with pytest.raises(ValueError, match="account"):
            await signups.record_parental_consent(session, noor, now=T0, **forwarded)

        # a parent's own account: recorded, unverified (a forwarded link), with its evidence
        consent = await signups.record_parental_consent(
            session,
            noor,
            method=ConsentMethod.TELEGRAM,
            route=ConsentRoute.FORWARDED,
            account=signups.TelegramAccount(2001, "Karin J"),
            now=T0,
        )
        assert not isinstance(consent, ConsentRefusal)
        assert consent.route is ConsentRoute.FORWARDED and consent.method is ConsentMethod.TELEGRAM
        assert consent.contact == "06 12345678" and consent.given_at == T0
        assert consent.given_by == "Karin Jansen (Telegram: Karin J)"
        assert consent.verified_at is None and consent.verified_by is None
        assert not await signups.consent_verified(session, noor)
        assert noor.parent_telegram_id == "2001"
        later = T0 + dt.timedelta(hours=2)
        verified = await signups.verify_parental_consent(session, noor, coordinator.id, later)
        assert verified is not None and verified.verified_at == later
        assert verified.verified_by == coordinator.id
        assert await signups.consent_verified(session, noor)
        # a second confirmation changes nothing
        again = await signups.verify_parental_consent(
            session, noor, coordinator.id, later + dt.timedelta(days=1)
        )
        assert again is not None and again.verified_at == later

        # the e-mail route on the web page: verified by the e-mail to the parent's address
        by_mail = await signups.record_parental_consent(
            session, sanne, method=ConsentMethod.WEB, route=ConsentRoute.EMAIL, now=T0
        )
        assert not isinstance(by_mail, ConsentRefusal)
        assert by_mail.contact == "karin@example.nl" and by_mail.route is ConsentRoute.EMAIL
        assert by_mail.verified_at == T0 and by_mail.verified_by is None
        assert by_mail.given_by == "Karin Jansen"

        # paper: the name on the form, verified by the coordinator who records it
        paper = await signups.record_parental_consent(
            session,
            noor,
            method=ConsentMethod.PAPER,
            route=ConsentRoute.PAPER,
            stated_name="K. Jansen",
            recorded_by=coordinator.id,
            now=later,
        )
        assert not isinstance(paper, ConsentRefusal)
        assert paper.given_by == "K. Jansen" and paper.verified_by == coordinator.id


# -- links never point at this machine --------------------------------------------------------


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize("web_host", ["127.0.0.1", "0.0.0.0"])  # 0.0.0.0: WEB_HOST in Docker
def test_a_consent_link_never_points_at_the_listening_address(web_host: str) -> None:
    assert (
        consent_page_url(_settings(telegram_bot_token=TOKEN, web_host=web_host), "t" * 32) is None
    )
    assert (
        consent_page_url(
            _settings(telegram_bot_token=TOKEN, web_host=web_host, public_base_url=PUBLIC),
            "t" * 32,
        )
        == f"{PUBLIC}/toestemming/{'t' * 32}"
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080",
        "https://127.0.0.1",
        "https://0.0.0.0:8080",
        "https://[::1]:8080",
        "https://localhost:8080",
        "http://citytrainers.example",
    ],
)
def test_with_a_token_public_base_url_must_be_a_public_https_address(url: str) -> None:
    with pytest.raises(ValueError, match="PUBLIC_BASE_URL"):
        _settings(telegram_bot_token=TOKEN, public_base_url=url)
    # nor does a link get built from it some other way (Settings built without validation)
    settings = _settings(telegram_bot_token=TOKEN).model_copy(update={"public_base_url": url})
    assert consent_page_url(settings, "t" * 32) is None


def test_local_mode_links_to_localhost_but_never_to_an_ip_of_this_machine() -> None:
    assert consent_page_url(_settings(public_base_url="http://localhost:8080"), "abc") == (
        "http://localhost:8080/toestemming/abc"
    )
    assert consent_page_url(_settings(public_base_url="http://127.0.0.1:8080"), "abc") is None
    assert consent_page_url(_settings(public_base_url="http://0.0.0.0:8080"), "abc") is None
    assert consent_page_url(_settings(), "abc") is None


def test_run_with_a_token_needs_public_base_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL: required"):
        check_for_run(_settings(telegram_bot_token=TOKEN))
    check_for_run(_settings(telegram_bot_token=TOKEN, public_base_url=PUBLIC))
    check_for_run(_settings())  # local mode needs none
    # the command line: one line naming the variable, exit code 2
    monkeypatch.chdir(tmp_path)
    for name in ("PUBLIC_BASE_URL", "SMTP_URL", "MAIL_FROM", "WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/bot.db")
    assert cli.main(all_features(), ["run"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "PUBLIC_BASE_URL: required" in error
    monkeypatch.setenv("PUBLIC_BASE_URL", "http://0.0.0.0:8080")
    assert cli.main(all_features(), ["run"]) == 2
    assert "PUBLIC_BASE_URL: expected a public https:// URL" in capsys.readouterr().err


def test_smtp_settings_are_checked() -> None:
    settings = _settings(smtp_url="smtps://user:p%40ss@mail.example:465", mail_from="CT <a@b.nl>")
    assert settings.smtp_url is not None and "p%40ss" not in repr(settings)
    with pytest.raises(ValueError, match="SMTP_URL needs MAIL_FROM"):
        _settings(smtp_url="smtp://mail.example:25")
    for bad in ("http://mail.example", "smtp://", "smtp://mail.example:port"):
        with pytest.raises(ValueError, match="smtp://host"):
            _settings(smtp_url=bad, mail_from="a@b.nl")
    with pytest.raises(ValueError, match="e-mail address"):
        _settings(smtp_url="smtp://mail.example", mail_from="Citytrainers")
