"""The FSPIOP API v2.0 as the switch serves it, under /switch/.

Every route reads the request in the event loop, then checks and handles it in a worker thread
inside one database transaction (for transfers, the committer's batch: see `group_commit`): a
problem found before the 202 is a synchronous error with an ErrorInformation body (and nothing
stored); one found after it is an error callback.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from comptoir.kernel.clock import Clock
from comptoir.kernel.db import Database
from comptoir.kernel.fspiop import (
    RESOURCES,
    FspiopError,
    correlation_uuid,
    error_body,
    is_correlation_id,
)
from comptoir.kernel.web.direct import PathMatcher
from comptoir.payments.services import (
    directory,
    directory_batch,
    requests_to_pay,
    routing,
    transfers,
)
from comptoir.payments.services.transfers import TransferContext
from comptoir.payments.switch.group_commit import GroupCommitter
from comptoir.payments.switch.intake import Arrival, Inbound, receive
from comptoir.payments.switch.outbound import Sender

router = APIRouter(prefix="/switch", tags=["FSPIOP switch"])
# As many as anyio's default limit for worker threads, which these requests used before.
WORKERS = 40

logger = logging.getLogger(__name__)
Result = TypeVar("Result")


@dataclass
class Switch:
    """The switch's running parts, shared by its routes and jobs."""

    database: Database
    sender: Sender
    transfers: TransferContext
    clock: Clock
    # Prepares and fulfils arriving together share one transaction (group commit), where
    # writers queue for one lock anyway (SQLite); None: a transaction each (PostgreSQL).
    committer: GroupCommitter | None = None
    # The threads that check requests and run their transactions: asyncio's executor costs
    # the event loop far less per call than anyio's worker threads (`run_in_threadpool`),
    # which took about a tenth of the switch's CPU at 8 transfers in flight.
    workers: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(
            max_workers=WORKERS, thread_name_prefix="comptoir-fspiop"
        )
    )

    async def in_worker(self, work: Callable[[], Result]) -> Result:
        return await asyncio.get_running_loop().run_in_executor(self.workers, work)


def _switch(request: Request) -> Switch:
    switch: Switch = request.app.state.switch
    return switch


async def _handle(
    request: Request,
    resource: str,
    work: Callable[[Session, Switch, Inbound], None],
    *,
    status: int = 202,
) -> Response:
    """Check and handle a request; `status` is the answer once handled: 202 Accepted for a
    request (GET, POST, DELETE), 200 OK for a callback (PUT), as table 4 of the API Definition
    says ("used in the API by the client as a response on a callback")."""
    arrival = await Arrival.read(request)
    switch = _switch(request)

    def in_one_transaction() -> None:
        # Headers and the signature are checked before the write transaction, so that the
        # RSA work never holds a write lock; then the change is one transaction.
        with switch.database.reading() as session:
            inbound = receive(arrival, session, resource=resource)
        with switch.database.transaction() as session:
            work(session, switch, inbound)

    await _answered(switch.in_worker(in_one_transaction))
    return Response(status_code=status)


async def _handle_grouped(
    request: Request,
    resource: str,
    work: Callable[[Session, Switch, Inbound], None],
    *,
    status: int = 202,
) -> Response:
    """As `_handle`, but the change joins the next group commit: the answer (or the step's
    own error) comes once the batch that holds it has committed."""
    switch = _switch(request)
    committer = switch.committer
    if committer is None:
        return await _handle(request, resource, work, status=status)
    arrival = await Arrival.read(request)

    def checked() -> Inbound:
        with switch.database.reading() as session:
            return receive(arrival, session, resource=resource)

    inbound = await _answered(switch.in_worker(checked))
    await _answered(
        asyncio.wrap_future(committer.submit(lambda session: work(session, switch, inbound)))
    )
    return Response(status_code=status)


async def _answered(step: Awaitable[Result]) -> Result:
    """A step's result; a failure nobody foresaw is still answered in the API's words
    (2001, an ErrorInformationResponse), never with a web page's problem document. Its
    transaction was rolled back, so nothing of it was kept or sent."""
    try:
        return await step
    except FspiopError:
        raise
    except Exception as exc:
        logger.exception("the switch could not handle a request")
        raise FspiopError("2001", "the request was not handled; nothing of it was kept") from exc


def fspiop_error_response(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, FspiopError)
    return JSONResponse(error_body(exc), status_code=exc.http_status)


