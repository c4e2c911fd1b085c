"""The HTTP client that puts the switch's messages on the wire: HTTP/1.1 from the standard
library, on connections kept alive per thread and per origin.

Every transfer costs the switch two or three such requests, and httpx spent about four times
the standard library's CPU on each (0.36 against 0.08 ms, bench/payments_ceiling.py) for
features these requests do not use: no redirects, no cookies, no authentication, no
compression. Each outbox sender thread keeps its own connections, so no lock is shared.
"""

from __future__ import annotations

import http.client
import select
import ssl
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

Origin = tuple[str, str, int]
# A participant answers a callback with 200 or 202 and at most an error object; no more of an
# answer is read, so that a participant cannot make the switch hold a large body.
MAX_ANSWER_BYTES = 64 * 1024


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class CallbackClient:
    """Sends one request and reads its answer; the connection stays open for the next."""

    def __init__(self, *, timeout_seconds: float) -> None:
        self.timeout_seconds = timeout_seconds
        self._local = threading.local()
        self._tls: ssl.SSLContext | None = None

    def request(self, method: str, url: str, *, headers: dict[str, str], body: bytes) -> Answer:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an HTTP URL: {url}")
        port = parts.port or (443 if scheme == "https" else 80)
        origin = (scheme, parts.hostname, port)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection = self._connection(origin)
        try:
            connection.putrequest(method, target, skip_accept_encoding=True)
            for name, value in headers.items():
                connection.putheader(name, value)
            connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            answer = Answer(response.status, response.read(MAX_ANSWER_BYTES))
        except BaseException:
            self._drop(origin)
            raise
        if response.will_close or not response.isclosed():
            # Closing, or an answer longer than anything the switch reads (the rest unread):
            # this connection cannot carry the next request.
            self._drop(origin)
        return answer

    def close(self) -> None:
        """Close the calling thread's connections."""
        for origin in list(self._open()):
            self._drop(origin)

    # -- connections ---------------------------------------------------------------------------

    def _open(self) -> _Connections:
        found: _Connections | None = getattr(self._local, "connections", None)
        if found is None:
            found = self._local.connections = _Connections()
        return found

    def _connection(self, origin: Origin) -> http.client.HTTPConnection:
        connections = self._open()
        connection = connections.get(origin)
        if connection is not None and _closed_by_peer(connection):
            # An idle connection the participant has closed (or that has something unread):
            # a request sent on it would fail, so a fresh one takes its place.
            self._drop(origin)
            connection = None
        if connection is None:
            scheme, host, port = origin
            if scheme == "https":
                connection = http.client.HTTPSConnection(
                    host, port, timeout=self.timeout_seconds, context=self._tls_context()
                )
            else:
                connection = http.client.HTTPConnection(host, port, timeout=self.timeout_seconds)
            connections[origin] = connection
        return connection

    def _drop(self, origin: Origin) -> None:
        connection = self._open().pop(origin, None)
        if connection is not None:
            connection.close()

    def _tls_context(self) -> ssl.SSLContext:
        if self._tls is None:
            import certifi  # the CA bundle httpx used, so the same servers are trusted

            self._tls = ssl.create_default_context(cafile=certifi.where())
        return self._tls


class _Connections(dict[Origin, http.client.HTTPConnection]):
    """A thread's connections, closed when the thread ends and its locals go."""

    def __del__(self) -> None:
        for connection in self.values():
            connection.close()


def _closed_by_peer(connection: http.client.HTTPConnection) -> bool:
    """True when an idle kept-alive connection is readable: the peer closed it (or sent what
    no request asked for); either way it cannot carry the next request."""
    sock = connection.sock
    if sock is None:
        return False  # not connected yet: `putrequest` connects
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)
