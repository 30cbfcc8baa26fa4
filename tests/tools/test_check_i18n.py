"""Tests for tools/check_i18n.py on small source trees and catalogs in tmp_path."""

from __future__ import annotations

import gettext
import os
import shutil
import textwrap
from pathlib import Path

import pytest

from tools import check_i18n as ci

REPO = Path(__file__).resolve().parents[2]
BABEL_CFG = REPO / "babel.cfg"
WORDLIST = REPO / "locales" / "nl" / "wordlist.txt"

HEADER = textwrap.dedent(
    """\
    msgid ""
    msgstr ""
    "Content-Type: text/plain; charset=UTF-8\\n"
    "Language: nl\\n"
    "Plural-Forms: nplurals=2; plural=(n != 1);\\n"

    """
)

SOURCE = textwrap.dedent(
    """\
    from aiogram.utils.i18n import gettext as _, lazy_gettext as __

    def reply(name: str, n: int) -> list[str]:
        return [
            _("Your signup was received. Welcome to Citytrainers, {name}!").format(name=name),
            _("<b>bold</b> Type /signup to start."),
            _("one hour", "{n} hours", n).format(n=n),
        ]

    BUTTON = __("Sign up")
    """
)

GOOD_PO = HEADER + textwrap.dedent(
    """\
    msgid "Your signup was received. Welcome to Citytrainers, {name}!"
    msgstr "Je aanmelding is ontvangen. Welkom bij Citytrainers, {name}!"

    msgid "<b>bold</b> Type /signup to start."
    msgstr "<b>vet</b> Typ /aanmelden om te beginnen. Zo'n foto's in 's-Hertogenbosch 🎉"

    msgid "one hour"
    msgid_plural "{n} hours"
    msgstr[0] "één uur"
    msgstr[1] "{n} uur"

    msgid "Sign up"
    msgstr "Aanmelden"
    """
)


def dutch_dictionary() -> Path:
    base = ci.find_dictionary()
    if base is None:
        reason = "Dutch Hunspell dictionary not installed (apt-get install hunspell-nl)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; it is required when CI=true")
        pytest.skip(reason)
    return base


BACKENDS = [
    "spylls",
    pytest.param(
        "hunspell",
        marks=pytest.mark.skipif(
            shutil.which("hunspell") is None,
            reason="hunspell executable not installed",
        ),
    ),
]


def make_tree(tmp_path: Path, source: str | None = SOURCE, po: str | None = GOOD_PO) -> ci.Paths:
    (tmp_path / "bot").mkdir()
    (tmp_path / "domain").mkdir()
    if source is not None:
        (tmp_path / "bot" / "handlers.py").write_text(source, encoding="utf-8")
    paths = ci.Paths(root=tmp_path, mapping=BABEL_CFG, wordlist=WORDLIST)
    assert paths.catalog is not None
    if po is not None:
        paths.catalog.parent.mkdir(parents=True)
        paths.catalog.write_text(po, encoding="utf-8")
    return paths


def problems(paths: ci.Paths) -> list[ci.Problem]:
    return ci.run_check(paths, spellcheck=False).problems


def kinds(paths: ci.Paths) -> list[str]:
    return [problem.kind for problem in problems(paths)]


def test_extraction_uses_aiogram_aliases_and_plurals(tmp_path: Path) -> None:
    paths = make_tree(tmp_path)
    template = ci.extract_messages(paths.root, paths.mapping)
    ids = {message.id if isinstance(message.id, str) else tuple(message.id) for message in template}
    assert ("one hour", "{n} hours") in ids
    assert "Sign up" in ids
    assert "Your signup was received. Welcome to Citytrainers, {name}!" in ids


def test_correct_catalog_passes(tmp_path: Path) -> None:
    assert problems(make_tree(tmp_path)) == []


