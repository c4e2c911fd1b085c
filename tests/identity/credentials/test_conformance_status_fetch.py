"""How a verifier fetches a status list token over HTTP (Token Status List section 8): it asks
for the JWT form by `Accept`, follows a status provider's redirects, and stops at a loop."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from comptoir.kernel.crypto.sdjwt import http_fetch

TOKEN = b"eyJhbGciOiJFUzI1NiJ9.e30.c2lnbmF0dXJl"


class StatusProvider(BaseHTTPRequestHandler):
    """/moved redirects to /lists/1, which answers the token to whoever asks for its type;
    /loop redirects to itself."""

    def do_GET(self) -> None:
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/lists/1")
            self.end_headers()
        elif self.path == "/loop":
            self.send_response(307)
            self.send_header("Location", "/loop")
            self.end_headers()
        elif "application/statuslist+jwt" in self.headers.get("Accept", ""):
            self.send_response(200)
            self.send_header("Content-Type", "application/statuslist+jwt")
            self.end_headers()
            self.wfile.write(TOKEN)
        else:
            self.send_response(406)
            self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test says what went wrong."""


@pytest.fixture
def provider() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), StatusProvider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_verifier_asks_for_a_status_list_jwt_and_follows_a_redirect(provider: str) -> None:
    assert http_fetch(f"{provider}/lists/1") == TOKEN
    assert http_fetch(f"{provider}/moved") == TOKEN


def test_a_redirect_loop_is_an_unavailable_status_list_not_a_hang(provider: str) -> None:
    with pytest.raises(OSError, match="cannot be reached"):
        http_fetch(f"{provider}/loop")
