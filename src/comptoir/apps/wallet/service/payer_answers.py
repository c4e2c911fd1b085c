"""The switch's answers to what a payer's institution asked: the payee named (PUT /parties),
the terms quoted (PUT /quotes), the transfer's outcome (PUT /transfers), their errors, and a
request the switch refused outright. Each moves the payment on from where `payer` left it.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.apps.wallet import schemas
from comptoir.apps.wallet.domain.parties import PartyType
from comptoir.apps.wallet.domain.states import PaymentState
from comptoir.apps.wallet.models import Payment
from comptoir.apps.wallet.service import incoming, quoting
from comptoir.apps.wallet.service.context import Wallet, get_institution
from comptoir.apps.wallet.service.quoting import fail
from comptoir.kernel.fspiop import FspiopError


def on_party(
    wallet: Wallet, *, institution_id: str, party_type: str, party_id: str, party: schemas.Party
) -> None:
    """PUT /parties/{Type}/{ID}: the payee's institution named the payee; ask it for a quote."""
    with wallet.database.transaction() as session:
        institution = get_institution(session, institution_id)
        for payment in _waiting_lookups(session, institution_id, party_type, party_id):
            quoting.found_payee(
                session, wallet, institution, payment, party.model_dump(exclude_none=True)
            )


def on_party_error(
    wallet: Wallet, *, institution_id: str, party_type: str, party_id: str, error: FspiopError
) -> None:
    with wallet.database.transaction() as session:
        for payment in _waiting_lookups(session, institution_id, party_type, party_id):
            fail(payment, wallet.clock.now(), error.code, error.description)


def _waiting_lookups(
    session: Session, institution_id: str, party_type: str, party_id: str
) -> list[Payment]:
    party_id = party_id.removeprefix("+") if party_type == PartyType.MSISDN.value else party_id
    return list(
        session.scalars(
            select(Payment)
            .where(
                Payment.institution_id == institution_id,
                Payment.state == PaymentState.LOOKUP.value,
                Payment.party_type == party_type,
                Payment.party_id == party_id,
            )
            .with_for_update()
        )
    )


def _by_quote(session: Session, institution_id: str, quote_id: str) -> Payment | None:
    return session.scalar(
        select(Payment)
        .where(Payment.institution_id == institution_id, Payment.quote_id == quote_id)
        .with_for_update()
    )


def _by_transfer(session: Session, institution_id: str, transfer_id: str) -> Payment | None:
    return session.scalar(
        select(Payment)
        .where(Payment.institution_id == institution_id, Payment.transfer_id == transfer_id)
        .with_for_update()
    )


def on_quote(
    wallet: Wallet, *, institution_id: str, quote_id: str, document: dict[str, Any]
) -> None:
    """PUT /quotes/{ID}: the payee's terms, checked, then shown to the payer."""
    answer = schemas.read(schemas.QuotesPut, document)
    with wallet.database.transaction() as session:
        payment = _by_quote(session, institution_id, quote_id)
        if payment is not None and payment.state == PaymentState.QUOTING.value:
            quoting.apply_quote(wallet, payment, answer)


def on_quote_error(
    wallet: Wallet, *, institution_id: str, quote_id: str, error: FspiopError
) -> None:
    with wallet.database.transaction() as session:
        payment = _by_quote(session, institution_id, quote_id)
        if payment is not None and payment.state == PaymentState.QUOTING.value:
            fail(payment, wallet.clock.now(), error.code, error.description)


def on_transfer(
    wallet: Wallet, *, institution_id: str, transfer_id: str, document: dict[str, Any]
) -> None:
    """PUT /transfers/{ID}: COMMITTED finalises the debit, ABORTED releases it. A fulfilment
    that does not match our condition is refused (3100) and changes nothing."""
    answer = schemas.read(schemas.TransfersPut, document)
    with wallet.database.transaction() as session:
        institution = get_institution(session, institution_id)
        payment = _by_transfer(session, institution_id, transfer_id)
        if payment is None or payment.state != PaymentState.SENDING.value:
            return
        if answer.transferState == "COMMITTED":
            quoting.finish(session, wallet, institution, payment, answer.fulfilment)
        elif answer.transferState == "ABORTED":
            quoting.release(
                session,
                wallet,
                institution,
                payment,
                code="5000",
                description="the transfer aborted",
            )


def on_transfer_error(
    wallet: Wallet, *, institution_id: str, transfer_id: str, error: FspiopError
) -> None:
    """PUT /transfers/{ID}/error: our transfer failed (release), or one we fulfilled did
    (reverse the credit)."""
    with wallet.database.transaction() as session:
        institution = get_institution(session, institution_id)
        payment = _by_transfer(session, institution_id, transfer_id)
        if payment is not None:
            if payment.state == PaymentState.SENDING.value:
                quoting.release(
                    session,
                    wallet,
                    institution,
                    payment,
                    code=error.code,
                    description=error.description,
                )
            return
        incoming.settle_incoming(session, wallet, institution, transfer_id, committed=False)


def payment_refused(session: Session, wallet: Wallet, payment_id: str, error: FspiopError) -> None:
    """The switch refused a request of this payment outright (a 4xx): it cannot go on."""
    payment = session.scalar(
        select(Payment).where(Payment.id == uuid.UUID(payment_id)).with_for_update()
    )
    if payment is None:
        return
    state = PaymentState(payment.state)
    if state is PaymentState.SENDING:
        institution = get_institution(session, payment.institution_id)
        quoting.release(
            session,
            wallet,
            institution,
            payment,
            code=error.code,
            description=error.description,
        )
    elif state in (PaymentState.LOOKUP, PaymentState.QUOTING):
        fail(payment, wallet.clock.now(), error.code, error.description)