def test_missing_catalog_means_every_msgid_missing(tmp_path: Path) -> None:
    paths = make_tree(tmp_path, po=None)
    found = problems(paths)
    assert [p.kind for p in found] == ["missing"] * 4
    assert found[0].where == "bot/handlers.py:5"


def test_no_msgids_and_no_catalog_passes(tmp_path: Path) -> None:
    paths = make_tree(tmp_path, source=None, po=None)
    assert ci.main(["--root", str(paths.root), "--mapping", str(BABEL_CFG)]) == 0


def test_missing_entry(tmp_path: Path) -> None:
    po = GOOD_PO.replace('msgid "Sign up"\nmsgstr "Aanmelden"\n', "")
    found = problems(make_tree(tmp_path, po=po))
    assert [(p.kind, p.msgid) for p in found] == [("missing", "Sign up")]


@pytest.mark.parametrize(
    "old, new",
    [
        ('msgstr "Aanmelden"', 'msgstr ""'),
        ('msgstr[1] "{n} uur"', 'msgstr[1] ""'),
    ],
)
def test_untranslated(tmp_path: Path, old: str, new: str) -> None:
    assert kinds(make_tree(tmp_path, po=GOOD_PO.replace(old, new))) == ["untranslated"]


def test_fuzzy(tmp_path: Path) -> None:
    po = GOOD_PO.replace('msgid "Sign up"', '#, fuzzy\nmsgid "Sign up"')
    assert kinds(make_tree(tmp_path, po=po)) == ["fuzzy"]


def test_obsolete_active_and_commented_entries(tmp_path: Path) -> None:
    po = GOOD_PO + '\nmsgid "Gone"\nmsgstr "Weg"\n\n#~ msgid "Old"\n#~ msgstr "Oud"\n'
    found = problems(make_tree(tmp_path, po=po))
    assert [(p.kind, p.msgid) for p in found] == [("obsolete", "Gone"), ("obsolete", "Old")]


@pytest.mark.parametrize(
    "old, new, detail",
    [
        ("bij Citytrainers, {name}!", "bij Citytrainers, {naam}!", "lacks {name}"),
        ("bij Citytrainers, {name}!", "bij Citytrainers!", "lacks {name}"),
        ('msgstr[1] "{n} uur"', 'msgstr[1] "{aantal} uur"', "{aantal}"),
        ('msgstr "Aanmelden"', 'msgstr "Aanmelden {x}"', "{x}"),
    ],
)
def test_placeholder_mismatch(tmp_path: Path, old: str, new: str, detail: str) -> None:
    found = problems(make_tree(tmp_path, po=GOOD_PO.replace(old, new)))
    assert [p.kind for p in found] == ["placeholder"] * len(found)
    assert found and any(detail in p.detail for p in found)


def test_percent_placeholder_mismatch(tmp_path: Path) -> None:
    source = 'from x import gettext as _\n_("Hello %(name)s")\n'
    po = HEADER + 'msgid "Hello %(name)s"\nmsgstr "Hallo %(naam)s"\n'
    found = problems(make_tree(tmp_path, source=source, po=po))
    assert [p.kind for p in found] == ["placeholder", "placeholder"]
    assert "%(name)s" in found[0].detail


def test_plural_shape_changed(tmp_path: Path) -> None:
    source = SOURCE.replace('"{n} hours"', '"{n} full hours"')
    assert kinds(make_tree(tmp_path, source=source)) == ["plural"]


def test_words_to_check_strips_markup() -> None:
    text = (
        '<b>Hoi</b> <a href="https://example.org/x">klik</a> {name} %(n)s %s /aanmelden '
        "<code>pip install</code> 🎉 12:30 3e mail@example.org @citybot www.movisie.nl &amp; "
        "zo’n 's-Hertogenbosch"
    )
    assert ci.words_to_check(text) == ["Hoi", "klik", "zo'n", "'s-Hertogenbosch"]


