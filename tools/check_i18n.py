"""Check, update and compile the bot's gettext catalogs (English msgids, Dutch msgstrs).

Run from the repository root::

    python -m tools.check_i18n             # check; exit 0 = ok, 1 = problems (report on stdout)
    python -m tools.check_i18n --update    # merge msgids from the code into the .po
    python -m tools.check_i18n --compile   # write messages.mo next to every messages.po

Layout
    ``babel.cfg``                              what to extract (``bot/``, ``domain/``) and how
    ``locales/nl/LC_MESSAGES/messages.po``     the Dutch catalog (committed)
    ``locales/<lang>/LC_MESSAGES/messages.mo`` compiled catalogs (generated, git-ignored)
    ``locales/nl/wordlist.txt``                project words hunspell-nl does not know

There is no committed ``messages.pot``: the check and ``--update`` extract the template in
memory with Babel's API, so a stale template can never hide a missing msgid. For editors that
want one (Poedit "update from POT"), ``--update --pot locales/messages.pot`` writes it (or run
``pybabel extract -F babel.cfg -o locales/messages.pot .``); do not commit it.

The check reports, per problem, with a file:line location:
    missing      msgid used in code but absent from the .po (an absent .po counts as empty)
    untranslated empty msgstr or empty plural form (or wrong number of plural forms)
    fuzzy        entry (or the header) marked ``#, fuzzy``; review it and drop the flag
    obsolete     entry in the .po (also ``#~`` entries) whose msgid is no longer in the code
    plural       singular/plural shape or msgid_plural differs between code and .po
    placeholder  ``{name}`` / ``%(name)s`` / ``%s`` missing from or added to a msgstr
    spelling     word in a msgstr that the Dutch Hunspell dictionary rejects
    placement    entry in another feature's catalog than the code that uses it (below)
    duplicate    the same msgid in two catalogs

One catalog per feature: a msgid used only by ``bot/features/<name>/`` or ``domain/<name>/``
lives in ``<name>.po`` beside ``messages.po``; every other msgid (the runtime, the kit, the
cross-cutting handlers, or used by several features) lives in ``messages.po``. All of them are
compiled into one ``messages.mo``. ``--update`` puts new msgids in their catalog and moves
misplaced entries, translation and all.

The spell check strips HTML tags (content of ``<code>``/``<pre>`` is skipped), entities, URLs,
e-mail addresses, @mentions, placeholders, slash-commands, emoji and words with digits, then
checks every word against hunspell-nl (``/usr/share/hunspell/nl_NL.{aff,dic}``; Debian package
``hunspell-nl``) and the project word list. ``'s``, ``zo'n``, ``foto's`` and
``'s-Hertogenbosch`` are checked as whole words (typographic ’ is treated as '); quotes around a
word are ignored. hunspell-nl has ``BREAK 0`` and rejects correct compounds with a name or
abbreviation such as ``AVG-verzoek``, so a hyphenated word that is rejected as a whole passes
when each part is known. Backend: the ``hunspell`` CLI when installed (fast, one process for
all words), otherwise spylls (pure Python, ~2 s to load the Dutch dictionary).

``--update`` works like ``pybabel update``: new msgids get an empty msgstr, reworded msgids get
the old translation as a *fuzzy* suggestion (disable with ``--no-fuzzy-matching``), obsolete
entries are dropped (git keeps them), and the file is only rewritten when entries changed. It
never marks anything as translated; it prints what still needs translating and exits 0.
"""

from __future__ import annotations

import argparse
import copy
import gc
import html
import os
import re
import shutil
import string
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from functools import cache
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any, Protocol

from babel.messages.catalog import PYTHON_FORMAT, Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg as _untyped_parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po, write_po

parse_mapping_cfg: Callable[..., tuple[Any, Any]] = _untyped_parse_mapping_cfg

REPO_ROOT = Path(__file__).resolve().parent.parent
DOMAIN = "messages"
DEFAULT_LOCALE = "nl"
PROJECT = "citytrainers-bot"
COMMENT_TAGS = ("TRANSLATORS:",)
PO_WIDTH = 100