def _id(text: str) -> uuid.UUID:
    """The id in a path, held to the CorrelationId schema as an id in a body is: what is not
    one is malformed (3101); a well-formed id nobody made is answered "not found" later."""
    if not is_correlation_id(text):
        raise FspiopError("3101", f"{text[:40]} is not an id (a lowercase UUID or a ULID)")
    try:
        return correlation_uuid(text)
    except ValueError as exc:  # a ULID past 128 bits
        raise FspiopError("3101", f"{text[:40]} is not an id") from exc


# -- participants (the directory) ---------------------------------------------------------------


@router.post("/participants", status_code=202)
async def post_participants(request: Request) -> Response:
    return await _handle(
        request,
        "participants",
        lambda session, switch, inbound: directory_batch.register_parties(
            session, switch.sender, switch.clock, inbound
        ),
    )


@router.post("/participants/{party_type}/{party_id}", status_code=202)
@router.post("/participants/{party_type}/{party_id}/{sub_id}", status_code=202)
async def post_participant(
    request: Request, party_type: str, party_id: str, sub_id: str | None = None
) -> Response:
    return await _handle(
        request,
        "participants",
        lambda session, switch, inbound: directory.register_party(
            session, switch.sender, switch.clock, inbound,
            party_type=party_type, party_id=party_id, sub_id=sub_id,
        ),
    )  # fmt: skip


@router.get("/participants/{party_type}/{party_id}", status_code=202)
@router.get("/participants/{party_type}/{party_id}/{sub_id}", status_code=202)
async def get_participant(
    request: Request, party_type: str, party_id: str, sub_id: str | None = None
) -> Response:
    return await _handle(
        request,
        "participants",
        lambda session, switch, inbound: directory.which_participant(
            session, switch.sender, inbound,
            party_type=party_type, party_id=party_id, sub_id=sub_id,
        ),
    )  # fmt: skip


@router.delete("/participants/{party_type}/{party_id}", status_code=202)
@router.delete("/participants/{party_type}/{party_id}/{sub_id}", status_code=202)
async def delete_participant(
    request: Request, party_type: str, party_id: str, sub_id: str | None = None
) -> Response:
    return await _handle(
        request,
        "participants",
        lambda session, switch, inbound: directory.remove_party(
            session, switch.sender, inbound,
            party_type=party_type, party_id=party_id, sub_id=sub_id,
        ),
    )  # fmt: skip


# -- parties (lookup) ---------------------------------------------------------------------------


@router.get("/parties/{party_type}/{party_id}", status_code=202)
@router.get("/parties/{party_type}/{party_id}/{sub_id}", status_code=202)
async def get_party(
    request: Request, party_type: str, party_id: str, sub_id: str | None = None
) -> Response:
    return await _handle(
        request,
        "parties",
        lambda session, switch, inbound: directory.lookup_party(
            session, switch.sender, inbound,
            party_type=party_type, party_id=party_id, sub_id=sub_id,
        ),
    )  # fmt: skip


@router.put("/parties/{party_type}/{party_id}/error", status_code=200)
@router.put("/parties/{party_type}/{party_id}/{sub_id}/error", status_code=200)
@router.put("/parties/{party_type}/{party_id}", status_code=200)
@router.put("/parties/{party_type}/{party_id}/{sub_id}", status_code=200)
async def put_party(request: Request) -> Response:
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    path = bytes(raw_path).decode("latin-1").removeprefix("/switch")
    return await _handle(
        request,
        "parties",
        lambda session, switch, inbound: directory.answer_back(
            session, switch.sender, inbound, method="PUT", path=path
        ),
        status=200,
    )


# -- quotes -------------------------------------------------------------------------------------


@router.post("/quotes", status_code=202)
async def post_quote(request: Request) -> Response:
    return await _handle(
        request,
        "quotes",
        lambda session, switch, inbound: routing.route_quote(
            session, switch.sender, switch.clock, inbound
        ),
    )


@router.get("/quotes/{quote_id}", status_code=202)
async def get_quote(request: Request, quote_id: str) -> Response:
    return await _handle(
        request,
        "quotes",
        lambda session, switch, inbound: routing.ask_quote(
            session, switch.sender, inbound, _id(quote_id)
        ),
    )


@router.put("/quotes/{quote_id}/error", status_code=200)
async def put_quote_error(request: Request, quote_id: str) -> Response:
    return await _handle(
        request,
        "quotes",
        lambda session, switch, inbound: routing.answer_quote(
            session, switch.sender, switch.clock, inbound, _id(quote_id), error=True
        ),
        status=200,
    )


