"""Any sequence of switch operations keeps the money right, on SQLite and PostgreSQL.

Hypothesis draws lists of operations and runs them through the switch's use cases in-process,
against the real database: FSPIOP prepares (some past the payer's net debit cap), fulfilments
(right and wrong), payee rejections and error callbacks, resends (the same prepare, a changed
one, a fulfilment again), a clock that moves past expirations with the expiry sweep, refunds
(within and beyond what is left of the original), net debit cap changes, liquidity deposits,
and settlement windows closed and settled. (A list of operations rather than a rule-based
state machine: with the few examples a database allows, the machine's swarm testing left most
runs without a single payment.) Every request comes in the honest way: an `Arrival` whose
FSPIOP headers the DFSP's own RSA key signed, checked by `intake.receive` against the JWKS the
DFSP registered with `registration.add_participant`.

A small model predicts what the switch must do (reserve or refuse with 4001, commit or abort,
refuse a refund past what is left with 3100), and after every step the test checks, from the
stored rows alone:

1. per currency, the debits and credits of all ledger accounts sum to zero, pending and posted;
2. every account's stored balances are what the ledger's transfer log adds up to;
3. no participant's position plus reservations passes its net debit cap, and each one's
   position, reservations and liquidity are what the model says;
4. each FSPIOP transfer matches its ledger entries: RESERVED is a pending transfer still
   pending, COMMITTED one posted by exactly one resolver, ABORTED none or one voided;
5. the refunds of a transfer never pass its amount;
6. the payer never hears COMMITTED for a transfer that ended ABORTED, or the reverse.

Closing a window checks its report against the committed transfers the model put in it, and
that the net positions sum to zero; settling it gives each participant its position back and
moves the nets between liquidity accounts. The ledger refuses a settlement (and the window stays
CLOSED, nothing moved) exactly when a participant owed money holds reservations that would then
pass its cap, having made them against what it was owed: the model predicts that case too. At
the end the clock passes every expiration: nothing may stay reserved.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from comptoir.kernel.clock import FrozenClock, utc_iso
from comptoir.kernel.db import Database
from comptoir.kernel.errors import Problem
from comptoir.kernel.fspiop import (
    RsaJwk,
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
    ZERO_ID,
    Account,
    AccountBalance,
    Transfer,
    TransferFlags,
    check_balances,
    ledger_totals,
    nanosecond_clock,
    rebuild_balances,
)
from comptoir.payments.models import (
    LedgerAccountRow,
    LedgerTransferRow,
    ParticipantCurrencyRow,
    TransferRow,
)
from comptoir.payments.services import participants, registration, settlement, transfers
from comptoir.payments.services.ledger_store import LedgerStore
from comptoir.payments.services.transfers import TransferContext
from comptoir.payments.switch import outbound
from comptoir.payments.switch.intake import Arrival, Inbound, receive
from comptoir.payments.switch.outbound import Sender

CURRENCY = "XCD"
SWITCH_ID = "comptoir-switch"
DFSPS = 3
NANOSECONDS = 1_000_000_000
START = datetime(2026, 1, 1, tzinfo=UTC)

# RSA keys are slow to make: one for the switch and one per DFSP, shared by every example.
_SWITCH_PRIVATE, _ = generate_rsa_jwk(kid=f"{SWITCH_ID}-1")
SWITCH_KEY = import_rsa_jwk(_SWITCH_PRIVATE)
DFSP_KEYS: list[tuple[RsaJwk, dict[str, Any]]] = []
for _index in range(DFSPS):
    _private, _public = generate_rsa_jwk(kid=f"dfsp{_index}-1")
    DFSP_KEYS.append((import_rsa_jwk(_private), _public))

# Minor units. The caps start at 100.00 or 300.00 and move between 0 and 500.00: most
# prepares fit, some pass the cap.
amounts = st.sampled_from([1, 250, 1_000, 2_500, 4_550, 9_999, 10_000, 35_000])
caps = st.sampled_from([0, 5_000, 10_000, 30_000, 50_000])
answers = st.sampled_from(
    ["fulfils"] * 4 + ["sends a wrong fulfilment", "rejects", "answers an error"]
)
resends = st.sampled_from(
    [
        "the payer resends the same prepare",
        "the payer resends a changed prepare",
        "the payee resends its fulfilment",
    ]
)
waits = st.sampled_from([1, 5, 29, 30, 31, 60])
lifetimes = st.sampled_from([5, 30, 60])
dfsp = st.integers(0, DFSPS - 1)
pick = st.integers(0, 2**16)


def wire_amount(minor: int) -> str:
    """FSPIOP's Amount: no trailing zeros ("12.5", "10", "0.25")."""
    units, cents = divmod(minor, 100)
    return f"{units}.{cents:02d}".rstrip("0").rstrip(".") if cents else str(units)


