"""What the benchmarks share: PostgreSQL scratch schemas, CPU accounting, percentiles, tables.

Not a benchmark itself (`make bench` runs it as a script, and it does nothing).
"""

from __future__ import annotations

import math
import os
import platform
import sqlite3
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    # `python bench/payments.py` puts bench/ on the path; the simulated DFSPs come from tests/.
    sys.path.append(str(REPO_ROOT))
RESULTS_DIR = REPO_ROOT / "bench" / "results"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
POSTGRES_URL_VARIABLES = ("COMPTOIR_BENCH_POSTGRES_URL", "COMPTOIR_TEST_POSTGRES_URL")


# -- PostgreSQL -----------------------------------------------------------------------------------


def postgres_server_url(explicit: str | None = None) -> str:
    """The server to measure on: the option, else the bench or test variable, else loopback."""
    if explicit:
        return explicit
    for variable in POSTGRES_URL_VARIABLES:
        value = os.environ.get(variable, "").strip()
        if value:
            return value
    return DEFAULT_POSTGRES_URL


def postgres_unreachable(url: str) -> str | None:
    """Why PostgreSQL at `url` cannot be used, or None when it answers."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from comptoir.kernel.db import normalise_url

    try:
        engine = create_engine(
            normalise_url(url), poolclass=NullPool, connect_args={"connect_timeout": 3}
        )
    except Exception as exc:  # a URL without a driver, a missing module
        return f"{type(exc).__name__}: {exc}"
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        first_line = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return f"cannot reach PostgreSQL at {engine.url.render_as_string()} ({first_line})"
    finally:
        engine.dispose()
    return None


@dataclass(frozen=True)
class PostgresInfo:
    version: str
    synchronous_commit: str
    fsync: str


def postgres_info(url: str) -> PostgresInfo:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from comptoir.kernel.db import normalise_url

    engine = create_engine(normalise_url(url), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return PostgresInfo(
                version=str(connection.scalar(text("SHOW server_version"))),
                synchronous_commit=str(connection.scalar(text("SHOW synchronous_commit"))),
                fsync=str(connection.scalar(text("SHOW fsync"))),
            )
    finally:
        engine.dispose()


@contextmanager
def postgres_scratch_schema(server_url: str, prefix: str = "bench") -> Iterator[str]:
    """A fresh schema on the server, dropped afterwards; yields a URL whose connections use it
    (through `search_path`), as the test suite does."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    from comptoir.kernel.db import normalise_url

    base = normalise_url(server_url)
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        parsed = make_url(base)
        options = f"{parsed.query.get('options', '')} -csearch_path={schema}".strip()
        yield parsed.update_query_dict({"options": options}).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text("SET lock_timeout = '10s'"))
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


