"""The text messages a node sent to phones, read as a phone would.

In-process (`Texts`): the messages queued for the SMS channel, the outbox events on its topic,
whether or not the node serves the channel. A served node (`codes_sent`, `new_code`): what its
SMS channel sent, kept in its `sms_message` table (the operator's SMS console).
"""

from __future__ import annotations

import re
import sqlite3
import time
import uuid
from contextlib import closing

from sqlalchemy import select

from comptoir.kernel.code_sign_in import SMS_TOPIC
from comptoir.kernel.db import Database
from comptoir.kernel.outbox.models import OutboxEventRecord
from tests.support.servers import RunningServer

CODE = re.compile(r"\b(\d{6})\b")


class Texts:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._last_seen: uuid.UUID | None = None

    def new(self) -> list[tuple[str, str]]:
        """(recipient, body) of each text queued since the last look, oldest first (UUIDv7
        ids grow with time)."""
        query = select(OutboxEventRecord.id, OutboxEventRecord.payload).where(
            OutboxEventRecord.topic == SMS_TOPIC
        )
        if self._last_seen is not None:
            query = query.where(OutboxEventRecord.id > self._last_seen)
        with self._database.reading() as session:
            rows = session.execute(query.order_by(OutboxEventRecord.id)).all()
        if rows:
            self._last_seen = rows[-1].id
        return [(str(row.payload["to"]), str(row.payload["body"])) for row in rows]

    def forget(self) -> None:
        """Look once without reading: only texts queued after this count."""
        self.new()

    def codes(self, phone: str | None = None) -> list[str]:
        """The one-time codes in the texts queued since the last look (to `phone` alone, if
        given), oldest first."""
        found: list[str] = []
        for recipient, body in self.new():
            if phone is None or recipient == phone:
                found.extend(CODE.findall(body))
        return found


# -- a server in another process ------------------------------------------------------------


def texts_sent(server: RunningServer, phone: str) -> list[str]:
    """The texts the SMS channel of a served node (on SQLite, in its data folder) sent to
    `phone`, newest first."""
    with closing(sqlite3.connect(server.log_path.parent / "comptoir.db")) as connection:
        rows = connection.execute(
            "select body from sms_message where recipient = ? order by created_at desc",
            (phone,),
        ).fetchall()
    return [body for (body,) in rows]


def codes_sent(server: RunningServer, phone: str) -> int:
    return len(texts_sent(server, phone))


def new_code(server: RunningServer, phone: str, sent_before: int) -> str:
    """The one-time code of the first text sent to `phone` after `sent_before` of them (an
    earlier code may be there: another test signed the same person in)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        sent = texts_sent(server, phone)
        if len(sent) > sent_before and (found := CODE.search(sent[0])):
            return found.group(1)
        time.sleep(0.1)
    raise AssertionError("no new one-time code was texted to " + phone)
