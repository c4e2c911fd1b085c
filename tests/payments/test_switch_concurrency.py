"""Many prepares racing for the last of a payer's headroom never overspend it.

The payer's net debit cap is 100.00; fifty prepares of 10.00 start at the same instant, so
exactly ten fit and the other forty must be refused with 4001, on SQLite (one writer at a
time) and on PostgreSQL (row locks on the accounts). The race is run twice: through the
service layer from threads that each hold their own session and transaction, as the switch's
worker threads do; and through the real FSPIOP API of a `comptoir serve` process, with the
DFSPs as HTTP servers hearing the outcome. While the race runs, a watcher keeps reading the
payer's position: it never passes the cap, not even for a moment.
"""

from __future__ import annotations

import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.kernel.clock import Clock, FrozenClock, system_clock, utc_iso
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
from comptoir.kernel.outbox import OutboxEventRecord
from comptoir.payments.domain import (
    Account,
    Transfer,
    check_balances,
    ledger_totals,
    nanosecond_clock,
)
from comptoir.payments.models import LedgerAccountRow, LedgerTransferRow, TransferRow
from comptoir.payments.services import participants, registration, transfers
from comptoir.payments.services.ledger_store import LedgerStore
from comptoir.payments.services.transfers import TransferContext
from comptoir.payments.switch import outbound
from comptoir.payments.switch.intake import Arrival, receive
from comptoir.payments.switch.outbound import Sender
from tests.payments.fspiop_peer import Callback, Peer
from tests.support.servers import comptoir_server

CURRENCY = "XCD"
CAP = 10_000  # 100.00
RACERS = 50
AMOUNT = 1_000  # 10.00
FITS = CAP // AMOUNT


# -- what both races check --------------------------------------------------------------------


class Watcher:
    """Reads the payer's position over and over, in its own sessions, while the race runs."""

    def __init__(self, database: Database, payer: str) -> None:
        self.database = database
        self.payer = payer
        self.store = LedgerStore(nanosecond_clock(system_clock))
        self.readings = 0
        self.worst = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.is_set():
            with self.database.transaction() as session:
                seen = participants.position(
                    session, store=self.store, participant_id=self.payer, currency=CURRENCY
                )
            self.worst = max(self.worst, seen.position + seen.reserved)
            self.readings += 1
            time.sleep(0.002)  # on SQLite a reader queues with the writers: leave them room

    def __enter__(self) -> Watcher:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(30)


def race(count: int, attempt: Callable[[int], None]) -> list[BaseException]:
    """Run `attempt(i)` for every i in its own thread, all released at the same instant."""
    start = threading.Barrier(count)
    failures: list[BaseException] = []

    def run(index: int) -> None:
        start.wait()
        try:
            attempt(index)
        except BaseException as exc:  # reported by the test, not lost in the thread
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return failures


def assert_exactly_the_cap_was_reserved(database: Database, payer: str, ids: list[str]) -> None:
    """Ten reserved, forty refused with 4001, the cap used to the cent, the ledger sound."""
    store = LedgerStore(nanosecond_clock(system_clock))
    with database.transaction() as session:
        rows = session.scalars(
            select(TransferRow).where(TransferRow.id.in_([uuid.UUID(i) for i in ids]))
        ).all()
        outcomes = sorted((row.state, row.error_code) for row in rows)
        position = participants.position(
            session, store=store, participant_id=payer, currency=CURRENCY
        )
        assert_the_ledger_balances(session)
    assert len(rows) == RACERS
    assert outcomes == sorted(
        [("RESERVED", None)] * FITS + [("ABORTED", "4001")] * (RACERS - FITS)
    ), outcomes
    assert (position.position, position.reserved) == (0, FITS * AMOUNT)
    assert position.position + position.reserved <= position.net_debit_cap


