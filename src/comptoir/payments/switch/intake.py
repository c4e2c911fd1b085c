"""Taking an FSPIOP request in: headers, the sender's signature, then the body's schema.

Everything here happens before the switch answers 202, so a failure is a synchronous error
(API Definition section 9.1): an ErrorInformation body with a 4xx status, and nothing stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.requests import Request

from comptoir.kernel.fspiop import (
    FspiopError,
    FspiopHeaders,
    fspiop_uri,
    parse_request_headers,
    validation_error,
    verify_message,
)
from comptoir.payments.services.participant_cache import Participant, participant_cache
from comptoir.payments.switch.schemas import ErrorInformationObject

PREFIX = "/switch"
Body = TypeVar("Body", bound=BaseModel)

# The headers a relayed message keeps: the original sender's, so its signature still verifies.
RELAYED_HEADERS = (
    "content-type",
    "accept",
    "date",
    "fspiop-source",
    "fspiop-destination",
    "fspiop-signature",
    "fspiop-uri",
    "fspiop-http-method",
    "fspiop-encryption",
)


@dataclass(frozen=True)
class Inbound:
    """A request whose headers and signature were checked."""

    headers: FspiopHeaders
    body: bytes
    uri: str
    method: str
    source: Participant
    relayed_headers: dict[str, str]

    @property
    def path(self) -> str:
        """The FSPIOP-URI without its query: where an answer about the request goes, with its
        id as the sender wrote it."""
        return self.uri.split("?", 1)[0]

    def parse(self, model: type[Body]) -> Body:
        try:
            return model.model_validate_json(self.body or b"null")
        except ValidationError as exc:
            raise validation_error(exc) from exc

    def addressed_to(self, fsp_id: str) -> None:
        """A callback goes back to the DFSP it answers, which its FSPIOP-Destination (routing
        by header, API Definition table 1) must then name when set: one naming another would
        reach a DFSP it does not name, or the wrong one."""
        named = self.headers.destination
        if named is not None and named != fsp_id:
            raise FspiopError("3100", f"FSPIOP-Destination {named} is not {fsp_id}, its addressee")

    def error(self) -> FspiopError:
        """The error an error callback (PUT .../error) reports, word for word; a body that is
        not an ErrorInformationObject is refused as any malformed request (3101, 3102)."""
        information = self.parse(ErrorInformationObject).errorInformation
        extensions = information.extensionList.extension if information.extensionList else []
        return FspiopError.from_error_information(
            information.errorCode,
            information.errorDescription,
            [(extension.key, extension.value) for extension in extensions],
        )


@dataclass(frozen=True)
class Arrival:
    """A request as it came off the wire, read in the event loop, handled in a worker thread."""

    method: str
    path: str  # as sent, still percent-encoded
    query: str
    headers: list[tuple[str, str]]
    body: bytes

    @classmethod
    async def read(cls, request: Request) -> Arrival:
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        path = raw_path.decode("latin-1") if isinstance(raw_path, bytes) else str(raw_path)
        return cls(
            method=request.method.upper(),
            path=path,
            query=request.url.query,
            headers=list(request.headers.items()),
            body=await request.body(),
        )


def _unsigned_read(signature: str | None, method: str, body: bytes) -> bool:
    """A GET without a body may come unsigned: the API makes FSPIOP-Signature optional
    (cardinality 0..1, the sender "should" sign), Mojaloop's SDK signs only messages with a
    body, and a GET changes nothing and is answered at the callback address the named source
    registered, so a forged source learns nothing. A signature that is there is always
    checked; every message that changes something (POST, PUT, PATCH, DELETE) must carry one."""
    return signature is None and method == "GET" and not body


def receive(arrival: Arrival, session: Session, *, resource: str) -> Inbound:
    """Check a request's FSPIOP headers and its sender's signature (FspiopError if wrong)."""
    body = arrival.body
    method = arrival.method
    headers = parse_request_headers(arrival.headers, resource=resource, method=method)
    if body and not body.isascii():
        # A JSON body is UTF-8 (its media type says so); one that is not is refused here,
        # whatever the method, before it is relayed to anyone.
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            raise FspiopError("3101", "the body is not UTF-8") from None
    uri = fspiop_uri(arrival.path, arrival.query, prefix=PREFIX)
    source = participant_cache(session).get(session, headers.source)
    if source is None or not source.active:
        raise FspiopError("3200", f"FSPIOP-Source {headers.source} is not an active participant")
    if not _unsigned_read(headers.signature, method, body):
        keys = source.keys
        if keys is None:
            raise FspiopError("3105", f"no usable key is registered for {source.id}")
        verify_message(
            headers.signature,
            body=body,
            uri=uri,
            method=method,
            source=headers.source,
            destination=headers.destination,
            date=headers.date_text,
            public_keys=keys,
            # A signer may protect more headers than these (Signature, 3.2 step G): each is
            # checked against the request's own (3.3 step g).
            other_headers=dict(arrival.headers),
            # The one service whose sender does not know the destination: its
            # FSPIOP-Destination is empty "or set to the Switch's ID" (API Definition
            # 3.2.3.6), and then "must not be protected as it can be changed by intermediate
            # systems" (Signature, table 1).
            allow_unprotected_destination=(resource, method) == ("parties", "GET"),
        )
    relayed = {name: value for name, value in arrival.headers if name.lower() in RELAYED_HEADERS}
    return Inbound(headers, body, uri, method, source, relayed)
