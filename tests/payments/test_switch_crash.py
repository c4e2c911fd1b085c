"""The switch is killed (SIGKILL) in the middle of a load, restarted, and nothing is lost.

Three DFSPs (real HTTP servers) pay each other through a `comptoir serve` process: payers post
prepares from several threads, payees fulfil everything they are sent. When part of the load
is in, the switch's process group gets SIGKILL: no shutdown, no flush, requests cut off mid-way,
outbox deliveries claimed but never sent. A new process starts on the same data folder and the
same database. The DFSPs behave as FSPIOP says they must: a payer resends (same id, same body)
every prepare it has no final answer for, and a payee resends a fulfilment the switch did not
take. Whatever is stranded expires: the outbox deliveries the dead process had claimed stay
leased (two minutes) past the end of the test, so the prepares among them never reach their
payee and end ABORTED with 3303, which is a correct ending too. Then, from the database:

- every transfer that was sent is stored, and each one is COMMITTED or ABORTED, with commits
  both among those the first process took and among those the second one did;
- a COMMITTED one has exactly one reservation and exactly one post of it in the ledger, an
  ABORTED one no post (and its reservation, if it had one, voided);
- the ledger balances, every stored balance is what its transfers add up to, nothing is left
  reserved, and each position is the sum of the committed transfers, so none counted twice;
- each payer heard one final state per transfer, the one the database holds (never COMMITTED
  for an ABORTED transfer), and each payee's notifications agree with it too.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import permutations
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from comptoir.kernel.clock import system_clock
from comptoir.kernel.db import Database
from comptoir.kernel.money import Money
from comptoir.payments.domain import (
    Account,
    Transfer,
    TransferFlags,
    check_balances,
    ledger_totals,
    nanosecond_clock,
)
from comptoir.payments.models import LedgerAccountRow, LedgerTransferRow, TransferRow
from comptoir.payments.services import participants, registration
from comptoir.payments.services.ledger_store import LedgerStore
from tests.payments.fspiop_peer import Callback, Peer
from tests.support.servers import COMPTOIR, free_port

pytestmark = pytest.mark.slow

CURRENCY = "XCD"
DFSPS = ("bank-a", "wallet-b", "union-c")
TRANSFERS = 150
SENDERS = 6
KILL_AFTER = 50  # prepares the switch has taken when it is killed
IN_FLIGHT_AT_KILL = 3  # of them, taken and not yet answered, at that moment
PACE = 0.08  # seconds between two prepares of one sender: the load spans the kill
# Long enough that transfers sent around the kill outlive a slow restart on a loaded machine:
# the test wants some committed after the restart, not only expiries.
LIFETIME = timedelta(seconds=30)
RESEND_AFTER = 2.0  # seconds without a final answer before a payer asks again
FINAL = ("COMMITTED", "ABORTED")


# -- the switch process -------------------------------------------------------------------------


class SwitchProcess:
    """`comptoir serve` on a fixed port, which can be killed outright and started again."""

    def __init__(self, data_dir: Path, database_url: str) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            key: value for key, value in os.environ.items() if not key.startswith("COMPTOIR_")
        }
        self.env.update(
            COMPTOIR_DATA_DIR=str(data_dir),
            COMPTOIR_DATABASE_URL=database_url,
            COMPTOIR_OUTBOX_POLL_SECONDS="0.05",
        )
        self.log_path = data_dir / "switch.log"
        self.process: subprocess.Popen[bytes] | None = None
        data_dir.mkdir(parents=True, exist_ok=True)

    def start(self, timeout: float = 60.0) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [COMPTOIR, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the switch exited early:\n{self.log()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the switch did not start:\n{self.log()}")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL to the whole process group: no shutdown of any kind."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]


# -- the DFSPs' side ------------------------------------------------------------------------------


@dataclass
class Sent:
    """A prepare a payer owes an answer to its customer for."""

    document: dict[str, Any]
    fulfilment: str
    payer: Peer
    payee: Peer
    taken: bool = False  # the switch answered 202 at least once
    last_sent: float = 0.0

    @property
    def id(self) -> str:
        return str(self.document["transferId"])


@dataclass
class Heard:
    """What the DFSPs were told, keyed by transfer id."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    by_payer: dict[str, list[tuple[str, str | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    by_payee: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    to_fulfil: dict[str, Sent] = field(default_factory=dict)


