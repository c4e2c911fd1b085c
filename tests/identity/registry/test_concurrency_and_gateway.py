"""Two enrolments of one phone at once make one record; the SMS gateway adapter posts each
message once, and a gateway that fails gets the message again later."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from comptoir.channels.sms.models import SmsMessage
from comptoir.channels.sms.outbox import GatewayAdapter, SmsOutbox
from comptoir.identity.registry.models import Person
from comptoir.identity.registry.service import RegistryError, enrol_person
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.db import Database
from comptoir.kernel.ids import new_id
from comptoir.kernel.outbox import OutboxEvent

pytestmark = pytest.mark.postgres

PHONE = "+17585550101"


def test_two_enrolments_of_one_phone_at_once_make_one_record(
    database: Database, clock: FrozenClock
) -> None:
    first_inserted = threading.Event()
    outcomes: list[str] = []

    def enrol(name: str, *, hold: bool) -> None:
        try:
            with database.transaction() as session:
                enrol_person(
                    session,
                    name=name,
                    phone=PHONE,
                    birthdate="1988-03-14",
                    actor="operator:test",
                    clock=clock,
                )
                if hold:
                    first_inserted.set()
                    time.sleep(0.3)  # the other enrolment now waits on our row or our lock
            outcomes.append("enrolled")
        except RegistryError as error:
            outcomes.append(error.code)

    first = threading.Thread(target=enrol, args=("Marie Joseph",), kwargs={"hold": True})
    first.start()
    assert first_inserted.wait(10)
    second = threading.Thread(target=enrol, args=("Marie J.",), kwargs={"hold": False})
    second.start()
    first.join(10)
    second.join(10)

    assert sorted(outcomes) == ["duplicate_phone", "enrolled"]
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 1


class Gateway:
    """A stand-in SMS provider on a loopback port: records what it is sent."""

    def __init__(self) -> None:
        self.received: list[dict[str, str]] = []
        self.failing = False
        self.while_answering: list[object] = []  # callables run before the gateway answers
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                for step in gateway.while_answering:
                    step()  # type: ignore[operator]
                if gateway.failing:
                    self.send_response(503)
                else:
                    gateway.received.append(json.loads(body))
                    self.send_response(202)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    stand_in = Gateway()
    thread = threading.Thread(target=stand_in.server.serve_forever, daemon=True)
    thread.start()
    yield stand_in
    stand_in.server.shutdown()
    stand_in.server.server_close()


def event(body: str) -> OutboxEvent:
    return OutboxEvent(
        id=new_id(),
        topic="sms.send",
        key=PHONE,
        payload={"to": PHONE, "body": body},
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def stored(database: Database) -> int:
    with database.reading() as session:
        return session.scalar(select(func.count()).select_from(SmsMessage)) or 0


def test_the_gateway_adapter_posts_each_message_once(
    database: Database, clock: FrozenClock, gateway: Gateway
) -> None:
    outbox = SmsOutbox(database, adapter=GatewayAdapter(gateway.url), clock=clock)
    message = event("Your Comptoir code is 123456.")

    outbox.handle(message)
    outbox.handle(message)  # the relay may deliver an event twice

    assert gateway.received == [{"to": PHONE, "message": "Your Comptoir code is 123456."}]
    assert stored(database) == 1


def test_a_failing_gateway_gets_the_message_again_later(
    database: Database, clock: FrozenClock, gateway: Gateway
) -> None:
    outbox = SmsOutbox(database, adapter=GatewayAdapter(gateway.url), clock=clock)
    message = event("Bonjou")
    gateway.failing = True

    with pytest.raises(RuntimeError, match="503"):
        outbox.handle(message)
    assert stored(database) == 0

    gateway.failing = False
    outbox.handle(message)
    assert gateway.received == [{"to": PHONE, "message": "Bonjou"}]
    assert stored(database) == 1


def test_no_database_lock_is_held_while_the_gateway_answers(
    database: Database, clock: FrozenClock, gateway: Gateway
) -> None:
    outbox = SmsOutbox(database, adapter=GatewayAdapter(gateway.url), clock=clock)
    written: list[str] = []

    def another_writer() -> None:
        # On SQLite a write lock held by the sender would make this wait, then fail.
        with database.transaction() as session:
            enrol_person(
                session,
                name="Marie Joseph",
                phone="+17585550199",
                birthdate="1988-03-14",
                actor="operator:test",
                clock=clock,
            )
        written.append("enrolled")

    gateway.while_answering.append(another_writer)
    outbox.handle(event("Your Comptoir code is 654321."))

    assert written == ["enrolled"]
    assert stored(database) == 1
