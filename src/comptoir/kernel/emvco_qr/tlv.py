"""The data objects: a two-digit ID, a two-digit length counted in characters, then the value.

Writing them, splitting a payload or a template into them (with the structural errors), and
finding where a root tag's value begins so that an error can point at its character.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from comptoir.kernel.emvco_qr.errors import QrError

__all__ = ["TWO_DIGITS", "raw_gui", "split", "start_of", "template", "tlv"]

TWO_DIGITS: Final = re.compile(r"[0-9]{2}")


def tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def template(parts: Iterable[tuple[str, str]], what: str, field: str) -> str:
    value = "".join(tlv(tag, sub) for tag, sub in sorted(parts))
    if len(value) > 99:
        raise QrError(
            "invalid_field",
            f"{what} would be {len(value)} characters long; a data object holds at most 99.",
            field=field,
        )
    return value


def raw_gui(value: str) -> str | None:
    """The GUI at the head of a template kept raw, if it starts with a well-formed sub-tag 00."""
    size = value[2:4]
    if value[:2] == "00" and TWO_DIGITS.fullmatch(size) and 4 + int(size) <= len(value):
        return value[4 : 4 + int(size)]
    return None


def split(text: str, where: str, start: int) -> dict[str, str]:
    """The data objects in `text` (`where` names it), which begins at `start` in the payload."""
    objects: dict[str, str] = {}
    index = 0
    while index < len(text):
        at = start + index + 1  # people count characters from 1
        tag, size = text[index : index + 2], text[index + 2 : index + 4]
        if len(text) - index < 4:
            raise QrError(
                "malformed_tlv",
                f"{where[0].upper()}{where[1:]} ends at character {at} with {text[index:]!r}, "
                "too short for a data object's ID and length.",
            )
        if not TWO_DIGITS.fullmatch(tag):
            raise QrError(
                "malformed_tlv",
                f"The data object at character {at} in {where} has the ID {tag!r}, not two digits.",
            )
        if not TWO_DIGITS.fullmatch(size):
            raise QrError(
                "malformed_tlv",
                f"The length of tag {tag} at character {at} in {where} is {size!r}, "
                "not two digits.",
            )
        length, remaining = int(size), len(text) - index - 4
        if length == 0:
            raise QrError(
                "malformed_tlv", f"Tag {tag} at character {at} in {where} has an empty value."
            )
        if length > remaining:
            raise QrError(
                "malformed_tlv",
                f"Tag {tag} at character {at} claims {length} characters but only "
                f"{remaining} remain in {where}.",
            )
        if tag in objects:
            raise QrError("duplicate_tag", f"Tag {tag} appears twice in {where}.")
        objects[tag] = text[index + 4 : index + 4 + length]
        index += 4 + length
    return objects


def start_of(payload: str, wanted: str) -> int:
    """Where the value of the root tag `wanted` begins in a payload already split once."""
    index = 0
    while payload[index : index + 2] != wanted:
        index += 4 + int(payload[index + 2 : index + 4])
    return index + 4