# Used when babel.cfg is missing; keep in sync with babel.cfg.
_KEYWORDS = (
    "_ _:1,2,3t _:1,2,4t __ __:1,2,3t __:1,2,4t gettext gettext:1,2,3t gettext:1,2,4t "
    "lazy_gettext lazy_gettext:1,2,3t lazy_gettext:1,2,4t ngettext:1,2 N_"
)
DEFAULT_MAPPING = "".join(
    f"[python: {package}/**.py]\nencoding = utf-8\nkeywords = {_KEYWORDS}\n\n"
    for package in ("bot", "domain")
)

DICTIONARY_NAMES = ("nl_NL", "nl")
DICTIONARY_DIRS = (
    Path("/usr/share/hunspell"),
    Path("/usr/share/myspell"),
    Path("/usr/share/myspell/dicts"),
    Path("/usr/local/share/hunspell"),
    Path("/opt/homebrew/share/hunspell"),
    Path.home() / "Library" / "Spelling",
)

Key = tuple[str, str | None]  # (singular msgid, msgctxt)


@dataclass(frozen=True)
class Problem:
    kind: str
    where: str
    detail: str
    msgid: str = ""

    def format(self) -> str:
        text = f"{self.where}: {self.kind}: {self.detail}"
        if self.msgid:
            text += f"\n    msgid {_quote(self.msgid)}"
        return text


# --------------------------------------------------------------------------- extraction


def _quote(text: str, limit: int = 90) -> str:
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f'"{text}"'


def _singular(message: Message) -> str:
    return message.id[0] if isinstance(message.id, tuple | list) else message.id


def _plural(message: Message) -> str | None:
    return message.id[1] if isinstance(message.id, tuple | list) else None


def _forms(message: Message) -> tuple[str, ...]:
    if isinstance(message.string, tuple | list):
        return tuple(message.string)
    return (message.string or "",)


def _key(message: Message) -> Key:
    return (_singular(message), message.context)


def _messages(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]


def extract_messages(root: Path, mapping_file: Path | None = None) -> Catalog:
    """Extract msgids below ``root`` with the method map of ``mapping_file`` (babel.cfg)."""
    if mapping_file is not None and mapping_file.is_file():
        with mapping_file.open(encoding="utf-8") as fh:
            method_map, options_map = parse_mapping_cfg(fh, str(mapping_file))
    else:
        method_map, options_map = parse_mapping_cfg(StringIO(DEFAULT_MAPPING), "<default>")
    template = Catalog(project=PROJECT, domain=DOMAIN, fuzzy=False, charset="utf-8")
    if not root.is_dir():
        return template
    for filename, lineno, msg, comments, context in extract_from_dir(
        str(root),
        method_map,
        options_map,
        keywords=DEFAULT_KEYWORDS,
        comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
    ):
        path = Path(filename).as_posix()
        template.add(msg, None, [(path, lineno)], auto_comments=comments, context=context)
    return template


def load_catalog(path: Path, locale: str | None = DEFAULT_LOCALE) -> Catalog:
    """Read a .po file; a missing file is an empty catalog. Raises PoFileError when invalid."""
    if not path.is_file():
        return Catalog(locale=locale, domain=DOMAIN, project=PROJECT, fuzzy=False)
    with path.open("rb") as fh:
        return read_po(fh, locale=locale, domain=DOMAIN, abort_invalid=True)


def sibling_catalogs(path: Path) -> list[Path]:
    """The other .po files beside ``path``: one catalog per feature, compiled into one .mo."""
    if not path.parent.is_dir():
        return []
    return sorted(p for p in path.parent.glob("*.po") if p.resolve() != path.resolve())


def load_union(path: Path, locale: str | None = DEFAULT_LOCALE) -> tuple[Catalog, list[Problem]]:
    """``path`` plus its sibling .po files as one catalog; a msgid in two files is a problem."""
    union = load_catalog(path, locale)
    seen = {_key(message): path.name for message in _messages(union)}
    problems: list[Problem] = []
    for other in sibling_catalogs(path):
        part = load_catalog(other, locale)
        if part.fuzzy and _messages(part):
            problems.append(Problem("fuzzy", f"{other}:1", "header is marked fuzzy"))
        for message in _messages(part):
            key = _key(message)
            if key in seen:
                detail = f"also in {seen[key]}"
                problems.append(Problem("duplicate", f"{other}:{message.lineno}", detail, key[0]))
                continue
            seen[key] = other.name
            union[message.id] = message
            union[message.id].lineno = message.lineno
    return union, problems


