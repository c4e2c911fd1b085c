"""Paying: by phone number or alias, or by a merchant's QR code; then the fees, the total, the
customer's agreement and the receipt."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.apps.wallet.domain.qr import QrPayment, names_agree, parse_payment_qr
from comptoir.apps.wallet.domain.qr_image import MAX_IMAGE_BYTES, read_qr_image
from comptoir.apps.wallet.pages.common import (
    SESSION_COOKIE,
    Visitor,
    error_text,
    parse_uuid,
    problems_shown,
    render,
    see_other,
    visitor,
    written_amount,
)
from comptoir.apps.wallet.pages.drafts import (
    forget,
    keep,
    kept_address,
    kept_or_forgotten,
    switched_language,
)
from comptoir.apps.wallet.service.form_drafts import (
    keep_qr_read,
    kept_qr_read,
    qr_read_again,
    qr_read_paid,
    qr_read_paid_by,
)
from comptoir.apps.wallet.service.payer import (
    cancel_payment,
    confirm_payment,
    payment_view,
    start_payment,
)
from comptoir.apps.wallet.web import wallet_of
from comptoir.kernel.errors import NOT_FOUND, Problem
from comptoir.kernel.i18n import lazy

router = APIRouter(include_in_schema=False)


@router.get("/wallets/{institution_id}/pay")
def pay_form(request: Request, institution_id: str, kept: str = "", again: str = "") -> Response:
    """The form: empty; or the refused one as it was typed (`kept`, from the session's draft,
    with its problem said in today's language); or filled from a payment that failed
    (`again`, its id), to correct and retry."""
    who = visitor(request, institution_id)
    if not isinstance(who, Visitor):
        return who
    draft = kept_or_forgotten(request, "pay", institution_id, kept=kept)
    if draft is not None:
        shown: dict[str, Any] = {"return_path": kept_address(institution_id, "pay")}
        if draft.error is not None:
            shown.update(problems_shown(draft.error, _field_of))
        return _pay_page(request, who, dict(draft.typed), **shown)
    form = _failed_payment_form(request, who, institution_id, again) if again else {}
    if not form.get("qr"):
        forget(request, "qr_read", institution_id)  # a payment opened afresh pays no code read
    return _pay_page(request, who, form)


def _pay_page(
    request: Request, who: Visitor, form: dict[str, str], *, status_code: int = 200, **extra: Any
) -> Response:
    """The payment form. One that pays a QR code read (`form["qr"]`, the code's mark) shows
    what the code fixes from the code as the server kept it (`qr`), not as the browser sent it;
    if that code is no longer kept, the form is a plain one."""
    qr = _qr_read(request, who.institution.id, form.get("qr", ""))
    if qr is None:
        form = {name: value for name, value in form.items() if name != "qr"}
    else:
        form = {**form, "recipient": qr.alias}
        if qr.amount is not None:
            form["amount"] = written_amount(qr.amount)
        if qr.reference and "note" not in form:  # a note typed, even emptied, stays as typed
            form["note"] = qr.reference
    context: dict[str, Any] = {
        "institution": who.institution,
        "customer": who.customer,
        "form": form,
        "qr": qr,
    }
    context.update(extra)
    return render(request, "wallet/pay.html", context, status_code=status_code)


def _qr_read(request: Request, institution_id: str, mark: str) -> QrPayment | None:
    if not mark:
        return None
    return kept_qr_read(
        wallet_of(request),
        institution_id=institution_id,
        token=request.cookies.get(SESSION_COOKIE),
        mark=mark,
    )


def _failed_payment_form(
    request: Request, who: Visitor, institution_id: str, payment_id: str
) -> dict[str, str]:
    """The form as a failed payment of this customer's was sent; empty for any other id. A
    payment of a QR code read pays the same code again, its amount fixed as before."""
    try:
        view = payment_view(
            wallet_of(request),
            institution_id=institution_id,
            customer_id=who.customer.id,
            payment_id=parse_uuid(payment_id),
        )
    except (WalletError, Problem):
        return {}
    if view.state != "failed" or view.scenario == "REFUND" or view.transaction_request_id:
        return {}
    form = {
        "recipient": view.recipient,
        "amount": written_amount(view.amount),
        "note": view.note or "",
    }
    mark = qr_read_again(
        wallet_of(request),
        institution_id=institution_id,
        token=request.cookies.get(SESSION_COOKIE),
        payment_id=str(view.id),
    )
    return form if mark is None else {**form, "qr": mark}


@router.post("/wallets/{institution_id}/pay")
def pay(
    request: Request,
    institution_id: str,
    *,
    recipient: Annotated[str, Form()] = "",
    amount: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    qr: Annotated[str, Form()] = "",
    lang: Annotated[str, Form()] = "",
    refused: Annotated[str, Form()] = "",
) -> Response:
    who = visitor(request, institution_id)
    if not isinstance(who, Visitor):
        return who
    # `qr`: the mark of the QR code read that this payment pays, if it pays one.
    form = {"recipient": recipient, "amount": amount, "note": note, "qr": qr}
    if lang:
        return switched_language(
            request, "pay", institution_id, "pay", form, lang=lang, refused=bool(refused)
        )
    try:
        code = _qr_read(request, institution_id, qr)
        if qr and code is None:  # put aside (a payment opened afresh), or another code read
            raise WalletError(
                "qr_gone",
                lazy("The QR code read earlier is no longer at hand. Read it again to pay it."),
            )
        payment_id = start_payment(
            wallet_of(request),
            institution_id=institution_id,
            customer_id=who.customer.id,
            # The code's payee and amount, as the server read them: not what the browser sent.
            recipient=recipient if code is None else code.alias,
            amount=amount,
            note=note,
            fixed_amount=None if code is None else code.amount,
        )
    except WalletError as error:
        # Kept for the language switch, which brings the form back from the server.
        keep(request, "pay", institution_id, form, error)
        return _pay_page(
            request,
            who,
            form,
            status_code=400,
            return_path=kept_address(institution_id, "pay"),
            **problems_shown(error, _field_of),
        )
    forget(request, "pay", institution_id)
    if code is None:
        forget(request, "qr_read", institution_id)
    else:  # its form cannot pay it twice; a retry of this payment, should it fail, can
        qr_read_paid(
            wallet_of(request),
            institution_id=institution_id,
            token=request.cookies.get(SESSION_COOKIE),
            mark=qr,
            payment_id=str(payment_id),
        )
    return see_other(f"/wallets/{institution_id}/payments/{payment_id}")


def _field_of(code: str) -> str:
    if code.startswith("amount") or code == "insufficient_funds":
        return "amount"
    if code.startswith("note"):
        return "note"
    return "recipient"


def _qr_field_of(error: WalletError) -> str:
    """The field a refusal of the QR form is said beside: the picture's, or the text's."""
    return "image" if error.code.startswith("qr_image") else "payload"


@router.get("/wallets/{institution_id}/pay/qr")
def qr_form(request: Request, institution_id: str, kept: str = "") -> Response:
    """The form to paste a QR code's text or upload a picture of it: empty, or the refused
    one as pasted (`kept`)."""
    who = visitor(request, institution_id)
    if not isinstance(who, Visitor):
        return who
    context = {"institution": who.institution, "customer": who.customer, "payload": ""}
    draft = kept_or_forgotten(request, "qr", institution_id, kept=kept)
    if draft is not None:
        context.update(
            payload=draft.typed["payload"], return_path=kept_address(institution_id, "pay/qr")
        )
        if draft.error is not None:
            context.update(error=error_text(draft.error), error_field=_qr_field_of(draft.error))
    return render(request, "wallet/pay_qr.html", context)


@router.post("/wallets/{institution_id}/pay/qr")
def qr_read(
    request: Request,
    institution_id: str,
    *,
    payload: Annotated[str, Form()] = "",
    image: Annotated[UploadFile | None, File()] = None,
    lang: Annotated[str, Form()] = "",
    refused: Annotated[str, Form()] = "",
) -> Response:
    """Read a QR payload, pasted or in an uploaded picture (which wins when one is chosen),
    and fill the payment form with what it says."""
    who = visitor(request, institution_id)
    if not isinstance(who, Visitor):
        return who
    if lang:
        typed = {"payload": payload}
        return switched_language(
            request, "qr", institution_id, "pay/qr", typed, lang=lang, refused=bool(refused)
        )
    try:
        picture = image.file.read(MAX_IMAGE_BYTES + 1) if image is not None else b""
        if picture:
            joined = read_qr_image(picture)
        else:
            # A long code pasted from a message or a note often arrives cut over several lines.
            joined = "".join(line.strip() for line in payload.splitlines())
        if not joined:
            raise WalletError(
                "qr_missing",
                lazy("Paste the text of the merchant's QR code, or upload a picture of it."),
            )
        qr = parse_payment_qr(joined)
        if qr.currency is not None and qr.currency != who.institution.currency:
            raise WalletError(
                "qr_currency", lazy("This QR code asks for a currency this wallet does not hold.")
            )
    except WalletError as error:
        # Kept for the language switch, which brings the form back from the server.
        keep(request, "qr", institution_id, {"payload": payload}, error)
        return render(
            request,
            "wallet/pay_qr.html",
            {
                "institution": who.institution,
                "customer": who.customer,
                "payload": payload,
                "error": error_text(error),
                "error_field": _qr_field_of(error),
                "return_path": kept_address(institution_id, "pay/qr"),
            },
            status_code=400,
        )
    forget(request, "qr", institution_id)
    forget(request, "pay", institution_id)
    # Kept on the server: what the code fixes is paid from here (`pay`), never from the form.
    mark = keep_qr_read(
        wallet_of(request),
        institution_id=institution_id,
        token=request.cookies.get(SESSION_COOKIE),
        qr=qr,
        currency=who.institution.currency,
    )
    return _pay_page(request, who, {"qr": mark})


@router.get("/wallets/{institution_id}/payments/{payment_id}")
def payment_page(
    request: Request, institution_id: str, payment_id: str, answered: str = ""
) -> Response:
    who = visitor(request, institution_id)
    if not isinstance(who, Visitor):
        return who
    try:
        view = payment_view(
            wallet_of(request),
            institution_id=institution_id,
            customer_id=who.customer.id,
            payment_id=parse_uuid(payment_id),
        )
    except WalletError:
        raise Problem(NOT_FOUND) from None
    code = qr_read_paid_by(
        wallet_of(request),
        institution_id=institution_id,
        token=request.cookies.get(SESSION_COOKIE),
        payment_id=str(view.id),
    )
    return render(
        request,
        "wallet/payment.html",
        {
            "institution": who.institution,
            "customer": who.customer,
            "payment": view,
            "already_answered": bool(answered),
            # The name the QR code printed, when the account it pays has another.
            "qr_name_differs": (
                code.merchant_name
                if code is not None and not names_agree(code.merchant_name, view.payee_name)
                else None
            ),
        },
    )


@router.post("/wallets/{institution_id}/payments/{payment_id}/confirm")
def confirm(request: Request, institution_id: str, payment_id: str) -> Response:
    return _act(request, institution_id, payment_id, confirm=True)


@router.post("/wallets/{institution_id}/payments/{payment_id}/cancel")
def cancel(request: Request, institution_id: str, payment_id: str) -> Response:
    return _act(request, institution_id, payment_id, confirm=False)


def _act(request: Request, institution_id: str, payment_id: str, *, confirm: bool) -> Response:
    who = visitor(request, institution_id)
    if not isinstance(who, Visitor):
        return who
    wallet = wallet_of(request)
    target = parse_uuid(payment_id)
    action = confirm_payment if confirm else cancel_payment
    try:
        action(
            wallet, institution_id=institution_id, customer_id=who.customer.id, payment_id=target
        )
    except WalletError as error:
        if error.code == "payment_state":
            # Pressed twice, or sent again from an old tab or the back button: the payment
            # moved on the first time. Its page says where it stands; nothing happens twice.
            return see_other(f"/wallets/{institution_id}/payments/{payment_id}?answered=1")
        view = payment_view(
            wallet, institution_id=institution_id, customer_id=who.customer.id, payment_id=target
        )
        return render(
            request,
            "wallet/payment.html",
            {
                "institution": who.institution,
                "customer": who.customer,
                "payment": view,
                "error": error_text(error),
            },
            status_code=400,
        )
    return see_other(f"/wallets/{institution_id}/payments/{payment_id}")
