"""The base of every Beckn v2.0 model: camelCase on the wire, snake_case in Python.

`BecknModel` is closed (`additionalProperties: false` in the spec); `OpenBecknModel` keeps
unknown members, for the spec's objects that allow them. Models are written from the schemas of
`beckn-v2.0.0.yaml` (components/schemas), one class per schema, keeping its required members and
enums; tests check the messages they produce against the spec's own schemas.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class BecknModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="forbid",
        frozen=True,
    )


class OpenBecknModel(BecknModel):
    model_config = ConfigDict(extra="allow")


def _uuid_text(value: str) -> str:
    # The spec's `format: uuid`: any hyphenated UUID, kept as sent.
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        raise ValueError("must be a UUID") from None
    if len(value) != 36:
        raise ValueError("must be a UUID in its hyphenated form")
    del parsed
    return value


def _http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")) or len(value) < 10:
        raise ValueError("must be an http or https URL")
    return value


UuidText = Annotated[str, AfterValidator(_uuid_text)]
HttpUrl = Annotated[str, AfterValidator(_http_url)]
