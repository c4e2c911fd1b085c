"""The ceiling of end-to-end FSPIOP transfers on this machine: the floor of end to end, as the
raw insert is the ledger core's.

A complete transfer, as the benchmark runs it, is four HTTP messages: the payer's POST
/transfers to the switch, the switch's POST to the payee, the payee's PUT with the fulfilment
(COMMITTED), the switch's PUT to the payer. The switch passes the DFSPs' messages on with their
own signatures (the Signature document: the signature is end to end, made by the message's
initiator only), so it signs nothing of its own here; a payee that answers RESERVED adds a
PATCH that the switch signs (RS256), measured here too. So, however little a switch does in
between, one transfer costs at least

    4 * (what a server spends to receive one POST and answer 202
         + what a client spends to send it and read the answer)

of CPU. This measures the two on this machine, generously: the server is uvicorn (Comptoir's
server) running a bare ASGI app that does nothing with the request; the client is the standard
library's `http.client` on one keep-alive connection, the leanest client Python has (httpx's
own costs several times more a request); the signature is the project's own. Dividing the
cores by their sum gives a figure no transfer path on this stack can pass, before it parses a
body, checks a signature, validates a message, or touches a ledger or a database.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from _support import process_cpu_seconds
from comptoir.kernel.fspiop import build_headers, json_body
from comptoir.kernel.fspiop.signature import sign_headers

MESSAGES_PER_TRANSFER = 4

# A server that answers every request 202 with no body after reading it: the least any
# FSPIOP endpoint does (the API answers 202 Accepted and calls back later).
_BARE_APP = """
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    start = {"type": "http.response.start", "status": 202, "headers": [(b"content-length", b"0")]}
    await send(start)
    await send({"type": "http.response.body", "body": b""})
"""


@dataclass
class Ceiling:
    rs256_signature_ms: float
    server_ms_per_message: float
    client_ms_per_message: float
    messages_measured: int
    ms_per_transfer: float
    cores: int
    transfers_per_s: float

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("rs256_signature_ms", "server_ms_per_message", "client_ms_per_message"):
            data[name] = round(data[name], 4)
        data["ms_per_transfer"] = round(self.ms_per_transfer, 3)
        data["transfers_per_s"] = round(self.transfers_per_s)
        return data


def _transfer_message() -> tuple[dict[str, str], bytes, Any]:
    """A signed POST /transfers as a DFSP sends it, and the key that signed it."""
    from tests.payments.fspiop_peer import Peer

    payer, payee = Peer("ceiling-payer", "http://127.0.0.1:9"), Peer("ceiling-payee", "")
    payer.client.close()
    payee.client.close()
    document, _fulfilment = payer.prepare(payee, "1")
    body = json_body(document)
    headers = build_headers(
        resource="transfers",
        method="POST",
        uri="/transfers",
        source=payer.fsp_id,
        destination=payee.fsp_id,
    )
    return sign_headers(headers, body=body, private_key=payer.key), body, payer


def _signature_ms(body: bytes, peer: Any, count: int = 400) -> float:
    headers = build_headers(
        resource="transfers", method="PUT", uri="/transfers/x", source="switch", destination="x"
    )
    sign_headers(headers, body=body, private_key=peer.key)
    started = time.process_time()
    for _ in range(count):
        sign_headers(headers, body=body, private_key=peer.key)
    return 1000 * (time.process_time() - started) / count


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _send_for(port: int, headers: dict[str, str], body: bytes, seconds: float) -> int:
    """POST the message again and again on one keep-alive connection; how many were sent."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    sent = 0
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            connection.request("POST", "/switch/transfers", body=body, headers=headers)
            answer = connection.getresponse()
            answer.read()
            if answer.status != 202:
                raise RuntimeError(f"the bare server answered {answer.status}")
            sent += 1
    finally:
        connection.close()
    return sent


def measure(seconds: float = 3.0) -> Ceiling:
    headers, body, peer = _transfer_message()
    signature_ms = _signature_ms(body, peer)
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="comptoir-bench-ceiling-") as folder:
        Path(folder, "bare_app.py").write_text(_BARE_APP)
        server = subprocess.Popen(
            [
                sys.executable, "-m", "uvicorn", "bare_app:app",
                "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
            ],
            cwd=folder,
            env={**os.environ, "PYTHONPATH": folder},
        )  # fmt: skip
        try:
            _wait_until_up(f"http://127.0.0.1:{port}/switch/transfers")
            _send_for(port, headers, body, 0.5)  # warm up
            server_before, client_before = process_cpu_seconds(server.pid), time.process_time()
            sent = _send_for(port, headers, body, seconds)
            server_used = process_cpu_seconds(server.pid) - server_before
            client_used = time.process_time() - client_before
        finally:
            server.terminate()
            server.wait(timeout=10)
    server_ms, client_ms = 1000 * server_used / sent, 1000 * client_used / sent
    per_transfer = MESSAGES_PER_TRANSFER * (server_ms + client_ms)
    cores = os.cpu_count() or 1
    return Ceiling(
        rs256_signature_ms=signature_ms,
        server_ms_per_message=server_ms,
        client_ms_per_message=client_ms,
        messages_measured=sent,
        ms_per_transfer=per_transfer,
        cores=cores,
        transfers_per_s=1000 * cores / per_transfer,
    )


def _wait_until_up(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.post(url, content=b"{}")
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


if __name__ == "__main__":
    print("bench/payments_ceiling.py is part of bench/payments.py; run that.")
