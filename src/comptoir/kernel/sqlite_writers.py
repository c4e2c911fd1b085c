"""SQLite's writers queue at a gate that lets the next one in the moment the last one is done.

SQLite lets one transaction write at a time. A writer that finds the write lock taken waits in
SQLite's busy handler, which sleeps 1, 2, 5, 10, then up to 100 ms between tries, whatever
the holder is doing: with a web server's threads, or two server processes, taking turns at a
lock held a fraction of a millisecond, most of a contended request's time went in those
sleeps, and adding a worker process added almost no sign-ins.

The gate is taken before BEGIN IMMEDIATE and given back at COMMIT or ROLLBACK:
- within a process, a `threading.Lock`, which hands over to the next thread at once;
- across processes sharing the file, an exclusive `flock` on `<database>-writers` (beside its
  `-wal` and `-shm` files), taken by the one thread of the process that holds the first; while
  another process holds it, a helper thread waits in a blocking `flock` and hands it over the
  moment it is free.

The two waits together give up after the connection's busy timeout, as SQLite's own wait did,
with the error SQLite gives ("database is locked"): a thread that opens a second write transaction
while it holds one gets that error, not a hang. The gate only orders writers that go through
it; SQLite's own lock still guards the file, so a writer that bypasses the gate (the sqlite3
shell, a backup) is safe, only not queued.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

_log = logging.getLogger(__name__)

# Matches `PRAGMA busy_timeout` (kernel.db): how long a writer waits before it is refused.
WAIT_SECONDS = 10.0
_GATE_KEY = "comptoir.writer_gate"
_HELD_KEY = "comptoir.writer_gate_held"


class WriterGate:
    """The gate of one database file in this process."""

    def __init__(self, lock_path: Path) -> None:
        self.lock_path = lock_path
        self._threads = threading.Lock()
        self._file: int | None = None
        self._file_waiter: _FileWaiter | None = None

    def enter(self) -> None:
        """Wait for this process's turn, then for the file's; raise SQLite's "database is
        locked" if the wait passes WAIT_SECONDS."""
        # The thread lock is tried without waiting first: the usual case, and the cheapest.
        started = 0.0
        if not self._threads.acquire(blocking=False):
            started = time.monotonic()
            if not self._threads.acquire(timeout=WAIT_SECONDS):
                raise sqlite3.OperationalError("database is locked")
        try:
            if self._file_waiter is None:
                file = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                self._file, self._file_waiter = file, _FileWaiter(file)
            # One wait in all: what the thread lock took is not waited again.
            self._file_waiter.take((started or time.monotonic()) + WAIT_SECONDS)
        except BaseException:
            self._threads.release()
            raise

    def leave(self) -> None:
        try:
            if self._file is not None:
                fcntl.flock(self._file, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def after_fork(self) -> None:
        """In a forked child: a lock of its own, and a file of its own to lock. The copied
        descriptor shares the parent's open file, hence the parent's flock, and the copied
        thread lock may be held by a parent's thread that does not exist here (nor does the
        parent's file waiter)."""
        self._threads = threading.Lock()
        if self._file is not None:
            os.close(self._file)  # the parent's descriptor stays open, and its lock held
            self._file = None
        self._file_waiter = None


class _FileWaiter:
    """Takes the file's `flock` for the thread that holds the process's turn: at once when it
    is free; otherwise through a helper thread blocked in `flock`, which the kernel wakes the
    moment the other process lets go, while the asking thread waits for it with a deadline
    (a blocking `flock` cannot be given a timeout, and pauses between tries let the lock go
    unused for up to a pause: an eighth fewer sign-ins on two processes, bench/identity.py).

    The lock belongs to the open file, not to a thread, so the helper hands it over as taken;
    a thread that gave up before the hand-over leaves the helper to let it go. While the
    helper is asked, no one tries the file directly: once the helper has the lock, a try would
    succeed on the lock it is taking for someone else."""

    def __init__(self, file: int) -> None:
        self._file = file
        self._changed = threading.Condition(threading.Lock())
        self._asked = False  # the helper is taking the lock (or about to)
        self._wanted = False  # a thread waits for it
        self._handed = False  # the helper took it for that thread
        self._helper: threading.Thread | None = None

    def take(self, deadline: float) -> None:
        with self._changed:
            if not self._asked:
                try:
                    fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return
                except BlockingIOError:
                    self._ask_helper()
            self._wanted, self._handed = True, False
            try:
                while not self._handed:
                    remaining = deadline - time.monotonic()
                    # Unasked and nothing handed over: the helper failed (see `_help`).
                    if remaining <= 0 or not self._asked:
                        raise sqlite3.OperationalError("database is locked")
                    self._changed.wait(remaining)
            except BaseException:
                # Given up, at the deadline or interrupted: the helper lets go of what it takes
                # for no one, and what it handed over just now is let go here.
                self._wanted = False
                if self._handed:
                    fcntl.flock(self._file, fcntl.LOCK_UN)
                raise
            finally:
                self._handed = False

    def _ask_helper(self) -> None:
        if self._helper is None:
            helper = threading.Thread(
                target=self._help, name="comptoir-sqlite-writers", daemon=True
            )
            helper.start()  # asked only once it runs: a helper that never started takes nothing
            self._helper = helper
        self._asked = True
        self._changed.notify_all()

    def _help(self) -> None:
        try:
            while True:
                with self._changed:
                    while not self._asked:
                        self._changed.wait()
                fcntl.flock(self._file, fcntl.LOCK_EX)  # releases the GIL while it waits
                with self._changed:
                    self._asked = False
                    if self._wanted:
                        self._wanted, self._handed = False, True
                        self._changed.notify_all()
                    else:
                        fcntl.flock(self._file, fcntl.LOCK_UN)  # the asker gave up
        except OSError as error:  # a lock the system refused (ENOLCK, say)
            _log.warning("the SQLite writers' gate could not wait for its lock: %s", error)
        finally:
            # Whatever ended this helper, its asker is refused at once, and the next one starts
            # a helper of its own rather than waiting for this one.
            with self._changed:
                self._asked = False
                self._helper = None
                self._changed.notify_all()


_gates: dict[str, WriterGate] = {}
_gates_lock = threading.Lock()


def gate_for(database: str) -> WriterGate | None:
    """This process's gate for a database file, or None for a database that no other
    connection can share through a file (in memory, or a `file:` URI left to its options)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = Path(database).resolve()
    with _gates_lock:
        gate = _gates.get(str(path))
        if gate is None:
            gate = _gates[str(path)] = WriterGate(path.with_name(path.name + "-writers"))
        return gate


def _after_fork_in_child() -> None:
    global _gates_lock  # noqa: PLW0603 (a parent's thread may have held it at the fork)
    _gates_lock = threading.Lock()
    for gate in _gates.values():
        gate.after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)


def attach(connection_info: dict[str, Any], gate: WriterGate | None) -> None:
    """Give a new pooled connection its database's gate (its record's `info` outlives
    checkouts)."""
    if gate is not None:
        connection_info[_GATE_KEY] = gate


# The connection's holding is marked with the process's id: a child forked inside a write
# transaction copies the mark, but not the hold (its gate is new), so its copy means nothing.


def enter(connection_info: dict[str, Any]) -> None:
    gate: WriterGate | None = connection_info.get(_GATE_KEY)
    if gate is not None and connection_info.get(_HELD_KEY) != os.getpid():
        gate.enter()
        connection_info[_HELD_KEY] = os.getpid()


def leave(connection_info: dict[str, Any]) -> None:
    """Give the gate back if this connection holds it; safe to call more than once."""
    if connection_info.pop(_HELD_KEY, None) == os.getpid():
        gate: WriterGate = connection_info[_GATE_KEY]
        gate.leave()