def test_wordlist_is_case_insensitive_with_phrases(tmp_path: Path) -> None:
    path = tmp_path / "words.txt"
    path.write_text("# comment\nCitytrainers\nDen Bosch Centraal\n", encoding="utf-8")
    wordlist = ci.load_wordlist(path)
    assert "citytrainers" in wordlist and "CITYTRAINERS" in wordlist
    assert ci.words_to_check("Naar den bosch centraal!", wordlist) == ["Naar"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_spelling_correct_catalog_passes(tmp_path: Path, backend: str) -> None:
    base = dutch_dictionary()
    paths = make_tree(tmp_path)
    result = ci.run_check(paths, dictionary=base, backend=backend)
    assert result.problems == []
    assert backend in result.spell_info


@pytest.mark.parametrize("backend", BACKENDS)
def test_spelling_reports_misspelt_word_with_msgid(tmp_path: Path, backend: str) -> None:
    base = dutch_dictionary()
    po = GOOD_PO.replace("Welkom bij", "Welkomm bij").replace(
        "Aanmelden", "'Aanmelden' AVG-verzoek"
    )
    paths = make_tree(tmp_path, po=po)
    found = ci.run_check(paths, dictionary=base, backend=backend).problems
    assert [(p.kind, p.msgid) for p in found] == [
        ("spelling", "Your signup was received. Welcome to Citytrainers, {name}!")
    ]
    assert '"Welkomm"' in found[0].detail


def test_spelling_needs_wordlist_for_project_words(tmp_path: Path) -> None:
    base = dutch_dictionary()
    paths = make_tree(tmp_path)
    paths.wordlist = tmp_path / "empty.txt"
    found = ci.run_check(paths, dictionary=base, backend="spylls").problems
    assert [p.kind for p in found] == ["spelling"]
    assert '"Citytrainers"' in found[0].detail


def test_missing_dictionary_fails_spell_check(tmp_path: Path) -> None:
    paths = make_tree(tmp_path)
    found = ci.run_check(paths, dictionary=tmp_path / "nope").problems
    assert [p.kind for p in found] == ["spelling"]
    assert "dictionary not found" in found[0].detail


def test_main_reports_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = make_tree(tmp_path, po=GOOD_PO.replace('msgstr "Aanmelden"', 'msgstr ""'))
    args = ["--root", str(paths.root), "--mapping", str(BABEL_CFG), "--no-spellcheck"]
    assert ci.main(args) == 1
    out = capsys.readouterr().out
    assert "locales/nl/LC_MESSAGES/messages.po:" in out and "untranslated" in out
    assert 'msgid "Sign up"' in out and "1 problem(s): 1 untranslated" in out


def test_update_adds_untranslated_entries_and_is_idempotent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    po = GOOD_PO.replace('msgid "Sign up"\nmsgstr "Aanmelden"\n', "") + (
        '\nmsgid "Gone"\nmsgstr "Weg"\n'
    )
    paths = make_tree(tmp_path, po=po)
    assert paths.catalog is not None
    args = ["--root", str(paths.root), "--mapping", str(BABEL_CFG)]
    assert ci.main([*args, "--update"]) == 0
    assert "untranslated" in capsys.readouterr().out
    assert kinds(paths) == ["untranslated"]
    catalog = ci.load_catalog(paths.catalog)
    sign_up, hours = catalog.get("Sign up"), catalog.get("one hour")
    assert sign_up is not None and sign_up.string == ""
    assert hours is not None and hours.string == ("één uur", "{n} uur")
    assert catalog.get("Gone") is None
    before = paths.catalog.read_bytes()
    result = ci.update_catalog(ci.extract_messages(paths.root, paths.mapping), paths.catalog)
    assert not result.written and paths.catalog.read_bytes() == before


def test_update_creates_missing_catalog(tmp_path: Path) -> None:
    paths = make_tree(tmp_path, po=None)
    assert paths.catalog is not None
    template = ci.extract_messages(paths.root, paths.mapping)
    result = ci.update_catalog(template, paths.catalog)
    assert result.written and len(result.added) == 4
    assert sorted(kinds(paths)) == ["untranslated"] * 4


def test_compile_writes_mo(tmp_path: Path) -> None:
    paths = make_tree(tmp_path)
    assert paths.locales is not None and paths.catalog is not None
    written, found = ci.compile_catalogs(paths.locales)
    assert found == [] and written == [paths.catalog.with_suffix(".mo")]
    translations = gettext.translation("messages", paths.locales, languages=["nl"])
    assert translations.gettext("Sign up") == "Aanmelden"
    assert translations.ngettext("one hour", "{n} hours", 3) == "{n} uur"


@pytest.mark.parametrize(
    "entry",
    [
        'msgid "x"\nfoo bar\n',  # syntax error
        'msgid "Hi %(name)s"\nmsgstr "Hoi %(naam)s"\n',  # Babel's format check
    ],
)
def test_compile_fails_on_broken_catalog(tmp_path: Path, entry: str) -> None:
    paths = make_tree(tmp_path, po=HEADER + entry)
    assert paths.locales is not None
    args = ["--root", str(paths.root), "--compile"]
    assert ci.main(args) == 1
    assert not list(paths.locales.rglob("*.mo"))


FEATURE_SOURCE = textwrap.dedent(
    """\
    from aiogram.utils.i18n import gettext as _

    def hours() -> str:
        return _("Log your hours")
    """
)


def test_a_features_msgid_belongs_in_its_features_catalog(tmp_path: Path) -> None:
    paths = make_tree(tmp_path, po=GOOD_PO + '\nmsgid "Log your hours"\nmsgstr "Log je uren"\n')
    feature = tmp_path / "bot" / "features" / "hours"
    feature.mkdir(parents=True)
    (feature / "handlers.py").write_text(FEATURE_SOURCE, encoding="utf-8")
    found = problems(paths)
    assert [p.kind for p in found] == ["placement"]
    assert "belongs in hours.po" in found[0].detail


def test_update_moves_misplaced_entries_with_their_translation(tmp_path: Path) -> None:
    paths = make_tree(tmp_path, po=GOOD_PO + '\nmsgid "Log your hours"\nmsgstr "Log je uren"\n')
    assert paths.catalog is not None
    feature = tmp_path / "domain" / "hours"
    feature.mkdir(parents=True)
    (feature / "rules.py").write_text(FEATURE_SOURCE, encoding="utf-8")
    old = paths.catalog.parent / "old_name.po"
    old.write_text(HEADER + 'msgid "Sign up"\nmsgstr "Aanmelden"\n', encoding="utf-8")
    paths.catalog.write_text(
        paths.catalog.read_text().replace('msgid "Sign up"\nmsgstr "Aanmelden"\n', ""),
        encoding="utf-8",
    )
    args = ["--root", str(paths.root), "--mapping", str(BABEL_CFG)]
    assert ci.main([*args, "--update"]) == 0
    assert problems(paths) == []
    moved = ci.load_catalog(paths.catalog.parent / "hours.po").get("Log your hours")
    assert moved is not None and moved.string == "Log je uren"
    assert ci.load_catalog(paths.catalog).get("Log your hours") is None
    assert ci.load_catalog(paths.catalog).get("Sign up").string == "Aanmelden"  # type: ignore[union-attr]
    assert not old.exists()


@pytest.mark.parametrize(
    ("locations", "home"),
    [
        ([("bot/features/hours/feature.py", 1)], "hours.po"),
        ([("domain/signup/rules.py", 1), ("bot/features/signup/x.py", 2)], "signup.po"),
        ([("bot/features/hours/a.py", 1), ("bot/features/course/b.py", 1)], "messages.po"),
        ([("bot/kit/keyboards.py", 1)], "messages.po"),
        ([("domain/dates.py", 1)], "messages.po"),
    ],
)
def test_home_catalog(locations: list[tuple[str, int]], home: str) -> None:
    assert ci.home_catalog(locations) == home
