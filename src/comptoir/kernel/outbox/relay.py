"""The relay: claims due deliveries with a lease, hands them to handlers, retries with backoff.

Its bookkeeping in the database (claims, outcomes, releases) is in `leases`."""

from __future__ import annotations

import logging
import random
import threading
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from types import TracebackType

from comptoir.kernel.clock import Clock, system_clock
from comptoir.kernel.db import Database
from comptoir.kernel.ids import new_id
from comptoir.kernel.outbox.immediate import ImmediateSends
from comptoir.kernel.outbox.leases import claim_due, record_outcomes, release
from comptoir.kernel.outbox.models import Claim, Handler
from comptoir.kernel.outbox.publishing import hub

logger = logging.getLogger(__name__)


class OutboxRelay:
    """Hands pending deliveries to their handlers; several relays (processes) may share a database.

    A delivery is claimed with a lease: while `lease` runs, no other relay takes it; if this
    relay dies, it is claimed again after the lease. So a handler may see an event twice and
    must be idempotent (`processed_once`), and must finish well within `lease`.
    A failing delivery is retried after an exponential backoff with jitter (from `base_delay`,
    doubling, at most `max_delay`), and after `max_attempts` tries it is marked dead.
    Handlers run one at a time, on the thread that runs the relay, outside any transaction of
    the relay's: each opens its own.
    """

    def __init__(
        self,
        database: Database,
        *,
        clock: Clock = system_clock,
        poll_seconds: float = 1.0,
        batch: int = 50,
        lease: timedelta = timedelta(minutes=2),
        max_attempts: int = 10,
        base_delay: timedelta = timedelta(seconds=2),
        max_delay: timedelta = timedelta(hours=1),
        rng: random.Random | None = None,
        concurrency: int = 8,
        immediate_lease: timedelta | None = None,
        immediate_workers: int = 16,
    ) -> None:
        if max_attempts < 1 or batch < 1 or poll_seconds <= 0 or concurrency < 1:
            raise ValueError(
                "max_attempts, batch and concurrency must be at least 1, poll_seconds positive"
            )
        # Handlers mostly wait on the network: a batch's deliveries run side by side, so one
        # slow destination does not hold up the others, and their outcomes are written at once.
        self.concurrency = concurrency
        self.database = database
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.batch = batch
        self.lease = lease
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._rng = rng or random.Random()  # noqa: S311 (jitter, not security)
        self._handlers: dict[tuple[str, str], Handler] = {}
        self._lock = threading.Lock()
        self._wakeup = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        # Deliveries published with send_now are leased to this relay for this long: should
        # their send be lost with the process, a relay claims them once it expires.
        self.immediate_lease = immediate_lease or lease
        self._immediate = ImmediateSends(
            call=self._call, finish=self._finish, workers=max(1, immediate_workers)
        )
        hub(database.engine).add(self)

    def subscribe(self, topic: str, handler_name: str, handler: Handler) -> None:
        """Deliver events of `topic` published from now on to `handler`, known by a stable name.

        The name is stored with each delivery: keep it when the code moves, or deliveries
        already pending for the old name wait for a relay that knows it.
        """
        if not topic or not handler_name:
            raise ValueError("a subscription needs a topic and a handler name")
        with self._lock:
            known = self._handlers.get((topic, handler_name))
            if known is not None and known is not handler:
                raise ValueError(f"'{handler_name}' is already subscribed to '{topic}'")
            self._handlers[(topic, handler_name)] = handler

    def handler_names(self, topic: str) -> set[str]:
        with self._lock:
            return {name for (known_topic, name) in self._handlers if known_topic == topic}

    def lease_for_immediate_send(
        self, topic: str, handler_name: str, now: datetime
    ) -> tuple[uuid.UUID, datetime] | None:
        """The lease (token, until) of a delivery this relay will send right after its commit,
        or None when it will not (not subscribed, or not running: the delivery waits for a
        claim like any other)."""
        with self._lock:
            if (topic, handler_name) not in self._handlers:
                return None
        if self._stopping.is_set() or not self._immediate.running():
            return None
        return self._immediate.token, now + self.immediate_lease

    def send_now(self, claims: Sequence[Claim]) -> None:
        """Hand deliveries leased by `lease_for_immediate_send` to the senders (after commit)."""
        self._immediate.submit(claims)

    def run_once(self, batch: int | None = None) -> int:
        """Claim up to `batch` due deliveries and hand them over; returns how many were tried.

        For scripts and tests that drive the relay themselves; `start` runs it in a loop.
        """
        if self._thread is None or not self._thread.is_alive():
            self._stopping.clear()  # a stop() that ended an earlier run does not apply to this one
        return self._run_once(batch)

    def _run_once(self, batch: int | None = None) -> int:
        with self._lock:
            subscriptions = list(self._handlers)
        if not subscriptions:
            return 0
        token = new_id()
        claims = self._claim(subscriptions, token, batch or self.batch)
        if not claims:
            return 0
        if len(claims) == 1 or self.concurrency == 1:
            outcomes: list[tuple[Claim, Exception | None]] = []
            for index, claim in enumerate(claims):
                if self._stopping.is_set():
                    self._release(claims[index:], token)
                    break
                outcomes.append((claim, self._call(claim)))
        else:
            outcomes = self._call_side_by_side(claims, token)
        self._finish(outcomes, token)
        return len(outcomes)

    def _call_side_by_side(
        self, claims: Sequence[Claim], token: uuid.UUID
    ) -> list[tuple[Claim, Exception | None]]:
        workers = min(self.concurrency, len(claims))
        with ThreadPoolExecutor(workers, thread_name_prefix="comptoir-outbox") as pool:
            futures = [(claim, pool.submit(self._call_unless_stopping, claim)) for claim in claims]
            outcomes: list[tuple[Claim, Exception | None]] = []
            untried: list[Claim] = []
            for claim, future in futures:
                called, error = future.result()
                if called:
                    outcomes.append((claim, error))
                else:
                    untried.append(claim)
        if untried:
            self._release(untried, token)
        return outcomes

    def _call_unless_stopping(self, claim: Claim) -> tuple[bool, Exception | None]:
        if self._stopping.is_set():
            return False, None
        return True, self._call(claim)

    # Background loop ------------------------------------------------------------------

    def start(self) -> None:
        """Relay in a background thread until `stop`: every `poll_seconds`, or on `wake`."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stopping.clear()
            self._immediate.start()
            self._thread = threading.Thread(
                target=self._loop, name="comptoir-outbox-relay", daemon=True
            )
            self._thread.start()

    def wake(self) -> None:
        """Look for deliveries now rather than at the next poll (`publish` calls it on commit)."""
        self._wakeup.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the loop: the delivery in hand is finished, the rest of the batch released."""
        self._stopping.set()
        self._wakeup.set()
        self._immediate.stop()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                logger.warning("the outbox relay is still in a handler after %.0f s", timeout)
            else:
                self._thread = None

    def __enter__(self) -> OutboxRelay:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self._wakeup.clear()
            try:
                tried = self._run_once()
            except Exception:
                # A database outage must not kill the relay; it tries again at the next poll.
                logger.exception("the outbox relay failed to run; retrying")
                tried = 0
            if tried < self.batch:
                self._wakeup.wait(self.poll_seconds)

    # Steps ----------------------------------------------------------------------------

    def _claim(
        self, subscriptions: Sequence[tuple[str, str]], token: uuid.UUID, batch: int
    ) -> list[Claim]:
        return claim_due(
            self.database,
            subscriptions,
            token,
            now=self.clock.now(),
            batch=batch,
            lease=self.lease,
            max_attempts=self.max_attempts,
        )

    def _call(self, claim: Claim) -> Exception | None:
        with self._lock:  # claims only ever name subscribed handlers
            handler = self._handlers[(claim.event.topic, claim.handler)]
        try:
            handler(claim.event)
        except Exception as exc:  # recorded and retried; a BaseException (exit) goes through
            return exc
        return None

    def _finish(self, outcomes: Sequence[tuple[Claim, Exception | None]], token: uuid.UUID) -> None:
        record_outcomes(
            self.database,
            outcomes,
            token,
            now=self.clock.now(),
            max_attempts=self.max_attempts,
            backoff=self.backoff,
        )

    def _release(self, claims: Sequence[Claim], token: uuid.UUID) -> None:
        release(self.database, claims, token)

    def backoff(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th failure: exponential, capped, with "equal jitter"
        (between half and all of it) so that failures at the same moment spread out."""
        ceiling = min(
            self.max_delay.total_seconds(),
            self.base_delay.total_seconds() * 2 ** min(attempts - 1, 62),
        )
        return timedelta(seconds=ceiling / 2 + self._rng.uniform(0, ceiling / 2))
