"""Telegram HTML parse mode, and the web chat page."""

from __future__ import annotations

import aiohttp
import pytest

from simulator.server import TelegramEmulator
from simulator.spec import ApiError
from simulator.telegram_html import parse_html


@pytest.mark.parametrize(
    ("source", "text", "entities"),
    [
        ("<b>a</b><strong>b</strong>", "ab", [("bold", 0, 1), ("bold", 1, 1)]),
        (
            "<i>x</i> <u>y</u> <s>z</s>",
            "x y z",
            [("italic", 0, 1), ("underline", 2, 1), ("strikethrough", 4, 1)],
        ),
        ('<span class="tg-spoiler">s</span>', "s", [("spoiler", 0, 1)]),
        ('<a href="https://x.nl/?a=1&amp;b=2">link</a>', "link", [("text_link", 0, 4)]),
        ("<blockquote expandable>q</blockquote>", "q", [("expandable_blockquote", 0, 1)]),
        ("😀<b>x</b>", "😀x", [("bold", 2, 1)]),
        ("&#65;&#x42;&quot;", 'AB"', []),
        ("a & b", "a & b", []),
    ],
)
def test_html_accepted(source: str, text: str, entities: list[tuple[str, int, int]]) -> None:
    plain, ents = parse_html(source)
    assert plain == text
    assert [(e["type"], e["offset"], e["length"]) for e in ents] == entities


def test_pre_with_language() -> None:
    plain, ents = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert plain == "x = 1"
    assert ents == [{"type": "pre", "language": "python", "offset": 0, "length": 5}]


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("<Sanne & Co>", 'Unsupported start tag "sanne" at byte offset 0'),
        ("<b>vet", 'Can\'t find end tag corresponding to start tag "b"'),
        ("é <b", "Unclosed start tag at byte offset 3"),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("Sanne &Co", "Character entity expected at byte offset 6"),
        ("<b><i>x</b></i>", "Unmatched end tag at byte offset 7"),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
    ],
)
def test_html_rejected(source: str, error: str) -> None:
    with pytest.raises(ApiError) as exc_info:
        parse_html(source)
    assert exc_info.value.status == 400
    assert exc_info.value.description.startswith("Bad Request: can't parse entities: ")
    assert error in exc_info.value.description


async def test_webchat_is_served(emu: TelegramEmulator, http: aiohttp.ClientSession) -> None:
    async with http.get(emu.webchat_url) as resp:
        assert resp.status == 200
        assert "Verstuur" in await resp.text()
    async with http.get(emu.base_url + "/static/app.js") as resp:
        assert resp.status == 200
        assert "innerHTML" not in (await resp.text()).replace("(never innerHTML)", "")
    async with http.get(emu.base_url + "/static/missing.js") as resp:
        assert resp.status == 404
