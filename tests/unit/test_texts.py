"""Texts Telegram accepts (issue 12): one HTML parser for the bot and the emulator, `check`,
`split` and `cap` (bot.kit.texts)."""

from __future__ import annotations

import html as std_html
from pathlib import Path

import pytest
from aiogram import html
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.kit import telegram_html, texts
from bot.kit.telegram_html import TelegramHTMLError, parse_html, utf16_len
from simulator import telegram_html as emulator_html
from simulator.spec import ApiError


def plain(text: str) -> str:
    return parse_html(text)[0]


# --- one parser, shared --------------------------------------------------------------------------


def test_the_emulator_uses_the_bots_parser() -> None:
    assert emulator_html.utf16_len is telegram_html.utf16_len
    for bad in ("<Sanne & Co>", "<b>vet", "Sanne &Co", "<b><i>x</b></i>", "&foo;"):
        with pytest.raises(TelegramHTMLError) as ours:
            telegram_html.parse_html(bad)
        with pytest.raises(ApiError) as theirs:
            emulator_html.parse_html(bad)
        assert theirs.value.status == 400
        assert theirs.value.description == f"Bad Request: {ours.value}"
        assert str(ours.value).startswith("can't parse entities: ")
    good = '<b>a</b> &amp; <a href="https://x.nl/?a=1&amp;b=2">link</a>'
    assert emulator_html.parse_html(good) == telegram_html.parse_html(good)


def test_the_parser_is_pure() -> None:
    """No import of the emulator (or aiogram) in production's parser."""
    source = Path(telegram_html.__file__).read_text(encoding="utf-8")
    assert "simulator" not in source.split('"""', 2)[2] and "aiogram" not in source


# --- check ---------------------------------------------------------------------------------------


def test_check_counts_visible_utf16_units() -> None:
    assert texts.check("<b>ab</b> &amp;") == 4
    assert texts.check("😀") == 2
    assert texts.check("<i>" + "x" * 4096 + "</i>") == 4096
    assert texts.check("&lt;" * 4096) == 4096  # escaped characters count once
    with pytest.raises(texts.TextTooLong) as too_long:
        texts.check("x" * 4097)
    assert (too_long.value.length, too_long.value.limit) == (4097, 4096)
    with pytest.raises(texts.TextTooLong):
        texts.check("😀" * 2049)  # 4098 UTF-16 units
    with pytest.raises(texts.TextTooLong):
        texts.check("x" * 1025, texts.CAPTION_LIMIT, caption=True)
    assert texts.check("", texts.CAPTION_LIMIT, caption=True) == 0


def test_check_refuses_what_telegram_refuses() -> None:
    with pytest.raises(TelegramHTMLError):
        texts.check("Groep <Noord> & Zuid")
    with pytest.raises(texts.TextEmpty):
        texts.check("<b> </b>\n")
    assert texts.check(html.quote("Groep <Noord> & Zuid")) == len("Groep <Noord> & Zuid")


def test_room_and_fits() -> None:
    assert texts.room("<b>Vraag</b>\n\n") == 4096 - 7
    assert texts.room("x" * 5000) == 0
    assert texts.fits("x" * 4096) and not texts.fits("x" * 4097)


# --- split ---------------------------------------------------------------------------------------


def assert_good_parts(source: str, parts: list[str], limit: int) -> None:
    for part in parts:
        size = texts.check(part, limit)  # parses, fits, not empty
        assert size > 0
    joined = "".join(plain(part) for part in parts)
    assert "".join(plain(source).split()) == "".join(joined.split())


def test_split_keeps_a_text_that_fits() -> None:
    assert texts.split("<b>kort</b>") == ["<b>kort</b>"]


def test_split_prefers_paragraphs_then_lines_and_no_tag_stays_open() -> None:
    paragraph = "<b>Kop</b>\n" + "\n".join(f"#{i} Sanne &amp; Co: <i>iets</i>" for i in range(40))
    source = "\n\n".join([paragraph] * 12)
    parts = texts.split(source)
    assert len(parts) > 1
    assert_good_parts(source, parts, 4096)
    assert all(part.startswith("<b>Kop</b>") for part in parts)  # cut between paragraphs
    lines = "\n".join(f"regel {i} met <b>vet</b> en &lt;tekens&gt;" for i in range(400))
    parts = texts.split(lines, 1000)
    assert_good_parts(lines, parts, 1000)
    assert all(part.startswith("regel ") and part.endswith("&gt;") for part in parts)


def test_split_never_cuts_inside_a_character_entity() -> None:
    source = "&amp;" * 5000
    parts = texts.split(source)
    assert [len(plain(part)) for part in parts] == [4096, 904]
    assert all(part == "&amp;" * len(plain(part)) for part in parts)


def test_a_block_longer_than_the_limit_is_closed_and_opened_again() -> None:
    source = '<blockquote expandable><a href="https://x.nl/?a=1&amp;b=2">' + "woord " * 900
    source += "</a></blockquote> en verder"
    parts = texts.split(source, 1000)
    assert_good_parts(source, parts, 1000)
    for part in parts[1:]:
        assert part.startswith('<blockquote expandable><a href="https://x.nl/?a=1&amp;b=2">')
    kinds = [[e["type"] for e in parse_html(part)[1]] for part in parts]
    assert all("expandable_blockquote" in k and "text_link" in k for k in kinds)


def test_a_long_word_is_cut_where_it_must() -> None:
    parts = texts.split("x" * 10_000)
    assert [len(p) for p in parts] == [4096, 4096, 1808]


def test_split_refuses_invalid_html() -> None:
    with pytest.raises(TelegramHTMLError):
        texts.split("<b>" + "x" * 5000)


@st.composite
def html_texts(draw: st.DrawFn) -> str:
    """Valid Telegram HTML: words, escaped characters, emoji, newlines and nested tags."""
    words = st.sampled_from(["Sanne", "&amp;", "&lt;b&gt;", "😀", "é", "Co", "x" * 30, "&#65;"])
    seps = st.sampled_from([" ", " ", "\n", "\n\n", ""])

    def block(depth: int) -> str:
        out = []
        for _ in range(draw(st.integers(1, 12))):
            if depth < 3 and draw(st.integers(0, 5)) == 0:
                tag = draw(st.sampled_from(["b", "i", "u", "code", "blockquote", "s"]))
                out.append(f"<{tag}>{block(depth + 1)}</{tag}>")
            else:
                out.append(draw(words))
            out.append(draw(seps))
        return "".join(out)

    return "a " + block(0)


@settings(max_examples=150, deadline=None)
@given(source=html_texts(), limit=st.integers(4, 120))
def test_every_part_parses_fits_and_nothing_is_lost(source: str, limit: int) -> None:
    parts = texts.split(source, limit)
    assert_good_parts(source, parts, limit)


# --- cap -----------------------------------------------------------------------------------------


def test_cap_ends_with_an_ellipsis_and_fits() -> None:
    assert texts.cap("kort", 10) == "kort"
    capped = texts.cap("<b>" + "woord " * 300 + "</b>", 1024)
    assert texts.check(capped, 1024, caption=True) <= 1024
    assert capped.endswith("</b>…") and utf16_len(plain(capped)) <= 1024
    assert std_html.unescape(texts.cap("&amp;" * 50, 10)) == "&" * 9 + "…"
