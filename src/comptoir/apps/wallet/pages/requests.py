"""Requests to pay (approving them; merchants sending them) and merchants' refunds."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from comptoir.apps.wallet.domain.errors import FieldsError, WalletError, each_problem
from comptoir.apps.wallet.pages.common import (
    Visitor,
    error_text,
    parse_uuid,
    problems_shown,
    render,
    see_other,
    visitor,
)
from comptoir.apps.wallet.pages.drafts import (
    forget,
    keep,
    kept_address,
    kept_or_forgotten,
    switched_language,
)
from comptoir.apps.wallet.service.approvals import approve_request, reject_request
from comptoir.apps.wallet.service.refunds import received_payments, refund_payment
from comptoir.apps.wallet.service.requests import list_requests, request_payment
from comptoir.apps.wallet.web import wallet_of
from comptoir.kernel.i18n import lazy

router = APIRouter(include_in_schema=False)


def _requests_page(
    request: Request, who: Visitor, *, status_code: int = 200, **extra: Any
) -> Response:
    wallet = wallet_of(request)
    institution_id, customer_id = who.institution.id, who.customer.id
    context: dict[str, Any] = {
        "institution": who.institution,
        "customer": who.customer,
        "incoming": list_requests(
            wallet, institution_id=institution_id, customer_id=customer_id, direction="incoming"
        ),
        "outgoing": list_requests(
            wallet, institution_id=institution_id, customer_id=customer_id, direction="outgoing"
        ),
        "form": {},
    }
    context.update(extra)
    return render(request, "wallet/requests.html", context, status_code=status_code)


@router.get("/wallets/{institution_id}/requests")
def requests_page(request: Request, institution_id: str, kept: str = "") -> Response:
    """The requests, and the form to ask a customer to pay: empty, or the refused one as it
    was typed (`kept`, from the session's draft, its problem said in today's language)."""
    who = visitor(request, institution_id)
    if not isinstance(who, Visitor):
        return who
    draft = kept_or_forgotten(request, "request", institution_id, kept=kept)
    if draft is None:
        return _requests_page(request, who)
    shown: dict[str, Any] = {"form": dict(draft.typed)}
    if draft.error is not None:
        shown.update(problems_shown(draft.error, _request_field_of))
    return _requests_page(
        request, who, return_path=kept_address(institution_id, "requests"), **shown
    )


@router.post("/wallets/{institution_id}/requests")
def ask_to_pay(
    request: Request,
    institution_id: str,
    *,
    payer: Annotated[str, Form()] = "",
    amount: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    lang: Annotated[str, Form()] = "",
    refused: Annotated[str, Form()] = "",
) -> Response:
    who = visitor(request, institution_id)
    if not isinstance(who, Visitor):
        return who
    if lang:
        typed = {"payer": payer, "amount": amount, "note": note}
        return switched_language(
            request, "request", institution_id, "requests", typed, lang=lang, refused=bool(refused)
        )
    try:
        request_payment(
            wallet_of(request),
            institution_id=institution_id,
            customer_id=who.customer.id,
            payer_identifier=payer,
            amount=amount,
            note=note,
        )
    except WalletError as failure:
        problems = [_in_request_words(problem) for problem in each_problem(failure)]
        error = problems[0] if len(problems) == 1 else FieldsError(problems)
        form = {"payer": payer, "amount": amount, "note": note}
        # Kept for the language switch, which brings the form back from the server.
        keep(request, "request", institution_id, form, error)
        return _requests_page(
            request,
            who,
            status_code=400,
            form=form,
            return_path=kept_address(institution_id, "requests"),
            **problems_shown(error, _request_field_of),
        )
    forget(request, "request", institution_id)
    return see_other(f"/wallets/{institution_id}/requests")


def _in_request_words(problem: WalletError) -> WalletError:
    if problem.code == "missing_recipient":  # the shared sentence speaks of paying someone
        return WalletError(
            problem.code, lazy("Enter the phone number or alias of the customer who is to pay.")
        )
    return problem


def _request_field_of(code: str) -> str:
    if code.startswith("amount"):
        return "request-amount"
    if code.startswith("note"):
        return "request-note"
    return "" if code == "not_merchant" else "payer"


@router.post("/wallets/{institution_id}/requests/{row_id}/approve")
def approve(request: Request, institution_id: str, row_id: str) -> Response:
    who = visitor(request, institution_id)
    if not isinstance(who, Visitor):
        return who
    try:
        payment_id = approve_request(
            wallet_of(request),
            institution_id=institution_id,
            customer_id=who.customer.id,
            request_row_id=parse_uuid(row_id),
        )
    except WalletError as error:
        return _requests_page(request, who, status_code=400, error=error_text(error))
    return see_other(f"/wallets/{institution_id}/payments/{payment_id}")


@router.post("/wallets/{institution_id}/requests/{row_id}/reject")
def reject(request: Request, institution_id: str, row_id: str) -> Response:
    who = visitor(request, institution_id)
    if not isinstance(who, Visitor):
        return who
    try:
        reject_request(
            wallet_of(request),
            institution_id=institution_id,
            customer_id=who.customer.id,
            request_row_id=parse_uuid(row_id),
        )
    except WalletError as error:
        return _requests_page(request, who, status_code=400, error=error_text(error))
    return see_other(f"/wallets/{institution_id}/requests")


def _received_page(
    request: Request, who: Visitor, *, status_code: int = 200, **extra: Any
) -> Response:
    context: dict[str, Any] = {
        "institution": who.institution,
        "customer": who.customer,
        "received": received_payments(
            wallet_of(request), institution_id=who.institution.id, customer_id=who.customer.id
        ),
    }
    context.update(extra)
    return render(request, "wallet/received.html", context, status_code=status_code)


@router.get("/wallets/{institution_id}/received")
def received_page(request: Request, institution_id: str, kept: str = "") -> Response:
    """The payments received, each with its refund form: empty, or the refused one as it was
    typed, at its payment (`kept`, from the session's draft)."""
    who = visitor(request, institution_id)
    if not isinstance(who, Visitor):
        return who
    draft = kept_or_forgotten(request, "refund", institution_id, kept=kept)
    if draft is None or draft.error is None:  # a refund is kept only when refused
        return _received_page(request, who)
    return _received_page(
        request,
        who,
        error=error_text(draft.error),
        error_field=_refund_field_of(draft.error.code),
        failed_transfer=draft.typed["transfer"],
        form=dict(draft.typed),
        return_path=kept_address(institution_id, "received"),
    )


def _refund_field_of(code: str) -> str:
    return "reason" if code.startswith("note") else "amount"


@router.post("/wallets/{institution_id}/received/{transfer_id}/refund")
def refund(
    request: Request,
    institution_id: str,
    transfer_id: str,
    amount: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    who = visitor(request, institution_id)
    if not isinstance(who, Visitor):
        return who
    try:
        payment_id = refund_payment(
            wallet_of(request),
            institution_id=institution_id,
            customer_id=who.customer.id,
            transfer_id=transfer_id,
            amount=amount,
            reason=reason,
        )
    except WalletError as error:
        form = {"transfer": transfer_id, "amount": amount, "reason": reason}
        # Kept for the language switch, which brings the form back from the server.
        keep(request, "refund", institution_id, form, error)
        return _received_page(
            request,
            who,
            status_code=400,
            error=error_text(error),
            error_field=_refund_field_of(error.code),
            failed_transfer=transfer_id,
            form=form,
            return_path=kept_address(institution_id, "received"),
        )
    forget(request, "refund", institution_id)
    return see_other(f"/wallets/{institution_id}/payments/{payment_id}")
