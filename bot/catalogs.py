"""The interface-string catalogs (locales/): extracting, updating and checking them.

Masar calls gettext as ``_(language, "English text {placeholder}", ...)`` and
``ngettext(language, singular, plural, n)``, so the message is the second argument, not the
first as Babel's default keywords assume; the keywords below say so, and Babel's defaults are
switched off so that no other call is misread as a message. Button titles and service labels are
English msgids kept in tables (``TITLES``, ``KIND_LABELS``) and translated with
``_(language, TITLES[topic])``; no literal reaches ``_()`` there, so the extractor also takes the
string values of those tables.

``check`` is what CI runs (``masar locales check``, tests/test_locales.py): every launch language
has every msgid of the template translated, nothing fuzzy, placeholders kept exactly, the plural
forms CLDR gives the language, and the catalog compiles; and the template itself still holds
every string the code uses.
"""

from __future__ import annotations

import ast
import io
import string
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.extract import extract_python as _babel_extract_python
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileError, read_po

from .content.catalogue import LANGUAGES

REPO_ROOT = Path(__file__).resolve().parent.parent
LOCALES_DIR = REPO_ROOT / "locales"
DOMAIN = "masar"
TEMPLATE = LOCALES_DIR / f"{DOMAIN}.pot"
MAPPING = REPO_ROOT / "babel.cfg"
KEYWORDS = ("_:2", "ngettext:2,3")
LABEL_TABLES = frozenset({"TITLES", "KIND_LABELS"})
TRANSLATED = tuple(code for code in LANGUAGES if code != "en")  # English is the msgid itself


# --------------------------------------------------------------------------- extraction


def extract_python(fileobj, keywords, comment_tags, options):
    """Babel's Python extractor, plus the string values of the label tables.

    Registered in babel.cfg, so ``pybabel extract`` and ``masar locales update`` see the same
    messages.
    """
    source = fileobj.read()
    yield from _babel_extract_python(io.BytesIO(source), keywords, comment_tags, options)
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        elif isinstance(node, ast.AnnAssign):
            target = node.target
        else:
            continue
        if (
            isinstance(target, ast.Name)
            and target.id in LABEL_TABLES
            and isinstance(node.value, ast.Dict)
        ):
            for value in node.value.values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    yield value.lineno, None, value.value, []


def code_messages(root: Path = REPO_ROOT) -> set[str]:
    """Every msgid the code uses now (plural messages by their singular), as pybabel finds them."""
    with MAPPING.open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, str(MAPPING))
    keywords = parse_keywords(list(KEYWORDS))
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(root), method_map, options_map, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def pybabel_commands(
    languages: Iterable[str] = TRANSLATED, locales_dir: Path = LOCALES_DIR
) -> list[list[str]]:
    """The pybabel commands that refresh the template and the catalogs (run from the repo root)."""
    keywords = [arg for k in KEYWORDS for arg in ("-k", k)]
    template = str(locales_dir / f"{DOMAIN}.pot")
    commands = [
        [
            "extract",
            "-F",
            "babel.cfg",
            "--no-default-keywords",
            *keywords,
            "--project",
            "Masar",
            "--copyright-holder",
            "Masar contributors",
            "-o",
            template,
            ".",
        ]
    ]
    for code in languages:
        if not (locales_dir / code / "LC_MESSAGES" / f"{DOMAIN}.po").exists():
            commands.append(
                ["init", "-D", DOMAIN, "-i", template, "-d", str(locales_dir), "-l", code]
            )
    commands.append(
        ["update", "-D", DOMAIN, "-i", template, "-d", str(locales_dir), "--ignore-obsolete"]
    )
    return commands


def update(locales_dir: Path = LOCALES_DIR) -> int:
    """Extract the template from the code, then merge it into every catalog (new ones created)."""
    pybabel = Path(sys.executable).with_name("pybabel")
    for args in pybabel_commands(locales_dir=locales_dir):
        code = subprocess.call([str(pybabel), "--quiet", *args], cwd=str(REPO_ROOT))
        if code != 0:
            return code
    return 0


# --------------------------------------------------------------------------- checking


@dataclass(frozen=True)
class Problem:
    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


def placeholders(text: str) -> set[str] | None:
    """The {names} in a format string; None if its braces do not parse."""
    try:
        return {
            name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None
        }
    except ValueError:
        return None