_FEATURE_PATH_RE = re.compile(r"^(?:bot/features|domain)/([a-z_]+)/")


def home_catalog(locations: Sequence[tuple[str, int | None]]) -> str:
    """The catalog file a msgid belongs in: its feature's, or messages.po when shared."""
    homes = set()
    for filename, _lineno in locations:
        match = _FEATURE_PATH_RE.match(Path(filename).as_posix())
        homes.add(match.group(1) if match else DOMAIN)
    return f"{homes.pop()}.po" if len(homes) == 1 else f"{DOMAIN}.po"


def catalog_files(path: Path, locale: str | None = DEFAULT_LOCALE) -> dict[Key, str]:
    """Which file (name) of ``path`` and its siblings holds each entry."""
    found: dict[Key, str] = {}
    for part in [path, *sibling_catalogs(path)]:
        for message in _messages(load_catalog(part, locale)):
            found.setdefault(_key(message), part.name)
    return found


def check_placement(template: Catalog, files: dict[Key, str], catalog_dir: Path) -> list[Problem]:
    problems: list[Problem] = []
    for source in _messages(template):
        key = _key(source)
        actual = files.get(key)
        home = home_catalog(source.locations)
        if actual is not None and actual != home:
            filename, lineno = source.locations[0] if source.locations else ("?", 0)
            detail = f"in {catalog_dir / actual} but used by {home[:-3]}: belongs in {home}"
            problems.append(Problem("placement", f"{filename}:{lineno}", detail, key[0]))
    return problems


# --------------------------------------------------------------------------- catalog checks


def _brace_fields(text: str) -> Counter[str]:
    """``{name}``-style fields (``{{``/``}}`` are escapes). Raises ValueError if malformed."""
    fields: Counter[str] = Counter()
    for _literal, name, spec, conversion in string.Formatter().parse(text):
        if name is None:
            continue
        field_text = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
        fields["{" + field_text + "}"] += 1
    return fields


def _percent_fields(text: str) -> Counter[str]:
    return Counter(m.group(0) for m in PYTHON_FORMAT.finditer(text) if m.group(0) != "%%")


def _placeholder_problems(
    source: Message, forms: Sequence[str], where: str, msgid: str
) -> list[Problem]:
    problems: list[Problem] = []
    singular, plural = _singular(source), _plural(source)
    refs = [singular] if plural is None else [singular] + [plural] * (len(forms) - 1)
    sources = [singular] if plural is None else [singular, plural]
    use_percent = "python-format" in source.flags or any(_percent_fields(text) for text in sources)

    def fields(text: str, label: str) -> Counter[str] | None:
        try:
            found = _brace_fields(text)
        except ValueError as exc:
            problems.append(
                Problem("placeholder", where, f"malformed brace format in {label}: {exc}", msgid)
            )
            return None
        if use_percent:
            found += _percent_fields(text)
        return found

    allowed: Counter[str] = Counter()
    for text in sources:
        source_fields = fields(text, "msgid")
        if source_fields is None:
            return problems
        allowed |= source_fields
    for index, (form, ref) in enumerate(zip(forms, refs, strict=True)):
        if not form:
            continue
        label = "msgstr" if plural is None else f"msgstr[{index}]"
        found = fields(form, label)
        expected = fields(ref, "msgid")
        if found is None or expected is None:
            continue
        missing = (
            sorted((expected - found).elements())
            if plural is None
            else sorted(set(expected) - set(found))
        )
        extra = (
            sorted((found - expected).elements())
            if plural is None
            else sorted(set(found) - set(allowed))
        )
        if missing:
            detail = f"{label} lacks {', '.join(missing)}"
            problems.append(Problem("placeholder", where, detail, msgid))
        if extra:
            detail = f"{label} has {', '.join(extra)}, which the msgid does not have"
            problems.append(Problem("placeholder", where, detail, msgid))
    return problems


