"""FSPIOP transfers through the switch, the prepare: POST /transfers from the payer.

Prepare reserves the amount in the payer's position (a pending ledger transfer, refused past
the net debit cap) and forwards the request to the payee. The ILP packet's transaction names
the quote, which must still hold, and for a refund the transaction it refunds, of which it may
not pass what is left. A second POST with a known id gets the same answer again.
"""

from __future__ import annotations

import math
import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, insert, inspect, select
from sqlalchemy.orm import Session

from comptoir.kernel.fspiop import (
    FspiopError,
    StoredRequest,
    content_hash,
    correlation_uuid,
    decide,
    ilp,
    ulid_or_none,
)
from comptoir.kernel.fspiop.idempotency import Action
from comptoir.kernel.money import Money, MoneyError
from comptoir.payments.domain import Transfer, TransferCode, TransferFlags, TransferResult
from comptoir.payments.models import QuoteRow, TransferRow
from comptoir.payments.services.directory import named_destination
from comptoir.payments.services.participant_cache import participant_cache
from comptoir.payments.services.transfer_context import (
    ABORTED,
    COMMITTED,
    FINAL,
    RECEIVED,
    RESERVED,
    RESOURCE,
    TransferContext,
    error_of,
    final_state_document,
    parse_time,
    transfer_for_update,
    transfer_path,
    wire_id,
)
from comptoir.payments.switch.intake import Inbound
from comptoir.payments.switch.schemas import TransferPost

BACKSTOP_SECONDS = 60


def prepare(session: Session, context: TransferContext, inbound: Inbound) -> None:
    """POST /transfers from the payer: reserve, then forward to the payee (or refuse)."""
    body = inbound.parse(TransferPost)
    if body.payerFsp != inbound.source.id:
        raise FspiopError("3100", "payerFsp must be the FSPIOP-Source of the request")
    transfer_id = correlation_uuid(body.transferId)
    existing = transfer_for_update(session, transfer_id)
    if existing is not None:
        _resend(session, context, inbound, existing)
        return
    row = TransferRow(
        id=transfer_id,
        ulid=ulid_or_none(body.transferId),
        payer_fsp=body.payerFsp,
        payee_fsp=body.payeeFsp,
        amount=0,
        currency=body.amount.currency,
        condition=body.condition,
        ilp_packet=body.ilpPacket,
        expiration=parse_time(body.expiration),
        state=RECEIVED,
        request_hash=content_hash(inbound.body),
        fulfilment=None,
        error_code=None,
        error_description=None,
        transaction_id=None,
        refund_of=None,
        window_id=None,
        created_at=context.clock.now(),
        completed_at=None,
    )
    try:
        _check_and_reserve(session, context, row, body, named_destination(context.sender, inbound))
    except FspiopError as error:
        row.state = ABORTED
        row.error_code = error.code
        row.error_description = error.description[:128]
        row.completed_at = context.clock.now()
        _insert(session, row)
        context.sender.error(
            session,
            destination=row.payer_fsp,
            resource=RESOURCE,
            path=transfer_path(row),
            error=error,
        )
        return
    row.state = RESERVED
    _insert(session, row)
    context.sender.relay(
        session,
        destination=row.payee_fsp,
        method="POST",
        path="/transfers",
        headers=inbound.relayed_headers,
        body=inbound.body,
    )


# The new row is written with one statement built once, not added to the session: the
# ORM's flush of a single new row cost about twice the insert itself. Nothing in the prepare
# reads the row back from the session.
_INSERT_TRANSFER = insert(cast(Table, TransferRow.__table__))
_TRANSFER_ATTRIBUTES = [
    (column.key, attribute.key)
    for attribute in inspect(TransferRow).column_attrs
    for column in attribute.columns
]


def _insert(session: Session, row: TransferRow) -> None:
    session.connection().execute(
        _INSERT_TRANSFER,
        {column: getattr(row, attribute) for column, attribute in _TRANSFER_ATTRIBUTES},
    )


