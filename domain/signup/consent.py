"""A parent's permission: who may give it, how the request reaches the parent, and how sure we
are that the parent gave it (issue 11).

Rules:
- On Telegram, permission is refused from the participant's own account and from every account
  that belongs to a participant (someone with a signup, or the participant or citytrainer role):
  a young person cannot give permission for herself, nor for a friend.
- With an e-mail address of the parent (and e-mail configured), the request goes straight to
  that address (`ConsentRoute.EMAIL`); otherwise the participant forwards it
  (`ConsentRoute.FORWARDED`). A coordinator records a signed form as `ConsentRoute.PAPER`.
- Permission through the e-mail to the parent, or on paper recorded by a coordinator, is
  verified when it is given; permission through a forwarded link is *unverified* until a
  coordinator has called the parent ("nagebeld en bevestigd").
- A signup that needs a parent's permission goes into a group (or on its waiting list) only
  with verified permission.
- A new e-mail to the parent (/toestemming) goes at most once every `EMAIL_AGAIN_AFTER`: the
  bot never floods an address someone typed.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from domain.roles import Role
from domain.signup.settings import is_email_address
from domain.signup.status import ConsentRoute

EMAIL_AGAIN_AFTER = dt.timedelta(minutes=10)
"""The shortest time between two e-mails with a consent link to the same signup's parent."""

PARTICIPANT_ROLES: frozenset[Role] = frozenset({Role.PARTICIPANT, Role.CITYTRAINER})
"""Roles of young people in the programme: such an account never gives a parent's permission."""


class ConsentRefusal(StrEnum):
    """Why an account may not give a parent's permission."""

    OWN_ACCOUNT = "own_account"
    """The account of the participant the permission is for."""
    PARTICIPANT_ACCOUNT = "participant_account"
    """The account of another participant (a signup, or a participant's role)."""


def consent_refusal(
    *, is_the_participant: bool, has_signup: bool, roles: frozenset[Role]
) -> ConsentRefusal | None:
    """Why this account may not give the permission, or None when it may."""
    if is_the_participant:
        return ConsentRefusal.OWN_ACCOUNT
    if has_signup or roles & PARTICIPANT_ROLES:
        return ConsentRefusal.PARTICIPANT_ACCOUNT
    return None


def request_route(parent_contact: str | None, *, email_available: bool) -> ConsentRoute:
    """How the request reaches the parent: by e-mail when we have the parent's address and can
    send e-mail, otherwise through the participant."""
    if email_available and is_email_address(parent_contact):
        return ConsentRoute.EMAIL
    return ConsentRoute.FORWARDED


def verified_when_given(route: ConsentRoute) -> bool:
    """True when permission through this route needs no call to the parent."""
    return route in (ConsentRoute.EMAIL, ConsentRoute.PAPER)


def may_place(*, needs_consent: bool, consent_verified: bool) -> bool:
    """True when a coordinator may place the signup (or put it on a waiting list)."""
    return not needs_consent or consent_verified


def may_email_again(last_sent: dt.datetime | None, now: dt.datetime) -> bool:
    """True when a new e-mail to the parent may go (none yet, or the last one long enough ago)."""
    return last_sent is None or now - last_sent >= EMAIL_AGAIN_AFTER
