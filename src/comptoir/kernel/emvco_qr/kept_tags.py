"""The root tags the codec keeps raw, yet checks: a payload that breaks their rules is refused.

Tags 55 to 57 (a tip or a convenience fee), tag 64 (the merchant's name in another language),
the merchant account templates other than the one chosen (26 to 51) and the unreserved
templates (80 to 99). The payer's app decides what to make of them; the codec only makes sure
each is what the specification says it is, so that a broken one is never passed on as valid.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Final

from comptoir.kernel.emvco_qr.errors import QrError
from comptoir.kernel.emvco_qr.tlv import split

__all__ = [
    "LANGUAGE_TAG",
    "check_kept_tags",
    "check_language_template",
    "is_raw_template",
]


# Tag 55, the tip or convenience indicator: "01" prompts the payer for a tip, "02" adds the
# fixed fee of tag 56, "03" the percentage of tag 57.
_FEE_TAG_OF: Final = {"01": None, "02": "56", "03": "57"}
_FIXED_FEE: Final = re.compile(r"[0-9]{1,12}(\.[0-9]*)?|\.[0-9]+")
_PERCENTAGE: Final = re.compile(r"[0-9]{1,2}(\.[0-9]{0,2})?")


def _check_tip_or_fee(tags: Mapping[str, str]) -> None:
    """EMV QRCPS-MPM, tags 55 to 57: 55 is "01", "02" or "03"; the fixed fee (56) is present
    exactly when 55 is "02", the percentage (57, 00.01 to 99.99) exactly when it is "03".
    The codec keeps them as unknown tags (the payer's app decides what to do with a tip), but
    refuses a QR that breaks these rules, as it refuses any other malformed field."""
    indicator = tags.get("55")
    if indicator is not None and indicator not in _FEE_TAG_OF:
        raise QrError(
            "invalid_field",
            f"The tip or convenience indicator (tag 55) must be '01', '02' or '03', "
            f"not {indicator!r}.",
            field="unknown_tags",
        )
    wanted = _FEE_TAG_OF[indicator] if indicator is not None else None
    for tag, what in (("56", "fixed convenience fee"), ("57", "percentage convenience fee")):
        if tag == wanted and tag not in tags:
            raise QrError(
                "missing_field",
                f"The tip or convenience indicator (tag 55) is {indicator!r}, so the QR must "
                f"carry the {what} in tag {tag}.",
                field="unknown_tags",
            )
        if tag in tags and tag != wanted:
            raise QrError(
                "invalid_field",
                f"The {what} (tag {tag}) needs tag 55 set to '{'02' if tag == '56' else '03'}'.",
                field="unknown_tags",
            )
    fee = tags.get("56")
    if fee is not None and not (len(fee) <= 13 and _FIXED_FEE.fullmatch(fee)):
        raise QrError(
            "invalid_field",
            f"The fixed convenience fee (tag 56) must be an amount such as '1.50', not {fee!r}.",
            field="unknown_tags",
        )
    share = tags.get("57")
    if share is not None and not (_PERCENTAGE.fullmatch(share) and 0 < float(share) < 100):
        raise QrError(
            "invalid_field",
            f"The percentage convenience fee (tag 57) must be from 00.01 to 99.99, not {share!r}.",
            field="unknown_tags",
        )


LANGUAGE_TAG: Final = "64"
_LANGUAGE: Final = re.compile(r"[A-Za-z]{2}")


def check_language_template(value: str, start: int = 0) -> None:
    """Tag 64 gives the merchant's name (and city) in a second language: it is kept raw, but a
    template that is not one, or lacks its language or name, is refused like any other field.
    `start` is where the value begins in the payload, for the errors to point at."""
    what = "the merchant information language template (tag 64)"
    subs = split(value, what, start)
    language = subs.get("00")
    if language is None or not _LANGUAGE.fullmatch(language):
        found = "has none" if language is None else f"is {language!r}"
        raise QrError(
            "invalid_field" if language is not None else "missing_field",
            f"The language preference (sub-tag 00) of {what} must be a two-letter ISO 639 "
            f"code, but it {found}.",
            field="language_template",
        )
    for sub, name, longest in (("01", "merchant name", 25), ("02", "merchant city", 15)):
        text = subs.get(sub)
        if text is None and sub == "01":
            raise QrError(
                "missing_field",
                f"The {what[4:]} has no {name} in the alternate language (sub-tag 01).",
                field="language_template",
            )
        if text is not None and len(text) > longest:
            raise QrError(
                "invalid_field",
                f"The {name} in the alternate language (sub-tag {sub} of tag 64) must be 1 to "
                f"{longest} characters long, not {len(text)}.",
                field="language_template",
            )


def is_raw_template(tag: str) -> bool:
    """A merchant account template (26 to 51) or an unreserved template (80 to 99)."""
    return "26" <= tag <= "51" or "80" <= tag <= "99"


def check_raw_template(tag: str, value: str, start: int = 0) -> None:
    """Both kinds of template hold data objects, the first a globally unique identifier
    (sub-tag 00, at most 32 characters) naming the scheme that defines the others."""
    kind = "merchant account" if tag <= "51" else "unreserved"
    what = f"the {kind} template (tag {tag})"
    subs = split(value, what, start)
    gui = subs.get("00")
    if gui is None:
        raise QrError(
            "missing_field", f"The {what[4:]} has no GUI (sub-tag 00).", field="unknown_tags"
        )
    if len(gui) > 32:
        raise QrError(
            "invalid_field",
            f"The GUI (sub-tag 00) of {what} must be 1 to 32 characters long, not {len(gui)}.",
            field="unknown_tags",
        )


def check_kept_tags(tags: Mapping[str, str], start_of: Callable[[str], int] | None = None) -> None:
    """Check every tag kept raw; `start_of(tag)` tells where its value begins in the payload,
    for the errors to point at (0 when the QR was built rather than read)."""

    def where(tag: str) -> int:
        return 0 if start_of is None else start_of(tag)

    _check_tip_or_fee(tags)
    for tag, value in tags.items():
        if tag == LANGUAGE_TAG:
            check_language_template(value, where(tag))
        elif is_raw_template(tag):
            check_raw_template(tag, value, where(tag))
