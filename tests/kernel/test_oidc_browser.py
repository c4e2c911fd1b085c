"""The relying party's pending sign-in, sealed in a cookie, and its client file on disk."""

from __future__ import annotations

import base64
import json
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.crypto import generate_jwk, import_jwks
from comptoir.kernel.oidc import AuthorizationStart, OidcError
from comptoir.kernel.oidc.browser import (
    PENDING_LIFETIME_SECONDS,
    ClientFile,
    PendingSignIn,
    open_pending,
    seal_pending,
)

SECRET = b"a node secret of enough length for tests"
CLOCK = FrozenClock()
PENDING = PendingSignIn(
    start=AuthorizationStart(
        authorization_url="https://id.example/identity/oidc/authorize?request_uri=x",
        state="state-1",
        nonce="nonce-1",
        code_verifier="v" * 43,
    ),
    dpop_key=generate_jwk("P-256"),
    issued_at=int(CLOCK.now().timestamp()),
)
SEALED = seal_pending(PENDING, secret=SECRET, purpose="wallet:island-wallet")


def test_a_sealed_pending_sign_in_opens_whole_for_its_purpose() -> None:
    opened = open_pending(SEALED, secret=SECRET, purpose="wallet:island-wallet", clock=CLOCK)

    assert opened is not None
    assert opened.start == PENDING.start
    assert opened.dpop_key.thumbprint() == PENDING.dpop_key.thumbprint()
    assert opened.dpop_key.is_private


def test_the_cookie_hides_the_verifier_and_the_dpop_key() -> None:
    raw = base64.urlsafe_b64decode(SEALED + "=" * (-len(SEALED) % 4))

    assert b"state-1" not in raw and b"v" * 43 not in raw
    assert PENDING.dpop_key.to_dict(private=True)["d"].encode() not in raw


def test_it_does_not_open_for_another_purpose_or_secret_or_once_stale() -> None:
    later = FrozenClock()
    later.advance(timedelta(seconds=PENDING_LIFETIME_SECONDS + 1))

    assert open_pending(SEALED, secret=SECRET, purpose="wallet:other", clock=CLOCK) is None
    assert open_pending(SEALED, secret=b"x" * 40, purpose="wallet:island-wallet") is None
    assert open_pending(SEALED, secret=SECRET, purpose="wallet:island-wallet", clock=later) is None
    assert open_pending(None, secret=SECRET, purpose="wallet:island-wallet") is None


@settings(max_examples=60, deadline=None)
@given(position=st.integers(min_value=0), replacement=st.sampled_from("AQgw_-"))
def test_any_changed_character_makes_the_cookie_unopenable(position: int, replacement: str) -> None:
    index = position % len(SEALED)
    if SEALED[index] == replacement:
        replacement = "B" if replacement != "B" else "C"
    changed = SEALED[:index] + replacement + SEALED[index + 1 :]

    opened = open_pending(changed, secret=SECRET, purpose="wallet:island-wallet", clock=CLOCK)

    # Base64 padding bits aside (the last character may decode to the same bytes), a change
    # never opens to something else.
    assert opened is None or opened.start == PENDING.start


def test_a_client_file_keeps_its_key_private_and_records_the_client_id(tmp_path: Path) -> None:
    files = ClientFile.under(tmp_path / "keys", "wallet-bank")

    key = files.ensure_key()
    assert files.registration() is None
    files.record_client_id("client-123")

    assert stat.S_IMODE(files.private_path.stat().st_mode) == 0o600
    public = import_jwks(json.loads(files.public_path.read_text()))
    assert [item.thumbprint() for item in public] == [key.thumbprint()]
    assert not public[0].is_private
    registered = files.registration()
    assert registered is not None
    assert registered[0] == "client-123"
    assert registered[1].thumbprint() == key.thumbprint()
    assert files.ensure_key().thumbprint() == key.thumbprint()  # never replaced


def test_a_client_file_without_a_private_key_is_refused(tmp_path: Path) -> None:
    files = ClientFile.under(tmp_path, "seller-x")
    public = generate_jwk("P-256").public().to_dict()
    files.private_path.write_text(json.dumps({"key": dict(public), "client_id": "c"}))

    with pytest.raises(OidcError):
        files.registration()