def assert_the_ledger_balances(session: Session) -> None:
    account_columns = [LedgerAccountRow.__table__.c[name] for name in Account._fields]
    accounts = [Account(*row) for row in session.execute(select(*account_columns))]
    table = LedgerTransferRow.__table__
    log = [
        Transfer(*row)._replace(pending_id=row.pending_id or uuid.UUID(int=0))
        for row in session.execute(
            select(*[table.c[name] for name in Transfer._fields]).order_by(table.c.timestamp)
        )
    ]
    assert all(total == (0, 0) for total in ledger_totals(accounts).values())
    assert check_balances(accounts, log) == []


def connect(
    database: Database, store: LedgerStore, clock: Clock, dfsps: list[tuple[str, str, Any]]
) -> None:
    """Register DFSPs as the operator's `switch participant add` and `liquidity` do."""
    with database.transaction() as session:
        for fsp_id, callback_url, jwks in dfsps:
            registration.add_participant(
                session,
                store=store,
                clock=clock,
                participant_id=fsp_id,
                name=fsp_id.title(),
                currency=CURRENCY,
                callback_url=callback_url,
                jwks=jwks,
                net_debit_cap=Money(CAP, CURRENCY),
                actor="test",
            )
            participants.deposit_liquidity(
                session,
                store=store,
                participant_id=fsp_id,
                amount=Money(CAP, CURRENCY),
                actor="test",
            )


def transfer_document(
    payer: str, payee: str, amount: int, *, clock: Clock = system_clock
) -> dict[str, Any]:
    _fulfilment, condition = ilp.new_fulfilment()
    expiration = clock.now() + timedelta(seconds=60)
    return {
        "transferId": str(new_id()),
        "payerFsp": payer,
        "payeeFsp": payee,
        "amount": {"currency": CURRENCY, "amount": f"{amount // 100}"},
        "ilpPacket": ilp.transaction_packet(
            {"transactionId": str(new_id())},
            amount=0,
            destination=f"g.{payee}",
            condition=condition,
            expires_at=expiration,
        ),
        "condition": condition,
        "expiration": utc_iso(expiration),
    }


# -- through the service layer, from threads ----------------------------------------------------


def test_fifty_parallel_prepares_in_the_switchs_threads_reserve_exactly_up_to_the_cap(
    database: Database,
) -> None:
    clock = FrozenClock()
    store = LedgerStore(nanosecond_clock(clock))
    switch_private, _ = generate_rsa_jwk(kid="comptoir-switch-1")
    sender = Sender(switch_id="comptoir-switch", key=import_rsa_jwk(switch_private), clock=clock)
    context = TransferContext(store=store, sender=sender, clock=clock)
    payer_private, payer_jwks = generate_rsa_jwk(kid="bank-a-1")
    payer_key = import_rsa_jwk(payer_private)
    _, payee_jwks = generate_rsa_jwk(kid="wallet-b-1")
    connect(
        database,
        store,
        clock,
        [
            ("bank-a", "http://127.0.0.1:9/bank-a", payer_jwks),
            ("wallet-b", "http://127.0.0.1:9/wallet-b", payee_jwks),
        ],
    )

    # Signed before the start, so that the threads race for the ledger and nothing else.
    documents = [
        transfer_document("bank-a", "wallet-b", AMOUNT, clock=clock) for _ in range(RACERS)
    ]
    arrivals = []
    for document in documents:
        body = json_body(document)
        headers = build_headers(
            resource="transfers",
            method="POST",
            uri="/transfers",
            source="bank-a",
            destination="wallet-b",
            clock=clock,
        )
        signed = sign_headers(headers, body=body, private_key=payer_key)
        arrivals.append(
            Arrival(
                method="POST",
                path="/switch/transfers",
                query="",
                headers=[(name.lower(), value) for name, value in signed.items()],
                body=body,
            )
        )

    def prepare(index: int) -> None:
        # What the route does in its worker thread: one transaction per request.
        with database.transaction() as session:
            inbound = receive(arrivals[index], session, resource="transfers")
            transfers.prepare(session, context, inbound)

    with Watcher(database, "bank-a") as watcher:
        failures = race(RACERS, prepare)
    assert failures == []
    assert watcher.readings > 0
    assert watcher.worst <= CAP, f"the position reached {watcher.worst} against a cap of {CAP}"
    ids = [document["transferId"] for document in documents]
    assert_exactly_the_cap_was_reserved(database, "bank-a", ids)

    # Each prepare announced its outcome once: forwarded to the payee, or refused to the payer.
    with database.transaction() as session:
        messages = [
            event.payload
            for event in session.scalars(
                select(OutboxEventRecord).where(OutboxEventRecord.topic == outbound.TOPIC)
            )
        ]
    forwarded = [m for m in messages if (m["method"], m["destination"]) == ("POST", "wallet-b")]
    refused = [m for m in messages if m["destination"] == "bank-a"]
    assert len(forwarded) == FITS
    assert len(refused) == RACERS - FITS
    assert all('"errorCode":"4001"' in m["body"] for m in refused)