def _resend(
    session: Session, context: TransferContext, inbound: Inbound, existing: TransferRow
) -> None:
    """A second POST with a known id: the same answer again, or 3106 if it changed."""
    stored = StoredRequest(
        request_id=wire_id(existing),
        content_hash=existing.request_hash,
        outcome=existing.state if existing.state in FINAL else None,
        source=existing.payer_fsp,
    )
    path = transfer_path(existing)
    try:
        decision = decide(
            stored, request_id=wire_id(existing), body=inbound.body, source=inbound.source.id
        )
    except FspiopError as error:
        context.sender.error(
            session, destination=inbound.source.id, resource=RESOURCE, path=path, error=error
        )
        return
    if decision.action is not Action.RESEND:
        return  # still in flight: its callback is on its way
    if existing.state == ABORTED:
        context.sender.error(
            session,
            destination=existing.payer_fsp,
            resource=RESOURCE,
            path=path,
            error=error_of(existing),
        )
    else:
        context.sender.originate(
            session,
            destination=existing.payer_fsp,
            resource=RESOURCE,
            method="PUT",
            path=path,
            document=final_state_document(existing),
        )


def _check_and_reserve(
    session: Session,
    context: TransferContext,
    row: TransferRow,
    body: TransferPost,
    named: str | None,
) -> None:
    participants = participant_cache(session)
    # The payer signed its FSPIOP-Destination with the body: one naming another DFSP than the
    # body's payee leaves in doubt where the money goes, so nothing is reserved or relayed.
    if named is not None and participants.get(session, named) is None:
        raise FspiopError("3201", f"the destination FSP {named} is not a participant")
    if named is not None and named != body.payeeFsp:
        raise FspiopError("3100", f"FSPIOP-Destination {named} is not the payeeFsp {body.payeeFsp}")
    payee = participants.get(session, body.payeeFsp)
    if payee is None or not payee.active:
        raise FspiopError("3203", f"the payee FSP {body.payeeFsp} is not a participant")
    if body.payeeFsp == body.payerFsp:
        raise FspiopError("3100", "a transfer needs two different FSPs")
    try:
        amount = Money.parse(body.amount.amount, body.amount.currency)
    except MoneyError as exc:
        raise FspiopError("3100", str(exc)) from exc
    if amount.is_zero():
        raise FspiopError("3100", "the amount must be more than zero")
    row.amount = amount.minor
    payer_accounts = participants.accounts(session, body.payerFsp, amount.currency)
    if payer_accounts is None:
        raise FspiopError("4103", f"the payer FSP does not hold {amount.currency}")
    payee_accounts = participants.accounts(session, body.payeeFsp, amount.currency)
    if payee_accounts is None:
        raise FspiopError("5106", f"the payee FSP does not hold {amount.currency}")
    now = context.clock.now()
    if row.expiration <= now:
        raise FspiopError("3303", "the transfer expired before it was prepared")
    _read_transaction(session, row, amount, now)
    # The switch's sweep voids the reservation when the FSPIOP expiration passes; the ledger's
    # own timeout is only a backstop, a minute later, should the sweep not run.
    timeout = max(1, math.ceil((row.expiration - now).total_seconds())) + BACKSTOP_SECONDS
    failures = context.store.create_transfers(
        session,
        [
            Transfer(
                id=row.id,
                debit_account_id=payer_accounts.position,
                credit_account_id=payee_accounts.position,
                amount=amount.minor,
                ledger=amount.currency,
                code=int(TransferCode.REFUND if row.refund_of else TransferCode.PAYMENT),
                flags=int(TransferFlags.PENDING),
                timeout=timeout,
                user_data_128=row.refund_of or uuid.UUID(int=0),
            )
        ],
    )
    if failures:
        result = failures[0][1]
        if result in (TransferResult.EXCEEDS_CREDITS, TransferResult.ID_ALREADY_FAILED):
            raise FspiopError("4001", "the payer FSP's position would pass its net debit cap")
        raise FspiopError("2001", f"the ledger refused the transfer: {result.value}")


