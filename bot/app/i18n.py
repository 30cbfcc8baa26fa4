"""gettext set-up: English msgids, Dutch translations in locales/nl/LC_MESSAGES/messages.po."""

from __future__ import annotations

from pathlib import Path

from aiogram.utils.i18n import I18n
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = Path(__file__).resolve().parents[2] / "locales"
DOMAIN = "messages"
LOCALE = "nl"


def compile_catalogs(path: Path = LOCALES) -> None:
    """Build messages.mo from all .po files of a language (one per feature) when out of date.

    The Makefile does the same with `python -m tools.check_i18n --compile`.
    """
    for po_path in path.glob(f"*/LC_MESSAGES/{DOMAIN}.po"):
        parts = sorted(po_path.parent.glob("*.po"))
        mo_path = po_path.with_suffix(".mo")
        newest = max(p.stat().st_mtime for p in parts)
        if mo_path.exists() and mo_path.stat().st_mtime >= newest:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parts[-3])
        for part in parts:
            if part != po_path:
                with part.open("rb") as part_file:
                    for message in read_po(part_file, locale=po_path.parts[-3]):
                        if message.id:
                            catalog[message.id] = message
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        tmp.replace(mo_path)


def build_i18n(path: Path = LOCALES) -> I18n:
    compile_catalogs(path)
    return I18n(path=path, default_locale=LOCALE, domain=DOMAIN)
