from __future__ import annotations

import contextvars
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from comptoir.kernel import i18n

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [
        ("fr", "en-GB,en;q=0.9", "fr"),
        (None, "fr-CA,fr;q=0.9,en;q=0.5", "fr"),
        (None, "de-DE,de;q=0.9,fr;q=0.4", "fr"),
        (None, "en;q=0.2,fr;q=0.8", "fr"),
        (None, "de, es", "en"),
        ("xx", "", "en"),
        (None, "fr;q=0, en", "en"),
        (None, "garbage;;q=abc,,", "en"),
    ],
)
def test_the_language_is_the_choice_then_the_browser_then_the_default(
    cookie: str | None, header: str, expected: str
) -> None:
    assert i18n.negotiate(cookie, header, "en") == expected


def test_strings_are_translated_into_the_current_language() -> None:
    i18n.set_current_locale("fr")
    try:
        assert i18n._("Not found") == "Introuvable"
        assert i18n.lazy("Home").render("en") == "Home"
    finally:
        i18n.set_current_locale("en")
    assert i18n._("Not found") == "Not found"


def test_every_string_in_the_code_is_in_the_french_catalogue_and_translated(
    tmp_path: Path,
) -> None:
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"), "extract",
            "--mapping", str(ROOT / "babel.cfg"),
            "--keywords", "N_ lazy ngettext:1,2",
            "--no-location",
            "--output-file", str(template),
            str(ROOT / "src"),
        ],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )  # fmt: skip
    with template.open("rb") as handle:
        extracted = {message.id for message in read_po(handle) if message.id}
    catalogue_path = i18n.LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po"
    with catalogue_path.open("rb") as handle:
        french = {message.id: message.string for message in read_po(handle) if message.id}
    missing = sorted(str(m) for m in extracted if m not in french)
    # A plural entry's translation is a tuple of forms: every form must be filled in.
    untranslated = sorted(
        str(m)
        for m in extracted
        if m in french and (not french[m] or (isinstance(french[m], tuple) and not all(french[m])))
    )
    assert missing == [], "run `make messages` and translate: " + "; ".join(missing)
    assert untranslated == [], "untranslated: " + "; ".join(untranslated)


def test_placeholders_survive_translation() -> None:
    catalogue_path = i18n.LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po"
    with catalogue_path.open("rb") as handle:
        for message in read_po(handle):
            if not message.id:
                continue
            if isinstance(message.id, str):
                assert _placeholders(message.id) == _placeholders(str(message.string)), message.id
            else:
                for form in message.string:
                    assert _placeholders(message.id[-1]) == _placeholders(form), message.id


def _placeholders(text: str) -> set[str]:
    """Both kinds: `{name}` (Python code) and `%(name)s` (templates, filled by Jinja)."""
    import re
    import string

    braces = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    return braces | set(re.findall(r"%\((\w+)\)[sd]", text))


def test_a_moment_is_written_on_the_readers_clock_in_the_readers_language() -> None:
    moment = datetime(2026, 1, 1, 0, 30, tzinfo=UTC)

    def written(locale: str, zone: str | None) -> str:
        def inside() -> str:
            i18n.set_current_locale(locale)
            if zone is not None:
                i18n.set_current_zone(ZoneInfo(zone))
            return i18n.local_moment(moment)

        return contextvars.copy_context().run(inside)

    assert written("en", None) == "Jan 1, 2026, 12:30:00\u202fAM"  # outside a request: UTC
    assert written("en", "America/St_Lucia") == "Dec 31, 2025, 8:30:00\u202fPM"
    assert written("fr", "America/St_Lucia") == "31 déc. 2025, 20:30:00"
    assert i18n.local_moment(None) == ""
