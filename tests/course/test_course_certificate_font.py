"""The certificate prints every name as written: Turkish, Polish and Arabic letters too."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.features.course import docs

NAMES = ["Şükrü Öztürk", "Zofia Łukaszewska", "محمد", "Ayşe Ğül İnce", "Jan de Vries"]


def _certificate(name: str) -> bytes:
    return docs.certificate_pdf(
        name,
        "Citytrainers 's-Hertogenbosch",
        "Certificaat Citytrainer",
        ["Datum: 01-06-2026"],
    )


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


@pytest.mark.parametrize("name", NAMES)
def test_every_name_prints_as_written(name: str) -> None:
    text = _text(_certificate(name))
    assert name in text.splitlines()
    assert "?" not in text
    assert "Certificaat Citytrainer" in text and "Datum: 01-06-2026" in text


def test_arabic_is_shaped_and_in_reading_order() -> None:
    pdf = _certificate("محمد علي")
    assert "محمد علي" in _text(pdf)
    # without shaping the letters would stand alone in isolated forms, left to right
    assert "دمحم" not in _text(pdf)


def test_the_font_ships_with_the_bot_and_is_embedded() -> None:
    package = Path(docs.__file__).parent
    assert docs.FONT.is_file() and docs.FONT.is_relative_to(package)
    assert (docs.FONT.parent / "LICENSE").is_file()
    reader = PdfReader(io.BytesIO(_certificate("Şükrü Öztürk")))
    fonts = reader.pages[0]["/Resources"]["/Font"]  # type: ignore[index]
    descendants = [f.get_object()["/DescendantFonts"][0].get_object() for f in fonts.values()]
    assert descendants and all("DejaVu" in str(d["/BaseFont"]) for d in descendants)
    assert all("/FontFile2" in d["/FontDescriptor"].get_object() for d in descendants)


def test_a_long_name_still_fits_on_one_page() -> None:
    name = "Anna-Maria " + "Łukaszewska-" * 6 + "Öztürk"
    assert name in _text(_certificate(name))
