"""The one error of the merchant QR codec, with its stable codes."""

from __future__ import annotations

from typing import Literal

__all__ = ["QrError", "QrErrorCode"]

QrErrorCode = Literal[
    "crc_mismatch",
    "malformed_tlv",
    "missing_field",
    "misplaced_tag",
    "duplicate_tag",
    "invalid_field",
    "unsupported_currency",
    "payload_too_long",
]


class QrError(ValueError):
    """A payload or a field that breaks the specification; `code` is stable, the text one sentence.

    `field` names the `MerchantQr` attribute at fault when there is one ("merchant_name",
    "additional_data.purpose"), so a form can point at it.
    """

    def __init__(self, code: QrErrorCode, sentence: str, *, field: str | None = None) -> None:
        super().__init__(sentence)
        self.code: QrErrorCode = code
        self.sentence = sentence
        self.field = field
