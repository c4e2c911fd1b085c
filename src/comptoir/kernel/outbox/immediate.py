"""Immediate sends: a delivery handed to its handler right after the commit that published it.

`publish(..., send_now=True)` writes each delivery that a running relay of this process can
make already leased to that relay (one attempt counted), and the commit hands it to the relay's
pool of senders instead of waiting for a claim: no claim transaction, no poll. The row written
with the change stays the durable fallback: a send that fails is recorded as a failed attempt
(the relay retries it after the usual backoff), and a send lost with its process (a crash, a
stop) keeps its lease until the lease expires, when any relay claims it like any other.

Outcomes are recorded in batches: whoever finishes a send while no batch is being written
writes every outcome waiting, in one transaction, and keeps writing until none waits. So the
sends of a busy moment share one transaction, and an idle one writes its single outcome at once.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from comptoir.kernel.ids import new_id
from comptoir.kernel.outbox.models import Claim

logger = logging.getLogger(__name__)

Outcome = tuple[Claim, Exception | None]


class ImmediateSends:
    """A relay's pool of immediate senders and the batched recording of their outcomes."""

    def __init__(
        self,
        *,
        call: Callable[[Claim], Exception | None],
        finish: Callable[[Sequence[Outcome], uuid.UUID], None],
        workers: int,
    ) -> None:
        # One token for every immediate lease of this relay: a delivery whose lease expired
        # and was claimed again carries another token, so a late outcome never overwrites it.
        self.token = new_id()
        self._call = call
        self._finish = finish
        self._workers = workers
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._waiting: list[Outcome] = []
        self._writing = False

    def start(self) -> None:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    self._workers, thread_name_prefix="comptoir-outbox-now"
                )

    def running(self) -> bool:
        with self._lock:
            return self._pool is not None

    def stop(self) -> None:
        """Stop taking sends; those not started stay leased, for a relay to claim later."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, claims: Sequence[Claim]) -> None:
        """Send these deliveries soon (called once the transaction that wrote them commits)."""
        with self._lock:
            pool = self._pool
            if pool is None:
                return  # stopped: their leases expire and a relay claims them
            for claim in claims:
                pool.submit(self._send, claim)

    def _send(self, claim: Claim) -> None:
        self._record((claim, self._call(claim)))

    def _record(self, outcome: Outcome) -> None:
        with self._lock:
            self._waiting.append(outcome)
            if self._writing:
                return  # the writer at work takes this one in its next batch
            self._writing = True
        while True:
            with self._lock:
                batch, self._waiting = self._waiting, []
                if not batch:
                    self._writing = False
                    return
            try:
                self._finish(batch, self.token)
            except Exception:
                # Not recorded: the deliveries keep their lease, and a relay sends them again
                # when it expires (handlers are idempotent).
                logger.exception("could not record %d immediate outbox sends", len(batch))
