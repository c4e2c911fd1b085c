"""Refunds of one payment racing for what is left of it never give back more than it paid.

A payment of 50.00 is committed; twenty refunds of 10.00 of it are then prepared at the same
instant, each in its own thread and transaction as the switch's worker threads run them.
Exactly five fit; the other fifteen are refused (3100) and reserve nothing, on SQLite (one
writer at a time) and on PostgreSQL, where the original payment's row is locked before the
earlier refunds are summed.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from comptoir.kernel.clock import FrozenClock, utc_iso
from comptoir.kernel.db import Database
from comptoir.kernel.fspiop import (
    build_headers,
    generate_rsa_jwk,
    ilp,
    import_rsa_jwk,
    json_body,
    sign_headers,
)
from comptoir.kernel.ids import new_id
from comptoir.kernel.money import Money
from comptoir.payments.domain import nanosecond_clock
from comptoir.payments.models import TransferRow
from comptoir.payments.services import participants, transfers
from comptoir.payments.services.ledger_store import LedgerStore
from comptoir.payments.services.transfers import TransferContext
from comptoir.payments.switch.intake import Arrival, receive
from comptoir.payments.switch.outbound import Sender
from tests.payments.test_switch_concurrency import (
    CURRENCY,
    assert_the_ledger_balances,
    connect,
    race,
)

PAID = 5_000  # 50.00
REFUNDS = 20
REFUND = 1_000  # 10.00
FIT = PAID // REFUND


class Dfsp:
    def __init__(self, fsp_id: str) -> None:
        private, self.jwks = generate_rsa_jwk(kid=f"{fsp_id}-1")
        self.fsp_id = fsp_id
        self.key = import_rsa_jwk(private)

    def arrival(
        self, clock: FrozenClock, method: str, path: str, document: dict[str, Any], to: str
    ) -> Arrival:
        body = json_body(document)
        headers = build_headers(
            resource="transfers",
            method=method,
            uri=path,
            source=self.fsp_id,
            destination=to,
            clock=clock,
        )
        signed = sign_headers(headers, body=body, private_key=self.key)
        return Arrival(
            method=method,
            path="/switch" + path,
            query="",
            headers=[(name.lower(), value) for name, value in signed.items()],
            body=body,
        )


def transfer_with_fulfilment(
    clock: FrozenClock, payer: str, payee: str, minor: int, transaction: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    fulfilment, condition = ilp.new_fulfilment()
    expiration = clock.now() + timedelta(seconds=60)
    return {
        "transferId": str(new_id()),
        "payerFsp": payer,
        "payeeFsp": payee,
        "amount": {"currency": CURRENCY, "amount": Money(minor, CURRENCY).to_wire()},
        "ilpPacket": ilp.transaction_packet(
            transaction,
            amount=0,
            destination=f"g.{payee}",
            condition=condition,
            expires_at=expiration,
        ),
        "condition": condition,
        "expiration": utc_iso(expiration),
    }, fulfilment


def commit_payment(
    database: Database, context: TransferContext, payer: Dfsp, payee: Dfsp, minor: int
) -> tuple[str, dict[str, Any]]:
    """A payment prepared by `payer`'s DFSP and fulfilled by `payee`'s, committed; its
    transaction id and its body."""
    clock = context.clock
    assert isinstance(clock, FrozenClock)
    transaction_id = str(new_id())
    payment, fulfilment = transfer_with_fulfilment(
        clock, payer.fsp_id, payee.fsp_id, minor, {"transactionId": transaction_id}
    )
    with database.transaction() as session:
        inbound = receive(
            payer.arrival(clock, "POST", "/transfers", payment, payee.fsp_id),
            session,
            resource="transfers",
        )
        transfers.prepare(session, context, inbound)
    committed = {
        "fulfilment": fulfilment,
        "completedTimestamp": utc_iso(clock.now()),
        "transferState": "COMMITTED",
    }
    path = f"/transfers/{payment['transferId']}"
    with database.transaction() as session:
        inbound = receive(
            payee.arrival(clock, "PUT", path, committed, payer.fsp_id),
            session,
            resource="transfers",
        )
        transfers.fulfil(session, context, inbound, uuid.UUID(payment["transferId"]))
    with database.transaction() as session:
        original = session.get(TransferRow, uuid.UUID(payment["transferId"]))
        assert original is not None and original.state == "COMMITTED"
    return transaction_id, payment


def switch_of(database: Database) -> tuple[LedgerStore, TransferContext, Dfsp, Dfsp]:
    """A switch's context with bank-a and wallet-b joined (cap and liquidity 100.00 each)."""
    clock = FrozenClock()
    store = LedgerStore(nanosecond_clock(clock))
    switch_private, _ = generate_rsa_jwk(kid="comptoir-switch-1")
    sender = Sender(switch_id="comptoir-switch", key=import_rsa_jwk(switch_private), clock=clock)
    context = TransferContext(store=store, sender=sender, clock=clock)
    shopper, shop = Dfsp("bank-a"), Dfsp("wallet-b")
    connect(
        database,
        store,
        clock,
        [
            (shopper.fsp_id, "http://127.0.0.1:9/bank-a", shopper.jwks),
            (shop.fsp_id, "http://127.0.0.1:9/wallet-b", shop.jwks),
        ],
    )
    return store, context, shopper, shop


def test_twenty_refunds_of_one_payment_at_once_give_back_exactly_what_it_paid(
    database: Database,
) -> None:
    store, context, shopper, shop = switch_of(database)
    clock = context.clock
    assert isinstance(clock, FrozenClock)
    paid_transaction, _ = commit_payment(database, context, shopper, shop, PAID)

    refund_of = {
        "scenario": "REFUND",
        "initiator": "PAYER",
        "initiatorType": "BUSINESS",
        "refundInfo": {"originalTransactionId": paid_transaction},
    }
    # Signed before the start, so that the threads race for the refund's limit alone.
    arrivals = []
    refund_ids = []
    for _ in range(REFUNDS):
        document, _ = transfer_with_fulfilment(
            clock,
            shop.fsp_id,
            shopper.fsp_id,
            REFUND,
            {"transactionId": str(new_id()), "transactionType": refund_of},
        )
        refund_ids.append(uuid.UUID(document["transferId"]))
        arrivals.append(shop.arrival(clock, "POST", "/transfers", document, shopper.fsp_id))

    def prepare(index: int) -> None:
        with database.transaction() as session:
            inbound = receive(arrivals[index], session, resource="transfers")
            transfers.prepare(session, context, inbound)

    assert race(REFUNDS, prepare) == []

    with database.transaction() as session:
        rows = session.scalars(select(TransferRow).where(TransferRow.id.in_(refund_ids))).all()
        outcomes = sorted((row.state, row.error_code) for row in rows)
        shop_position = participants.position(
            session, store=store, participant_id=shop.fsp_id, currency=CURRENCY
        )
        assert_the_ledger_balances(session)
    assert outcomes == sorted(
        [("RESERVED", None)] * FIT + [("ABORTED", "3100")] * (REFUNDS - FIT)
    ), outcomes
    assert shop_position.reserved == FIT * REFUND
