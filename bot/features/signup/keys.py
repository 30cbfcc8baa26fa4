"""The signup's refs and outbox idempotency keys, each built in one place (`storage.refs`).

The texts never change: outbox rows already written rely on them ("signup:12:placed",
"enrolment:7:offer:2026-03-02 10:00:00+00:00", ...). A reply to a message with `signup_ref`
comes back to `handlers.replies` with the signup id as `ident`.
"""

from __future__ import annotations

import datetime as dt

from storage.refs import Ref, key, ref

SIGNUP = "signup"
"""The ref kind (and key prefix) of a signup: a reply to its message goes to the signup."""
ENROLMENT = "enrolment"
"""The key prefix of messages about a place in a group (offers)."""


def signup_ref(signup_id: int) -> str:
    """The ref of a message about a signup that the person may reply to."""
    return ref(SIGNUP, signup_id)


def signup_id_of(ident: str) -> int | None:
    """The signup id of a reply's ident, or None when it is not one."""
    return Ref(SIGNUP, ident).number


# Messages about a signup ("signup:<id>:...").


def new_signup(signup_id: int) -> str:
    return key(SIGNUP, signup_id, "new")


def placed(signup_id: int) -> str:
    return key(SIGNUP, signup_id, "placed")


def waiting(signup_id: int, cohort_id: int) -> str:
    return key(SIGNUP, signup_id, "waiting", cohort_id)


def question(signup_id: int, message_id: int) -> str:
    """The coordinator's question (message `message_id`) to the person."""
    return key(SIGNUP, signup_id, "ask", message_id)


def reply(signup_id: int, message_id: int) -> str:
    """The person's reply (message `message_id`) passed on to the coordinators."""
    return key(SIGNUP, signup_id, "reply", message_id)


def declined(signup_id: int) -> str:
    return key(SIGNUP, signup_id, "declined")


def withdrawn(signup_id: int) -> str:
    """To the coordinators: the consent was withdrawn."""
    return key(SIGNUP, signup_id, "withdrawn")


def withdrawn_to_participant(signup_id: int) -> str:
    """To the participant: their parent withdrew the consent."""
    return key(SIGNUP, signup_id, "withdrawn", "participant")


def consented(signup_id: int) -> str:
    return key(SIGNUP, signup_id, "consented")


def refused(signup_id: int) -> str:
    return key(SIGNUP, signup_id, "refused")


def consent_expired(signup_id: int) -> str:
    return key(SIGNUP, signup_id, "consent-expired")


def consent_reminder(signup_id: int, token_id: int) -> str:
    return key(SIGNUP, signup_id, "consent-reminder", token_id)


def consent_mail(signup_id: int, token_id: int) -> str:
    """The e-mail to the parent with the consent link of token `token_id`."""
    return key(SIGNUP, signup_id, "consent-mail", token_id)


# Messages about an offered place ("enrolment:<id>:..."); an enrolment may be offered a place
# more than once, so the moment of the offer is part of the key.


def offer(enrolment_id: int, offered_at: dt.datetime | None) -> str:
    return key(ENROLMENT, enrolment_id, "offer", offered_at)


def offer_lapsed(enrolment_id: int, offered_at: dt.datetime | None) -> str:
    """To the person: the offer lapsed."""
    return key(ENROLMENT, enrolment_id, "lapsed", offered_at)


def offer_lapsed_to_coordinators(enrolment_id: int, offered_at: dt.datetime | None) -> str:
    return key(ENROLMENT, enrolment_id, "lapsed", offered_at, "coordinators")


def offer_declined(enrolment_id: int, offered_at: dt.datetime | None) -> str:
    return key(ENROLMENT, enrolment_id, "declined", offered_at)


def offer_accepted(enrolment_id: int) -> str:
    return key(ENROLMENT, enrolment_id, "accepted")
