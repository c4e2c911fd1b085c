"""The payload's checksum (tag 63): CRC-16/CCITT-FALSE of everything before its four hex digits."""

from __future__ import annotations

from typing import Final

__all__ = ["crc16_ccitt_false", "crc_of"]


def _crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
        table.append(crc & 0xFFFF)
    return tuple(table)


_CRC_TABLE: Final = _crc_table()


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial 0xFFFF, no reflection, no final XOR."""
    crc = 0xFFFF
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ _CRC_TABLE[(crc >> 8) ^ byte]
    return crc


def crc_of(body: str) -> str:
    """The four hex digits for a payload whose text up to and including "6304" is `body`."""
    # A lone surrogate (from undecodable command-line bytes) still gets a CRC, so that the
    # payload is refused with a sentence rather than a UnicodeEncodeError.
    return f"{crc16_ccitt_false(body.encode('utf-8', 'surrogatepass')):04X}"
