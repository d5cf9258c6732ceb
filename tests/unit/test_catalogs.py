"""Danish is the default and must be complete; English must be complete too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from handlers.i18n import LANGUAGES, LOCALES_DIR, Translator

ROOT = Path(__file__).parents[2]
KEYWORDS = {"_": None, "ngettext": (1, 2), "N_": None}
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def source_messages() -> set[str | tuple[str, str]]:
    found: set[str | tuple[str, str]] = set()
    for package in ("handlers", "bot"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_in_the_code_is_translated(language: str) -> None:
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    missing = []
    for message in source_messages():
        entry = catalog.get(message[0] if isinstance(message, tuple) else message)
        strings = entry.string if entry is not None else None
        if (
            entry is None
            or not strings
            or (isinstance(strings, tuple) and not all(strings))
            or entry.fuzzy
        ):
            missing.append(message)
    assert not missing, f"untranslated in {language}: {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language: str) -> None:
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    for entry in catalog:
        if not entry.id:
            continue
        source = entry.id if isinstance(entry.id, str) else entry.id[0]
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for string in strings:
            assert isinstance(string, str), f"{language}: {source!r} has no string"
            assert set(PLACEHOLDER.findall(string)) <= set(PLACEHOLDER.findall(source)), (
                f"{language}: {string!r} uses a placeholder that {source!r} does not give"
            )


def test_danish_is_the_default_and_english_the_second() -> None:
    assert Translator("da")._("Decisions") == "Beslutninger"
    assert Translator("en")._("Decisions") == "Decisions"
    assert Translator("da-DK")._("Open questions") == "Åbne spørgsmål"
    assert Translator("fr")._("Next steps") == "Næste skridt", "an unknown language falls back"
    assert Translator("da").ngettext("{n} input", "{n} inputs", 2).format(n=2) == "2 input"
    assert Translator("en").ngettext("{n} input", "{n} inputs", 2).format(n=2) == "2 inputs"
