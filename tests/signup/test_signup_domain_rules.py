"""Date of birth, age, eligibility, postcode and name rules (issue 3)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.dates import DateError, DateRules, age_on, day_of_age, local_today, parse_birth_date
from domain.names import MAX_NAME_LENGTH, NameProblem, clean_name
from domain.postcodes import PostcodeArea, PostcodeError, parse_postcode, postcode_in_ranges
from domain.signup.eligibility import EligibilityRules, EligibilityStatus, check_eligibility

TODAY = date(2025, 6, 1)
AMS = ZoneInfo("Europe/Amsterdam")


@pytest.mark.parametrize(
    "text",
    [
        "14-03-2011",
        "14/3/2011",
        "14.3.2011",
        "14 3 2011",
        " 14-03-2011 \n",
        "2011-03-14",
        "2011/3/14",
        "14 maart 2011",
        "14 MAART 2011",
        "14 mrt 2011",
        "14 mrt. 2011",
        "14-mrt-2011",
        "14 Mar 2011",
        "14-03-11",
    ],
)
def test_parse_birth_date_accepts_common_forms(text: str) -> None:
    assert parse_birth_date(text, TODAY) == date(2011, 3, 14)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 januari 2010", date(2010, 1, 1)),
        ("31 dec 2009", date(2009, 12, 31)),
        ("5 okt 2008", date(2008, 10, 5)),
        ("5 sept 2008", date(2008, 9, 5)),
        ("29-02-2012", date(2012, 2, 29)),
        ("1-1-60", date(1960, 1, 1)),
        ("1-1-25", date(2025, 1, 1)),
    ],
)
def test_parse_birth_date_variants(text: str, expected: date) -> None:
    assert parse_birth_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", DateError.UNREADABLE),
        ("gisteren", DateError.UNREADABLE),
        ("14 foo 2011", DateError.UNREADABLE),
        ("14-03", DateError.UNREADABLE),
        ("2011", DateError.UNREADABLE),
        ("<b>14-03-2011</b>", DateError.UNREADABLE),
        ("x" * 500, DateError.UNREADABLE),
        ("31-02-2011", DateError.IMPOSSIBLE),
        ("29-02-2011", DateError.IMPOSSIBLE),
        ("14-13-2011", DateError.IMPOSSIBLE),
        ("0-1-2011", DateError.IMPOSSIBLE),
        ("2-6-2025", DateError.IN_FUTURE),
        ("1-1-2030", DateError.IN_FUTURE),
        ("1-1-1900", DateError.TOO_OLD_TO_BE_REAL),
    ],
)
def test_parse_birth_date_errors(text: str, error: DateError) -> None:
    assert parse_birth_date(text, TODAY) is error


def test_parse_birth_date_today_and_age_limit() -> None:
    assert parse_birth_date("1-6-2025", TODAY) == TODAY
    assert parse_birth_date("1-6-1905", TODAY) == date(1905, 6, 1)  # exactly 120
    assert parse_birth_date("1-6-1905", TODAY, DateRules(max_age_years=100)) is (
        DateError.TOO_OLD_TO_BE_REAL
    )


@given(st.text(max_size=60))
def test_parse_birth_date_never_raises(text: str) -> None:
    result = parse_birth_date(text, TODAY)
    assert isinstance(result, DateError) or date(1905, 6, 1) <= result <= TODAY


@given(st.dates(min_value=date(1906, 1, 1), max_value=TODAY))
def test_parse_birth_date_roundtrip(born: date) -> None:
    assert parse_birth_date(born.strftime("%d-%m-%Y"), TODAY) == born
    assert parse_birth_date(born.isoformat(), TODAY) == born


def test_age_on_birthday_edges() -> None:
    born = date(2011, 3, 14)
    assert age_on(born, date(2025, 3, 13)) == 13
    assert age_on(born, date(2025, 3, 14)) == 14
    assert age_on(born, born) == 0
    with pytest.raises(ValueError):
        age_on(born, date(2011, 3, 13))


def test_leap_day_birthday_counts_on_first_of_march() -> None:
    born = date(2008, 2, 29)
    assert age_on(born, date(2022, 2, 28)) == 13
    assert age_on(born, date(2022, 3, 1)) == 14
    assert age_on(born, date(2024, 2, 28)) == 15
    assert age_on(born, date(2024, 2, 29)) == 16
    assert day_of_age(born, 14) == date(2022, 3, 1)
    assert day_of_age(born, 16) == date(2024, 2, 29)


def test_local_today_at_time_zone_midnight() -> None:
    # 22:30 UTC on 13 March is 23:30 in Amsterdam (winter time): still the 13th
    assert local_today(datetime(2025, 3, 13, 22, 30, tzinfo=UTC), AMS) == date(2025, 3, 13)
    # 23:30 UTC is 00:30 on the 14th in Amsterdam: the 14th birthday has begun there
    now = datetime(2025, 3, 13, 23, 30, tzinfo=UTC)
    assert local_today(now, AMS) == date(2025, 3, 14)
    # summer time: 22:00 UTC on 1 June is already 2 June in Amsterdam
    assert local_today(datetime(2025, 6, 1, 22, 0, tzinfo=UTC), AMS) == date(2025, 6, 2)
    with pytest.raises(ValueError):
        local_today(datetime(2025, 6, 1), AMS)


def test_eligibility_fourteenth_and_sixteenth_birthday() -> None:
    born = date(2011, 3, 14)
    day_before = check_eligibility(born, date(2025, 3, 13))
    assert day_before.status is EligibilityStatus.TOO_YOUNG
    assert day_before.may_sign_up_from == date(2025, 3, 14)
    assert not day_before.may_continue
    on_day = check_eligibility(born, date(2025, 3, 14))
    assert on_day.status is EligibilityStatus.NEEDS_CONSENT
    assert on_day.consent_needed_until == date(2027, 3, 14)
    assert on_day.may_continue
    assert check_eligibility(born, date(2027, 3, 13)).status is EligibilityStatus.NEEDS_CONSENT
    assert check_eligibility(born, date(2027, 3, 14)).status is EligibilityStatus.OK


def test_eligibility_thirteen_year_old_and_max_age() -> None:
    assert check_eligibility(date(2012, 1, 1), TODAY).status is EligibilityStatus.TOO_YOUNG
    rules = EligibilityRules(min_age=15, max_age=23)
    fifteen = check_eligibility(date(2010, 1, 1), TODAY, rules)
    assert fifteen.status is EligibilityStatus.NEEDS_CONSENT
    assert check_eligibility(date(2011, 1, 1), TODAY, rules).status is EligibilityStatus.TOO_YOUNG
    assert check_eligibility(date(2001, 6, 2), TODAY, rules).status is EligibilityStatus.OK
    too_old = check_eligibility(date(2001, 6, 1), TODAY, rules)
    assert too_old.status is EligibilityStatus.TOO_OLD
    assert too_old.age == 24
    assert check_eligibility(date(1960, 1, 1), TODAY).status is EligibilityStatus.OK


def test_eligibility_leap_day_minor() -> None:
    born = date(2008, 2, 29)
    result = check_eligibility(born, date(2022, 2, 28))
    assert result.status is EligibilityStatus.TOO_YOUNG
    assert result.may_sign_up_from == date(2022, 3, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5211 AB", "5211 AB"),
        ("5211ab", "5211 AB"),
        (" 5211  ab ", "5211 AB"),
        ("5211-ab", "5211 AB"),
        ("1000 AA", "1000 AA"),
        ("9999 ZZ", "9999 ZZ"),
    ],
)
def test_parse_postcode_ok(text: str, expected: str) -> None:
    assert parse_postcode(text) == expected


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", PostcodeError.UNREADABLE),
        ("5211", PostcodeError.UNREADABLE),
        ("521 AB", PostcodeError.UNREADABLE),
        ("52111 AB", PostcodeError.UNREADABLE),
        ("5211 A1", PostcodeError.UNREADABLE),
        ("5211 ÄB", PostcodeError.UNREADABLE),
        ("0211 AB", PostcodeError.NOT_A_NUMBER_RANGE),
        ("5211 SA", PostcodeError.LETTERS_NOT_USED),
        ("5211 sd", PostcodeError.LETTERS_NOT_USED),
        ("5211SS", PostcodeError.LETTERS_NOT_USED),
    ],
)
def test_parse_postcode_errors(text: str, error: PostcodeError) -> None:
    assert parse_postcode(text) is error


@given(st.text(max_size=20))
def test_parse_postcode_never_raises(text: str) -> None:
    result = parse_postcode(text)
    assert isinstance(result, PostcodeError) or parse_postcode(result) == result


def test_postcode_ranges() -> None:
    assert postcode_in_ranges("5211 AB", [])
    assert postcode_in_ranges("5211 AB", [(5200, 5249)])
    assert postcode_in_ranges("5249 ZZ", [(5200, 5249)])
    assert not postcode_in_ranges("5250 AA", [(5200, 5249)])
    area = PostcodeArea(ranges=((3300, 3329), (5200, 5249)))
    assert area.allows("3311 AB")
    assert not area.allows("1011 AB")
    assert PostcodeArea().allows("1011 AB")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Fatima ", "Fatima"),
        ("Jan  de\tVries", "Jan de Vries"),
        ("Zoë", "Zoë"),
        ("Anne-Marie O'Neil", "Anne-Marie O'Neil"),
        ("李小龍", "李小龍"),
        ("a", "a"),
        ("R2D2 🤖", "R2D2 🤖"),
    ],
)
def test_clean_name_ok(text: str, expected: str) -> None:
    assert clean_name(text) == expected


def test_clean_name_normalises_to_nfc() -> None:
    assert clean_name("Zoe\u0308") == "Zo\u00eb"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", NameProblem.EMPTY),
        ("   \n ", NameProblem.EMPTY),
        ("x" * (MAX_NAME_LENGTH + 1), NameProblem.TOO_LONG),
        ("🤖🤖", NameProblem.NO_LETTER),
        ("12345", NameProblem.NO_LETTER),
        ("Jan\x00", NameProblem.CONTROL_CHARACTERS),
        ("Jan\u202eNAJ", NameProblem.CONTROL_CHARACTERS),
        ("<b>Jan</b>", NameProblem.FORBIDDEN_CHARACTERS),
    ],
)
def test_clean_name_errors(text: str, error: NameProblem) -> None:
    assert clean_name(text) is error


def test_clean_name_length_limit_is_inclusive() -> None:
    assert clean_name("x" * MAX_NAME_LENGTH) == "x" * MAX_NAME_LENGTH


@given(st.text(max_size=100))
def test_clean_name_never_raises_and_is_idempotent(text: str) -> None:
    result = clean_name(text)
    if not isinstance(result, NameProblem):
        assert 1 <= len(result) <= MAX_NAME_LENGTH
        assert clean_name(result) == result