def _placeholder_problem(msgid, forms) -> str | None:
    if isinstance(msgid, tuple):  # plural: {n} may be left out of a form ("one day")
        wanted = (placeholders(msgid[0]) or set()) | (placeholders(msgid[1]) or set())
        for form in forms:
            found = placeholders(form)
            if found is None or not found <= wanted or not (wanted - {"n"}) <= found:
                return f"placeholders must be {sorted(wanted)} in every form, found in {form!r}"
        return None
    wanted, found = placeholders(msgid) or set(), placeholders(forms[0])
    if wanted and found != wanted:
        return f"placeholders must be exactly {sorted(wanted)}, found {sorted(found) if found is not None else 'broken braces'}"
    if not wanted and found:
        return f"unknown placeholders {sorted(found)} (the English text has none)"
    return None


def _plural_header_problems(catalog, name: str, language: str) -> list[Problem]:
    """The Plural-Forms header against CLDR's number of plural forms for the language."""
    plural = get_plural(language)
    if catalog.num_plurals == plural.num_plurals:
        return []
    return [
        Problem(
            name,
            f"Plural-Forms has {catalog.num_plurals} forms; CLDR says {plural.num_plurals} "
            f"({plural.plural_forms})",
        )
    ]


def check_catalog(po: Path, msgids: Iterable, language: str) -> list[Problem]:
    """One language's catalog against the template's msgids."""
    name = str(po.relative_to(REPO_ROOT)) if po.is_relative_to(REPO_ROOT) else str(po)
    if not po.exists():
        return [
            Problem(
                name, f"missing; create it with `masar locales update` (pybabel init -l {language})"
            )
        ]
    try:
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=language, abort_invalid=True)
    except (PoFileError, ValueError, UnicodeDecodeError) as exc:
        problems = [Problem(name, f"does not parse: {exc}")]
        try:  # a wrong Plural-Forms header makes plural messages unreadable: name that cause first
            with po.open("rb") as fh:
                problems[:0] = _plural_header_problems(read_po(fh, locale=language), name, language)
        except (PoFileError, ValueError, UnicodeDecodeError):
            pass
        return problems
    problems = _plural_header_problems(catalog, name, language)
    for msgid in msgids:
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        message = catalog.get(msgid)
        where = f"msgid {key!r}"
        if message is None:
            problems.append(Problem(name, f"{where}: missing (run `masar locales update`)"))
            continue
        forms = (
            list(message.string) if isinstance(message.string, (tuple, list)) else [message.string]
        )
        if message.fuzzy:
            problems.append(
                Problem(name, f"{where}: fuzzy (check the translation, then remove the fuzzy flag)")
            )
        elif not all(forms) or (isinstance(msgid, tuple) and len(forms) != catalog.num_plurals):
            problems.append(Problem(name, f"{where}: not translated"))
        else:
            issue = _placeholder_problem(msgid, forms)
            if issue:
                problems.append(Problem(name, f"{where}: {issue}"))
    try:
        write_mo(io.BytesIO(), catalog)
    except Exception as exc:
        problems.append(Problem(name, f"does not compile: {exc}"))
    return problems


def check(
    locales_dir: Path = LOCALES_DIR,
    languages: Iterable[str] = TRANSLATED,
    code_root: Path | None = REPO_ROOT,
) -> list[Problem]:
    """Every problem that would show a user English, a broken placeholder or a crash."""
    template = locales_dir / f"{DOMAIN}.pot"
    name = (
        str(template.relative_to(REPO_ROOT))
        if template.is_relative_to(REPO_ROOT)
        else str(template)
    )
    if not template.exists():
        return [Problem(name, "missing; run `masar locales update`")]
    with template.open("rb") as fh:
        pot = read_po(fh)
    msgids = [m.id for m in pot if m.id]
    problems: list[Problem] = []
    if code_root is not None:
        known = {m[0] if isinstance(m, tuple) else m for m in msgids}
        for missing in sorted(code_messages(code_root) - known):
            problems.append(
                Problem(
                    name,
                    f"msgid {missing!r} is in the code but not in the template "
                    "(run `masar locales update`, then translate it)",
                )
            )
    for language in languages:
        problems += check_catalog(
            locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po", msgids, language
        )
    return problems


def main(action: str) -> int:
    if action == "update":
        code = update()
        if code:
            return code
    problems = check()
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} problems in the interface catalogs", file=sys.stderr)
        return 1
    print(f"catalogs complete: {len(TRANSLATED)} languages")
    return 0
