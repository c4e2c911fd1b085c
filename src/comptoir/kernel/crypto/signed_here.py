"""Tokens this process signed, so that checking one of them again costs no signature check.

An OpenID provider checks its own access tokens when they come back to its userinfo endpoint,
usually a moment after it signed them; checking an ES256 signature costs more than twice
making one. A token that this process signed with a key is, byte for byte, a valid signature
by that key, so `verify_jws` given a `SignedHere` that remembers the token skips only the
signature arithmetic for that key: every other check (algorithm, type, `kid`, the key's
`key_ops`, sizes, the claims) is made as before, and a token it does not remember (signed by
another worker process, or forgotten) is checked in full. A key retired since is no longer
among the keys passed, so its tokens are refused as before.

Only what the caller signed is remembered, in memory, a bounded number of tokens (the oldest
are forgotten first); nothing an attacker sends is ever stored.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Final

from comptoir.kernel.crypto.jwk import Jwk, VerifyingKey

DEFAULT_CAPACITY: Final = 4096


class SignedHere:
    """The last `capacity` tokens signed through it, each with the public key that signed it."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("remember at least one token")
        self._capacity = capacity
        self._signed: OrderedDict[str, VerifyingKey] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, token: str, key: Jwk) -> None:
        """`token` was just signed here with `key` (a private key)."""
        public = key.verifying_key()
        with self._lock:
            self._signed[token] = public
            if len(self._signed) > self._capacity:
                self._signed.popitem(last=False)

    def vouches_for(self, token: str, key: Jwk) -> bool:
        """Whether `token` was signed here by `key` (or the private key of this public key)."""
        signer = self._signed.get(token)
        return signer is not None and signer == key.verifying_key()

    def __len__(self) -> int:
        return len(self._signed)
