"""Fill a catalogue's missing translations from a Python dict file: `translate.py fr DICT.py`.

A maintenance aid for translators working in bulk; the .po file stays the source of truth.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "src" / "comptoir" / "locale"


def main() -> int:
    locale, dict_file = sys.argv[1], sys.argv[2]
    translations: dict[str, str] = runpy.run_path(dict_file)["TRANSLATIONS"]
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as handle:
        catalogue = read_po(handle, locale=locale)
    filled = 0
    for message in catalogue:
        if isinstance(message.id, str) and not message.string and message.id in translations:
            message.string = translations[message.id]
            filled += 1
    with po_path.open("wb") as handle:
        write_po(handle, catalogue, width=100, sort_output=True, omit_header=False)
    missing = [m.id for m in catalogue if m.id and not m.string]
    sys.stdout.write(f"filled {filled}; still untranslated: {len(missing)}\n")
    for message_id in missing:
        sys.stdout.write(f"  {message_id!r}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
