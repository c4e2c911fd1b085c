"""The FSPIOP HTTP headers: reading a participant's request, writing the switch's own.

API Definition section 3.2.1, table 1: every request carries `Content-Type`, `Date` and
`FSPIOP-Source`; a request from a client (GET, POST, DELETE) also carries `Accept`, which a
callback (PUT) and a notification (PATCH) do not; `FSPIOP-Destination` is set by the sender
when it knows the destination (all services but GET /parties) and may be left empty otherwise;
`FSPIOP-Signature`, `FSPIOP-URI`, `FSPIOP-HTTP-Method` and `FSPIOP-Encryption` are optional
here (the signature is checked by `signature.verify_message`); `X-Forwarded-For` may repeat.

Versions (section 3.3). The switch serves version 2.0 of every resource and nothing else:

- `Content-Type` must be `application/vnd.interoperability.{resource}+json;version=2.0`.
- `Accept` may list several types; one of them must allow 2.0: `version=2.0`, `version=2`
  (any minor of major 2) or no version at all ("the latest supported").
- Version 1.x is refused, not translated: a request that offers only 1.0 or 1.1 (or sends a
  1.x body) gets 3001 "Unacceptable version requested", HTTP 406, with the supported versions
  in the extension list (key the major, value the minor), as section 3.3.4.3 prescribes. A
  DFSP that talks 1.1 to a Mojaloop hub today selects 2.0 in its headers to join. Accepting
  1.x would mean answering each DFSP in the version it chose (section 3.3.4.2: the callback
  of a request is in the request's version) and translating what passes between a 1.x and a
  2.0 DFSP, which 1.x cannot always carry (a ULID id, the currency conversion elements).

Errors follow Mojaloop's reference header validation: a missing header is 3102 "Missing
mandatory element", an unreadable one 3101 "Malformed syntax", a body over the API's 5 MB
limit 3104 "Too large payload".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from comptoir.kernel.clock import Clock, system_clock
from comptoir.kernel.fspiop.errors import FspiopError
from comptoir.kernel.fspiop.http_dates import format_http_date, parse_http_date

API_VERSION: Final = "2.0"
SUPPORTED_VERSIONS: Final[tuple[str, ...]] = (API_VERSION,)
# API Definition section 3.1.3.3: the resources of the API.
RESOURCES: Final = frozenset(
    {
        "participants",
        "parties",
        "quotes",
        "transactionRequests",
        "authorizations",
        "transfers",
        "transactions",
        "bulkQuotes",
        "bulkTransfers",
        "services",
        "fxQuotes",
        "fxTransfers",
    }
)
MAX_CONTENT_LENGTH: Final = 5_242_880  # "a maximum size of 5242880 bytes (5 Megabytes)"
MAX_FSP_ID: Final = 32  # components.schemas.FspId maxLength
# Methods whose requests come from a client and so carry Accept (section 3.2.2).
_CLIENT_METHODS: Final = frozenset({"GET", "POST", "DELETE"})
# Headers a list may be split across (RFC 9110 section 5.3); every other one must be single.
_LIST_HEADERS: Final = frozenset({"accept", "x-forwarded-for"})

_TOKEN_PARAMETER: Final = re.compile(r"\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*([^;,\s]+)\s*")
_VERSION: Final = re.compile(r"(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class FspiopHeaders:
    """A request's FSPIOP headers, checked. `date_text` is the Date header exactly as sent,
    which is what a signature protects."""

    resource: str
    content_type_version: str
    accept_versions: tuple[str | None, ...] | None
    date: datetime
    date_text: str
    source: str
    destination: str | None
    signature: str | None
    uri: str | None
    http_method: str | None
    encryption: str | None
    forwarded_for: tuple[str, ...]
    content_length: int | None


def media_type(resource: str) -> str:
    """`application/vnd.interoperability.{resource}+json`, for a resource of the API."""
    _check_resource(resource)
    return f"application/vnd.interoperability.{resource}+json"


def content_type(resource: str, version: str = API_VERSION) -> str:
    """The Content-Type of a `resource` body in `version` (always major.minor)."""
    return f"{media_type(resource)};version={version}"


def parse_request_headers(
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    *,
    resource: str,
    method: str,
) -> FspiopHeaders:
    """Check the FSPIOP headers of a `method` request on `resource`; raise `FspiopError`.

    `headers` may be a mapping or the raw (name, value) pairs, so that a header sent twice is
    seen (Starlette's `Headers.items()` gives every pair).
    """
    _check_resource(resource)
    values = _collect(headers)
    method = method.upper()

    accept_versions: tuple[str | None, ...] | None = None
    accept = values.get("accept") or None
    # Accept belongs to client requests (API Definition table 1); on a callback it means
    # nothing, and HTTP libraries add "*/*" on their own, so it is not read there.
    if method in _CLIENT_METHODS:
        if accept is None:
            raise _missing("Accept")
        accept_versions = _parse_accept(accept, resource)

    content_type_text = _required(values, "Content-Type")
    content_type_version = _parse_content_type(content_type_text, resource)

    date_text = _required(values, "Date")
    date = parse_http_date(date_text)

    source = _required(values, "FSPIOP-Source")
    _check_fsp_id("FSPIOP-Source", source)
    destination = values.get("fspiop-destination") or None
    if destination is not None:
        _check_fsp_id("FSPIOP-Destination", destination)

    content_length = _parse_content_length(values.get("content-length"))
    forwarded = values.get("x-forwarded-for")
    forwarded_for = tuple(part.strip() for part in (forwarded or "").split(",") if part.strip())
    return FspiopHeaders(
        resource=resource,
        content_type_version=content_type_version,
        accept_versions=accept_versions,
        date=date,
        date_text=date_text,
        source=source,
        destination=destination,
        signature=values.get("fspiop-signature") or None,
        uri=values.get("fspiop-uri") or None,
        http_method=values.get("fspiop-http-method") or None,
        encryption=values.get("fspiop-encryption") or None,
        forwarded_for=forwarded_for,
        content_length=content_length,
    )


def build_headers(
    *,
    resource: str,
    method: str,
    uri: str,
    source: str,
    destination: str | None,
    clock: Clock = system_clock,
) -> dict[str, str]:
    """The headers of a message the switch (or any participant) sends, unsigned.

    `source` is the sender's FSP id (the switch's own id for what the switch originates),
    `uri` the FSPIOP-URI (the path from the API root, with its query), and the Date comes
    from `clock`. Accept is set for client requests (GET, POST, DELETE) only, as table 1 says.
    Sign the result with `signature.sign_headers`.
    """
    method = method.upper()
    for fsp_id in (source, destination or "-"):
        if not 1 <= len(fsp_id) <= MAX_FSP_ID:
            raise ValueError(f"an FSP id is 1 to {MAX_FSP_ID} characters, not {fsp_id!r}")
    headers = {"Content-Type": content_type(resource)}
    if method in _CLIENT_METHODS:
        headers["Accept"] = content_type(resource)
    headers["Date"] = format_http_date(clock.now())
    headers["FSPIOP-Source"] = source
    if destination:
        headers["FSPIOP-Destination"] = destination
    headers["FSPIOP-URI"] = uri
    headers["FSPIOP-HTTP-Method"] = method
    return headers


def fspiop_uri(path: str, query: str = "", *, prefix: str = "") -> str:
    """The FSPIOP-URI of a request: its path from the API root, then `?query` if any.

    API Definition table 1: the value "starts with the service", so a request to
    `.../switch/parties/MSISDN/123` has `/parties/MSISDN/123`. Pass the path as sent (ASGI
    `raw_path`, still percent-encoded), since that is what the sender signed.
    """
    if prefix:
        root = prefix.rstrip("/")
        if not path.startswith(root + "/"):
            raise ValueError(f"the path {path!r} is not under {prefix!r}")
        path = path[len(root) :]
    return f"{path}?{query}" if query else path


def json_body(document: object) -> bytes:
    """A JSON body in the bytes `JSON.stringify` writes for it (no spaces, members in order,
    UTF-8), so that a verifier that re-serialises the parsed body gets the signed bytes."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8")