def _read_transaction(session: Session, row: TransferRow, amount: Money, now: datetime) -> None:
    """Read the transaction from the ILP packet: the quote it was agreed on must still hold,
    and a refund may not pass what is left of the transfer it refunds."""
    try:
        transaction = ilp.decode(row.ilp_packet).transaction()
    except ilp.IlpError as exc:
        raise FspiopError("3100", f"the ILP packet cannot be read: {exc}") from exc
    if transaction is None:
        return
    try:
        row.transaction_id = correlation_uuid(str(transaction.get("transactionId")))
    except ValueError:
        row.transaction_id = None
    _check_quote(session, row, transaction.get("quoteId"), now)
    _link_refund(session, row, amount, transaction)


def _check_quote(session: Session, row: TransferRow, quote_id: object, now: datetime) -> None:
    """API Definition 6.7.1.3: a transfer made on an expired quote is refused (3302). The
    switch knows a quote it passed between the same two DFSPs: its payee's answer says until
    when it holds, and one answered too late, or refused, never held. A quote the switch did
    not see answered (agreed between the DFSPs some other way) is the payee's to judge."""
    try:
        quote = session.get(QuoteRow, correlation_uuid(str(quote_id)))
    except ValueError:
        return
    if quote is None or (quote.payer_fsp, quote.payee_fsp) != (row.payer_fsp, row.payee_fsp):
        return
    if quote.state == "EXPIRED":
        raise FspiopError("3302", "the quote was answered after its request expired")
    if quote.state == "REJECTED":
        raise FspiopError("3100", f"the payee refused the quote {quote_id}")
    valid_until = (quote.response or {}).get("expiration")
    if isinstance(valid_until, str) and parse_time(valid_until) <= now:
        raise FspiopError("3302", f"the quote expired at {valid_until}")


def _link_refund(
    session: Session, row: TransferRow, amount: Money, transaction: dict[str, Any]
) -> None:
    kind = transaction.get("transactionType") or {}
    refund = kind.get("refundInfo") if isinstance(kind, dict) else None
    if not isinstance(refund, dict) or "originalTransactionId" not in refund:
        if isinstance(kind, dict) and kind.get("scenario") == "REFUND":
            # Unlinked, it could give back more than the original paid.
            raise FspiopError(
                "3100",
                "a refund names the transaction it refunds (refundInfo.originalTransactionId)",
            )
        return
    try:
        original_transaction = correlation_uuid(str(refund["originalTransactionId"]))
    except ValueError:
        raise FspiopError("3207", "the transaction to refund was not found") from None
    # Locked (FOR UPDATE on PostgreSQL) before the earlier refunds are summed: two refunds of
    # one original prepared at once would otherwise both read what is left before either
    # counts, and together pass it. The second waits here and then sums the first's too.
    original = session.scalars(
        select(TransferRow)
        .where(
            TransferRow.transaction_id == original_transaction,
            TransferRow.state == COMMITTED,
        )
        .order_by(TransferRow.created_at, TransferRow.id)
        .limit(1)
        .with_for_update()
    ).first()
    if original is None:
        raise FspiopError("3207", "the transaction to refund was not found or not committed")
    if (original.payer_fsp, original.payee_fsp) != (row.payee_fsp, row.payer_fsp):
        raise FspiopError("3100", "a refund goes back from the payee to the payer")
    if original.currency != amount.currency:
        raise FspiopError("3100", "a refund is in the currency of the original")
    refunded = session.scalar(
        select(func.coalesce(func.sum(TransferRow.amount), 0)).where(
            TransferRow.refund_of == original.id,
            TransferRow.state.in_((RESERVED, COMMITTED)),
        )
    )
    left = original.amount - int(refunded or 0)
    if amount.minor > left:
        raise FspiopError(
            "3100",
            f"the refund of {amount.to_fixed()} passes the "
            f"{Money(left, amount.currency).to_fixed()} left of the original transfer",
        )
    row.refund_of = original.id