# -- through the FSPIOP API of a running switch -----------------------------------------------


@pytest.fixture
def node(database: Database, database_url: str, tmp_path: Path) -> Iterator[str]:
    """A `comptoir serve` process on the test's database (the fixture migrated it)."""
    env = {"COMPTOIR_DATABASE_URL": database_url, "COMPTOIR_OUTBOX_POLL_SECONDS": "0.05"}
    with comptoir_server(tmp_path / "node", extra_env=env) as server:
        yield server.url


def callbacks(peer: Peer, count: int, timeout: float = 30.0) -> list[Callback]:
    """The next `count` callbacks the peer receives (fewer if they do not come in time)."""
    received: list[Callback] = []
    deadline = time.monotonic() + timeout
    while len(received) < count and time.monotonic() < deadline:
        try:
            received.append(peer.received.get(timeout=max(0.01, deadline - time.monotonic())))
        except queue.Empty:
            break
    return received


@pytest.mark.slow
def test_fifty_parallel_prepares_over_http_reserve_exactly_up_to_the_cap(
    database: Database, node: str
) -> None:
    payer = Peer("bank-a", node + "/switch")
    payee = Peer("wallet-b", node + "/switch")
    with payer.serving(), payee.serving():
        connect(
            database,
            LedgerStore(nanosecond_clock(system_clock)),
            system_clock,
            [
                (payer.fsp_id, payer.callback_url, payer.public_jwks),
                (payee.fsp_id, payee.callback_url, payee.public_jwks),
            ],
        )
        documents = [payer.prepare(payee, f"{AMOUNT // 100}")[0] for _ in range(RACERS)]
        statuses: dict[int, int] = {}

        def post(index: int) -> None:
            answer = payer.send(
                "POST",
                "/transfers",
                resource="transfers",
                document=documents[index],
                destination=payee.fsp_id,
            )
            statuses[index] = answer.status_code

        with Watcher(database, payer.fsp_id) as watcher:
            failures = race(RACERS, post)
            assert failures == []
            assert sorted(set(statuses.values())) == [202], statuses
            forwarded = callbacks(payee, FITS)
            refused = callbacks(payer, RACERS - FITS)
        assert watcher.worst <= CAP, f"the position reached {watcher.worst} against {CAP}"

        assert sorted((c.method, c.path) for c in forwarded) == sorted(
            ("POST", "/transfers") for _ in range(FITS)
        )
        assert all(c.path.endswith("/error") for c in refused), [c.path for c in refused]
        assert {c.json()["errorInformation"]["errorCode"] for c in refused} == {"4001"}
        # Nothing more arrives: no prepare was both forwarded and refused.
        assert callbacks(payee, 1, timeout=1.0) == []
        assert callbacks(payer, 1, timeout=0.1) == []
        heard = {c.json()["transferId"] for c in forwarded} | {
            c.path.split("/")[2] for c in refused
        }
        ids = [document["transferId"] for document in documents]
        assert heard == set(ids), "every prepare was either forwarded or refused"
        assert_exactly_the_cap_was_reserved(database, payer.fsp_id, ids)
