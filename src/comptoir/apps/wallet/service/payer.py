"""The payer's institution: lookup, quote, the customer's agreement, then the transfer.

Money moves only after the customer saw the payee's name, the amount, every fee and the
total, and agreed: `confirm_payment` reserves it (in our books) and sends POST /transfers;
PUT /transfers/{ID} COMMITTED finalises the debit, an error or ABORTED releases it (the
switch's answers are heard in `payer_answers`). A payee who banks here too is paid "on us":
the same payee rules run in-process, without the switch.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from comptoir.apps.wallet import fspiop_client
from comptoir.apps.wallet.domain import books
from comptoir.apps.wallet.domain.amounts import parse_amount
from comptoir.apps.wallet.domain.errors import FieldChecks, MoneyText, WalletError
from comptoir.apps.wallet.domain.fees import Scenario, payer_fee
from comptoir.apps.wallet.domain.parties import PartyKey, parse_recipient
from comptoir.apps.wallet.domain.states import PaymentState, move
from comptoir.apps.wallet.models import Customer, Institution, Payment
from comptoir.apps.wallet.service import ledger, outgoing, quoting, refund_limits
from comptoir.apps.wallet.service.context import (
    Wallet,
    fee_schedule,
    get_customer,
    get_institution,
)
from comptoir.apps.wallet.service.customers import find_by_identifier
from comptoir.apps.wallet.service.payment_views import payment_view_of
from comptoir.apps.wallet.service.quoting import fail
from comptoir.apps.wallet.service.views import PaymentView
from comptoir.kernel.i18n import current_locale, lazy
from comptoir.kernel.ids import new_id
from comptoir.kernel.money import Money

WAIT_FOR_ANSWER = timedelta(seconds=60)  # a lookup or quote with no answer by then has failed
ASK_AGAIN = timedelta(seconds=30)  # how often to ask the switch about an overdue transfer
MAX_NOTE = 128


def clean_note(note: str | None) -> str | None:
    text = " ".join((note or "").split())
    if len(text) > MAX_NOTE:
        raise WalletError(
            "note_too_long", lazy("A note is at most {limit} characters.", limit=str(MAX_NOTE))
        )
    return text or None


def start_payment(
    wallet: Wallet,
    *,
    institution_id: str,
    customer_id: uuid.UUID,
    recipient: str,
    amount: str,
    note: str | None = None,
    fixed_amount: Money | None = None,
) -> uuid.UUID:
    """Begin paying `recipient` (a phone number or an alias): look the payee up.

    `fixed_amount` is the amount a merchant's QR code asks for (EMVCo tag 54), as the server
    read and kept it: the payment is for that, `amount` left empty or the same, and any other
    amount is refused (a browser can send what it likes). Every field refused is said at
    once (`FieldsError`)."""
    with wallet.database.transaction() as session:
        institution = get_institution(session, institution_id)
        customer = get_customer(session, institution_id, customer_id)
        fields = FieldChecks()
        party = fields.check(lambda: parse_recipient(recipient))
        minor = fields.check(lambda: _amount_to_pay(amount, institution.currency, fixed_amount))
        cleaned_note = fields.check(lambda: clean_note(note))
        fields.raise_any()
        if party is None or minor is None:  # raise_any raised: this is for the type checker
            raise AssertionError("a field refused without a refusal")
        payment = open_payment(
            session, wallet, institution, customer, party=party, amount=minor, note=cleaned_note
        )
        return payment.id


def _amount_to_pay(typed: str, currency: str, fixed_amount: Money | None) -> int:
    """The amount typed, or the one the QR code fixes (which nothing typed may change)."""
    if fixed_amount is not None and not typed.strip():
        return fixed_amount.minor
    minor = parse_amount(typed, currency, locale=current_locale())
    if fixed_amount is not None and Money(minor, currency) != fixed_amount:
        raise WalletError(
            "amount_fixed",
            lazy(
                "This QR code asks for exactly {amount}: the amount cannot be changed.",
                amount=MoneyText(fixed_amount),
            ),
        )
    return minor


def open_payment(
    session: Session,
    wallet: Wallet,
    institution: Institution,
    customer: Customer,
    *,
    party: PartyKey,
    amount: int,
    note: str | None,
    payee_party: dict[str, Any] | None = None,
    scenario: Scenario | None = None,
    transaction_request_id: str | None = None,
    refund_of: str | None = None,
    refund_reason: str | None = None,
) -> Payment:
    """A new payment. With `payee_party` known (a request to pay, a refund) it is quoted at
    once; otherwise its payee is looked up, here first, then through the switch."""
    now = wallet.clock.now()
    fee = payer_fee(fee_schedule(institution), scenario=scenario or Scenario.TRANSFER)
    check_funds(session, institution, customer, amount + fee)
    payment = Payment(
        id=new_id(),
        institution_id=institution.id,
        customer_id=customer.id,
        state=PaymentState.LOOKUP.value,
        party_type=party.party_type.value,
        party_id=party.party_id,
        scenario=(scenario or Scenario.TRANSFER).value,
        currency=institution.currency,
        amount=amount,
        note=note,
        quote_id=str(new_id()),
        transaction_id=str(new_id()),
        transaction_request_id=transaction_request_id,
        refund_of=refund_of,
        refund_reason=refund_reason,
        payer_fee=fee,
        created_at=now,
        updated_at=now,
    )
    session.add(payment)
    session.flush()
    if payee_party is not None:
        quoting.request_quote(session, wallet, institution, customer, payment, party=payee_party)
        return payment
    local = find_by_identifier(session, institution.id, party.party_type, party.party_id)
    if local is not None:
        if local.id == customer.id:
            raise WalletError("pay_yourself", lazy("You cannot pay yourself."))
        party_body = outgoing.customer_party(
            session, institution, local, (party.party_type.value, party.party_id)
        )
        quoting.found_payee(session, wallet, institution, payment, party_body)
        return payment
    outgoing.send(
        session,
        wallet,
        institution,
        method="GET",
        path=party.path(),
        body=None,
        destination=None,
        subject=fspiop_client.Subject("payment", str(payment.id)),
    )
    return payment


def check_funds(session: Session, institution: Institution, customer: Customer, total: int) -> None:
    available = ledger.balance(
        session, institution_id=institution.id, code=books.customer_account(customer.id)
    )
    if available < total:
        raise WalletError(
            "insufficient_funds",
            lazy(
                "Your balance ({balance}) is not enough for {total}.",
                balance=MoneyText(Money(available, institution.currency)),
                total=MoneyText(Money(total, institution.currency)),
            ),
        )


def _own_payment(
    session: Session, institution_id: str, customer_id: uuid.UUID, payment_id: uuid.UUID
) -> Payment:
    payment = session.scalar(select(Payment).where(Payment.id == payment_id).with_for_update())
    if (
        payment is None
        or payment.institution_id != institution_id
        or payment.customer_id != customer_id
    ):
        raise WalletError("unknown_payment", lazy("There is no such payment."))
    return payment


def payment_view(
    wallet: Wallet, *, institution_id: str, customer_id: uuid.UUID, payment_id: uuid.UUID
) -> PaymentView:
    """The payment as its payer sees it. A lookup or quote left unanswered too long fails; a
    transfer past its expiration with no answer yet is asked about (GET /transfers/{ID}): the
    switch decides whether it committed, so its money stays reserved until the switch says."""
    now = wallet.clock.now()
    with wallet.database.transaction() as session:
        payment = _own_payment(session, institution_id, customer_id, payment_id)
        state = PaymentState(payment.state)
        waiting = state in (PaymentState.LOOKUP, PaymentState.QUOTING)
        if waiting and now - payment.updated_at > WAIT_FOR_ANSWER:
            fail(payment, now, "2004", "no answer from the payee's institution")
        overdue = (
            state is PaymentState.SENDING
            and payment.transfer_expires_at is not None
            and now > payment.transfer_expires_at
            and now - payment.updated_at > ASK_AGAIN
        )
        if overdue:
            payment.updated_at = now
            outgoing.send(
                session,
                wallet,
                get_institution(session, institution_id),
                method="GET",
                path=f"/transfers/{payment.transfer_id}",
                body=None,
                destination=None,
            )
        return payment_view_of(payment)


def list_payments(
    wallet: Wallet, *, institution_id: str, customer_id: uuid.UUID, limit: int = 20
) -> list[PaymentView]:
    """The customer's payments under way, and those it agreed to, newest first.

    Left out, as nothing of them ever moved: the ones it cancelled, offers it let expire, and
    attempts that failed before it agreed (no account at that number, a quote refused). Each
    was said on its own page at the time, and the history shows only money that moved.
    """
    now = wallet.clock.now()
    with wallet.database.transaction() as session:
        rows = session.scalars(
            select(Payment)
            .where(
                Payment.institution_id == institution_id,
                Payment.customer_id == customer_id,
                Payment.state != PaymentState.CANCELLED.value,
                or_(Payment.state != PaymentState.FAILED.value, Payment.transfer_id.is_not(None)),
                or_(
                    Payment.state != PaymentState.QUOTED.value,
                    Payment.quote_expires_at.is_(None),
                    Payment.quote_expires_at > now,
                ),
            )
            .order_by(Payment.id.desc())
            .limit(limit)
        ).all()
        return [payment_view_of(row) for row in rows]


def confirm_payment(
    wallet: Wallet, *, institution_id: str, customer_id: uuid.UUID, payment_id: uuid.UUID
) -> PaymentView:
    """The customer agreed: reserve the total and send the transfer (or pay on us)."""
    now = wallet.clock.now()
    with wallet.database.transaction() as session:
        institution = get_institution(session, institution_id)
        payment = _own_payment(session, institution_id, customer_id, payment_id)
        move(PaymentState(payment.state), PaymentState.SENDING)
        if payment.quote_expires_at is None or payment.quote_expires_at <= now:
            fail(payment, now, "3302", "the quote expired before the payer agreed")
            return payment_view_of(payment)
        if quoting.answered_request_expired(session, institution, payment, now):
            fail(payment, now, "3301", "the request to pay expired before the payer agreed")
            return payment_view_of(payment)
        quoting.check_request_still_open(session, institution, payment)
        customer = get_customer(session, institution_id, customer_id)
        ledger.lock_customer_account(
            session,
            institution_id=institution_id,
            customer_id=customer_id,
            currency=institution.currency,
            now=now,
        )
        total = (payment.transfer_amount or 0) + payment.payer_fee
        check_funds(session, institution, customer, total)
        try:
            refund_limits.check_refund_still_possible(session, institution, payment)
        except WalletError as refused:
            # Another refund of the same sale was agreed first. This one can no longer be paid
            # as it stands, so it ends here, and its page stops offering to pay it; the
            # merchant refunds what is left with a new one.
            fail(payment, now, "3100", "the refund passes what is left of the payment")
            refusal = refused
        else:
            return _reserve_and_send(session, wallet, institution, payment, now)
    raise refusal


def _reserve_and_send(
    session: Session, wallet: Wallet, institution: Institution, payment: Payment, now: datetime
) -> PaymentView:
    """Set the total aside in the customer's account and send the transfer."""
    quote_expires_at = payment.quote_expires_at
    assert quote_expires_at is not None  # a quoted payment has its quote's expiry
    ledger.post(
        session,
        institution_id=institution.id,
        currency=institution.currency,
        draft=books.reserve(
            books.customer_account(payment.customer_id),
            payment.transfer_amount or 0,
            payment.payer_fee,
        ),
        now=now,
        reference=str(payment.id),
        memo=payment.payee_name,
    )
    payment.transfer_id = str(new_id())
    expires = now + timedelta(seconds=institution.transfer_seconds)
    payment.transfer_expires_at = min(expires, quote_expires_at)
    payment.state = PaymentState.SENDING.value
    payment.updated_at = now
    quoting.accept_request(session, wallet, institution, payment)
    quoting.send_transfer(session, wallet, institution, payment)
    return payment_view_of(payment)


def cancel_payment(
    wallet: Wallet, *, institution_id: str, customer_id: uuid.UUID, payment_id: uuid.UUID
) -> PaymentView:
    with wallet.database.transaction() as session:
        payment = _own_payment(session, institution_id, customer_id, payment_id)
        payment.state = move(PaymentState(payment.state), PaymentState.CANCELLED).value
        payment.updated_at = wallet.clock.now()
        return payment_view_of(payment)
