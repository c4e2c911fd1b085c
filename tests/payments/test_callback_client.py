"""The client that sends the switch's callbacks: what reaches the participant, on how many
connections, and what happens when the participant closes one."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from comptoir.payments.switch.callback_client import MAX_ANSWER_BYTES, CallbackClient


class _Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    received: ClassVar[list[tuple[str, str, dict[str, str], bytes, int]]] = []
    close_after_answer: ClassVar[bool] = False

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        port = self.client_address[1]
        self.received.append((self.command, self.path, dict(self.headers.items()), body, port))
        status = 503 if self.path.endswith("/down") else 200
        answer = b"x" * (1024 * 1024) if self.path.endswith("/big") else b"ok"
        self.send_response(status)
        self.send_header("Content-Length", str(len(answer)))
        if self.close_after_answer:
            self.send_header("Connection", "close")
        self.end_headers()
        # The client may read what it wants of a long answer and close.
        with contextlib.suppress(OSError):
            self.wfile.write(answer)
        if self.close_after_answer:
            self.close_connection = True

    def do_PUT(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def do_PATCH(self) -> None:
        self._answer()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def participant() -> Iterator[str]:
    _Recorder.received = []
    _Recorder.close_after_answer = False
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/fspiop"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def client() -> Iterator[CallbackClient]:
    client = CallbackClient(timeout_seconds=5)
    try:
        yield client
    finally:
        client.close()


def test_the_message_arrives_with_its_own_headers_and_no_accept(
    participant: str, client: CallbackClient
) -> None:
    answer = client.request(
        "PUT",
        participant + "/transfers/abc?x=1",
        headers={"Content-Type": "application/vnd.interoperability.transfers+json;version=2.0",
                 "FSPIOP-Source": "switch"},
        body=b'{"transferState":"COMMITTED"}',
    )  # fmt: skip
    assert (answer.status_code, answer.body) == (200, b"ok")
    ((method, path, headers, body, _port),) = _Recorder.received
    assert (method, path, body) == (
        "PUT",
        "/fspiop/transfers/abc?x=1",
        b'{"transferState":"COMMITTED"}',
    )
    names = {name.lower() for name in headers}
    assert names == {"host", "content-type", "fspiop-source", "content-length"}


def test_messages_to_one_participant_share_a_kept_alive_connection(
    participant: str, client: CallbackClient
) -> None:
    for _ in range(3):
        client.request("PATCH", participant + "/transfers/a", headers={}, body=b"{}")
    assert len({port for *_, port in _Recorder.received}) == 1


def test_a_connection_the_participant_closed_is_replaced(
    participant: str, client: CallbackClient
) -> None:
    _Recorder.close_after_answer = True
    for _ in range(3):
        assert (
            client.request("POST", participant + "/transfers", headers={}, body=b"{}").status_code
            == 200
        )
    assert len(_Recorder.received) == 3


def test_no_more_of_a_long_answer_is_read_than_a_callback_answer_can_need(
    participant: str, client: CallbackClient
) -> None:
    long = client.request("PUT", participant + "/big", headers={}, body=b"{}")
    after = client.request("PUT", participant + "/transfers/a", headers={}, body=b"{}")

    assert (long.status_code, len(long.body)) == (200, MAX_ANSWER_BYTES)
    assert (after.status_code, after.body) == (200, b"ok")
    # The long answer's connection, its rest unread, was not used again.
    assert len({port for *_, port in _Recorder.received}) == 2


def test_an_error_status_is_answered_not_raised(participant: str, client: CallbackClient) -> None:
    answer = client.request("PUT", participant + "/down", headers={}, body=b"")
    assert (answer.status_code, answer.text) == (503, "ok")


def test_a_participant_that_is_not_there_raises_a_connection_error(
    client: CallbackClient,
) -> None:
    from tests.support.servers import free_port

    with pytest.raises(ConnectionError):
        client.request("PUT", f"http://127.0.0.1:{free_port()}/x", headers={}, body=b"")
