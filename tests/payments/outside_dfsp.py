"""A DFSP written from the FSPIOP v2.0 documents alone, sharing no code with the switch: it
builds its headers by hand (API Definition table 1), signs with its own RSA key as the
Signature document's section 3.2 says (a JWS over the body, with FSPIOP-URI,
FSPIOP-HTTP-Method, FSPIOP-Source, FSPIOP-Destination and Date protected), and checks the
switch's signatures as section 3.3 says. Its callback server is the test peer's."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.payments.fspiop_peer import Callback, Peer

ACCEPT_ONLY = {"GET", "POST", "DELETE"}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def media(resource: str, version: str = "2.0") -> str:
    return f"application/vnd.interoperability.{resource}+json;version={version}"


def http_date(moment: datetime | None = None) -> str:
    return format_datetime((moment or datetime.now(UTC)).astimezone(UTC), usegmt=True)


def _uint(number: int) -> str:
    return b64url(number.to_bytes((number.bit_length() + 7) // 8, "big"))


class OutsideDfsp(Peer):
    """A participant of the switch with a key and a signer of its own."""

    def __init__(self, fsp_id: str, switch_url: str) -> None:
        super().__init__(fsp_id, switch_url)
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        numbers = self.private_key.public_key().public_numbers()
        self.public_jwks = {
            "keys": [
                {
                    "kty": "RSA",
                    "use": "sig",
                    "alg": "RS256",
                    "kid": f"{fsp_id}-own",
                    "n": _uint(numbers.n),
                    "e": _uint(numbers.e),
                }
            ]
        }

    def signature(self, protected: dict[str, str], body: bytes) -> str:
        header = b64url(json.dumps(protected, separators=(",", ":")).encode())
        signing_input = f"{header}.{b64url(body)}".encode("ascii")
        signed = self.private_key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        return json.dumps({"signature": b64url(signed), "protectedHeader": header})

    def headers(
        self,
        method: str,
        uri: str,
        *,
        resource: str,
        destination: str | None,
        body: bytes,
        source: str | None = None,
        date: str | None = None,
        also_protected: tuple[str, ...] = (),
    ) -> dict[str, str]:
        """The headers of table 1, signed: Accept only on a request from a client.
        `also_protected` names more of them for the signature to cover, as the Signature
        document recommends (3.2 step G)."""
        source = source or self.fsp_id
        headers = {
            "Content-Type": media(resource),
            "Date": date or http_date(),
            "FSPIOP-Source": source,
        }
        if method in ACCEPT_ONLY:
            headers["Accept"] = media(resource)
        protected = {
            "alg": "RS256",
            "FSPIOP-URI": uri,
            "FSPIOP-HTTP-Method": method,
            "FSPIOP-Source": source,
            "Date": headers["Date"],
        }
        if destination is not None:
            headers["FSPIOP-Destination"] = destination
            protected["FSPIOP-Destination"] = destination
        protected |= {name: headers[name] for name in also_protected}
        headers["FSPIOP-Signature"] = self.signature(protected, body)
        return headers

    def call(
        self,
        method: str,
        uri: str,
        *,
        resource: str,
        document: Any = None,
        destination: str | None = None,
        change: dict[str, str | None] | None = None,
        also_protected: tuple[str, ...] = (),
    ) -> httpx.Response:
        """Send a request; `change` replaces (or, with None, removes) headers after signing."""
        body = b"" if document is None else json.dumps(document).encode()
        headers = self.headers(
            method,
            uri,
            resource=resource,
            destination=destination,
            body=body,
            also_protected=also_protected,
        )
        for name, value in (change or {}).items():
            headers.pop(name, None)
            if value is not None:
                headers[name] = value
        return self.client.request(method, self.switch_url + uri, headers=headers, content=body)


def verify_from_switch(callback: Callback, switch_jwks: dict[str, Any], uri: str) -> None:
    """Check the switch's signature on what it sent, as a DFSP must (Signature 3.3)."""
    value = json.loads(callback.headers["fspiop-signature"])
    protected = json.loads(unb64url(value["protectedHeader"]))
    assert protected["alg"] == "RS256", protected
    assert protected["FSPIOP-URI"] == uri
    assert protected["FSPIOP-HTTP-Method"] == callback.method
    assert protected["FSPIOP-Source"] == callback.headers["fspiop-source"]
    assert protected["FSPIOP-Destination"] == callback.headers["fspiop-destination"]
    if "Date" in protected:
        assert protected["Date"] == callback.headers["date"]
    signing_input = f"{value['protectedHeader']}.{b64url(callback.body)}".encode("ascii")
    keys = [key for key in switch_jwks["keys"] if key.get("kty") == "RSA"]
    for key in keys:
        public = rsa.RSAPublicNumbers(
            int.from_bytes(unb64url(key["e"]), "big"), int.from_bytes(unb64url(key["n"]), "big")
        ).public_key()
        try:
            public.verify(
                unb64url(value["signature"]), signing_input, padding.PKCS1v15(), hashes.SHA256()
            )
            return
        except InvalidSignature:
            continue  # another key may verify it
    raise AssertionError("no key of the switch verifies its signature")
