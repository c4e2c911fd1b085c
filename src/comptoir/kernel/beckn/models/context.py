"""The `Context` of every Beckn v2.0 message, and the spec's ISO 8601 time to live."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Final, Literal

from pydantic import AwareDatetime, Field

from comptoir.kernel.beckn.models.base import HttpUrl, OpenBecknModel, UuidText

PROTOCOL_VERSION: Final = "2.0.0"

_DURATION = re.compile(
    r"P(?:(?P<days>\d+)D)?(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?"
)


def parse_duration(text: str) -> timedelta:
    """An ISO 8601 duration of days, hours, minutes and seconds (`PT30S`, `P1DT2H`)."""
    match = _DURATION.fullmatch(text)
    if match is None or text in {"P", "PT"}:
        raise ValueError(f"{text!r} is not an ISO 8601 duration such as PT30S")
    parts = {name: float(value) for name, value in match.groupdict().items() if value}
    return timedelta(**parts)


def format_duration(duration: timedelta) -> str:
    seconds = int(duration.total_seconds())
    if seconds <= 0:
        raise ValueError("a time to live must be positive")
    return f"PT{seconds}S"


class Code(OpenBecknModel):
    code: str | None = None


class ContextLocation(OpenBecknModel):
    city: Code | None = None
    country: Code | None = None


class RequestDigest(OpenBecknModel):
    digest: str = Field(pattern=r"^BLAKE-512=[A-Za-z0-9+/]+=*$")


class Context(OpenBecknModel):
    """Who sends, who receives, which action, which transaction and message.

    The spec's `Context` requires nothing; Comptoir requires what it cannot route or answer
    without: the version, the action, the ids and the timestamp. Which participant must be
    named (the BAP, the BPP, or both) depends on the action and is checked by the validator.
    """

    version: Literal["2.0.0"]
    action: str
    transaction_id: UuidText
    message_id: UuidText
    timestamp: AwareDatetime
    domain: str | None = None
    location: ContextLocation | None = None
    bap_id: str | None = None
    bap_uri: HttpUrl | None = None
    bpp_id: str | None = None
    bpp_uri: HttpUrl | None = None
    network_id: str | None = None
    key: str | None = None
    ttl: str | None = None
    schema_context: list[str] | None = None
    request_digest: RequestDigest | None = None

    @property
    def time_to_live(self) -> timedelta | None:
        return parse_duration(self.ttl) if self.ttl else None

    @property
    def city_code(self) -> str | None:
        return self.location.city.code if self.location and self.location.city else None

    @property
    def country_code(self) -> str | None:
        if self.location and self.location.country:
            return self.location.country.code
        return None
