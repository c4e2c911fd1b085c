"""Group commit: transfer steps that arrive together share one database transaction.

Every prepare and fulfil is a write transaction. One at a time, each pays for its own BEGIN and
COMMIT, queues for SQLite's write lock (whose busy handler sleeps), and on PostgreSQL waits for
the two position rows that every transfer between the same two DFSPs locks. So the steps go to
one committer thread instead: it takes everything pending when its previous batch committed,
applies each step in a savepoint of one transaction, commits once, and only then answers each
caller. A step that fails is rolled back to its savepoint and gets its own error; the others go
on. Should the batch's commit itself fail (a deadlock, a lost connection), nothing of it was
written, and each step is applied again alone, in a transaction of its own, as before.

Messages a step publishes leave after the batch commits (the outbox's immediate send), so no
lock is ever held across an HTTP call; a step rolled back to its savepoint sends nothing.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future

from sqlalchemy.orm import Session

from comptoir.kernel.db import Database

logger = logging.getLogger("comptoir.payments.group_commit")

Step = Callable[[Session], None]
MAX_BATCH = 256
IDLE_SECONDS = 5.0


class _Pending:
    __slots__ = ("future", "step")

    def __init__(self, step: Step) -> None:
        self.step = step
        self.future: Future[None] = Future()


class GroupCommitter:
    """Applies submitted steps in batches, one transaction each, on a thread of its own.

    The thread starts with the first step and ends after `idle_seconds` without one, so a
    process (or a test) that stops sending leaves no thread behind.
    """

    def __init__(
        self,
        database: Database,
        *,
        max_batch: int = MAX_BATCH,
        idle_seconds: float = IDLE_SECONDS,
        background: bool = True,
    ) -> None:
        self.database = database
        self.max_batch = max_batch
        self.idle_seconds = idle_seconds
        self.background = background
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, step: Step) -> Future[None]:
        """Apply `step` in the next batch; the future ends once that batch committed (or with
        the step's own exception)."""
        pending = _Pending(step)
        self._queue.put(pending)
        if self.background:
            self._ensure_thread()
        return pending.future

    def commit_pending(self) -> int:
        """Apply what is queued now as one batch, in the calling thread; returns its size."""
        batch = self._take(block=False)
        if batch:
            self._apply(batch)
        return len(batch)

    # -- the committer thread -------------------------------------------------------------

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="comptoir-group-commit", daemon=True
                )
                self._thread.start()

    def _loop(self) -> None:
        while True:
            batch = self._take(block=True)
            if not batch:
                with self._lock:
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            try:
                self._apply(batch)
            except BaseException as exc:  # never leave a caller waiting for ever
                for pending in batch:
                    if not pending.future.done():
                        pending.future.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise

    def _take(self, *, block: bool) -> list[_Pending]:
        batch: list[_Pending] = []
        try:
            if block:
                batch.append(self._queue.get(timeout=self.idle_seconds))
            while len(batch) < self.max_batch:
                batch.append(self._queue.get_nowait())
        except queue.Empty:
            pass
        return batch

    # -- applying a batch -----------------------------------------------------------------

    def _apply(self, batch: list[_Pending]) -> None:
        if len(batch) == 1:
            self._apply_alone(batch[0])
            return
        outcomes: list[tuple[_Pending, BaseException | None]] = []
        try:
            with self.database.transaction() as session:
                for pending in batch:
                    outcomes.append((pending, self._apply_in_savepoint(session, pending.step)))
        except Exception:
            # Nothing of the batch was written: each step again, on its own.
            logger.warning("a group commit of %d steps failed; applying each alone", len(batch))
            for pending in batch:
                self._apply_alone(pending)
            return
        for pending, error in outcomes:
            if error is None:
                pending.future.set_result(None)
            else:
                pending.future.set_exception(error)

    @staticmethod
    def _apply_in_savepoint(session: Session, step: Step) -> BaseException | None:
        try:
            with session.begin_nested():
                step(session)
        except Exception as exc:
            return exc
        return None

    def _apply_alone(self, pending: _Pending) -> None:
        try:
            with self.database.transaction() as session:
                pending.step(session)
        except Exception as exc:
            pending.future.set_exception(exc)
            return
        pending.future.set_result(None)