@dataclass
class Expected:
    """What the model knows of one FSPIOP transfer."""

    id: uuid.UUID
    payer: int
    payee: int
    amount: int
    expiration: datetime
    document: dict[str, Any]
    fulfilment: str
    transaction_id: uuid.UUID
    state: str
    refund_of: uuid.UUID | None = None
    error_code: str | None = None


@dataclass
class Window:
    """A window as the model sees it: the transfers of this example committed in it."""

    committed: list[Expected] = field(default_factory=list)
    closed_id: uuid.UUID | None = None
    settled: bool = False


def ledger_start(database: Database) -> datetime:
    """After anything earlier examples stored, so every example's clock moves forward."""
    with database.transaction() as session:
        newest = session.scalar(select(func.max(LedgerTransferRow.timestamp))) or 0
    newest_time = datetime.fromtimestamp(newest // NANOSECONDS, tz=UTC)
    return max(START, newest_time) + timedelta(hours=2)


def read_accounts(session: Session) -> list[Account]:
    # Plain rows rather than ORM objects: the checks read many of them at every step.
    columns = [LedgerAccountRow.__table__.c[name] for name in Account._fields]
    return [Account(*row) for row in session.execute(select(*columns))]


def read_log(session: Session, where: Any = None) -> list[Transfer]:
    """The ledger's transfers in timestamp order (those `where` selects, or all)."""
    table = LedgerTransferRow.__table__
    query = select(*[table.c[name] for name in Transfer._fields]).order_by(table.c.timestamp)
    if where is not None:
        query = query.where(where)
    return [
        Transfer(*row)._replace(pending_id=row.pending_id or ZERO_ID)
        for row in session.execute(query)
    ]


class Switch:
    """The switch's use cases on the real database, and a model of what they must do."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.clock = FrozenClock(ledger_start(database))
        self.store = LedgerStore(nanosecond_clock(self.clock))
        self.sender = Sender(switch_id=SWITCH_ID, key=SWITCH_KEY, clock=self.clock)
        self.context = TransferContext(store=self.store, sender=self.sender, clock=self.clock)
        tag = uuid.uuid4().hex[:8]
        self.ids = [f"dfsp{index}-{tag}" for index in range(DFSPS)]
        self.cap = [0] * DFSPS
        self.position = [0] * DFSPS
        self.reserved = [0] * DFSPS
        self.liquidity = [0] * DFSPS
        self.transfers: dict[uuid.UUID, Expected] = {}
        self.account_ids: set[uuid.UUID] = set()
        self.windows = [Window()]
        # The final states the payers were told of, read from the outbox as the steps go.
        self.told: dict[uuid.UUID, set[str]] = defaultdict(set)
        self.outbox_seen: uuid.UUID | None = None

    # -- helpers --------------------------------------------------------------------------

    def request(
        self,
        session: Session,
        index: int,
        method: str,
        path: str,
        document: dict[str, Any],
        *,
        destination: str | None,
    ) -> Inbound:
        """A request from DFSP `index` as it would come off the wire, checked by the intake."""
        body = json_body(document)
        headers = build_headers(
            resource="transfers",
            method=method,
            uri=path,
            source=self.ids[index],
            destination=destination,
            clock=self.clock,
        )
        signed = sign_headers(headers, body=body, private_key=DFSP_KEYS[index][0])
        arrival = Arrival(
            method=method,
            path="/switch" + path,
            query="",
            headers=[(name.lower(), value) for name, value in signed.items()],
            body=body,
        )
        return receive(arrival, session, resource="transfers")

    def headroom(self, index: int) -> int:
        return self.cap[index] - self.position[index] - self.reserved[index]

    def new_transfer(
        self,
        payer: int,
        payee: int,
        amount: int,
        lifetime: int,
        refund_of: Expected | None = None,
    ) -> Expected:
        fulfilment, condition = ilp.new_fulfilment()
        expiration = self.clock.now() + timedelta(seconds=lifetime)
        transaction_id = new_id()
        transaction: dict[str, Any] = {"transactionId": str(transaction_id)}
        if refund_of is not None:
            transaction["transactionType"] = {
                "scenario": "REFUND",
                "initiator": "PAYER",
                "initiatorType": "BUSINESS",
                "refundInfo": {"originalTransactionId": str(refund_of.transaction_id)},
            }
        transfer_id = new_id()
        document = {
            "transferId": str(transfer_id),
            "payerFsp": self.ids[payer],
            "payeeFsp": self.ids[payee],
            "amount": {"currency": CURRENCY, "amount": wire_amount(amount)},
            "ilpPacket": ilp.transaction_packet(
                transaction,
                amount=0,
                destination=f"g.{self.ids[payee]}",
                condition=condition,
                expires_at=expiration,
            ),
            "condition": condition,
            "expiration": utc_iso(expiration),
        }
        return Expected(
            id=transfer_id,
            payer=payer,
            payee=payee,
            amount=amount,
            expiration=expiration,
            document=document,
            fulfilment=fulfilment,
            transaction_id=transaction_id,
            state="",
            refund_of=None if refund_of is None else refund_of.id,
        )

    def prepare(self, transfer: Expected) -> None:
        with self.database.transaction() as session:
            inbound = self.request(
                session,
                transfer.payer,
                "POST",
                "/transfers",
                transfer.document,
                destination=self.ids[transfer.payee],
            )
            transfers.prepare(session, self.context, inbound)
        self.transfers[transfer.id] = transfer

    def stored(self, transfer: Expected) -> TransferRow:
        with self.database.transaction() as session:
            row = session.get(TransferRow, transfer.id)
        assert row is not None, f"transfer {transfer.id} was not stored"
        return row

    def release(self, transfer: Expected, state: str, code: str | None = None) -> None:
        """The model's side of a reservation ending: committed (moves the position) or not."""
        self.reserved[transfer.payer] -= transfer.amount
        transfer.state = state
        transfer.error_code = code
        if state == "COMMITTED":
            self.position[transfer.payer] += transfer.amount
            self.position[transfer.payee] -= transfer.amount
            self.windows[-1].committed.append(transfer)

    def in_state(self, state: str) -> list[Expected]:
        return [transfer for transfer in self.transfers.values() if transfer.state == state]

    def refunded(self, original: Expected) -> int:
        return sum(
            transfer.amount
            for transfer in self.transfers.values()
            if transfer.refund_of == original.id and transfer.state in ("RESERVED", "COMMITTED")
        )

    def ledger_snapshot(self) -> tuple[set[tuple[Any, ...]], int]:
        """Every account's balances and the length of the log: what money moving changes."""
        with self.database.transaction() as session:
            balances = session.execute(
                select(
                    LedgerAccountRow.id,
                    LedgerAccountRow.debits_pending,
                    LedgerAccountRow.debits_posted,
                    LedgerAccountRow.credits_pending,
                    LedgerAccountRow.credits_posted,
                )
            ).all()
            count = session.scalar(select(func.count()).select_from(LedgerTransferRow)) or 0
        return {tuple(row) for row in balances}, count

    # -- setting up -----------------------------------------------------------------------

    def connect_the_dfsps(self, caps: list[int]) -> None:
        with self.database.transaction() as session:
            for index, cap in enumerate(caps):
                registration.add_participant(
                    session,
                    store=self.store,
                    clock=self.clock,
                    participant_id=self.ids[index],
                    name=f"DFSP {index}",
                    currency=CURRENCY,
                    callback_url=f"http://127.0.0.1:9/{self.ids[index]}",
                    jwks=DFSP_KEYS[index][1],
                    net_debit_cap=Money(cap, CURRENCY),
                    actor="test",
                )
                self.cap[index] = cap
                row = participants.participant_currency(session, self.ids[index], CURRENCY)
                self.account_ids |= {
                    row.position_account_id,
                    row.liquidity_account_id,
                    row.ndc_account_id,
                }
            # Earlier examples' commits stay in the window they were in, so that this
            # example's windows hold this example's transfers and nothing else.
            settlement.close_window(session, clock=self.clock, actor="test")

    # -- transfers ------------------------------------------------------------------------

    def prepare_a_transfer(self, payer: int, payee: int, amount: int, lifetime: int) -> None:
        transfer = self.new_transfer(payer, payee, amount, lifetime)
        fits = amount <= self.headroom(payer)
        self.prepare(transfer)
        row = self.stored(transfer)
        if fits:
            assert row.state == "RESERVED", (row.state, row.error_code, row.error_description)
            transfer.state = "RESERVED"
            self.reserved[payer] += amount
        else:
            assert (row.state, row.error_code) == ("ABORTED", "4001")
            transfer.state, transfer.error_code = "ABORTED", "4001"

    def refund_part_of_a_committed_transfer(self, which: int, part: int, lifetime: int) -> None:
        committed = self.in_state("COMMITTED")
        if not committed:
            return
        original = committed[which % len(committed)]
        left = original.amount - self.refunded(original)
        # A quarter, half or all of what is left, or one cent more than is left.
        amount = {1: left // 4, 2: left // 2, 3: left, 4: left + 1}[part] or 1
        refund = self.new_transfer(
            original.payee, original.payer, amount, lifetime, refund_of=original
        )
        self.prepare(refund)
        row = self.stored(refund)
        if amount > left:
            assert (row.state, row.error_code) == ("ABORTED", "3100"), row.error_description
            refund.state, refund.error_code = "ABORTED", "3100"
        elif amount > self.headroom(refund.payer):
            assert (row.state, row.error_code) == ("ABORTED", "4001")
            refund.state, refund.error_code = "ABORTED", "4001"
        else:
            assert row.state == "RESERVED", (row.state, row.error_code, row.error_description)
            assert row.refund_of == original.id
            refund.state = "RESERVED"
            self.reserved[refund.payer] += amount

    def answer(self, transfer: Expected, document: dict[str, Any], *, error: bool = False) -> None:
        path = f"/transfers/{transfer.id}" + ("/error" if error else "")
        with self.database.transaction() as session:
            inbound = self.request(
                session,
                transfer.payee,
                "PUT",
                path,
                document,
                destination=self.ids[transfer.payer],
            )
            if error:
                transfers.payee_error(session, self.context, inbound, transfer.id)
            else:
                transfers.fulfil(session, self.context, inbound, transfer.id)

    def the_payee_answers(self, which: int, how: str) -> None:
        reserved = self.in_state("RESERVED")
        if not reserved:
            return
        transfer = reserved[which % len(reserved)]
        if how == "fulfils":
            self.the_payee_fulfils(transfer)
            return
        if how == "sends a wrong fulfilment":
            wrong, _ = ilp.new_fulfilment()
            self.answer(transfer, {"fulfilment": wrong, "transferState": "COMMITTED"})
            code = "3100"
        elif how == "rejects":
            self.answer(transfer, {"transferState": "ABORTED"})
            code = "5104"
        else:
            error = {"errorInformation": {"errorCode": "5100", "errorDescription": "Payee error"}}
            self.answer(transfer, error, error=True)
            code = "5100"
        row = self.stored(transfer)
        assert (row.state, row.error_code) == ("ABORTED", code), row.error_description
        self.release(transfer, "ABORTED", code)

    def the_payee_fulfils(self, transfer: Expected) -> None:
        self.answer(
            transfer,
            {
                "fulfilment": transfer.fulfilment,
                "completedTimestamp": utc_iso(self.clock.now()),
                "transferState": "COMMITTED",
            },
        )
        row = self.stored(transfer)
        # The sweep has aborted everything already past its expiration, so this is before it
        # or exactly at it, where either answer is fair as long as it is a clean one.
        if self.clock.now() < transfer.expiration:
            assert row.state == "COMMITTED", (row.state, row.error_code, row.error_description)
        else:
            assert row.state == "COMMITTED" or (row.state, row.error_code) == ("ABORTED", "3303")
        self.release(transfer, row.state, row.error_code)

    def a_dfsp_resends(self, which: int, what: str) -> None:
        """FSPIOP resends: the same request gets the same answer, never a second effect."""
        known = list(self.transfers.values())
        if not known:
            return
        transfer = known[which % len(known)]
        before_books = self.ledger_snapshot()
        before = self.stored(transfer)
        if what == "the payee resends its fulfilment":
            if transfer.state != "COMMITTED":
                return
            self.answer(transfer, {"fulfilment": transfer.fulfilment, "transferState": "COMMITTED"})
        else:
            document = transfer.document
            if what == "the payer resends a changed prepare":
                other = wire_amount(transfer.amount + 1)
                document = {**document, "amount": {"currency": CURRENCY, "amount": other}}
            with self.database.transaction() as session:
                inbound = self.request(
                    session,
                    transfer.payer,
                    "POST",
                    "/transfers",
                    document,
                    destination=self.ids[transfer.payee],
                )
                transfers.prepare(session, self.context, inbound)
        after = self.stored(transfer)
        assert (after.state, after.amount, after.error_code) == (
            before.state,
            before.amount,
            before.error_code,
        ), "a resend changed the transfer"
        assert self.ledger_snapshot() == before_books, "a resend moved money"
        messages = self.new_messages()
        to_payer = [m for m in messages if m["destination"] == self.ids[transfer.payer]]
        if what == "the payer resends a changed prepare":
            assert [self.error_code(m) for m in to_payer] == ["3106"]
        elif what == "the payer resends the same prepare" and transfer.state != "RESERVED":
            assert len(to_payer) == 1, "a resend of a finished prepare gets its answer again"
        else:
            assert to_payer == [], "a resend of a prepare in flight is answered by its callback"
        self.record(messages)

    # -- time -----------------------------------------------------------------------------

    def time_passes_and_the_sweep_runs(self, seconds: int) -> None:
        """The clock moves and the expiry sweep runs, as the node's scheduler does."""
        self.clock.advance(timedelta(seconds=seconds))
        now = self.clock.now()
        with self.database.transaction() as session:
            while transfers.expire_due(session, self.context):
                pass
        for transfer in self.in_state("RESERVED"):
            if transfer.expiration < now:
                row = self.stored(transfer)
                assert (row.state, row.error_code) == ("ABORTED", "3303")
                self.release(transfer, "ABORTED", "3303")
            else:
                assert self.stored(transfer).state == "RESERVED"

    def finish(self) -> None:
        """At the end, whatever is still in flight expires (nothing may stay reserved), and
        the whole ledger, every example's, is checked."""
        if self.in_state("RESERVED"):
            self.time_passes_and_the_sweep_runs(3_600)
            self.the_books_hold()
            assert self.reserved == [0] * DFSPS, f"reserved after every expiry: {self.reserved}"
        self.the_whole_ledger_holds()

    # -- the operator ---------------------------------------------------------------------

    def the_operator_changes_a_cap_or_records_a_deposit(
        self, index: int, what: str, amount: int
    ) -> None:
        if what == "deposit":
            with self.database.transaction() as session:
                participants.deposit_liquidity(
                    session,
                    store=self.store,
                    participant_id=self.ids[index],
                    amount=Money(amount or 1, CURRENCY),
                    actor="test",
                )
            self.liquidity[index] += amount or 1
            return
        used = self.position[index] + self.reserved[index]
        try:
            with self.database.transaction() as session:
                participants.set_net_debit_cap(
                    session,
                    store=self.store,
                    participant_id=self.ids[index],
                    cap=Money(amount, CURRENCY),
                    actor="test",
                )
        except Problem:
            assert amount < used, f"a cap of {amount} was refused with {used} used"
        else:
            assert amount >= used, f"a cap of {amount} was accepted with {used} already used"
            self.cap[index] = amount

    def the_operator_closes_the_window(self) -> None:
        if not self.windows[-1].committed:
            return  # nothing of this example's in it: closing it would check nothing
        with self.database.transaction() as session:
            closed = settlement.close_window(session, clock=self.clock, actor="test")
        window = self.windows[-1]
        window.closed_id = closed.id
        self.windows.append(Window())
        self.check_report(window)

    def the_operator_settles_a_closed_window(self, which: int) -> None:
        waiting = [w for w in self.windows if w.closed_id and not w.settled]
        if not waiting:
            return
        window = waiting[which % len(waiting)]
        assert window.closed_id is not None
        net = [0] * DFSPS
        for transfer in window.committed:
            net[transfer.payer] -= transfer.amount
            net[transfer.payee] += transfer.amount
        # A participant owed money gets its position back up by what it is owed; the ledger
        # refuses that (and so the whole window) if its reservations would then pass its cap.
        blocked = [
            index
            for index in range(DFSPS)
            if net[index] > 0
            and self.position[index] + net[index] + self.reserved[index] > self.cap[index]
        ]
        before = self.ledger_snapshot()
        refused: Problem | None = None
        try:
            with self.database.transaction() as session:
                settlement.settle_window(
                    session,
                    store=self.store,
                    clock=self.clock,
                    window_id=window.closed_id,
                    actor="test",
                )
        except Problem as problem:
            refused = problem
        if refused is not None:
            assert blocked, f"settlement refused: {refused.detail}"
            assert self.ledger_snapshot() == before, "a refused settlement moved money"
            with self.database.transaction() as session:
                assert settlement.get_window(session, window.closed_id).state == "CLOSED"
            return
        assert not blocked, f"settled although {blocked} would pass their caps"
        window.settled = True
        for index in range(DFSPS):
            # Liquidity pays (or receives) the net; the position gets it back.
            self.position[index] += net[index]
            self.liquidity[index] += net[index]
        self.check_report(window)

    def check_report(self, window: Window) -> None:
        assert window.closed_id is not None
        with self.database.transaction() as session:
            report = settlement.report(session, window.closed_id)
        sent: dict[str, int] = defaultdict(int)
        received: dict[str, int] = defaultdict(int)
        for transfer in window.committed:
            sent[self.ids[transfer.payer]] += transfer.amount
            received[self.ids[transfer.payee]] += transfer.amount
        reported = {net.participant_id: (net.sent, net.received) for net in report.positions}
        expected = {
            participant_id: (sent[participant_id], received[participant_id])
            for participant_id in set(sent) | set(received)
        }
        assert reported == expected, "the report is not the sum of the committed transfers"
        assert sum(net.net for net in report.positions) == 0, "the net positions do not net out"
        assert {row.id for row in report.transfers} == {t.id for t in window.committed}
        assert all(row.state == "COMMITTED" for row in report.transfers)

    # -- what the payers hear ---------------------------------------------------------------

    def new_messages(self) -> list[dict[str, Any]]:
        with self.database.transaction() as session:
            query = (
                select(OutboxEventRecord)
                .where(OutboxEventRecord.topic == outbound.TOPIC)
                .order_by(OutboxEventRecord.id)
            )
            if self.outbox_seen is not None:
                query = query.where(OutboxEventRecord.id > self.outbox_seen)
            events = session.scalars(query).all()
        if events:
            self.outbox_seen = events[-1].id
        return [event.payload for event in events]

    @staticmethod
    def error_code(message: dict[str, Any]) -> str:
        assert message["path"].endswith("/error"), message["path"]
        return str(json.loads(message["body"])["errorInformation"]["errorCode"])

    def record(self, messages: list[dict[str, Any]]) -> None:
        for message in messages:
            path = message["path"]
            if not path.startswith("/transfers/") or message["method"] != "PUT":
                continue
            transfer_id = uuid.UUID(path.split("/")[2])
            transfer = self.transfers.get(transfer_id)
            if transfer is None or message["destination"] != self.ids[transfer.payer]:
                continue
            if path.endswith("/error"):
                if self.error_code(message) != "3106":
                    self.told[transfer_id].add("ABORTED")
            else:
                self.told[transfer_id].add(json.loads(message["body"])["transferState"])

    # -- invariants -----------------------------------------------------------------------

    def the_books_hold(self) -> None:
        """The checks of the module docstring, after every step, in one transaction.

        The ledger check at each step rebuilds this example's accounts from the transfers
        that touch them (reading the whole ledger every step would make the test quadratic);
        `the_whole_ledger_holds` checks every account and every participant at the end.
        """
        with self.database.transaction() as session:
            self.check_the_ledger_balances_and_its_log_explains_my_accounts(session)
            self.check_no_position_passes_its_cap(session)
            self.check_every_transfer_matches_its_ledger_entries(session)
            self.check_refunds_never_pass_what_is_left(session)
        self.check_the_payer_is_never_told_two_different_endings()

    def the_whole_ledger_holds(self) -> None:
        with self.database.transaction() as session:
            accounts = read_accounts(session)
            log = read_log(session)
            assert check_balances(accounts, log) == []
            for row, account in session.execute(
                select(ParticipantCurrencyRow, LedgerAccountRow).join(
                    LedgerAccountRow,
                    LedgerAccountRow.id == ParticipantCurrencyRow.position_account_id,
                )
            ):
                # Position plus reservations: debits (pending and posted) minus what was
                # received, the cap's own credit excluded.
                received = account.credits_posted - row.net_debit_cap
                used = account.debits_pending + account.debits_posted - received
                assert used <= row.net_debit_cap, (row.participant_id, used, row.net_debit_cap)

    def check_the_ledger_balances_and_its_log_explains_my_accounts(self, session: Session) -> None:
        accounts = read_accounts(session)
        totals = ledger_totals(accounts)
        assert all(total == (0, 0) for total in totals.values()), totals
        mine = [account for account in accounts if account.id in self.account_ids]
        table = LedgerTransferRow.__table__
        touching = or_(
            table.c.debit_account_id.in_(self.account_ids),
            table.c.credit_account_id.in_(self.account_ids),
        )
        rebuilt = rebuild_balances(read_log(session, touching))
        for account in mine:
            assert account.balance == rebuilt.get(account.id, AccountBalance(account.id)), (
                f"account {account.id} (code {account.code}) holds {account.balance}, "
                f"its transfers add up to {rebuilt.get(account.id)}"
            )

    def check_no_position_passes_its_cap(self, session: Session) -> None:
        if not self.account_ids:
            return  # this example's DFSPs are not connected yet
        for index, participant_id in enumerate(self.ids):
            position = participants.position(
                session, store=self.store, participant_id=participant_id, currency=CURRENCY
            )
            assert position.position + position.reserved <= position.net_debit_cap, position
            actual = (
                position.net_debit_cap,
                position.position,
                position.reserved,
                position.liquidity,
            )
            expected = (
                self.cap[index],
                self.position[index],
                self.reserved[index],
                self.liquidity[index],
            )
            assert actual == expected, (
                f"{participant_id} (cap, position, reserved, liquidity) is {actual}, "
                f"expected {expected}"
            )

    def check_every_transfer_matches_its_ledger_entries(self, session: Session) -> None:
        if not self.transfers:
            return
        ids = list(self.transfers)
        rows = session.scalars(select(TransferRow).where(TransferRow.id.in_(ids))).all()
        pendings = {
            entry.id: entry
            for entry in session.scalars(
                select(LedgerTransferRow).where(LedgerTransferRow.id.in_(ids))
            )
        }
        resolvers: dict[uuid.UUID, list[LedgerTransferRow]] = defaultdict(list)
        for entry in session.scalars(
            select(LedgerTransferRow).where(LedgerTransferRow.pending_id.in_(ids))
        ):
            assert entry.pending_id is not None
            resolvers[entry.pending_id].append(entry)
        assert len(rows) == len(self.transfers)
        for row in rows:
            expected = self.transfers[row.id]
            assert row.state == expected.state, (row.id, row.state, expected.state)
            pending = pendings.get(row.id)
            resolved = resolvers.get(row.id, [])
            if pending is not None:
                assert pending.flags & TransferFlags.PENDING
                assert pending.amount == row.amount == expected.amount
            if row.state == "RESERVED":
                assert pending is not None and resolved == [], "a reservation is not held"
            elif row.state == "COMMITTED":
                assert pending is not None, "a committed transfer has no reservation"
                assert len(resolved) == 1, "a committed transfer must be posted exactly once"
                assert resolved[0].flags & TransferFlags.POST_PENDING_TRANSFER
                assert resolved[0].amount == row.amount
            else:
                assert row.state == "ABORTED", row.state
                if pending is not None:
                    assert len(resolved) == 1, (
                        f"aborted transfer {row.id} ({row.error_code}) still holds its "
                        f"reservation of {row.amount} in the ledger"
                    )
                    assert resolved[0].flags & TransferFlags.VOID_PENDING_TRANSFER

    def check_refunds_never_pass_what_is_left(self, session: Session) -> None:
        refunded = session.execute(
            select(TransferRow.refund_of, func.sum(TransferRow.amount))
            .where(
                TransferRow.payer_fsp.in_(self.ids),
                TransferRow.refund_of.is_not(None),
                TransferRow.state.in_(("RESERVED", "COMMITTED")),
            )
            .group_by(TransferRow.refund_of)
        ).all()
        for original_id, total in refunded:
            original = session.get(TransferRow, original_id)
            assert original is not None and original.state == "COMMITTED"
            assert total <= original.amount, (original_id, total, original.amount)

    def check_the_payer_is_never_told_two_different_endings(self) -> None:
        self.record(self.new_messages())
        for transfer_id, states in self.told.items():
            assert len(states) <= 1, (transfer_id, states)
            state = self.transfers[transfer_id].state
            assert states <= {state}, (transfer_id, states, state)


# -- the operations and the test ---------------------------------------------------------------


@dataclass(frozen=True)
class Prepare:
    payer: int
    payee: int
    amount: int
    lifetime: int

    def run(self, switch: Switch) -> None:
        switch.prepare_a_transfer(self.payer, self.payee, self.amount, self.lifetime)


@dataclass(frozen=True)
class Answer:
    which: int
    how: str

    def run(self, switch: Switch) -> None:
        switch.the_payee_answers(self.which, self.how)


@dataclass(frozen=True)
class Refund:
    which: int
    part: int
    lifetime: int

    def run(self, switch: Switch) -> None:
        switch.refund_part_of_a_committed_transfer(self.which, self.part, self.lifetime)


@dataclass(frozen=True)
class Resend:
    which: int
    what: str

    def run(self, switch: Switch) -> None:
        switch.a_dfsp_resends(self.which, self.what)


@dataclass(frozen=True)
class Wait:
    seconds: int

    def run(self, switch: Switch) -> None:
        switch.time_passes_and_the_sweep_runs(self.seconds)


@dataclass(frozen=True)
class Operator:
    index: int
    what: str
    amount: int

    def run(self, switch: Switch) -> None:
        switch.the_operator_changes_a_cap_or_records_a_deposit(self.index, self.what, self.amount)


@dataclass(frozen=True)
class CloseWindow:
    def run(self, switch: Switch) -> None:
        switch.the_operator_closes_the_window()


@dataclass(frozen=True)
class SettleWindow:
    which: int

    def run(self, switch: Switch) -> None:
        switch.the_operator_settles_a_closed_window(self.which)


prepares = st.builds(Prepare, payer=dfsp, payee=dfsp, amount=amounts, lifetime=lifetimes).filter(
    lambda step: step.payer != step.payee
)
answers_ = st.builds(Answer, which=pick, how=answers)
refunds = st.builds(Refund, which=pick, part=st.sampled_from([1, 2, 3, 4]), lifetime=lifetimes)
resends_ = st.builds(Resend, which=pick, what=resends)
waits_ = st.builds(Wait, seconds=waits)
operators = st.builds(Operator, index=dfsp, what=st.sampled_from(["cap", "deposit"]), amount=caps)
closes = st.builds(CloseWindow)
settles = st.builds(SettleWindow, which=pick)


def weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """One of the strategies, each drawn about as often as its weight says."""
    table = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.integers(0, len(table) - 1).flatmap(lambda index: table[index])


# Mostly payments and their answers, with the rest mixed in.
operations = weighted(
    (5, prepares),
    (6, answers_),
    (2, refunds),
    (2, resends_),
    (1, waits_),
    (1, operators),
    (2, closes),
    (2, settles),
)


@pytest.mark.slow
@settings(
    max_examples=15,
    deadline=None,
    # Shrinking replays each candidate against a database that keeps growing: minutes for a
    # failure. A failing run's steps are reported as generated (at most 35, and readable).
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    caps=st.lists(st.sampled_from([10_000, 30_000]), min_size=DFSPS, max_size=DFSPS),
    steps=st.lists(operations, min_size=15, max_size=35),
)
def test_any_sequence_of_switch_operations_keeps_the_ledger_balanced_and_within_the_caps(
    database: Database, caps: list[int], steps: list[Any]
) -> None:
    switch = Switch(database)
    switch.connect_the_dfsps(caps)
    switch.the_books_hold()
    for number, step in enumerate(steps):
        try:
            step.run(switch)
            switch.the_books_hold()
        except AssertionError as failure:
            failure.add_note(f"at step {number}: {step}")
            raise
    switch.finish()