def check_catalog(template: Catalog, catalog: Catalog, catalog_path: str) -> list[Problem]:
    """Compare the extracted ``template`` with the translated ``catalog``."""
    problems: list[Problem] = []
    entries = {_key(message): message for message in _messages(catalog)}
    used = {_key(message): message for message in _messages(template)}
    if catalog.fuzzy and entries:
        problems.append(
            Problem("fuzzy", f"{catalog_path}:1", "header is marked fuzzy (remove '#, fuzzy')")
        )
    num_plurals = catalog.num_plurals

    for key, source in used.items():
        msgid = key[0]
        entry = entries.get(key)
        if entry is None:
            filename, lineno = source.locations[0] if source.locations else ("?", 0)
            detail = f"used in code but not in {catalog_path}"
            if key[1] is not None:
                detail += f" (msgctxt {_quote(key[1])})"
            problems.append(Problem("missing", f"{filename}:{lineno}", detail, msgid))
            continue
        where = f"{catalog_path}:{entry.lineno or 0}"
        if _plural(source) != _plural(entry):
            if _plural(source) is None:
                detail = "code uses a singular message but the .po entry has msgid_plural"
            elif _plural(entry) is None:
                detail = f"code uses msgid_plural {_quote(_plural(source) or '')}; .po has none"
            else:
                detail = (
                    f"msgid_plural in code is {_quote(_plural(source) or '')}, "
                    f"in .po {_quote(_plural(entry) or '')}"
                )
            problems.append(Problem("plural", where, detail + "; run --update", msgid))
            continue
        forms = _forms(entry)
        if not any(forms):
            problems.append(Problem("untranslated", where, "msgstr is empty", msgid))
            continue
        if _plural(source) is not None and len(forms) != num_plurals:
            detail = f"{len(forms)} plural forms, the catalog's Plural-Forms says {num_plurals}"
            problems.append(Problem("untranslated", where, detail, msgid))
        empty = [str(index) for index, form in enumerate(forms) if not form]
        if empty:
            detail = f"empty plural form msgstr[{'], msgstr['.join(empty)}]"
            problems.append(Problem("untranslated", where, detail, msgid))
        if entry.fuzzy:
            detail = "marked fuzzy: review the translation and remove the flag"
            problems.append(Problem("fuzzy", where, detail, msgid))
        problems.extend(_placeholder_problems(source, forms, where, msgid))

    for key, entry in entries.items():
        if key not in used:
            where = f"{catalog_path}:{entry.lineno or 0}"
            detail = "in the .po but no longer used in code; run --update"
            problems.append(Problem("obsolete", where, detail, key[0]))
    for entry in catalog.obsolete.values():
        where = f"{catalog_path}:{entry.lineno or 0}"
        detail = "'#~' entry left in the .po; delete it or run --update"
        problems.append(Problem("obsolete", where, detail, _singular(entry)))
    return problems


# --------------------------------------------------------------------------- spell check


@dataclass(frozen=True)
class WordList:
    words: frozenset[str] = frozenset()
    phrases: tuple[str, ...] = ()

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and _norm(word).casefold() in self.words


def load_wordlist(path: Path | None) -> WordList:
    """One word per line, case-insensitive; ``#`` comments; entries with spaces are phrases."""
    if path is None or not path.is_file():
        return WordList()
    words: set[str] = set()
    phrases: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = _norm(raw.strip())
        if not line or line.startswith("#"):
            continue
        if " " in line:
            phrases.append(line)
        else:
            words.add(line.casefold())
    return WordList(frozenset(words), tuple(sorted(phrases, key=len, reverse=True)))


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace("’", "'").replace("‘", "'")


_SKIPPED_ELEMENT_RE = re.compile(r"<(code|pre)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>")
_URL_RE = re.compile(r"\b(?:https?://|tg://|www\.)\S+|\b[\w.-]+\.(?:nl|com|org|me|eu)/\S*", re.I)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_MENTION_RE = re.compile(r"(?<!\w)@\w+")
_BRACE_RE = re.compile(r"\{[^{}]*\}")
_COMMAND_RE = re.compile(r"(?<![\w/])/[A-Za-z]\w*(?:@\w+)?")
_DIGIT_WORD_RE = re.compile(r"[\w'-]*\d[\w'-]*")
_WORD_RE = re.compile(r"'?[^\W\d_]+(?:[-'][^\W\d_]+)*'?")