def unacceptable_version(detail: str) -> FspiopError:
    """3001 with the supported versions as extensions: key the major, value the minor."""
    extensions = [version.split(".", 1) for version in SUPPORTED_VERSIONS]
    return FspiopError("3001", detail, extensions=[(major, minor) for major, minor in extensions])


def _parse_accept(text: str, resource: str) -> tuple[str | None, ...]:
    versions: list[str | None] = []
    for item in text.split(","):
        if not item.strip():
            continue
        parameters = _parse_media_type(item, resource, "Accept")
        version = parameters.pop("version", None)
        parameters.pop("q", None)  # a preference weight changes nothing here
        if parameters:
            raise _malformed("Accept", f"unexpected parameter {sorted(parameters)[0]!r}")
        if version is not None and not _VERSION.fullmatch(version):
            raise _malformed("Accept", f"{version!r} is not a version")
        versions.append(version)
    if not versions:
        raise _malformed("Accept", "it names no media type")
    if not any(_acceptable(version) for version in versions):
        raise unacceptable_version(f"the Accept header asks for {_listed(versions)}")
    return tuple(versions)


def _parse_content_type(text: str, resource: str) -> str:
    parameters = _parse_media_type(text, resource, "Content-Type")
    version = parameters.pop("version", None)
    charset = parameters.pop("charset", "utf-8")
    if parameters:
        raise _malformed("Content-Type", f"unexpected parameter {sorted(parameters)[0]!r}")
    if charset.lower().strip('"') != "utf-8":
        raise _malformed("Content-Type", "the API uses UTF-8 only")
    if version is None:
        raise _malformed("Content-Type", "it must state the version, e.g. ';version=2.0'")
    if not re.fullmatch(r"\d+\.\d+", version):
        raise _malformed("Content-Type", f"{version!r} is not a major.minor version")
    if version not in SUPPORTED_VERSIONS:
        raise unacceptable_version(f"the body is version {version}")
    return version


