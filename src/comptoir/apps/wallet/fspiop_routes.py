"""The FSPIOP endpoints each institution serves at its callback URL,
`/wallets/{institution_id}/fspiop`, where the switch sends requests and callbacks.

Every message is checked before anything happens: its FSPIOP headers (3001, 3101, 3102), its
size (3104), its destination, its FSPIOP-Signature against the sender's key (3105; a GET or
DELETE without a body may come unsigned, as Mojaloop's SDK sends them), its body against the
FSPIOP schema (3100 to 3103). A bad message gets an ErrorInformationResponse with an HTTP 4xx
and changes nothing. A good one is handled in one transaction, whose callback goes out through
the outbox, and answered 202 (requests) or 200 (callbacks, notifications).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from comptoir.apps.wallet import schemas
from comptoir.apps.wallet.domain.parties import PartyType
from comptoir.apps.wallet.service import (
    approvals,
    customers,
    incoming,
    payee,
    payer_answers,
    requests,
)
from comptoir.apps.wallet.service.context import Wallet
from comptoir.apps.wallet.service.institutions import keys_for_message, switch_fsp_id
from comptoir.apps.wallet.web import wallet_of
from comptoir.kernel.fspiop import (
    MAX_CONTENT_LENGTH,
    FspiopError,
    FspiopHeaders,
    error_body,
    error_from_body,
    fspiop_uri,
    parse_request_headers,
    verify_message,
)

PREFIX = "/wallets/{institution_id}/fspiop"
router = APIRouter(prefix=PREFIX, include_in_schema=False)

Work = Callable[[Wallet, str, FspiopHeaders, Any], None]


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_CONTENT_LENGTH:
        raise FspiopError("3104", f"the body is over {MAX_CONTENT_LENGTH} bytes")
    raw = await request.body()
    if len(raw) > MAX_CONTENT_LENGTH:
        raise FspiopError("3104", f"the body is over {MAX_CONTENT_LENGTH} bytes")
    return raw


def _authenticate(
    wallet: Wallet, institution_id: str, request: Request, headers: FspiopHeaders, raw: bytes
) -> None:
    keys = keys_for_message(
        wallet,
        institution_id=institution_id,
        source=headers.source,
        destination=headers.destination,
    )
    if headers.signature is None and request.method in ("GET", "DELETE") and not raw:
        return
    if not keys:
        raise FspiopError("3105", f"no public key is known here for {headers.source}")
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    uri = fspiop_uri(
        raw_path.decode("latin-1"),
        request.scope.get("query_string", b"").decode("latin-1"),
        prefix=f"/wallets/{institution_id}/fspiop",
    )
    verify_message(
        headers.signature,
        body=raw,
        uri=uri,
        method=request.method,
        source=headers.source,
        destination=headers.destination,
        date=headers.date_text,
        public_keys=keys,
        other_headers=dict(request.headers),
        allow_unprotected_destination=request.method == "GET",
    )


def _json(raw: bytes) -> object:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        # RecursionError: nested deeper than the parser goes, which no FSPIOP body needs.
        raise FspiopError("3101", "the body is not JSON") from None


async def _handle(
    request: Request, institution_id: str, resource: str, status: int, work: Work
) -> Response:
    try:
        raw = await _read_body(request)
        headers = parse_request_headers(
            request.headers.items(), resource=resource, method=request.method
        )
        document = _json(raw) if raw else None
        if request.method in ("POST", "PUT", "PATCH") and not isinstance(document, dict):
            raise FspiopError("3101", "the body must be a JSON object")
        wallet = wallet_of(request)
        await run_in_threadpool(_authenticate, wallet, institution_id, request, headers, raw)
        await run_in_threadpool(work, wallet, institution_id, headers, document)
    except FspiopError as error:
        return JSONResponse(error_body(error), status_code=error.http_status)
    return Response(status_code=status)


def _party_type(text: str) -> str:
    try:
        return PartyType(text).value
    except ValueError:
        raise FspiopError("3101", f"{text} is not a party id type") from None


@router.get("/parties/{party_type}/{party_id}")
@router.get("/parties/{party_type}/{party_id}/{sub_id}")
async def get_party(
    request: Request, institution_id: str, party_type: str, party_id: str, sub_id: str | None = None
) -> Response:
    def work(wallet: Wallet, institution: str, headers: FspiopHeaders, _: Any) -> None:
        payee.answer_lookup(
            wallet,
            institution_id=institution,
            party_type=_party_type(party_type),
            party_id=party_id,
            sub_id=sub_id,
            requester=headers.source,
        )

    return await _handle(request, institution_id, "parties", 202, work)


@router.put("/parties/{party_type}/{party_id}/error")
async def put_party_error(
    request: Request, institution_id: str, party_type: str, party_id: str
) -> Response:
    def work(wallet: Wallet, institution: str, _: FspiopHeaders, document: Any) -> None:
        error = error_from_body(document)
        kind = _party_type(party_type)
        for module in (payer_answers, requests):
            module.on_party_error(
                wallet, institution_id=institution, party_type=kind, party_id=party_id, error=error
            )

    return await _handle(request, institution_id, "parties", 200, work)


@router.put("/parties/{party_type}/{party_id}")
async def put_party(
    request: Request, institution_id: str, party_type: str, party_id: str
) -> Response:
    def work(wallet: Wallet, institution: str, _: FspiopHeaders, document: Any) -> None:
        party = schemas.read(schemas.PartiesPut, document).party
        kind = _party_type(party_type)
        for module in (payer_answers, requests):
            module.on_party(
                wallet, institution_id=institution, party_type=kind, party_id=party_id, party=party
            )

    return await _handle(request, institution_id, "parties", 200, work)


@router.put("/parties/{party_type}/{party_id}/{sub_id}/error")
@router.put("/parties/{party_type}/{party_id}/{sub_id}")
async def put_party_with_sub_id(request: Request, institution_id: str) -> Response:
    """This wallet never looks a sub-id up: the answer is checked, then has nothing to update."""

    def work(wallet: Wallet, institution: str, _: FspiopHeaders, document: Any) -> None:
        del wallet, institution, document

    return await _handle(request, institution_id, "parties", 200, work)


@router.put("/participants/{party_type}/{party_id}/error")
@router.put("/participants/{party_type}/{party_id}")
async def put_participant(
    request: Request, institution_id: str, party_type: str, party_id: str
) -> Response:
    failed = request.url.path.endswith("/error")

    def work(wallet: Wallet, institution: str, _: FspiopHeaders, document: Any) -> None:
        if failed:
            error: str | None = error_from_body(document).description
        else:
            schemas.read(schemas.ParticipantsPut, document)
            error = None
        customers.on_registration(
            wallet,
            institution_id=institution,
            party_type=_party_type(party_type),
            party_id=party_id,
            error=error,
        )

    return await _handle(request, institution_id, "participants", 200, work)


@router.post("/quotes")
async def post_quote(request: Request, institution_id: str) -> Response:
    def work(wallet: Wallet, institution: str, headers: FspiopHeaders, document: Any) -> None:
        payee.answer_quote(
            wallet, institution_id=institution, source=headers.source, document=document
        )

    return await _handle(request, institution_id, "quotes", 202, work)


@router.put("/quotes/{quote_id}/error")
async def put_quote_error(request: Request, institution_id: str, quote_id: str) -> Response:
    def work(wallet: Wallet, institution: str, _: FspiopHeaders, document: Any) -> None:
        payer_answers.on_quote_error(
            wallet, institution_id=institution, quote_id=quote_id, error=error_from_body(document)
        )

    return await _handle(request, institution_id, "quotes", 200, work)


@router.put("/quotes/{quote_id}")
async def put_quote(request: Request, institution_id: str, quote_id: str) -> Response:
    def work(wallet: Wallet, institution: str, _: FspiopHeaders, document: Any) -> None:
        payer_answers.on_quote(
            wallet, institution_id=institution, quote_id=quote_id, document=document
        )

    return await _handle(request, institution_id, "quotes", 200, work)


@router.post("/transfers")
async def post_transfer(request: Request, institution_id: str) -> Response:
    def work(wallet: Wallet, institution: str, headers: FspiopHeaders, document: Any) -> None:
        incoming.answer_transfer(
            wallet, institution_id=institution, source=headers.source, document=document
        )

    return await _handle(request, institution_id, "transfers", 202, work)


@router.put("/transfers/{transfer_id}/error")
async def put_transfer_error(request: Request, institution_id: str, transfer_id: str) -> Response:
    def work(wallet: Wallet, institution: str, _: FspiopHeaders, document: Any) -> None:
        payer_answers.on_transfer_error(
            wallet,
            institution_id=institution,
            transfer_id=transfer_id,
            error=error_from_body(document),
        )

    return await _handle(request, institution_id, "transfers", 200, work)


@router.put("/transfers/{transfer_id}")
async def put_transfer(request: Request, institution_id: str, transfer_id: str) -> Response:
    def work(wallet: Wallet, institution: str, _: FspiopHeaders, document: Any) -> None:
        payer_answers.on_transfer(
            wallet, institution_id=institution, transfer_id=transfer_id, document=document
        )

    return await _handle(request, institution_id, "transfers", 200, work)


@router.patch("/transfers/{transfer_id}")
async def patch_transfer(request: Request, institution_id: str, transfer_id: str) -> Response:
    def work(wallet: Wallet, institution: str, headers: FspiopHeaders, document: Any) -> None:
        notice = schemas.read(schemas.TransfersPatch, document)
        if headers.source != switch_fsp_id(wallet, institution_id=institution):
            raise FspiopError("3100", "only the switch sends PATCH /transfers notifications")
        incoming.on_transfer_notification(
            wallet,
            institution_id=institution,
            transfer_id=transfer_id,
            state=notice.transferState,
        )

    return await _handle(request, institution_id, "transfers", 200, work)


@router.post("/transactionRequests")
async def post_transaction_request(request: Request, institution_id: str) -> Response:
    def work(wallet: Wallet, institution: str, headers: FspiopHeaders, document: Any) -> None:
        approvals.receive_request(
            wallet, institution_id=institution, source=headers.source, document=document
        )

    return await _handle(request, institution_id, "transactionRequests", 202, work)


@router.put("/transactionRequests/{request_id}/error")
async def put_transaction_request_error(
    request: Request, institution_id: str, request_id: str
) -> Response:
    def work(wallet: Wallet, institution: str, _: FspiopHeaders, document: Any) -> None:
        requests.on_request_error(
            wallet,
            institution_id=institution,
            request_id=request_id,
            error=error_from_body(document),
        )

    return await _handle(request, institution_id, "transactionRequests", 200, work)


@router.put("/transactionRequests/{request_id}")
async def put_transaction_request(
    request: Request, institution_id: str, request_id: str
) -> Response:
    def work(wallet: Wallet, institution: str, _: FspiopHeaders, document: Any) -> None:
        requests.on_request_state(
            wallet, institution_id=institution, request_id=request_id, document=document
        )

    return await _handle(request, institution_id, "transactionRequests", 200, work)
