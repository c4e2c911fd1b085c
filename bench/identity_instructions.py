"""Instructions per complete sign-in, counted by callgrind (see identity.py).

Flows per second and CPU milliseconds move with whatever else the machine runs (other work
stealing the cores, caches, frequency); the number of instructions a flow executes does not.
So before and after a change, this is the figure to compare: `valgrind --tool=callgrind` runs
this file as a child, which builds an in-process node on SQLite as identity_flows does, warms
it up with instrumentation off, switches it on (`callgrind_control -i on`) for `flows`
returning sign-ins only, and off again. Both sides (relying party and provider) are counted,
as in the in-process figure. Under callgrind Python runs about fifty times slower: 20 flows
take half a minute.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FLOWS = 20
WARM_UP = 5


def instructions_per_flow(flows: int = FLOWS) -> float | None:
    """Millions of instructions per returning sign-in, or None without valgrind."""
    valgrind = shutil.which("valgrind")
    if valgrind is None or shutil.which("callgrind_control") is None:
        return None
    with tempfile.TemporaryDirectory(prefix="identity-callgrind-") as folder:
        finished = subprocess.run(
            [
                valgrind,
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={Path(folder) / 'callgrind.out'}",
                sys.executable,
                __file__,
                "--child",
                str(flows),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    found = re.search(r"Collected\s*:\s*(\d+)", finished.stderr)
    if finished.returncode != 0 or found is None:
        raise RuntimeError(f"callgrind run failed: {finished.stderr[-2000:]}")
    return int(found.group(1)) / flows / 1e6


def _child(flows: int) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    import identity_flows

    with tempfile.TemporaryDirectory(prefix="identity-callgrind-db-") as folder:
        node = identity_flows.build_node(f"sqlite:///{Path(folder) / 'comptoir.db'}", Path(folder))
        try:
            shop = node.client("Bench shop")
            browser = node.signed_in_browser()
            for _ in range(WARM_UP):
                identity_flows.one_flow(shop, browser)
            _instrument("on")
            for _ in range(flows):
                identity_flows.one_flow(shop, browser)
            _instrument("off")
        finally:
            node.transport.close()
            node.database.dispose()


def _instrument(state: str) -> None:
    # callgrind_control returns once the tool has acted on the command.
    subprocess.run(
        ["callgrind_control", "-i", state, str(os.getpid())], capture_output=True, check=True
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        _child(int(sys.argv[2]))
    else:
        print("bench/identity_instructions.py is part of bench/identity.py; run that.")
