"""Message catalogs and locale-aware dates.

Danish is the default and English the second language. The `.po` files under `locales/` are the
catalogs; they are compiled in memory with Babel when first used, so a checkout needs no build
step and a stale `.mo` can never shadow an edited `.po`.
"""

from __future__ import annotations

import datetime as dt
import gettext
from functools import cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_day_names
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"
LOCALES_DIR = Path(__file__).parent / "locales"
_BABEL_LOCALE = {"da": "da_DK", "en": "en_GB"}
_DATE_PATTERN = {"da": "EEEE 'den' d. MMMM", "en": "EEEE d MMMM"}
_DATE_PATTERN_YEAR = {"da": "EEEE 'den' d. MMMM y", "en": "EEEE d MMMM y"}


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; it is translated where it is shown."""
    return message


def language_signal(locale: str | None) -> str | None:
    """What a platform's locale for a person tells us: "da" for a Danish client; "" for any
    other, because most Danes run their chat client in English, so only Danish is a signal (the
    process's language decides); None when the platform says nothing."""
    if locale is None:
        return None
    return "da" if locale.lower().startswith("da") else ""


def normalise_language(value: str | None, fallback: str = DEFAULT_LANGUAGE) -> str:
    """`da-DK`, `da_DK`, `DA` → `da`; anything we do not speak → the fallback."""
    if not value:
        return fallback
    code = value.replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else fallback


@cache
def _catalog(language: str) -> gettext.NullTranslations:
    path = LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        catalog = read_po(po, locale=_BABEL_LOCALE[language])
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class Translator:
    """Everything language-dependent a message needs: words, plurals, dates in a timezone."""

    def __init__(
        self, language: str, timezone: str = "Europe/Copenhagen", *, now: dt.datetime | None = None
    ) -> None:
        self.language = normalise_language(language)
        self.tz = ZoneInfo(timezone)
        # A date outside this year shows its year (the bot's clock where the caller has it).
        self.year = (now or dt.datetime.now(dt.UTC)).astimezone(self.tz).year
        self.locale = _BABEL_LOCALE[self.language]
        self._translations = _catalog(self.language)

    def _(self, message: str) -> str:
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._translations.ngettext(singular, plural, n)

    def weekday(self, index: int) -> str:
        """0 = Monday, as the digest schedule counts."""
        names = get_day_names("wide", locale=self.locale)
        return str(names[index])

    def date(self, value: dt.date, *, with_year: bool = False) -> str:
        """ "torsdag den 3. december"; with the year when asked, or when it is not this year."""
        with_year = with_year or value.year != self.year
        pattern = (_DATE_PATTERN_YEAR if with_year else _DATE_PATTERN)[self.language]
        return format_date(value, pattern, locale=self.locale)

    def time(self, value: dt.datetime) -> str:
        return format_time(value.astimezone(self.tz), "HH:mm", locale=self.locale)

    def datetime(self, value: dt.datetime, *, with_year: bool = False) -> str:
        local = value.astimezone(self.tz)
        return self._("{date} at {time}").format(
            date=self.date(local.date(), with_year=with_year), time=self.time(local)
        )

    def local(self, value: dt.datetime) -> dt.datetime:
        return value.astimezone(self.tz)

    def today(self, now: dt.datetime | None = None) -> dt.date:
        return (now or dt.datetime.now(dt.UTC)).astimezone(self.tz).date()
