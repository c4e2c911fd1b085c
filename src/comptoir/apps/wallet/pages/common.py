"""What every wallet page shares: the signed-in customer, rendering, amounts and dates."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from comptoir.apps.wallet.domain.books import INSTITUTION_MEMOS
from comptoir.apps.wallet.domain.errors import WalletError, each_problem
from comptoir.apps.wallet.service.context import Wallet
from comptoir.apps.wallet.service.customers import get_customer_view
from comptoir.apps.wallet.service.institutions import find_institution
from comptoir.apps.wallet.service.signin import session_customer
from comptoir.apps.wallet.service.views import CustomerView, InstitutionView, PaymentView
from comptoir.apps.wallet.web import wallet_of
from comptoir.kernel.errors import NOT_FOUND, Problem
from comptoir.kernel.i18n import N_, LazyText, current_locale, current_zone
from comptoir.kernel.money import Money, format_money
from comptoir.kernel.money import written_amount as kernel_written_amount
from comptoir.kernel.web.context import node_context

SESSION_COOKIE = "comptoir_wallet"

STATE_LABELS: Mapping[str, str] = {
    "lookup": N_("Finding the payee"),
    "quoting": N_("Asking for the fees"),
    "quoted": N_("Waiting for your agreement"),
    "sending": N_("Sending"),
    "committed": N_("Paid"),
    "failed": N_("Failed"),
    "cancelled": N_("Cancelled"),
    "sent": N_("Sent"),
    "received": N_("Received"),
    "pending": N_("Waiting for an answer"),
    "accepted": N_("Accepted"),
    "rejected": N_("Declined"),
    "paid": N_("Paid"),
    "aborted": N_("Reversed"),
    "expired": N_("Expired"),
}
ENTRY_LABELS: Mapping[str, str] = {
    "deposit": N_("Deposit"),
    "reserve": N_("Payment sent"),
    "commit": N_("Payment completed"),
    "release": N_("Payment returned"),
    "receive": N_("Payment received"),
    "reverse": N_("Correction"),
    "on_us": N_("Payment"),
    # A refund's entries, said as a refund (the line's `refund`).
    "refund_reserve": N_("Refund sent"),
    "refund_release": N_("Refund returned"),
    "refund_receive": N_("Refund received"),
}


def failure_text(code: str | None) -> str:
    """What a failed payment's error code means for the person who paid."""
    if code == "3204":
        message = N_("No account was found for this phone number or alias.")
    elif code == "3301":
        message = N_("The request to pay expired before you agreed. Nothing was paid.")
    elif code in ("3300", "3302", "3303"):
        message = N_("The offer expired before the payment was made. Please start again.")
    elif code == "2004":
        message = N_("The payee's bank did not answer. Please try again later.")
    elif code == "5106":
        message = N_("The payee cannot receive this currency.")
    elif code is not None and code.startswith("4"):
        message = N_("Your bank cannot send this payment right now.")
    elif code is not None and code.startswith("5"):
        message = N_("The payee's bank refused the payment.")
    else:
        message = N_("The payment could not be completed.")
    return LazyText(message).render()


@dataclass(frozen=True)
class Visitor:
    """A signed-in customer on an institution's pages."""

    institution: InstitutionView
    customer: CustomerView


def institution_or_404(wallet: Wallet, institution_id: str) -> InstitutionView:
    found = find_institution(wallet, institution_id)
    if found is None:
        raise Problem(NOT_FOUND)
    return found


def visitor(request: Request, institution_id: str) -> Visitor | RedirectResponse:
    """The signed-in customer, or a redirect to this institution's sign-in page."""
    wallet = wallet_of(request)
    institution = institution_or_404(wallet, institution_id)
    customer_id = session_customer(
        wallet, institution_id=institution_id, token=request.cookies.get(SESSION_COOKIE)
    )
    if customer_id is None:
        if request.cookies.get(SESSION_COOKIE) is None:
            return RedirectResponse(f"/wallets/{institution_id}/signin", status_code=303)
        # A session that ended (expired, or signed out elsewhere) is said on the sign-in page,
        # so that a form sent meanwhile is not taken for done.
        return RedirectResponse(f"/wallets/{institution_id}/signin?ended=1", status_code=303)
    customer = get_customer_view(wallet, institution_id=institution_id, customer_id=customer_id)
    return Visitor(institution, customer)


