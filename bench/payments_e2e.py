"""End to end: complete FSPIOP transfers per second through a `comptoir serve` process.

Two simulated DFSPs (a payer and a payee) run in this process, in one asyncio loop, on
loopback: each has an HTTP callback server (a minimal HTTP/1.1 server, so that the load
generator costs the shared CPUs as little as possible), and the payer drives `POST /transfers`
with an httpx client. For every transfer:

    payer POST /switch/transfers           (prepare)
    switch → payee POST /transfers          (forwarded through the outbox)
    payee PUT /switch/transfers/{id}       (the fulfilment, sent the moment the POST arrives)
    switch → payer PUT /transfers/{id}      (COMMITTED; the latency is measured up to here)
    switch → payee PATCH /transfers/{id}    (the notification; counted, not waited for)

The load is closed-loop: `concurrency` payers each send a transfer and wait for its COMMITTED
callback before the next. The DFSPs' messages are built and signed (RS256, as the FSPIOP
Signature document says) before each level starts, so that the load generator's RSA work does
not compete with the switch for the two cores; the switch still verifies every signature and
signs what it originates.

Not a benchmark on its own: `bench/payments.py` runs it (`make bench` runs this as a script,
and it does nothing).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from _support import CpuMeter, ThreadCpuMeter, percentile, postgres_scratch_schema, rounded
from comptoir.kernel.fspiop import build_headers, json_body
from comptoir.kernel.fspiop.signature import sign_headers

PAYER, PAYEE = "bench-payer", "bench-payee"
AMOUNT = "1"
NET_DEBIT_CAP = "1000000000.00"
LIQUIDITY = "1000000000.00"
TRANSFER_TIMEOUT = 30.0  # seconds a payer waits for its callback before counting a failure
EXPIRES_IN = timedelta(minutes=5)


@dataclass(frozen=True)
class Level:
    concurrency: int
    transfers: int


@dataclass
class Message:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Planned:
    """One transfer, signed in advance: the payer's prepare and the payee's fulfilment."""

    transfer_id: str
    prepare: Message
    fulfil: Message
    posted_at: float = 0.0
    forwarded_at: float = 0.0
    fulfilled_at: float = 0.0
    done_at: float = 0.0
    outcome: str = ""
    future: asyncio.Future[str] | None = None


@dataclass
class E2EResult:
    database: str
    concurrency: int
    requested: int
    signed: int
    completed: int
    failed: int
    seconds: float
    transfers_per_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    prepare_leg_p50_ms: float
    fulfil_leg_p50_ms: float
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    switch_threads_cpu_seconds: dict[str, float] = field(default_factory=dict)
    outbox_backlog: dict[str, int | None] = field(default_factory=dict)
    database_transactions: int | None = None
    machine_busy_cores: float = 0.0
    time_capped: bool = False
    failures: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "concurrency": self.concurrency,
            "requested": self.requested,
            "signed": self.signed,
            "completed": self.completed,
            "failed": self.failed,
            "seconds": round(self.seconds, 3),
            "transfers_per_s": round(self.transfers_per_s, 1),
            "latency_ms": {
                "p50": rounded(self.p50_ms),
                "p90": rounded(self.p90_ms),
                "p99": rounded(self.p99_ms),
                "max": rounded(self.max_ms),
            },
            "legs_p50_ms": {
                "prepare_to_payee": rounded(self.prepare_leg_p50_ms),
                "fulfil_to_payer": rounded(self.fulfil_leg_p50_ms),
            },
            "cpu_seconds": self.cpu_seconds,
            "cpu_ms_per_transfer": {
                name: round(1000 * seconds / self.completed, 2) if self.completed else None
                for name, seconds in self.cpu_seconds.items()
            },
            "switch_threads_cpu_seconds": self.switch_threads_cpu_seconds,
            "outbox_pending_deliveries": self.outbox_backlog,
            "database_transactions_per_transfer": round(
                self.database_transactions / self.completed, 1
            )
            if self.database_transactions is not None and self.completed
            else None,
            "machine_busy_cores": self.machine_busy_cores,
            "time_capped": self.time_capped,
            "failures": self.failures,
        }


# -- the switch -----------------------------------------------------------------------------------


@dataclass
class Switch:
    url: str
    pid: int
    env: dict[str, str]

    def comptoir(self, *commands: Sequence[str]) -> None:
        """Run operator commands (`comptoir ...`) against the switch's database, side by side."""
        from tests.support.servers import COMPTOIR

        clean = {key: value for key, value in os.environ.items() if not key.startswith("COMPTOIR_")}
        running = [
            (
                args,
                subprocess.Popen(
                    [COMPTOIR, *args],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    env={**clean, **self.env},
                ),
            )
            for args in commands
        ]
        for args, process in running:
            _, errors = process.communicate(timeout=120)
            if process.returncode != 0:
                raise RuntimeError(f"comptoir {' '.join(args[:3])} failed: {errors.strip()}")


