"""Languages: gettext catalogues (Babel), the visitor's choice, then Accept-Language.

Catalogues are compiled from the `.po` files in memory when first used, so there is no binary
`.mo` file to build or to forget. Code marks strings with `_()` (translated now, in the current
request's language) or `N_()` (marked for extraction, translated later: titles of problem types).
"""

from __future__ import annotations

import gettext as stdlib_gettext
import io
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from functools import cache
from pathlib import Path

from babel.dates import format_datetime, get_timezone_gmt, get_timezone_name
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

AVAILABLE_LOCALES: tuple[str, ...] = ("en", "fr")
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
SOURCE_LOCALE = "en"
LANGUAGE_COOKIE = "comptoir_lang"
# A language another site asked pages to be shown in (OpenID Connect's `ui_locales`): below the
# visitor's own choice, above their browser's preferences, and only on the pages it was set for.
LANGUAGE_HINT_COOKIE = "comptoir_lang_hint"
LANGUAGE_NAMES: Mapping[str, str] = {"en": "English", "fr": "Français"}

_current_locale: ContextVar[str] = ContextVar("comptoir_locale", default=SOURCE_LOCALE)
# The clock of the people the node serves (the `time_zone` setting), set per request beside the
# language; UTC outside a request (commands, tests of services).
_current_zone: ContextVar[tzinfo] = ContextVar("comptoir_time_zone", default=UTC)


@cache
def translations_for(locale: str) -> stdlib_gettext.NullTranslations:
    """The compiled catalogue for a locale; English is the source language and needs none."""
    if locale == SOURCE_LOCALE:
        return stdlib_gettext.NullTranslations()
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.exists():
        raise LookupError(f"no catalogue for locale {locale!r} at {po_path}")
    with po_path.open("rb") as po_file:
        catalogue = read_po(po_file, locale=locale, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def current_locale() -> str:
    return _current_locale.get()


def set_current_locale(locale: str) -> None:
    _current_locale.set(locale if locale in AVAILABLE_LOCALES else SOURCE_LOCALE)


def current_zone() -> tzinfo:
    return _current_zone.get()


def set_current_zone(zone: tzinfo) -> None:
    _current_zone.set(zone)


def local_moment(moment: datetime | None) -> str:
    """A moment as the reader's clock shows it, in the reader's language ("29 nov. 2026,
    18:05:00"); "" for none. Times are stored in UTC; people read them on their own clock."""
    if moment is None:
        return ""
    return format_datetime(moment, "medium", tzinfo=current_zone(), locale=current_locale())


def local_zone() -> str:
    """The reader's clock, named in the reader's language with its offset from UTC now
    ("Atlantic Standard Time (GMT-04:00)"), so that a time shown on a page is not taken for
    UTC."""
    zone = current_zone()
    now = datetime.now(UTC).astimezone(zone)
    locale = current_locale()
    return f"{get_timezone_name(now, locale=locale)} ({get_timezone_gmt(now, locale=locale)})"


def _(message: str, /, **params: object) -> str:
    """Translate into the current language, then fill `{name}` placeholders."""
    translated = translations_for(current_locale()).gettext(message)
    return translated.format(**params) if params else translated


def ngettext(singular: str, plural: str, count: int, /, **params: object) -> str:
    translated = translations_for(current_locale()).ngettext(singular, plural, count)
    return translated.format(count=count, **params)


def N_(message: str, /) -> str:  # noqa: N802 (the conventional gettext marker name)
    """Mark a string for extraction without translating it yet."""
    return message


@dataclass(frozen=True)
class LazyText:
    """A message id and its parameters, translated when it is shown (in the reader's language)."""

    message: str
    params: Mapping[str, object] = field(default_factory=dict)

    def render(self, locale: str | None = None) -> str:
        translated = translations_for(locale or current_locale()).gettext(self.message)
        return translated.format(**self.params) if self.params else translated

    def __str__(self) -> str:
        return self.render()


def lazy(message: str, /, **params: object) -> LazyText:
    return LazyText(message, params)


def parse_accept_language(header: str) -> list[str]:
    """Language tags from an Accept-Language header, most preferred first (RFC 9110 12.5.4)."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip()
        if not tag:
            continue
        quality = 1.0
        for parameter in pieces[1:]:
            name, _sep, value = parameter.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _q, _p, tag in sorted(weighted)]


def first_available(tags: Iterable[str]) -> str | None:
    """The first of these language tags ("fr-CA", "en") that this node speaks, as its locale."""
    for tag in tags:
        primary = tag.replace("_", "-").split("-")[0].lower()
        if primary in AVAILABLE_LOCALES:
            return primary
    return None


def negotiate(chosen: str | None, accept_language: str | None, default: str) -> str:
    """The visitor's explicit choice first, then their browser's preferences, then the default."""
    if chosen in AVAILABLE_LOCALES:
        return chosen
    return first_available(parse_accept_language(accept_language or "")) or default
