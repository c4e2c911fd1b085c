"""What the operator does from the switch's pages: close the open settlement window, settle a
closed one, record a participant's liquidity and move its net debit cap.

The same services as `comptoir switch window close|settle`, `comptoir switch liquidity` and
`comptoir switch ndc`, with the same checks; a refusal is said on the page it came from, in
the operator's language, and changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from comptoir.kernel.errors import NOT_FOUND, Problem
from comptoir.kernel.i18n import LazyText, current_locale, lazy
from comptoir.kernel.money import (
    AmountMissing,
    AmountNegative,
    AmountTooLarge,
    AmountTooPrecise,
    Money,
    MoneyError,
    format_money,
    too_precise,
    typed_amount,
)
from comptoir.kernel.web.context import node_context
from comptoir.kernel.web.operator import require_operator
from comptoir.payments.domain import AMOUNT_MAX
from comptoir.payments.pages import render_window
from comptoir.payments.services import participants, settlement
from comptoir.payments.services.ledger_store import LedgerStore

router = APIRouter(include_in_schema=False)
operator_only = [Depends(require_operator)]
ACTOR = "operator:web"
# What the participant page says after a change, by the `done` it is redirected with.
DONE = {
    "deposit": lazy("The deposit is recorded."),
    "withdraw": lazy("The withdrawal is recorded."),
    "cap": lazy("The net debit cap is changed."),
}


class FormRefusal(Exception):  # noqa: N818 (a refusal, not a failure)
    """A form the operator must correct: `field` is the input it is about."""

    def __init__(self, field: str, text: LazyText) -> None:
        super().__init__(field)
        self.field = field
        self.text = text


@router.post("/operator/switch/windows/close", dependencies=operator_only)
def close_window(request: Request) -> RedirectResponse:
    node = node_context(request)
    with node.database.transaction() as session:
        closed = settlement.close_window(session, clock=node.clock, actor=ACTOR)
        closed_id = closed.id
    return RedirectResponse(f"/operator/switch/windows/{closed_id}", status_code=303)


@router.post("/operator/switch/windows/{window_id}/settle", dependencies=operator_only)
def settle_window(request: Request, window_id: str) -> Response:
    node = node_context(request)
    key = _uuid(window_id)
    try:
        with node.database.transaction() as session:
            settlement.settle_window(
                session,
                store=request.app.state.switch.transfers.store,
                clock=node.clock,
                window_id=key,
                actor=ACTOR,
            )
    except Problem as problem:
        if problem.status == 404:
            raise
        # Refused (not closed, or a participant's reservations would pass its cap): the
        # transaction was rolled back, and the window's page says why.
        return render_window(request, key, refusal=_said(problem), status_code=problem.status)
    return RedirectResponse(f"/operator/switch/windows/{key}", status_code=303)


@router.get(
    "/operator/switch/participants/{participant_id}",
    response_class=HTMLResponse,
    dependencies=operator_only,
)
def participant_page(request: Request, participant_id: str, done: str = "") -> HTMLResponse:
    return _participant_page(request, participant_id, done=DONE.get(done))


@router.post("/operator/switch/participants/{participant_id}/liquidity", dependencies=operator_only)
def record_liquidity(
    request: Request,
    participant_id: str,
    *,
    currency: Annotated[str, Form()] = "",
    amount: Annotated[str, Form()] = "",
    direction: Annotated[str, Form()] = "deposit",
) -> Response:
    withdraw = direction == "withdraw"

    def record(session: Session, store: LedgerStore, money: Money) -> None:
        participants.deposit_liquidity(
            session,
            store=store,
            participant_id=participant_id,
            amount=Money(-money.minor, money.currency) if withdraw else money,
            actor=ACTOR,
        )

    typed = _Typed("liquidity", currency, amount)
    return _change(request, participant_id, typed, record, "withdraw" if withdraw else "deposit")


@router.post("/operator/switch/participants/{participant_id}/cap", dependencies=operator_only)
def change_cap(
    request: Request,
    participant_id: str,
    *,
    currency: Annotated[str, Form()] = "",
    amount: Annotated[str, Form()] = "",
) -> Response:
    def move_cap(session: Session, store: LedgerStore, cap: Money) -> None:
        participants.set_net_debit_cap(
            session, store=store, participant_id=participant_id, cap=cap, actor=ACTOR
        )

    return _change(request, participant_id, _Typed("cap", currency, amount), move_cap, "cap")


@dataclass(frozen=True)
class _Typed:
    """A participant form as the operator sent it: which one, and the amount as typed."""

    kind: str  # "liquidity" or "cap"
    currency: str
    amount: str


def _change(
    request: Request,
    participant_id: str,
    typed: _Typed,
    change: Callable[[Session, LedgerStore, Money], None],
    done: str,
) -> Response:
    """Make `change` with the typed amount, then show the participant's page again: with
    `done` said, or with the refusal beside the form (and nothing changed)."""
    node = node_context(request)
    try:
        money = _typed(typed.amount, typed.currency)
        with node.database.transaction() as session:
            change(session, request.app.state.switch.transfers.store, money)
    except FormRefusal as refused:
        form = _form(typed, refused)
        return _participant_page(request, participant_id, form=form, status_code=400)
    except Problem as problem:
        if problem.type.slug == "payments-participant-unknown":
            raise
        said = _cap_refusal(problem) if typed.kind == "cap" else _said(problem)
        form = _form(typed, FormRefusal("amount", said))
        return _participant_page(request, participant_id, form=form, status_code=problem.status)
    return RedirectResponse(
        f"/operator/switch/participants/{participant_id}?done={done}", status_code=303
    )


def _participant_page(
    request: Request,
    participant_id: str,
    *,
    done: LazyText | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    node = node_context(request)
    store = request.app.state.switch.transfers.store
    with node.database.reading() as session:
        row = participants.get_participant(session, participant_id)
        standing = [
            position
            for position in participants.positions(session, store=store)
            if position.participant_id == participant_id
        ]
        context = {
            "participant": row,
            "currencies": [
                {
                    "code": position.currency,
                    "position": _show(position.position, position.currency),
                    "reserved": _show(position.reserved, position.currency),
                    "cap": _show(position.net_debit_cap, position.currency),
                    "headroom": _show(position.headroom, position.currency),
                    "liquidity": _show(position.liquidity, position.currency),
                }
                for position in standing
            ],
            "done": done,
            "form": form or {},
        }
    return node.templates.render(
        request, "payments/participant.html", context, status_code=status_code
    )


def _form(typed: _Typed, refused: FormRefusal) -> dict[str, Any]:
    """The refused form as typed, to show again with its error beside the field."""
    return {
        "kind": typed.kind,
        "currency": typed.currency,
        "amount": typed.amount,
        "error": refused.text.render(),
        "field": refused.field,
    }


def _typed(text: str, currency: str) -> Money:
    """An amount as the operator typed it, read in the page's language."""
    currency = currency.strip().upper()
    if not currency:
        raise FormRefusal("currency", lazy("Choose a currency."))
    try:
        money = typed_amount(text, currency, locale=current_locale())
    except AmountMissing:
        raise FormRefusal("amount", lazy("Enter an amount.")) from None
    except AmountTooPrecise:
        raise FormRefusal("amount", too_precise(text, currency)) from None
    except AmountNegative:
        # Each form says which way the money goes (deposit or withdrawal, the cap itself).
        raise FormRefusal("amount", lazy("The amount cannot be below zero.")) from None
    except AmountTooLarge:
        raise FormRefusal("amount", _beyond_the_ledger(text, currency)) from None
    except MoneyError:
        raise FormRefusal("amount", lazy("{value} is not an amount.", value=text.strip())) from None
    if money.minor > AMOUNT_MAX:
        raise FormRefusal("amount", _beyond_the_ledger(text, currency))
    return money


def _beyond_the_ledger(text: str, currency: str) -> LazyText:
    return lazy(
        "{value} is more than the ledger holds (at most {largest}).",
        value=text.strip(),
        largest=_show(AMOUNT_MAX, currency),
    )


def _said(problem: Problem) -> LazyText:
    return problem.detail if problem.detail is not None else LazyText(problem.type.title)


def _cap_refusal(problem: Problem) -> LazyText:
    """The ledger's refusal of a lower cap, said as what it means."""
    if problem.type.slug == "payments-ledger-refused":
        return lazy("The cap cannot go below what the participant already owes and has reserved.")
    return _said(problem)


def _show(minor: int, currency: str) -> str:
    return format_money(Money(minor, currency), current_locale())


def _uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise Problem(NOT_FOUND) from None