@contextmanager
def running_switch(database: str, postgres_url: str | None, folder: Path) -> Iterator[Switch]:
    """`comptoir serve` on a free loopback port, on SQLite under `folder` or on a scratch
    PostgreSQL schema (dropped afterwards)."""
    from tests.support.servers import comptoir_server

    with ExitStack() as stack:
        env = {"COMPTOIR_DATA_DIR": str(folder)}
        if database == "postgresql":
            assert postgres_url is not None
            env["COMPTOIR_DATABASE_URL"] = stack.enter_context(
                postgres_scratch_schema(postgres_url, "bench_e2e")
            )
        server = stack.enter_context(comptoir_server(folder, extra_env=env))
        env["COMPTOIR_BASE_URL"] = server.url
        yield Switch(server.url, server.process.pid, env)


class BacklogSampler:
    """How many outbox deliveries wait, sampled twice a second while a level runs: a backlog
    that grows means the relay, not the request handlers, sets the pace. It reads through its
    own connection (SQLite read-only, so it never takes the write lock)."""

    QUERY = "SELECT count(*) FROM kernel_outbox_delivery WHERE status = 'pending'"

    def __init__(self, switch: Switch) -> None:
        self.switch = switch
        self.samples: list[int] = []
        self._task: asyncio.Task[None] | None = None
        self._connection: Any = None

    @property
    def _url(self) -> str:
        default = Path(self.switch.env["COMPTOIR_DATA_DIR"]) / "comptoir.db"
        return self.switch.env.get("COMPTOIR_DATABASE_URL") or f"sqlite:///{default}"

    def _connect(self) -> Any:
        from sqlalchemy.engine import make_url

        parsed = make_url(self._url)
        if parsed.get_backend_name() == "sqlite":
            path = parsed.database
            return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        import psycopg

        return psycopg.connect(
            host=parsed.host or "127.0.0.1",
            port=parsed.port or 5432,
            user=parsed.username,
            password=parsed.password,
            dbname=parsed.database,
            options=str(parsed.query.get("options", "")),
            autocommit=True,
        )

    def _count(self) -> int:
        if self._connection is None:
            self._connection = self._connect()
        row = self._connection.execute(self.QUERY).fetchone()
        return int(row[0]) if row else 0

    def transactions(self) -> int | None:
        """Transactions PostgreSQL has counted so far in the switch's database (None on
        SQLite). Other schemas of the same database count too, and backends report their
        figures about once a second: a level's difference is an estimate."""
        if not self._url.startswith("postgres"):
            return None
        if self._connection is None:
            self._connection = self._connect()
        self._connection.execute("SELECT pg_stat_clear_snapshot()")
        row = self._connection.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database "
            "WHERE datname = current_database()"
        ).fetchone()
        return int(row[0]) if row else None

    async def _run(self) -> None:
        while True:
            # A busy or vanished database: skip this sample.
            with contextlib.suppress(Exception):
                self.samples.append(await asyncio.to_thread(self._count))
            await asyncio.sleep(0.5)

    def start(self) -> None:
        self.samples = []
        self._task = asyncio.get_running_loop().create_task(self._run())

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def stop(self) -> dict[str, int | None]:
        """Stop sampling; the median, largest and last backlog seen."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if not self.samples:
            return {"median": None, "max": None, "last": None}
        return {
            "median": int(percentile(self.samples, 0.5)),
            "max": max(self.samples),
            "last": self.samples[-1],
        }


# -- the simulated DFSPs --------------------------------------------------------------------------


_REQUEST_ANSWER = b"HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n"
_CALLBACK_ANSWER = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"


class CallbackServer:
    """A DFSP's callback endpoint: a minimal HTTP/1.1 server (keep-alive, Content-Length bodies)
    that answers at once, as API Definition table 4 says (a request 202, a callback or a
    notification 200), and hands each message to `on_message(method, path, body)`."""

    def __init__(self, port: int, on_message: Callable[[str, str, bytes], None]) -> None:
        self.port = port
        self.on_message = on_message
        self.server: asyncio.Server | None = None
        self.connections: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
        for writer in list(self.connections):
            writer.close()
        if self.server is not None:
            await self.server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections.add(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request_line, *header_lines = head[:-4].split(b"\r\n")
                method, target, _version = request_line.split(b" ", 2)
                length = 0
                for line in header_lines:
                    name, _, value = line.partition(b":")
                    name = name.strip().lower()
                    if name == b"content-length":
                        length = int(value)
                    elif name == b"transfer-encoding":
                        raise RuntimeError("the switch sent a chunked body; expected a length")
                body = await reader.readexactly(length) if length else b""
                writer.write(_CALLBACK_ANSWER if method in (b"PUT", b"PATCH") else _REQUEST_ANSWER)
                self.on_message(method.decode(), target.decode().removeprefix("/fspiop"), body)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass  # the switch closed the connection, or the benchmark is over
        finally:
            self.connections.discard(writer)
            writer.close()


class Dfsps:
    """The payer and the payee, their keys, and the load they drive."""

    def __init__(self, switch: Switch, folder: Path) -> None:
        from tests.payments.fspiop_peer import Peer

        self.switch = switch
        self.payer = Peer(PAYER, switch.url + "/switch")
        self.payee = Peer(PAYEE, switch.url + "/switch")
        peers = (self.payer, self.payee)
        for peer in peers:
            peer.client.close()  # the load goes through the async client below
        # As an operator joins a DFSP (tests/payments/test_switch_e2e.py does the same). The
        # first join creates the hub's XCD accounts: the second waits for it, since two first
        # joins at once race for them on PostgreSQL; the rest runs side by side.
        joins = [
            [
                "switch", "participant", "add", peer.fsp_id,
                "--name", peer.fsp_id.title(),
                "--currency", "XCD",
                "--callback-url", peer.callback_url,
                "--jwks", str(peer.write_jwks(folder)),
                "--ndc", NET_DEBIT_CAP,
            ]
            for peer in peers
        ]  # fmt: skip
        deposits = [["switch", "liquidity", peer.fsp_id, LIQUIDITY] for peer in peers]
        switch.comptoir(joins[0])
        switch.comptoir(joins[1], deposits[0])
        switch.comptoir(deposits[1])
        self.in_flight: dict[str, Planned] = {}
        self.unexpected: dict[str, int] = {}
        self.patches = 0
        self.tasks: set[asyncio.Task[None]] = set()
        self.client: httpx.AsyncClient | None = None

    # -- planning (before the clock runs) -------------------------------------------------------

    def plan(self, count: int) -> list[Planned]:
        planned = []
        completed = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        for _ in range(count):
            document, fulfilment = self.payer.prepare(self.payee, AMOUNT, expires_in=EXPIRES_IN)
            transfer_id = document["transferId"]
            prepare = self._signed(self.payer, "POST", "/transfers", PAYEE, document)
            fulfil = self._signed(
                self.payee,
                "PUT",
                f"/transfers/{transfer_id}",
                PAYER,
                {
                    "fulfilment": fulfilment,
                    "completedTimestamp": completed,
                    "transferState": "COMMITTED",
                },
            )
            planned.append(Planned(transfer_id, prepare, fulfil))
        return planned

    @staticmethod
    def _signed(
        peer: Any, method: str, path: str, destination: str, document: dict[str, Any]
    ) -> Message:
        body = json_body(document)
        headers = build_headers(
            resource="transfers",
            method=method,
            uri=path,
            source=peer.fsp_id,
            destination=destination,
        )
        return Message(path, sign_headers(headers, body=body, private_key=peer.key), body)

    # -- callbacks -------------------------------------------------------------------------------

    def payee_received(self, method: str, path: str, body: bytes) -> None:
        if method == "POST" and path == "/transfers":
            transfer_id = json.loads(body)["transferId"]
            planned = self.in_flight.get(transfer_id)
            if planned is None:
                self._unexpected("payee: POST /transfers for an unknown transfer")
                return
            planned.forwarded_at = time.perf_counter()
            task = asyncio.get_running_loop().create_task(self._fulfil(planned))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        elif method == "PATCH" and path.startswith("/transfers/"):
            self.patches += 1
        else:
            self._unexpected(f"payee: {method} {path.split('/')[1]}")
            if path.endswith("/error"):
                self._finish(path.split("/")[2], "payee error callback")

    def payer_received(self, method: str, path: str, body: bytes) -> None:
        parts = path.split("/")
        if method != "PUT" or len(parts) < 3 or parts[1] != "transfers":
            self._unexpected(f"payer: {method} {parts[1] if len(parts) > 1 else path}")
            return
        if len(parts) == 4 and parts[3] == "error":
            code = json.loads(body)["errorInformation"]["errorCode"]
            self._finish(parts[2], f"error {code}")
        else:
            state = json.loads(body).get("transferState", "?")
            self._finish(parts[2], state)

    def _finish(self, transfer_id: str, outcome: str) -> None:
        planned = self.in_flight.pop(transfer_id, None)
        if planned is None:
            self._unexpected(f"callback for a transfer not in flight ({outcome})")
            return
        planned.done_at = time.perf_counter()
        planned.outcome = outcome
        if planned.future is not None and not planned.future.done():
            planned.future.set_result(outcome)

    def _unexpected(self, what: str) -> None:
        self.unexpected[what] = self.unexpected.get(what, 0) + 1

    # -- sending ---------------------------------------------------------------------------------

    async def _send(self, message: Message, method: str) -> httpx.Response:
        assert self.client is not None
        url = self.switch.url + "/switch" + message.path
        try:
            return await self.client.request(
                method, url, headers=message.headers, content=message.body
            )
        except (httpx.ReadError, httpx.RemoteProtocolError):
            # A kept-alive connection the server closed as the request went out: a DFSP sends
            # the same message again, which FSPIOP makes safe (a resend has no second effect).
            return await self.client.request(
                method, url, headers=message.headers, content=message.body
            )

    async def _fulfil(self, planned: Planned) -> None:
        planned.fulfilled_at = time.perf_counter()
        try:
            answer = await self._send(planned.fulfil, "PUT")
        except httpx.HTTPError as exc:
            self._finish(planned.transfer_id, f"PUT failed: {type(exc).__name__}")
            return
        if answer.status_code != 200:  # a callback is answered 200 (API Definition table 4)
            self._finish(planned.transfer_id, f"PUT answered {answer.status_code}")

    async def transfer(self, planned: Planned) -> None:
        loop = asyncio.get_running_loop()
        planned.future = loop.create_future()
        self.in_flight[planned.transfer_id] = planned
        planned.posted_at = time.perf_counter()
        try:
            answer = await self._send(planned.prepare, "POST")
        except httpx.HTTPError as exc:
            self._finish(planned.transfer_id, f"POST failed: {type(exc).__name__}")
            return
        if answer.status_code != 202:
            self._finish(
                planned.transfer_id, f"POST answered {answer.status_code}: {answer.text[:120]}"
            )
            return
        try:
            await asyncio.wait_for(asyncio.shield(planned.future), TRANSFER_TIMEOUT)
        except TimeoutError:
            self._finish(planned.transfer_id, "no callback in time")


async def _drive(
    dfsps: Dfsps, planned: Sequence[Planned], concurrency: int, seconds: float
) -> tuple[float, bool]:
    """Run `planned` with `concurrency` closed-loop payers; stop starting new ones after
    `seconds`. Returns the wall time and whether the time cap cut the level short."""
    queue = iter(planned)
    deadline = time.perf_counter() + seconds
    capped = False

    async def payer() -> None:
        nonlocal capped
        for item in queue:
            if time.perf_counter() > deadline:
                capped = True
                return
            await dfsps.transfer(item)

    started = time.perf_counter()
    await asyncio.gather(*(payer() for _ in range(concurrency)))
    return time.perf_counter() - started, capped


def _summarise(
    database: str, level: Level, planned: Sequence[Planned], seconds: float, capped: bool
) -> E2EResult:
    sent = [item for item in planned if item.posted_at]
    committed = [item for item in sent if item.outcome == "COMMITTED"]
    failures: dict[str, int] = {}
    for item in sent:
        if item.outcome != "COMMITTED":
            failures[item.outcome or "unfinished"] = (
                failures.get(item.outcome or "unfinished", 0) + 1
            )
    latencies = [1000 * (item.done_at - item.posted_at) for item in committed]
    prepare_legs = [1000 * (item.forwarded_at - item.posted_at) for item in committed]
    fulfil_legs = [1000 * (item.done_at - item.fulfilled_at) for item in committed]
    return E2EResult(
        database=database,
        concurrency=level.concurrency,
        requested=level.transfers,
        signed=len(planned),
        completed=len(committed),
        failed=len(sent) - len(committed),
        seconds=seconds,
        transfers_per_s=len(committed) / seconds if seconds else 0.0,
        p50_ms=percentile(latencies, 0.50),
        p90_ms=percentile(latencies, 0.90),
        p99_ms=percentile(latencies, 0.99),
        max_ms=max(latencies, default=float("nan")),
        prepare_leg_p50_ms=percentile(prepare_legs, 0.50),
        fulfil_leg_p50_ms=percentile(fulfil_legs, 0.50),
        time_capped=capped,
        failures=failures,
    )


@dataclass
class Profiling:
    """py-spy recording of the switch during one level (the busiest), if py-spy is at hand.

    By default only the thread holding the GIL is sampled: where the Python CPU goes. With
    `waits`, every thread is sampled all the time (`--idle`): where the wall time goes,
    waiting for locks, the database or the network included.
    """

    py_spy: str
    folder: Path
    concurrency: int
    waits: bool = False

    def recording(self, database: str) -> Path:
        mode = "waits" if self.waits else "gil"
        return self.folder / f"payments-e2e-{database}-c{self.concurrency}-{mode}.py-spy.txt"


def _how_many_to_sign(level: Level, rate: float, seconds: float) -> int:
    """Signing costs a millisecond or more per message: sign what the level can use in its
    time cap (three times the best rate seen so far, and never fewer than a few per payer)."""
    enough = int(3 * rate * seconds) + 10 * level.concurrency
    return max(1, min(level.transfers, enough))


async def _run_levels(
    database: str,
    switch: Switch,
    dfsps: Dfsps,
    levels: Sequence[Level],
    warm_up: int,
    seconds: float,
    log: Callable[[str], None],
    profiling: Profiling | None,
    py_spy: str | None,
) -> list[E2EResult]:
    payer = CallbackServer(dfsps.payer.port, dfsps.payer_received)
    payee = CallbackServer(dfsps.payee.port, dfsps.payee_received)
    await payer.start()
    await payee.start()
    busiest = max(level.concurrency for level in levels)
    limits = httpx.Limits(max_connections=4 * busiest + 8, max_keepalive_connections=4 * busiest)
    results = []
    try:
        async with httpx.AsyncClient(limits=limits, timeout=TRANSFER_TIMEOUT) as client:
            dfsps.client = client
            rate = 0.0
            if warm_up:
                warm_level = Level(min(8, busiest), warm_up)
                planned = dfsps.plan(warm_up)
                wall, _ = await _drive(dfsps, planned, warm_level.concurrency, seconds)
                warm = _summarise(database, warm_level, planned, wall, False)
                rate = warm.transfers_per_s
                log(
                    f"  {database:<10} warm-up: {warm.completed}/{warm_up} committed "
                    f"({rate:,.1f}/s at concurrency {warm_level.concurrency})"
                )
                if warm.completed == 0:
                    raise RuntimeError(f"no transfer committed during the warm-up: {warm.failures}")
            for level in levels:
                planned = dfsps.plan(_how_many_to_sign(level, max(rate, 1.0), seconds))
                meter = CpuMeter({"switch": switch.pid, "load_generator": os.getpid()})
                threads = ThreadCpuMeter(switch.pid, py_spy)
                recorder = _start_py_spy(profiling, switch, database, level, seconds)
                backlog = BacklogSampler(switch)
                transactions_before = await asyncio.to_thread(backlog.transactions)
                meter.start()
                threads.start()
                backlog.start()
                wall, capped = await _drive(dfsps, planned, level.concurrency, seconds)
                threads.stop()
                meter.stop()
                outbox_backlog = await backlog.stop()
                _stop_py_spy(recorder)
                threads.name_threads()
                # Callbacks still on their way (the payee's PATCH) would land in the next level;
                # PostgreSQL's backends report their transaction counts within a second.
                await asyncio.sleep(0.2 if transactions_before is None else 1.2)
                transactions_after = await asyncio.to_thread(backlog.transactions)
                backlog.close()
                result = _summarise(database, level, planned, wall, capped)
                result.cpu_seconds = meter.used
                result.switch_threads_cpu_seconds = threads.used
                result.outbox_backlog = outbox_backlog
                if transactions_before is not None and transactions_after is not None:
                    result.database_transactions = transactions_after - transactions_before
                result.machine_busy_cores = meter.machine_busy_cores
                results.append(result)
                rate = max(rate, result.transfers_per_s)
                log(
                    f"  {database:<10} concurrency {level.concurrency:>3}: "
                    f"{result.transfers_per_s:>7,.1f} transfers/s, p50 {result.p50_ms:,.1f} ms, "
                    f"p99 {result.p99_ms:,.1f} ms ({result.completed:,} committed"
                    f"{', time-capped' if capped else ''}; switch CPU "
                    f"{result.as_json()['cpu_ms_per_transfer'].get('switch')} ms/transfer)"
                )
    finally:
        dfsps.client = None
        await payer.close()
        await payee.close()
    return results


def _start_py_spy(
    profiling: Profiling | None, switch: Switch, database: str, level: Level, seconds: float
) -> subprocess.Popen[bytes] | None:
    if profiling is None or level.concurrency != profiling.concurrency:
        return None
    return subprocess.Popen(
        [
            profiling.py_spy, "record", "--pid", str(switch.pid), "--format", "raw",
            "--threads", "--idle" if profiling.waits else "--gil", "--rate", "200",
            "--duration", str(int(seconds) + 5), "--output", str(profiling.recording(database)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _stop_py_spy(recorder: subprocess.Popen[bytes] | None) -> None:
    if recorder is None:
        return
    recorder.send_signal(signal.SIGINT)  # py-spy writes what it recorded and exits
    try:
        recorder.wait(timeout=30)
    except subprocess.TimeoutExpired:
        recorder.kill()
        recorder.wait()


def find_py_spy(explicit: str | None = None) -> str | None:
    return explicit or shutil.which("py-spy")


def run(
    database: str,
    levels: Sequence[Level],
    *,
    postgres_url: str | None = None,
    warm_up: int = 200,
    seconds_per_level: float = 60.0,
    log: Callable[[str], None] = print,
    profiling: Profiling | None = None,
    py_spy: str | None = None,
) -> list[E2EResult]:
    """Start a switch on `database` (sqlite or postgresql), join the two DFSPs, run the levels."""
    with tempfile.TemporaryDirectory(prefix=f"comptoir-bench-e2e-{database}-") as folder:
        base = Path(folder)
        with running_switch(database, postgres_url, base / "node") as switch:
            dfsps = Dfsps(switch, base)
            results = asyncio.run(
                _run_levels(
                    database,
                    switch,
                    dfsps,
                    levels,
                    warm_up,
                    seconds_per_level,
                    log,
                    profiling,
                    py_spy,
                )
            )
            log(f"  {database:<10} PATCH notifications the payee received: {dfsps.patches:,}")
            if dfsps.unexpected:
                log(f"  {database:<10} unexpected callbacks: {dfsps.unexpected}")
            return results


if __name__ == "__main__":
    print("bench/payments_e2e.py is part of bench/payments.py; run that.")
