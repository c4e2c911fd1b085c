"""Tokens a process signed itself: checked again without the signature arithmetic, and with
every other check as before."""

from __future__ import annotations

from datetime import timedelta

import pytest

from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.crypto import (
    JoseError,
    SignedHere,
    generate_jwk,
    issue_jwt,
    sign_jws,
    verify_jws,
    verify_jwt,
)

KEY = generate_jwk("P-256")
OTHER = generate_jwk("P-256")


def test_a_token_signed_through_it_is_remembered_with_its_key_and_verifies() -> None:
    signed = SignedHere()
    token = sign_jws(b"{}", KEY, signed_here=signed)

    assert signed.vouches_for(token, KEY.public())
    assert not signed.vouches_for(token, OTHER.public())
    assert not signed.vouches_for(token + "x", KEY.public())
    assert (
        verify_jws(token, KEY.public(), algorithms=["ES256"], signed_here=signed).payload == b"{}"
    )


def test_a_remembered_token_is_not_checked_again_by_signature() -> None:
    # What the record saves: the signature arithmetic. A record made by hand that says OTHER
    # signed a token KEY signed is believed, which only a caller's own bookkeeping could do.
    signed = SignedHere()
    token = sign_jws(b"{}", KEY, include_kid=False)
    signed.remember(token, OTHER)

    assert verify_jws(token, OTHER.public(), algorithms=["ES256"], signed_here=signed)
    with pytest.raises(JoseError, match="signature"):
        verify_jws(token, OTHER.public(), algorithms=["ES256"])


def test_every_other_check_is_made_on_a_remembered_token() -> None:
    clock = FrozenClock()
    signed = SignedHere()
    token = issue_jwt(
        {"sub": "a"},
        KEY,
        issuer="https://idp.example",
        audience="https://idp.example",
        ttl_seconds=60,
        typ="at+jwt",
        clock=clock,
        signed_here=signed,
    )

    def check(**changes: object) -> None:
        options: dict[str, object] = {
            "algorithms": ["ES256"],
            "issuer": "https://idp.example",
            "audience": "https://idp.example",
            "typ": "at+jwt",
            "clock": clock,
            "signed_here": signed,
            **changes,
        }
        keys = options.pop("keys", KEY.public())
        verify_jwt(token, keys, **options)  # type: ignore[arg-type]

    check()
    with pytest.raises(JoseError, match="kid"):
        check(keys=OTHER.public())  # a key no longer among those passed (retired)
    with pytest.raises(JoseError, match="type"):
        check(typ="dpop+jwt")
    with pytest.raises(JoseError, match="algorithm"):
        check(algorithms=["EdDSA"])
    with pytest.raises(JoseError, match="audience"):
        check(audience="https://other.example")
    clock.advance(timedelta(seconds=61 + 30))
    with pytest.raises(JoseError, match="expired"):
        check()


def test_a_forged_or_altered_token_is_not_vouched_for_and_is_refused() -> None:
    signed = SignedHere()
    token = issue_jwt({"sub": "a"}, KEY, ttl_seconds=60, signed_here=signed)
    header, _, signature = token.split(".")
    forged = issue_jwt({"sub": "b"}, OTHER, ttl_seconds=60)
    altered = ".".join((header, forged.split(".")[1], signature))

    with pytest.raises(JoseError, match="signature"):
        verify_jwt(
            altered,
            KEY.public(),
            algorithms=["ES256"],
            issuer=None,
            audience=None,
            signed_here=signed,
        )
    assert not signed.vouches_for(altered, KEY.public())


def test_it_forgets_the_oldest_tokens_past_its_capacity_and_they_are_then_checked_in_full() -> None:
    signed = SignedHere(capacity=2)
    first, second, third = (sign_jws(f"{n}".encode(), KEY, signed_here=signed) for n in range(3))

    assert len(signed) == 2
    assert not signed.vouches_for(first, KEY)
    assert signed.vouches_for(second, KEY) and signed.vouches_for(third, KEY)
    assert verify_jws(first, KEY.public(), algorithms=["ES256"], signed_here=signed).payload == b"0"


def test_it_needs_room_for_one_token() -> None:
    with pytest.raises(ValueError, match="at least one"):
        SignedHere(capacity=0)