# -- CPU accounting (Linux /proc) -----------------------------------------------------------------

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (0 if it cannot be read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # After the command name: state is field 3, utime field 14, stime field 15 (1-based).
    return (int(fields[11]) + int(fields[12])) / _TICKS


def machine_cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies over all cores since boot, from /proc/stat."""
    try:
        values = [
            int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        ]
    except OSError:
        return (0, 0)
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    total = sum(values[:8])
    return (total - idle, total)


def thread_cpu_seconds(pid: int) -> dict[int, float]:
    """CPU seconds used so far by each thread of a process, by thread id."""
    used: dict[int, float] = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return used
    for tid in tids:
        try:
            fields = Path(f"/proc/{pid}/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[int(tid)] = (int(fields[11]) + int(fields[12])) / _TICKS
    return used


def thread_names(pid: int, py_spy: str | None) -> dict[int, str]:
    """Python's names for a process's threads, read by `py-spy dump` when it is at hand (the
    OS only knows them all by the program's name); the main thread is always known."""
    import re
    import subprocess

    names = {pid: "MainThread"}
    if py_spy is None:
        return names
    try:
        dump = subprocess.run(
            [py_spy, "dump", "--pid", str(pid)],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return names
    for tid, name in re.findall(r'^Thread (\d+) \([^)]*\): "([^"]+)"', dump, re.MULTILINE):
        names[int(tid)] = name
    return names


class ThreadCpuMeter:
    """CPU used by each thread of a process between `start` and `stop`, grouped by name.

    Call `name_threads` after `stop`, once no profiler is attached (py-spy reads the names).
    """

    def __init__(self, pid: int, py_spy: str | None) -> None:
        self.pid = pid
        self.py_spy = py_spy
        self.used: dict[str, float] = {}
        self._before: dict[int, float] = {}
        self._delta: dict[int, float] = {}

    def start(self) -> None:
        self._before = thread_cpu_seconds(self.pid)

    def stop(self) -> None:
        after = thread_cpu_seconds(self.pid)
        self._delta = {tid: seconds - self._before.get(tid, 0.0) for tid, seconds in after.items()}

    def name_threads(self) -> dict[str, float]:
        names = thread_names(self.pid, self.py_spy)
        grouped: dict[str, float] = {}
        for tid, seconds in self._delta.items():
            name = names.get(tid, "other threads")
            grouped[name] = grouped.get(name, 0.0) + seconds
        self.used = {
            name: round(seconds, 2)
            for name, seconds in sorted(grouped.items(), key=lambda item: -item[1])
            if seconds > 0
        }
        return self.used


class CpuMeter:
    """CPU used between `start` and `stop`: by a few processes, and by the whole machine."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.used: dict[str, float] = {}
        self.machine_busy_cores = 0.0
        self._before: dict[str, float] = {}
        self._machine_before = (0, 0)

    def start(self) -> None:
        self._before = {name: self._read(pid) for name, pid in self.pids.items()}
        self._machine_before = machine_cpu_ticks()

    def stop(self) -> None:
        self.used = {
            name: round(self._read(pid) - self._before[name], 3) for name, pid in self.pids.items()
        }
        busy, total = machine_cpu_ticks()
        busy_before, total_before = self._machine_before
        cores = os.cpu_count() or 1
        if total > total_before:
            self.machine_busy_cores = round(
                cores * (busy - busy_before) / (total - total_before), 2
            )

    @staticmethod
    def _read(pid: int) -> float:
        if pid == os.getpid():
            return time.process_time()
        return process_cpu_seconds(pid)


def background_busy_cores(seconds: float = 1.0) -> float:
    """How many cores other work keeps busy while this process sleeps: the load the run
    competes with (other people's tests on a shared machine, for one)."""
    busy_before, total_before = machine_cpu_ticks()
    time.sleep(seconds)
    busy, total = machine_cpu_ticks()
    if total <= total_before:
        return 0.0
    return round((os.cpu_count() or 1) * (busy - busy_before) / (total - total_before), 2)


def python_speed_ms() -> float:
    """CPU milliseconds for a fixed pure-Python loop (5 million additions; best of three), to
    compare this machine's single-core speed with another's."""
    best = math.inf
    for _ in range(3):
        started = time.process_time()
        total = 0
        for value in range(5_000_000):
            total += value
        best = min(best, time.process_time() - started)
    return round(1000 * best, 1)


def summarise_py_spy(path: Path, top: int = 40) -> str:
    """The hottest functions of a `py-spy record --format raw --threads` file: each thread's
    share of the samples, then functions by inclusive and by self samples."""
    import re
    from collections import Counter

    # Frames every sample of a thread goes through say nothing about where its time goes.
    plumbing = (
        "threading.py", "typer/", "_click/", "asyncio/runners.py", "asyncio/base_events.py",
        "uvicorn/server.py", "uvicorn/main.py", "uvicorn/_compat.py", "(comptoir)",
        "(comptoir/cli.py)",
    )  # fmt: skip
    threads: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [re.sub(r":\d+\)$", ")", frame) for frame in stack.split(";")]
        threads[re.sub(r"\s*\(\d+\)", "", frames[0])] += count
        total += count
        for frame in set(frames[1:]):
            if not any(part in frame for part in plumbing):
                inclusive[frame] += count
        own[frames[-1]] += count
    if not total:
        return "no samples\n"

    def share(count: int) -> str:
        return f"{100 * count / total:5.1f}%"

    lines = [f"{total} samples ({path.name})", "", "threads:"]
    lines += [f"  {share(count)}  {name}" for name, count in threads.most_common()]
    lines += ["", "inclusive:"]
    lines += [f"  {share(count)}  {name}" for name, count in inclusive.most_common(top)]
    lines += ["", "self:"]
    lines += [f"  {share(count)}  {name}" for name, count in own.most_common(top // 2)]
    return "\n".join(lines) + "\n"


# -- figures and tables ---------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (0 < fraction <= 1) of `values`; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def rounded(value: float, digits: int = 1) -> float | None:
    """A JSON-friendly number: NaN becomes null."""
    return None if math.isnan(value) else round(value, digits)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table: text left-aligned, numbers right-aligned."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [
        max([len(header)] + [len(row[index]) for row in cells])
        for index, header in enumerate(headers)
    ]

    def line(values: Sequence[str]) -> str:
        # The first column names the row; the others are figures, right-aligned.
        return "  ".join(
            value.rjust(width) if index else value.ljust(width)
            for index, (value, width) in enumerate(zip(values, widths, strict=True))
        ).rstrip()

    return "\n".join(
        [line(list(headers)), line(["-" * width for width in widths])]
        + [line(row) for row in cells]
    )


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def machine_description() -> dict[str, object]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
    }


if __name__ == "__main__":
    print("bench/_support.py holds helpers for the benchmarks; run bench/payments.py.")
