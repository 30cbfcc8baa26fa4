"""Refs and idempotency keys are built and parsed by the same code."""

from __future__ import annotations

import pytest

from storage.refs import MAX_KEY_LENGTH, Ref, key, parse_ref, ref


def test_a_ref_round_trips() -> None:
    text = ref("hours", 12)
    assert text == "hours:12"
    assert parse_ref(text) == Ref("hours", "12")
    assert parse_ref(text) is not None and parse_ref(text).number == 12  # type: ignore[union-attr]


@pytest.mark.parametrize("text", [None, "", "hours", ":12", "hours:", "nothing-here"])
def test_malformed_refs_are_none(text: str | None) -> None:
    assert parse_ref(text) is None


@pytest.mark.parametrize("ident", ["abc", "-1", "1.5", "١٢"])
def test_a_ref_ident_that_is_not_an_id_has_no_number(ident: str) -> None:
    assert Ref("hours", ident).number is None


def test_a_kind_with_the_separator_is_refused() -> None:
    with pytest.raises(ValueError):
        ref("ho:urs", 1)


def test_keys_join_their_parts_and_refuse_empty_or_too_long() -> None:
    assert key("hours", 12, "remind1") == "hours:12:remind1"
    with pytest.raises(ValueError):
        key()
    with pytest.raises(ValueError):
        key("hours", "")
    with pytest.raises(ValueError):
        key("x" * (MAX_KEY_LENGTH + 1))
