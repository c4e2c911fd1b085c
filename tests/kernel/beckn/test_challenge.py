"""The on_subscribe challenge opens with the subscriber's encryption key and no other."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from comptoir.kernel.beckn import ChallengeError, new_challenge, open_challenge, seal_challenge
from comptoir.kernel.crypto import public_key_to_base64

KEY = X25519PrivateKey.generate()


@settings(deadline=None)  # crypto on a shared machine: no time limit
@given(st.text(max_size=200))
def test_a_sealed_challenge_opens_with_the_right_key(challenge: str) -> None:
    sealed = seal_challenge(challenge, public_key_to_base64(KEY))
    assert open_challenge(sealed, KEY) == challenge


def test_a_sealed_challenge_does_not_open_with_another_key() -> None:
    sealed = seal_challenge(new_challenge(), public_key_to_base64(KEY))
    with pytest.raises(ChallengeError):
        open_challenge(sealed, X25519PrivateKey.generate())


def test_a_challenge_is_sealed_afresh_each_time() -> None:
    challenge = new_challenge()
    public = public_key_to_base64(KEY)
    assert seal_challenge(challenge, public) != seal_challenge(challenge, public)


@pytest.mark.parametrize("sealed", ["", "not base64!", "AAAA"])
def test_a_malformed_challenge_is_refused(sealed: str) -> None:
    with pytest.raises(ChallengeError):
        open_challenge(sealed, KEY)