def words_to_check(text: str, wordlist: WordList | None = None) -> list[str]:
    """The words of a msgstr that go to the dictionary, after stripping markup and the like."""
    wordlist = wordlist or WordList()
    text = _norm(text)
    text = _SKIPPED_ELEMENT_RE.sub(" ", text)
    text = _TAG_RE.sub(" ", text)
    text = html.unescape(text)
    text = _norm(text)
    for pattern in (_URL_RE, _EMAIL_RE, _MENTION_RE, _BRACE_RE, PYTHON_FORMAT, _COMMAND_RE):
        text = pattern.sub(" ", text)
    text = _DIGIT_WORD_RE.sub(" ", text)
    for phrase in wordlist.phrases:
        text = re.sub(rf"(?<!\w){re.escape(phrase)}(?!\w)", " ", text, flags=re.IGNORECASE)
    return _WORD_RE.findall(text)


def _alternatives(word: str) -> list[list[str]]:
    """Ways a word may be spelt right: as a whole, without quotes, or part by part."""
    alternatives = [[word]]
    bare = word.strip("'")
    if bare and bare != word:
        alternatives.append([bare])
    if "-" in bare:
        parts = [part.strip("'") for part in bare.split("-")]
        alternatives.append([part for part in parts if part])
    return alternatives


class Speller(Protocol):
    name: str

    def known(self, words: Collection[str]) -> set[str]:
        """Return the subset of ``words`` the dictionary accepts."""
        ...


class SpyllsSpeller:
    name = "spylls"

    def __init__(self, dictionary: Path) -> None:
        self._dictionary = _load_spylls(str(dictionary))

    def known(self, words: Collection[str]) -> set[str]:
        return {word for word in words if self._dictionary.lookup(word)}


@cache
def _load_spylls(base: str) -> Any:
    from spylls.hunspell import Dictionary

    dictionary = Dictionary.from_files(base)
    # The Dutch dictionary is millions of long-lived objects; keep them out of the cyclic GC,
    # or every later gc.collect() (pytest runs several per test) takes a fraction of a second.
    gc.freeze()
    return dictionary


class HunspellSpeller:
    """The hunspell CLI in list mode (``-l``): one process for all words."""

    name = "hunspell"

    def __init__(self, dictionary: Path, executable: str | None = None) -> None:
        found = executable or shutil.which("hunspell")
        if found is None:
            raise RuntimeError("hunspell executable not found")
        self._executable = found
        self._dictionary = dictionary

    def known(self, words: Collection[str]) -> set[str]:
        ordered = list(dict.fromkeys(words))
        if not ordered:
            return set()
        # -l lists rejected words without computing suggestions (-a would, and that is slow).
        # Each line is one word made of hunspell-nl WORDCHARS, so hunspell echoes it verbatim.
        command = [self._executable, "-l", "-i", "UTF-8", "-d", str(self._dictionary)]
        command += ["-p", os.devnull]  # ignore the user's personal dictionary
        result = subprocess.run(
            command,
            input="".join(f"{word}\n" for word in ordered),
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"hunspell failed ({result.returncode}): {result.stderr.strip()}")
        rejected = set(result.stdout.split())
        # A word hunspell split up counts as rejected when any of its pieces was.
        odd = rejected.difference(ordered)
        return {
            word
            for word in ordered
            if word not in rejected and not any(piece in word for piece in odd)
        }


def find_dictionary(explicit: Path | None = None) -> Path | None:
    """Base path (without .aff/.dic) of the Dutch Hunspell dictionary, or None."""
    if explicit is not None:
        base = explicit.with_suffix("") if explicit.suffix in {".aff", ".dic"} else explicit
        aff, dic = base.with_name(base.name + ".aff"), base.with_name(base.name + ".dic")
        return base if aff.is_file() and dic.is_file() else None
    dirs = [Path(part) for part in os.environ.get("DICPATH", "").split(os.pathsep) if part]
    for directory in (*dirs, *DICTIONARY_DIRS):
        for name in DICTIONARY_NAMES:
            if (directory / f"{name}.aff").is_file() and (directory / f"{name}.dic").is_file():
                return directory / name
    return None


def make_speller(dictionary: Path, backend: str = "auto") -> Speller:
    if backend == "hunspell" or (backend == "auto" and shutil.which("hunspell")):
        return HunspellSpeller(dictionary)
    if backend in {"auto", "spylls"}:
        return SpyllsSpeller(dictionary)
    raise ValueError(f"unknown spell-check backend {backend!r}")