class Load:
    """The DFSPs: payers sending and resending prepares, payees fulfilling what they get."""

    def __init__(self, peers: list[Peer]) -> None:
        self.peers = {peer.fsp_id: peer for peer in peers}
        pairs = list(permutations(peers, 2))
        # Amounts from 1.00 to 9.99, spelt as FSPIOP wants them ("1", "2.5", "3.07").
        self.plan = [
            (*pairs[number % len(pairs)], str(Decimal(100 + number * 37 % 900) / 100))
            for number in range(TRANSFERS)
        ]
        self.sent: dict[str, Sent] = {}
        self.heard = Heard()
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    # -- sending ---------------------------------------------------------------------------

    def post(self, item: Sent) -> None:
        item.last_sent = time.monotonic()
        try:
            answer = item.payer.send(
                "POST",
                "/transfers",
                resource="transfers",
                document=item.document,
                destination=item.payee.fsp_id,
            )
        except httpx.TransportError:
            return  # the switch is down or died mid-request: resent later
        if answer.status_code == 202:
            item.taken = True

    def send_share(self, share: list[tuple[Peer, Peer, str]]) -> None:
        """A payer's customers paying, one after another: each prepare made when it is sent."""
        for payer, payee, amount in share:
            if self.stopping.is_set():
                return
            document, fulfilment = payer.prepare(payee, amount, expires_in=LIFETIME)
            item = Sent(document, fulfilment, payer, payee)
            with self.heard.lock:
                self.sent[item.id] = item
            self.post(item)
            time.sleep(PACE)

    def taken(self) -> int:
        with self.heard.lock:
            return sum(item.taken for item in self.sent.values())

    def waiting(self) -> int:
        """Prepares the switch took that their payer has no final answer for yet."""
        with self.heard.lock:
            return sum(
                item.taken and item.id not in self.heard.by_payer for item in self.sent.values()
            )

    def unanswered(self) -> list[Sent]:
        with self.heard.lock:
            answered = set(self.heard.by_payer)
            sent = list(self.sent.values())
        return [item for item in sent if item.id not in answered]

    def finished(self) -> bool:
        """Every prepare made and sent, and a final answer heard for each."""
        return len(self.sent) == TRANSFERS and not self.unanswered()

    def resend_unanswered(self) -> None:
        """FSPIOP resends: same id, same body, for every prepare without a final answer."""
        while not self.stopping.is_set():
            now = time.monotonic()
            for item in self.unanswered():
                if now - item.last_sent >= RESEND_AFTER:
                    self.post(item)
            time.sleep(0.2)

    def resend_everything(self) -> None:
        """Late duplicates, as DFSPs whose answers were lost send them: every prepare, and the
        fulfilment of every transfer its payee was sent, once more."""
        with self.heard.lock:
            items = list(self.sent.values())
        for item in items:
            self.post(item)
            item.payee.send(
                "PUT",
                f"/transfers/{item.id}",
                resource="transfers",
                destination=item.payer.fsp_id,
                document={
                    "fulfilment": item.fulfilment,
                    "completedTimestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                    "transferState": "COMMITTED",
                },
            )

    # -- answering ---------------------------------------------------------------------------

    def listen(self, peer: Peer) -> None:
        while not self.stopping.is_set():
            try:
                callback = peer.received.get(timeout=0.1)
            except queue.Empty:
                continue
            self.note(peer, callback)

    def note(self, peer: Peer, callback: Callback) -> None:
        parts = callback.path.strip("/").split("/")
        if parts[0] != "transfers":
            return
        if callback.method == "POST":
            transfer_id = str(callback.json()["transferId"])
            with self.heard.lock:
                self.heard.to_fulfil[transfer_id] = self.sent[transfer_id]
            return
        body = callback.json()
        with self.heard.lock:
            item = self.sent.get(parts[1])
            if item is None:
                return
            if peer is item.payer and callback.method == "PUT":
                if parts[-1] == "error":
                    code = body["errorInformation"]["errorCode"]
                    self.heard.by_payer[item.id].append(("ABORTED", code))
                else:
                    self.heard.by_payer[item.id].append((body["transferState"], None))
            elif peer is item.payee and callback.method == "PATCH":
                self.heard.by_payee[item.id].append(body["transferState"])
            elif peer is item.payee and callback.method == "PUT" and parts[-1] == "error":
                self.heard.by_payee[item.id].append("ABORTED")

    def fulfil_what_arrives(self) -> None:
        """Each payee fulfils every transfer it is sent, again until the switch takes it."""
        while not self.stopping.is_set():
            with self.heard.lock:
                waiting = list(self.heard.to_fulfil.values())
            for item in waiting:
                try:
                    answer = item.payee.send(
                        "PUT",
                        f"/transfers/{item.id}",
                        resource="transfers",
                        destination=item.payer.fsp_id,
                        document={
                            "fulfilment": item.fulfilment,
                            "completedTimestamp": time.strftime(
                                "%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()
                            ),
                            "transferState": "COMMITTED",
                        },
                    )
                except httpx.TransportError:
                    continue  # down: again on the next round
                if answer.status_code < 500:
                    with self.heard.lock:
                        self.heard.to_fulfil.pop(item.id, None)
            time.sleep(0.05)

    # -- running ----------------------------------------------------------------------------

    def background(self, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()
        self.threads.append(thread)

    def start(self) -> None:
        for peer in self.peers.values():
            self.background(self.listen, peer)
        self.background(self.fulfil_what_arrives)
        for index in range(SENDERS):
            self.background(self.send_share, self.plan[index::SENDERS])

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(15)


# -- the test -------------------------------------------------------------------------------------


@pytest.fixture
def dfsps() -> Iterator[list[Peer]]:
    peers = [Peer(fsp_id, "http://127.0.0.1:9/switch") for fsp_id in DFSPS]
    with peers[0].serving(), peers[1].serving(), peers[2].serving():
        yield peers


def wait_until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_a_switch_killed_mid_load_loses_nothing_applies_nothing_twice_and_ends_every_transfer(
    database: Database, database_url: str, tmp_path: Path, dfsps: list[Peer]
) -> None:
    switch = SwitchProcess(tmp_path / "node", database_url)
    store = LedgerStore(nanosecond_clock(system_clock))
    with database.transaction() as session:
        for peer in dfsps:
            registration.add_participant(
                session,
                store=store,
                clock=system_clock,
                participant_id=peer.fsp_id,
                name=peer.fsp_id.title(),
                currency=CURRENCY,
                callback_url=peer.callback_url,
                jwks=peer.public_jwks,
                net_debit_cap=Money(1_000_000_00, CURRENCY),
                actor="test",
            )
    for peer in dfsps:
        peer.switch_url = switch.url + "/switch"

    load = Load(dfsps)
    switch.start()
    try:
        load.start()
        # Killed while transfers are on their way, not in a lull between two of them.
        wait_until(
            lambda: load.taken() >= KILL_AFTER and load.waiting() >= IN_FLIGHT_AT_KILL,
            60,
            f"{KILL_AFTER} prepares taken, {IN_FLIGHT_AT_KILL} of them waiting",
        )
        killed_at = datetime.now(UTC)  # anything stored later, the second process stored
        switch.kill()
        killed_with = load.taken()
        time.sleep(0.5)  # the DFSPs keep going against a dead switch meanwhile
        switch.start()
        load.background(load.resend_unanswered)
        # Everything ends: what was stranded expires, and the payers ask until they hear.
        wait_until(
            load.finished,
            LIFETIME.total_seconds() + 40,
            "a final answer for every transfer",
        )
        # Every message once more, after the restart: each is answered as before, and none
        # moves money a second time (checked against the ledger below).
        load.resend_everything()
        time.sleep(1.0)
    except BaseException as failure:
        failure.add_note(f"the switch's log:\n{switch.log()}")
        raise
    finally:
        load.stop()
        switch.stop()
    assert killed_with < TRANSFERS, "the switch was killed after the load, not in its middle"

    ids = [uuid.UUID(transfer_id) for transfer_id in load.sent]
    with database.transaction() as session:
        rows = {
            row.id: row
            for row in session.scalars(select(TransferRow).where(TransferRow.id.in_(ids)))
        }
        ledger = {row.id: row for row in session.scalars(select(LedgerTransferRow))}
        accounts = [
            Account(*(getattr(row, name) for name in Account._fields))
            for row in session.scalars(select(LedgerAccountRow))
        ]
        positions = participants.positions(session, store=store)

    # Every transfer is stored, and ended.
    assert set(rows) == set(ids), "a transfer the switch took is missing"
    states = {row.id: row.state for row in rows.values()}
    assert set(states.values()) <= set(FINAL), sorted(set(states.values()))
    committed = [row for row in rows.values() if row.state == "COMMITTED"]
    assert any(row.created_at < killed_at for row in committed), "none from before the kill"
    assert any(row.created_at > killed_at for row in committed), "none after the restart"
    in_flight = [
        row
        for row in rows.values()
        if row.created_at < killed_at and row.completed_at and row.completed_at > killed_at
    ]
    assert in_flight, "no transfer was in flight when the switch was killed"

    # Each transfer is in the ledger once: one reservation, then one post or none.
    resolvers: dict[uuid.UUID, list[LedgerTransferRow]] = defaultdict(list)
    for entry in ledger.values():
        if entry.pending_id is not None:
            resolvers[entry.pending_id].append(entry)
    for row in rows.values():
        reservation = ledger.get(row.id)
        resolved = resolvers.get(row.id, [])
        posts = [e for e in resolved if e.flags & TransferFlags.POST_PENDING_TRANSFER]
        voids = [e for e in resolved if e.flags & TransferFlags.VOID_PENDING_TRANSFER]
        if row.state == "COMMITTED":
            assert reservation is not None and reservation.amount == row.amount
            assert len(posts) == 1 and not voids, f"{row.id} posted {len(posts)} times"
        else:
            assert posts == [], f"aborted transfer {row.id} was posted"
            if reservation is not None:
                assert len(voids) == 1, (
                    f"aborted transfer {row.id} ({row.error_code}) still holds its "
                    f"reservation of {row.amount} in the ledger"
                )

    # The ledger balances, its log explains every balance, nothing is left reserved, and each
    # position is exactly the committed transfers: none counted twice, none lost.
    log = [
        Transfer(
            **{name: getattr(entry, name) for name in Transfer._fields if name != "pending_id"},
            pending_id=entry.pending_id or uuid.UUID(int=0),
        )
        for entry in sorted(ledger.values(), key=lambda entry: entry.timestamp)
    ]
    assert all(total == (0, 0) for total in ledger_totals(accounts).values())
    assert check_balances(accounts, log) == []
    # Counted from what the payers sent, not from what the switch stored.
    net: dict[str, int] = defaultdict(int)
    for row in committed:
        item = load.sent[str(row.id)]
        sent_amount = int(Decimal(item.document["amount"]["amount"]) * 100)
        assert row.amount == sent_amount, f"{row.id} stored {row.amount}, sent {sent_amount}"
        net[item.payer.fsp_id] += sent_amount
        net[item.payee.fsp_id] -= sent_amount
    for position in positions:
        assert position.reserved == 0, f"{position.participant_id} still has reservations"
        assert position.position == net[position.participant_id]
        assert position.position + position.reserved <= position.net_debit_cap

    # What the DFSPs heard agrees with the database.
    for transfer_id, item in load.sent.items():
        state = states[uuid.UUID(transfer_id)]
        told = {heard_state for heard_state, _code in load.heard.by_payer[transfer_id]}
        assert told == {state}, f"{item.payer.fsp_id} was told {told} of a {state} transfer"
        notified = set(load.heard.by_payee.get(transfer_id, []))
        assert notified <= {state}, f"{item.payee.fsp_id} was told {notified} of a {state} one"
