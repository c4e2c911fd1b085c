"""What the apps that sign people in with a one-time code share beyond its rules
(`kernel/one_time_codes.py`): the row each keeps per phone, read and written as the rules'
`Attempt`, what a person is told when no code may be sent yet, and the text that carries a
code to the phone.

Each app keeps its own table (keyed by its institution or platform and the phone), with the
columns `CodeRow` names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final, Protocol, TypeVar

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from comptoir.kernel.clock import Clock
from comptoir.kernel.i18n import _, lazy, ngettext
from comptoir.kernel.one_time_codes import (
    CODE_LIFETIME,
    MAX_CODES_PER_WINDOW,
    Attempt,
    Held,
    Hold,
    seconds_until,
)
from comptoir.kernel.outbox import publish

# The SMS channel's topic (`channels/sms/outbox.py`): whoever needs a text sent publishes
# `{"to": ..., "body": ...}` on it and never imports the channel.
SMS_TOPIC: Final = "sms.send"


class CodeRow(Protocol):
    """The columns of a table that keeps one phone's sign-in state."""

    code_digest: str | None
    code_expires_at: datetime | None
    failures: int
    locked_until: datetime | None
    code_sent_at: datetime | None
    window_started_at: datetime | None
    sent_in_window: int
    updated_at: datetime


Row = TypeVar("Row")


def locked_row(session: Session, model: type[Row], key: Mapping[str, str], now: datetime) -> Row:
    """The phone's row (`key`: the primary key's columns and values, in their order), locked
    for this transaction. It is made first if need be, in a way that two asks at once cannot
    both make it, so concurrent asks queue on one row and the hourly cap holds."""
    identity = tuple(key.values())
    found = session.get(model, identity, with_for_update=True)
    if found is not None:
        return found
    values: dict[str, Any] = {**key, "failures": 0, "sent_in_window": 0, "updated_at": now}
    # The two databases Comptoir runs on; both skip a row another transaction just made.
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(module.insert(model).values(values).on_conflict_do_nothing())
    found = session.get(model, identity, with_for_update=True)
    assert found is not None
    return found


def attempt_of(row: CodeRow) -> Attempt:
    return Attempt(
        row.code_digest,
        row.code_expires_at,
        row.failures,
        row.locked_until,
        row.code_sent_at,
        row.window_started_at,
        row.sent_in_window,
    )


def keep(row: CodeRow, attempt: Attempt, now: datetime) -> None:
    """Write the rules' new state into the row."""
    row.code_digest = attempt.code_digest
    row.code_expires_at = attempt.code_expires_at
    row.failures = attempt.failures
    row.locked_until = attempt.locked_until
    row.code_sent_at = attempt.code_sent_at
    row.window_started_at = attempt.window_started_at
    row.sent_in_window = attempt.sent_in_window
    row.updated_at = now


def held_text(held: Held, now: datetime, *, when: Callable[[datetime], str]) -> str:
    """What a person is told when a code is held back by the wait or the hourly cap, in their
    language; `when` writes a moment as the app's pages do. (A lock is not told here: it is
    answered as if a code were sent, and said at the next code typed.)"""
    if held.reason is Hold.RESEND_WAIT:
        return ngettext(
            "A code was asked for this number a moment ago. Wait {count} second before asking "
            "for a new one.",
            "A code was asked for this number a moment ago. Wait {count} seconds before asking "
            "for a new one.",
            seconds_until(held.until, now),
        )
    return _(
        "This number has asked for {count} codes in the last hour. You can ask for a new one "
        "at {time}.",
        count=MAX_CODES_PER_WINDOW,
        time=when(held.until),
    )


def send_code(session: Session, *, sender: str, phone: str, code: str, clock: Clock) -> None:
    """Queue the text message that carries a sign-in code, in the transaction that keeps the
    code's digest: it goes out only if that commits. The SMS channel sends it (the demo keeps
    it for the operator's SMS console); a code is a secret, so it is never written to a log."""
    text = lazy(
        "{sender}: your sign-in code is {code}. It expires in {minutes} minutes. Never share "
        "it with anyone.",
        sender=sender,
        code=code,
        minutes=int(CODE_LIFETIME.total_seconds()) // 60,
    )
    publish(
        session,
        topic=SMS_TOPIC,
        payload={"to": phone, "body": text.render()},
        key=phone,
        clock=clock,
    )