def spellcheck_catalog(
    catalog: Catalog,
    speller: Speller | None,
    wordlist: WordList,
    catalog_path: str,
) -> list[Problem]:
    """Report words in non-empty msgstrs that neither the dictionary nor the word list knows.

    ``speller`` may be None only when there is nothing to check; otherwise a problem says so.
    """
    found: list[tuple[Message, list[str]]] = []
    for message in _messages(catalog):
        words: list[str] = []
        for form in _forms(message):
            words.extend(words_to_check(form, wordlist))
        if words:
            found.append((message, words))
    lookups = {
        part
        for _message, words in found
        for word in words
        for alternative in _alternatives(word)
        for part in alternative
        if part not in wordlist
    }
    if not lookups:
        return []
    if speller is None:
        return [Problem("spelling", catalog_path, "no Dutch dictionary to check spelling with")]
    known = speller.known(lookups)

    def accepted(word: str) -> bool:
        return any(
            all(part in known or part in wordlist for part in alternative)
            for alternative in _alternatives(word)
        )

    problems: list[Problem] = []
    for message, words in found:
        wrong = list(dict.fromkeys(word for word in words if not accepted(word)))
        if wrong:
            where = f"{catalog_path}:{message.lineno or 0}"
            detail = "unknown word(s) " + ", ".join(_quote(word) for word in wrong)
            problems.append(Problem("spelling", where, detail, _singular(message)))
    return problems


# --------------------------------------------------------------------------- commands


@dataclass
class Paths:
    root: Path = REPO_ROOT
    catalog: Path | None = None
    mapping: Path | None = None
    wordlist: Path | None = None
    locales: Path | None = None

    def __post_init__(self) -> None:
        self.locales = self.locales or self.root / "locales"
        self.catalog = self.catalog or self.locales / DEFAULT_LOCALE / "LC_MESSAGES" / "messages.po"
        self.mapping = self.mapping or self.root / "babel.cfg"
        self.wordlist = self.wordlist or self.locales / DEFAULT_LOCALE / "wordlist.txt"

    def show(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)


@dataclass
class CheckResult:
    problems: list[Problem] = field(default_factory=list)
    msgids: int = 0
    spell_info: str = "spell check skipped"


def run_check(
    paths: Paths,
    *,
    spellcheck: bool = True,
    dictionary: Path | None = None,
    backend: str = "auto",
) -> CheckResult:
    assert paths.catalog is not None
    result = CheckResult()
    template = extract_messages(paths.root, paths.mapping)
    result.msgids = len(_messages(template))
    shown = paths.show(paths.catalog)
    try:
        catalog, duplicates = load_union(paths.catalog)
    except (PoFileError, ValueError) as exc:
        result.problems.append(Problem("invalid", shown, f"cannot parse catalog: {exc}"))
        return result
    result.problems.extend(duplicates)
    result.problems.extend(check_catalog(template, catalog, shown))
    files = catalog_files(paths.catalog)
    result.problems.extend(check_placement(template, files, Path(shown).parent))
    if spellcheck:
        base = find_dictionary(dictionary)
        speller: Speller | None = None
        started = time.perf_counter()
        if base is not None:
            speller = make_speller(base, backend)
        problems = spellcheck_catalog(catalog, speller, load_wordlist(paths.wordlist), shown)
        if base is None and problems:
            wanted = dictionary or "nl_NL.aff/.dic (apt-get install hunspell-nl)"
            detail = f"Dutch Hunspell dictionary not found: {wanted}; or pass --no-spellcheck"
            problems = [Problem("spelling", shown, detail)]
        result.problems.extend(problems)
        took = time.perf_counter() - started
        if speller is not None:
            result.spell_info = f"spell check {speller.name} {base} {took:.2f}s"
    return result


@dataclass
class UpdateResult:
    added: list[str]
    removed: list[str]
    written: bool


_DATE_LINE_RE = re.compile(rb'^"(?:POT-Creation-Date|PO-Revision-Date): .*\\n"\n', re.MULTILINE)