def money(value: Money | None) -> str:
    return "" if value is None else format_money(value, current_locale())


def amount_example() -> str:
    """An amount as the reader writes it ("12.50", "12,50"), for the hint under amount fields:
    a form takes either decimal mark, but a person copies what the page shows."""
    return format_decimal(12.5, format="0.00", locale=current_locale())


def written_amount(value: Money) -> str:
    """An amount to put in a form field, with the reader's decimal mark ("12,50" in fr)."""
    return kernel_written_amount(value, locale=current_locale())


def label(labels: Mapping[str, str], key: str) -> str:
    return LazyText(labels.get(key, key)).render()


def shown_state(payment: PaymentView, now: datetime) -> str:
    """The payment's state as its payer should read it: an offer past its time is "expired"
    (confirming it would fail), though the payment stays "quoted" until someone acts on it."""
    expires = payment.quote_expires_at
    if payment.state == "quoted" and expires is not None and expires <= now:
        return "expired"
    if payment.state == "failed" and payment.error_code == "3302":
        # Agreed to after its offer expired (a tab left open): still an offer that expired,
        # to be started again, not a payment to correct.
        return "expired"
    return payment.state


def day_and_time(moment: datetime) -> tuple[str, str]:
    """A moment's day and time apart, on the reader's clock ("Nov 30, 2026", "5:47:39 AM"):
    a narrow table shows them on two lines, each kept whole, rather than one wide line."""
    local = moment.astimezone(current_zone())
    locale = current_locale()
    return format_date(local, "medium", locale=locale), format_time(local, "medium", locale=locale)


def memo_text(memo: str | None) -> str:
    """A history line's memo: the institution's own ones translated, a person's as written."""
    if not memo:
        return ""
    return LazyText(memo).render() if memo in INSTITUTION_MEMOS else memo


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    status_code: int = 200,
) -> HTMLResponse:
    values: dict[str, Any] = {
        "money": money,
        "amount_example": amount_example,
        "written_amount": written_amount,
        "state_label": lambda key: label(STATE_LABELS, key),
        "entry_label": lambda key: label(ENTRY_LABELS, key),
        "memo_text": memo_text,
        "day_and_time": day_and_time,
        "payment_state": lambda payment: shown_state(payment, wallet_of(request).clock.now()),
        "failure_text": failure_text,
    }
    values.update(context)
    response = node_context(request).templates.render(
        request, template, values, status_code=status_code
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def error_text(error: WalletError) -> str:
    return error.text.render()


def problems_shown(error: WalletError, field_of: Callable[[str], str]) -> dict[str, Any]:
    """What a page says of a refused form: every problem in the summary at the top (`errors`;
    `error` is the first), and each beside its own field (`field_errors`, by field name)."""
    problems = each_problem(error)
    texts = [error_text(problem) for problem in problems]
    beside: dict[str, str] = {}
    for problem, text in zip(problems, texts, strict=True):
        beside.setdefault(field_of(problem.code), text)
    return {
        "error": texts[0],
        "errors": texts,
        "error_field": field_of(error.code),
        "field_errors": beside,
    }


def set_session_cookie(
    request: Request, response: Response, institution_id: str, token: str
) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=node_context(request).settings.secure_cookies,
        path=f"/wallets/{institution_id}",
    )


def clear_session_cookie(response: Response, institution_id: str) -> None:
    response.delete_cookie(SESSION_COOKIE, path=f"/wallets/{institution_id}")


def parse_uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise Problem(NOT_FOUND) from None


def see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)
