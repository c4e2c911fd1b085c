"""Linked chains in a batch: consecutive events flagged `linked`, ending at the first without
the flag, succeed or fail together. Shared by `create_accounts` and `create_transfers`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

__all__ = ["run_batch"]

_LINKED = 1  # the same bit in AccountFlags and TransferFlags


class _Event(Protocol):
    @property
    def flags(self) -> int: ...


E = TypeVar("E", bound=_Event)
R = TypeVar("R")


def run_batch(
    events: Sequence[E],
    first_timestamp: int,
    *,
    create: Callable[[E, int, int], R],
    mark: Callable[[], int],
    roll_back: Callable[[int], None],
    ok: R,
    linked_event_failed: R,
    linked_event_chain_open: R,
) -> list[tuple[int, R]]:
    """Create each event in order and return the failures as (index, result), in index order.

    `create(event, flags, timestamp)` applies one event and returns `ok` or why it failed,
    having changed nothing in that case. `mark()` notes where the changes stand when a chain
    opens, and `roll_back(mark)` undoes everything since, when a chain breaks: its earlier
    events then answer `linked_event_failed`, the one that broke it its own result, and the
    rest of the chain `linked_event_failed` without being tried. A chain still open at the end
    of the batch breaks on its last event, which answers `linked_event_chain_open`.
    """
    failures: list[tuple[int, R]] = []
    last = len(events) - 1
    chain_start = -1
    chain_mark = 0
    broken = False
    for index, event in enumerate(events):
        # int() once: a bitwise operation on an IntFlag member builds a new member, slowly.
        flags = int(event.flags)
        linked = flags & _LINKED
        if linked:
            if chain_start < 0:
                chain_start = index
                chain_mark = mark()
            if index == last:
                result = linked_event_chain_open
            elif broken:
                result = linked_event_failed
            else:
                result = create(event, flags, first_timestamp + index)
        elif broken:
            result = linked_event_failed
        else:
            result = create(event, flags, first_timestamp + index)
        if result is not ok:
            if chain_start >= 0 and not broken:
                broken = True
                roll_back(chain_mark)
                failures.extend(
                    (earlier, linked_event_failed) for earlier in range(chain_start, index)
                )
            failures.append((index, result))
        if chain_start >= 0 and (not linked or result is linked_event_chain_open):
            chain_start = -1
            broken = False
    return failures