def update_catalog(
    template: Catalog,
    catalog_path: Path,
    *,
    locale: str = DEFAULT_LOCALE,
    fuzzy_matching: bool = True,
    exclude_siblings: bool = True,
    carry: Catalog | None = None,
) -> UpdateResult:
    """Merge ``template`` into the .po like ``pybabel update`` (new entries stay untranslated).

    With ``exclude_siblings`` msgids held by a sibling catalog are left out; ``carry`` gives
    translations of entries that move here from a sibling.
    """
    catalog = load_catalog(catalog_path, locale)
    if carry is not None:
        for message in _messages(template):
            if message.id not in catalog and message.id in carry:
                moved = copy.deepcopy(carry[message.id])
                moved.locations = []
                catalog[message.id] = moved
    if not catalog_path.is_file():
        catalog.header_comment = (
            "# Dutch translations for the Citytrainers bot.\n"
            "# Update with: python -m tools.check_i18n --update"
        )
    elsewhere = {
        _key(message)
        for other in (sibling_catalogs(catalog_path) if exclude_siblings else [])
        for message in _messages(load_catalog(other, locale))
    }
    template = copy.deepcopy(template)
    for message in list(_messages(template)):
        if _key(message) in elsewhere:
            template.delete(message.id, context=message.context)
    before = {_key(message) for message in _messages(catalog)}
    catalog.update(
        template,
        no_fuzzy_matching=not fuzzy_matching,
        update_header_comment=False,
        keep_user_comments=True,
    )
    after = {_key(message) for message in _messages(catalog)}
    buffer = BytesIO()
    write_po(buffer, catalog, width=PO_WIDTH, include_lineno=False, ignore_obsolete=True)
    new = buffer.getvalue()
    old = catalog_path.read_bytes() if catalog_path.is_file() else None
    changed = old is None or _DATE_LINE_RE.sub(b"", old) != _DATE_LINE_RE.sub(b"", new)
    if changed:
        catalog_path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(catalog_path, new)
    return UpdateResult(
        added=sorted(key[0] for key in after - before),
        removed=sorted(key[0] for key in before - after),
        written=changed,
    )


def update_catalogs(
    template: Catalog, catalog_path: Path, *, fuzzy_matching: bool = True
) -> dict[Path, UpdateResult]:
    """Update every feature's catalog beside ``catalog_path`` with the msgids it should hold.

    New msgids go to their home catalog (`home_catalog`); entries in the wrong catalog move,
    with their translation; a feature catalog left empty is removed.
    """
    union, _duplicates = load_union(catalog_path)
    subsets: dict[str, Catalog] = {}
    for message in _messages(template):
        home = home_catalog(message.locations)
        if home not in subsets:
            subsets[home] = Catalog(locale=DEFAULT_LOCALE, domain=DOMAIN, project=PROJECT)
        subsets[home][message.id] = copy.deepcopy(message)
    names = {catalog_path.name, *subsets, *(p.name for p in sibling_catalogs(catalog_path))}
    results: dict[Path, UpdateResult] = {}
    for name in sorted(names):
        path = catalog_path.parent / name
        subset = subsets.get(name) or Catalog(locale=DEFAULT_LOCALE, domain=DOMAIN)
        if not _messages(subset) and path != catalog_path:
            if path.is_file():
                removed = sorted(_key(m)[0] for m in _messages(load_catalog(path)))
                path.unlink()
                results[path] = UpdateResult(added=[], removed=removed, written=True)
            continue
        results[path] = update_catalog(
            subset,
            path,
            fuzzy_matching=fuzzy_matching,
            exclude_siblings=False,
            carry=union,
        )
    return results