@router.put("/quotes/{quote_id}", status_code=200)
async def put_quote(request: Request, quote_id: str) -> Response:
    return await _handle(
        request,
        "quotes",
        lambda session, switch, inbound: routing.answer_quote(
            session, switch.sender, switch.clock, inbound, _id(quote_id), error=False
        ),
        status=200,
    )


# -- transaction requests (request to pay) ------------------------------------------------------


@router.post("/transactionRequests", status_code=202)
async def post_transaction_request(request: Request) -> Response:
    return await _handle(
        request,
        "transactionRequests",
        lambda session, switch, inbound: requests_to_pay.route_transaction_request(
            session, switch.sender, switch.clock, inbound
        ),
    )


@router.get("/transactionRequests/{request_id}", status_code=202)
async def get_transaction_request(request: Request, request_id: str) -> Response:
    return await _handle(
        request,
        "transactionRequests",
        lambda session, switch, inbound: requests_to_pay.ask_transaction_request(
            session, switch.sender, inbound, _id(request_id)
        ),
    )


@router.put("/transactionRequests/{request_id}/error", status_code=200)
async def put_transaction_request_error(request: Request, request_id: str) -> Response:
    return await _handle(
        request,
        "transactionRequests",
        lambda session, switch, inbound: requests_to_pay.answer_transaction_request(
            session, switch.sender, switch.clock, inbound, _id(request_id), error=True
        ),
        status=200,
    )


@router.put("/transactionRequests/{request_id}", status_code=200)
async def put_transaction_request(request: Request, request_id: str) -> Response:
    return await _handle(
        request,
        "transactionRequests",
        lambda session, switch, inbound: requests_to_pay.answer_transaction_request(
            session, switch.sender, switch.clock, inbound, _id(request_id), error=False
        ),
        status=200,
    )


# -- transfers ------------------------------------------------------------------------------------


@router.post("/transfers", status_code=202)
async def post_transfer(request: Request) -> Response:
    return await _handle_grouped(
        request,
        "transfers",
        lambda session, switch, inbound: transfers.prepare(session, switch.transfers, inbound),
    )


@router.put("/transfers/{transfer_id}/error", status_code=200)
async def put_transfer_error(request: Request, transfer_id: str) -> Response:
    return await _handle_grouped(
        request,
        "transfers",
        lambda session, switch, inbound: transfers.payee_error(
            session, switch.transfers, inbound, _id(transfer_id)
        ),
        status=200,
    )


@router.put("/transfers/{transfer_id}", status_code=200)
async def put_transfer(request: Request, transfer_id: str) -> Response:
    return await _handle_grouped(
        request,
        "transfers",
        lambda session, switch, inbound: transfers.fulfil(
            session, switch.transfers, inbound, _id(transfer_id)
        ),
        status=200,
    )


@router.get("/transfers/{transfer_id}", status_code=202)
async def get_transfer(request: Request, transfer_id: str) -> Response:
    return await _handle(
        request,
        "transfers",
        lambda session, switch, inbound: transfers.get_state(
            session, switch.transfers, inbound, _id(transfer_id)
        ),
    )


# -- what the API does not have -------------------------------------------------------------------

# Included after `router`, and not answered directly: a path under /switch/ that no route above
# has gets 3002 "Unknown URI" (HTTP 404), or 2002 "Not implemented" (HTTP 501, "the server
# does not support the requested service") when it names a resource of the API the switch does
# not serve (bulk transfers, FX, authorizations...); a method its path does not take gets HTTP 405
# with an Allow header. Each has an ErrorInformation body, as every other error of the API
# (API Definition 3.2.4 and 3.2.4.1), not the pages' problem document.
fallback = APIRouter(prefix="/switch", include_in_schema=False)
_API_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_api_paths = PathMatcher(router.routes)


@fallback.api_route("/{rest:path}", methods=[*_API_METHODS, "HEAD", "OPTIONS"])
async def not_in_the_api(request: Request, rest: str) -> Response:
    path = request.url.path
    allowed = [method for method in _API_METHODS if _api_paths.match(method, path) is not None]
    uri = path.removeprefix(router.prefix)
    if not allowed:
        segments = uri.split("/")[1:]
        if segments[0] in RESOURCES and all(segments):
            raise FspiopError("2002", f"the switch does not serve {request.method} {uri}")
        raise FspiopError("3002", f"{uri} is not a service of the API")
    error = FspiopError("3000", f"{request.method} is not a service of {uri}", http_status=405)
    return JSONResponse(
        error_body(error), status_code=error.http_status, headers={"Allow": ", ".join(allowed)}
    )
