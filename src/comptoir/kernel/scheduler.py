"""Periodic jobs of a running node (expiry sweeps and the like), on one background thread.

A job must be safe to run in several processes at once (each node runs its own scheduler), so
jobs claim their work in the database, never in memory.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

logger = logging.getLogger("comptoir.scheduler")


@dataclass
class _Job:
    name: str
    every_seconds: float
    run: Callable[[], object]
    due: float = field(default=0.0)


class Scheduler:
    def __init__(self) -> None:
        self._jobs: list[_Job] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def every(self, seconds: float, name: str, run: Callable[[], object]) -> None:
        if seconds <= 0:
            raise ValueError("a job's period must be positive")
        self._jobs.append(_Job(name, seconds, run))

    def run_due(self, now: float | None = None) -> None:
        """Run every job whose time has come (tests call this directly)."""
        moment = time.monotonic() if now is None else now
        for job in self._jobs:
            if job.due <= moment:
                job.due = moment + job.every_seconds
                try:
                    job.run()
                except Exception:
                    # One failing job must not stop the others, nor the next run of itself.
                    logger.exception("periodic job %s failed", job.name)

    def start(self) -> None:
        if self._thread is not None or not self._jobs:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="comptoir-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_due()
            pending = [job.due for job in self._jobs]
            wait = max(0.01, min(pending) - time.monotonic()) if pending else 1.0
            self._stop.wait(min(wait, 1.0))