def write_template(template: Catalog, path: Path) -> None:
    buffer = BytesIO()
    write_po(buffer, template, width=PO_WIDTH, include_lineno=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(path, buffer.getvalue())


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def compile_catalogs(locales_dir: Path, domain: str = DOMAIN) -> tuple[list[Path], list[Problem]]:
    """Write ``<domain>.mo`` next to every ``<lang>/LC_MESSAGES/<domain>.po``.

    Catalogs that do not parse or fail Babel's checks (format strings, plural count) are not
    written. Fuzzy entries are left out of the .mo, as msgfmt does.
    """
    written: list[Path] = []
    problems: list[Problem] = []
    for po_path in sorted(locales_dir.glob(f"*/LC_MESSAGES/{domain}.po")):
        try:
            with po_path.open("rb") as fh:
                catalog = read_po(fh, domain=domain, abort_invalid=True)
        except (PoFileError, ValueError) as exc:
            problems.append(Problem("invalid", str(po_path), f"cannot parse catalog: {exc}"))
            continue
        for other in sibling_catalogs(po_path):
            with other.open("rb") as fh:
                for message in _messages(read_po(fh, domain=domain, abort_invalid=True)):
                    catalog[message.id] = message
        errors = [
            Problem("invalid", f"{po_path}:{message.lineno or 0}", str(error), _singular(message))
            for message, message_errors in catalog.check()
            for error in message_errors
        ]
        if errors:
            problems.extend(errors)
            continue
        buffer = BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        mo_path = po_path.with_suffix(".mo")
        _write_atomic(mo_path, buffer.getvalue())
        written.append(mo_path)
    return written, problems


def _report(problems: Sequence[Problem], out: Any) -> None:
    for problem in problems:
        print(problem.format(), file=out)
    counts = Counter(problem.kind for problem in problems)
    summary = ", ".join(f"{count} {kind}" for kind, count in sorted(counts.items()))
    print(f"\n{len(problems)} problem(s): {summary}", file=out)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools.check_i18n",
        description="Check (default), update or compile the gettext catalogs.",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--update", action="store_true", help="merge msgids from code into the .po")
    mode.add_argument("--compile", action="store_true", help="write .mo files next to the .po")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="repository root")
    parser.add_argument("--catalog", type=Path, help="default: locales/nl/LC_MESSAGES/messages.po")
    parser.add_argument("--mapping", type=Path, help="Babel mapping file (default: babel.cfg)")
    parser.add_argument("--locales-dir", type=Path, help="default: <root>/locales")
    parser.add_argument("--wordlist", type=Path, help="default: locales/nl/wordlist.txt")
    parser.add_argument("--dictionary", type=Path, help="Hunspell dictionary, e.g. .../nl_NL")
    parser.add_argument("--spell-backend", choices=("auto", "hunspell", "spylls"), default="auto")
    parser.add_argument("--no-spellcheck", action="store_true", help="skip the spell check")
    parser.add_argument("--no-fuzzy-matching", action="store_true", help="with --update")
    parser.add_argument("--pot", type=Path, help="with --update: also write this template")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    root: Path = args.root
    paths = Paths(
        root=root,
        catalog=args.catalog,
        mapping=args.mapping,
        wordlist=args.wordlist,
        locales=args.locales_dir,
    )
    assert paths.catalog is not None and paths.locales is not None

    if args.compile:
        written, problems = compile_catalogs(paths.locales)
        for path in written:
            print(f"compiled {paths.show(path)}")
        if problems:
            _report(problems, sys.stdout)
            return 1
        if not written:
            print(f"no {DOMAIN}.po catalogs under {paths.show(paths.locales)}")
        return 0

    if args.update:
        template = extract_messages(root, paths.mapping)
        try:
            results = update_catalogs(
                template, paths.catalog, fuzzy_matching=not args.no_fuzzy_matching
            )
        except (PoFileError, ValueError) as exc:
            print(f"{paths.show(paths.catalog)}: cannot parse catalog: {exc}")
            return 1
        if args.pot is not None:
            write_template(template, args.pot)
            print(f"wrote template {paths.show(args.pot)}")
        for path, result in results.items():
            state = "updated" if result.written else "unchanged"
            print(f"{paths.show(path)} {state}: {len(result.added)} new, ", end="")
            print(f"{len(result.removed)} removed msgid(s)")
        union, _duplicates = load_union(paths.catalog)
        todo = [
            problem
            for problem in check_catalog(template, union, paths.show(paths.catalog))
            if problem.kind in {"untranslated", "fuzzy"}
        ]
        if todo:
            print(f"\nTo translate or review in {paths.show(paths.catalog)}:")
            for problem in todo:
                print(f"  {problem.kind:<12} {_quote(problem.msgid)}  ({problem.where})")
        return 0

    check = run_check(
        paths,
        spellcheck=not args.no_spellcheck,
        dictionary=args.dictionary,
        backend=args.spell_backend,
    )
    if check.problems:
        _report(check.problems, sys.stdout)
        return 1
    print(f"i18n ok: {check.msgids} msgid(s) in {paths.show(paths.catalog)}; {check.spell_info}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