def _parse_media_type(text: str, resource: str, header: str) -> dict[str, str]:
    essence, *raw_parameters = text.split(";")
    # RFC 9110 section 8.3.1: type and subtype are case-insensitive.
    if essence.strip().lower() != media_type(resource).lower():
        raise _malformed(header, f"expected {media_type(resource)}, got {essence.strip()!r}")
    parameters: dict[str, str] = {}
    for raw in raw_parameters:
        match = _TOKEN_PARAMETER.fullmatch(raw)
        if match is None:
            raise _malformed(header, f"the parameter {raw.strip()!r} cannot be read")
        name = match.group(1).lower()
        if name in parameters:
            raise _malformed(header, f"the parameter {name!r} is repeated")
        value = match.group(2)
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        parameters[name] = value
    return parameters


def _acceptable(version: str | None) -> bool:
    if version is None:
        return True  # "the latest supported version"
    major, _, minor = version.partition(".")
    return any(
        supported.split(".")[0] == major and (not minor or supported == version)
        for supported in SUPPORTED_VERSIONS
    )


def _listed(versions: list[str | None]) -> str:
    return ", ".join(f"version {version}" for version in versions if version is not None)


def _parse_content_length(text: str | None) -> int | None:
    if text is None:
        return None
    if not text.strip().isdigit():
        raise _malformed("Content-Length", "it must be a whole number of bytes")
    length = int(text)
    if length > MAX_CONTENT_LENGTH:
        raise FspiopError("3104", f"the body is {length} bytes; the limit is {MAX_CONTENT_LENGTH}")
    return length


def _collect(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    values: dict[str, str] = {}
    for name, raw in pairs:
        key, value = name.lower(), raw.strip()
        if key in values:
            if key not in _LIST_HEADERS:
                raise _malformed(name, "the header is sent more than once")
            values[key] = f"{values[key]},{value}"
        else:
            values[key] = value
    return values


def _required(values: Mapping[str, str], name: str) -> str:
    value = values.get(name.lower())
    if not value:
        raise _missing(name)
    return value


def _check_fsp_id(header: str, value: str) -> None:
    if not 1 <= len(value) <= MAX_FSP_ID:
        raise _malformed(header, f"an FSP id is 1 to {MAX_FSP_ID} characters")


def _check_resource(resource: str) -> None:
    if resource not in RESOURCES:
        raise ValueError(f"{resource!r} is not a resource of the FSPIOP API")


def _missing(header: str) -> FspiopError:
    return FspiopError("3102", f"the {header} header is missing")


def _malformed(header: str, why: str) -> FspiopError:
    return FspiopError("3101", f"{header} header: {why}")
