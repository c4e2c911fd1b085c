"""The merchant API: `/wallets/{institution}/api/v1/requests-to-pay`, with a Bearer API key.

POST asks a payer (a phone number or an alias) to pay an amount in minor units, under the
merchant's own reference: the same reference again answers the same request (200, not 201);
the same reference with another body is a conflict. GET reads a request's status: pending,
paid, declined, expired or failed. Every error is an RFC 9457 problem, and changes nothing.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, HttpUrl
from starlette.concurrency import run_in_threadpool

from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.apps.wallet.merchant import service
from comptoir.apps.wallet.web import wallet_of
from comptoir.kernel.errors import (
    CONFLICT,
    NOT_FOUND,
    UNAUTHORIZED,
    FieldError,
    Problem,
    json_pointer,
    problem_type,
)
from comptoir.kernel.i18n import N_, lazy

PREFIX = "/wallets/{institution_id}/api/v1"
router = APIRouter(prefix=PREFIX, tags=["wallet merchant API"])

REQUEST_REFUSED = problem_type(
    "request-to-pay-refused",
    422,
    N_("The request to pay was refused"),
    N_("The payer, the amount or the currency cannot be used for a request to pay."),
)
_FIELD_OF_CODE = {
    "amount_not_positive": "amount",
    "amount_too_large": "amount",
    "amount_malformed": "amount",
    "wrong_currency": "amount",
    "missing_recipient": "payer",
    "bad_alias": "payer",
    "bad_phone": "payer",
    "pay_yourself": "payer",
}


class Amount(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: int = Field(gt=0, description="In minor units (cents).")
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class NewRequestToPay(BaseModel):
    model_config = ConfigDict(extra="forbid")
    payer: str = Field(min_length=1, max_length=128, description="A phone number or an alias.")
    amount: Amount
    reference: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:/-]+$")
    callback_url: HttpUrl | None = None
    note: str | None = Field(default=None, max_length=128)


def _caller(request: Request, institution_id: str, authorization: str | None) -> service.Caller:
    scheme, _, token = (authorization or "").partition(" ")
    caller = None
    if scheme.lower() == "bearer" and token.strip():
        caller = service.authenticate(
            wallet_of(request), institution_id=institution_id, api_key=token.strip()
        )
    if caller is None:
        raise Problem(
            UNAUTHORIZED,
            lazy("Send a valid API key of this institution as a Bearer token."),
            headers={"WWW-Authenticate": 'Bearer realm="wallet merchant API"'},
        )
    return caller


def _location(institution_id: str, request_id: uuid.UUID) -> str:
    return f"/wallets/{institution_id}/api/v1/requests-to-pay/{request_id}"


@router.post("/requests-to-pay", status_code=201)
async def create_request_to_pay(
    request: Request,
    institution_id: str,
    body: NewRequestToPay,
    authorization: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    caller = await run_in_threadpool(_caller, request, institution_id, authorization)
    wallet = wallet_of(request)
    try:
        status, created = await run_in_threadpool(
            lambda: service.create_request(
                wallet,
                caller,
                payer=body.payer,
                amount=body.amount.value,
                currency=body.amount.currency,
                reference=body.reference,
                callback_url=None if body.callback_url is None else str(body.callback_url),
                note=body.note,
            )
        )
    except WalletError as error:
        if error.code == "reference_reused":
            raise Problem(CONFLICT, error.text) from None
        field = _FIELD_OF_CODE.get(error.code)
        raise Problem(
            REQUEST_REFUSED,
            error.text,
            errors=() if field is None else (FieldError(json_pointer(field), error.text),),
            extensions={"code": error.code},
        ) from None
    document: dict[str, Any] = status.to_json()
    return JSONResponse(
        document,
        status_code=201 if created else 200,
        headers={"Location": _location(institution_id, status.id)},
    )


@router.get("/requests-to-pay/{request_id}")
async def read_request_to_pay(
    request: Request,
    institution_id: str,
    request_id: str,
    authorization: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    caller = await run_in_threadpool(_caller, request, institution_id, authorization)
    try:
        wanted = uuid.UUID(request_id)
    except ValueError:
        wanted = None
    status = (
        None
        if wanted is None
        else await run_in_threadpool(service.request_status, wallet_of(request), caller, wanted)
    )
    if status is None:
        raise Problem(NOT_FOUND, lazy("There is no such request to pay."))
    return JSONResponse(status.to_json())
