"""Proof of age for restricted goods: an "age over 18" credential before an order is placed.

A cart that holds an item its seller sells to adults only (rum, tobacco) is confirmed only with
an "age over 18" SD-JWT VC presentation from the registry's credential issuer
(`COMPTOIR_CREDENTIAL_ISSUER`), disclosing `age_over_18: true` and nothing else: the shop never
learns the birthdate. The shopper's wallet makes the presentation key-bound to this buyer app
(audience) and to a challenge the order page gives, tied to that order and fifteen minutes
(nonce), so a presentation cannot be reused for another order or by someone else. It is checked
with the kernel alone, fetching the issuer's keys and status list over HTTP: a revoked
credential does not count.

Pasting a presentation was chosen over signing in at the provider to fetch one: it works with
any holder wallet, needs no account at this shop, and the shop sees one yes/no claim.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from comptoir.apps.buyer.service.context import Buyer
from comptoir.kernel.crypto.sdjwt import Fetch, SdJwtError, verify_presentation
from comptoir.kernel.i18n import N_

AGE_CREDENTIAL: Final = "age-over-18"
CHALLENGE_LIFETIME_SECONDS: Final = 900
MAX_PRESENTATION_LENGTH: Final = 20000

MISSING: Final = N_(
    'This order holds goods sold to adults only. Paste an "age over 18" credential '
    "presentation to place it."
)
STALE: Final = N_(
    "This presentation was not made for this order's challenge, or the challenge has expired. "
    "Make a new one with the audience and challenge shown here."
)
REVOKED: Final = N_("This age credential has been revoked by the registry.")
UNAVAILABLE: Final = N_(
    "The registry cannot be reached to check your age credential. Try again later."
)
INVALID: Final = N_(
    'This is not a valid "age over 18" credential from the registry, so the order is not placed.'
)


@dataclass(frozen=True)
class Challenge:
    audience: str
    nonce: str


def needs_proof(lines: Sequence[dict[str, Any]]) -> bool:
    return any(line.get("age_restricted") is True for line in lines)


def audience_of(buyer: Buyer) -> str:
    return f"{buyer.base_url.rstrip('/')}/shop"


def _mac(secret: bytes, order_id: uuid.UUID, issued_at: int) -> str:
    message = f"buyer-age:{order_id}:{issued_at}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode("ascii")


def new_challenge(buyer: Buyer, *, secret: bytes, order_id: uuid.UUID) -> Challenge:
    issued_at = int(buyer.clock.now().timestamp())
    return Challenge(audience_of(buyer), f"{issued_at}.{_mac(secret, order_id, issued_at)}")


def _challenge_holds(buyer: Buyer, *, secret: bytes, order_id: uuid.UUID, nonce: str) -> bool:
    stamp, _, mac = nonce.partition(".")
    if not stamp.isdigit() or len(stamp) > 12:
        return False
    issued_at = int(stamp)
    age = int(buyer.clock.now().timestamp()) - issued_at
    if not -30 <= age <= CHALLENGE_LIFETIME_SECONDS:
        return False
    return hmac.compare_digest(mac, _mac(secret, order_id, issued_at))


def refusal(
    buyer: Buyer,
    *,
    order_id: uuid.UUID,
    presentation: str,
    nonce: str,
    secret: bytes,
    issuer: str,
    fetch: Fetch,
) -> str | None:
    """None when the presentation proves the shopper is 18 or older; else why not (a msgid)."""
    presentation = presentation.strip()
    if not presentation:
        return MISSING
    if len(presentation) > MAX_PRESENTATION_LENGTH:
        return INVALID
    if not _challenge_holds(buyer, secret=secret, order_id=order_id, nonce=nonce):
        return STALE
    try:
        verified = verify_presentation(
            presentation,
            trusted_issuers=[issuer],
            audience=audience_of(buyer),
            nonce=nonce,
            fetch=fetch,
            vct=f"{issuer}/credentials/{AGE_CREDENTIAL}",
            clock=buyer.clock,
        )
    except SdJwtError as error:
        if error.reason in ("revoked", "suspended"):
            return REVOKED
        if error.reason == "status_unavailable" or (
            error.reason == "issuer_key" and "cannot be read" in error.detail
        ):
            return UNAVAILABLE
        if error.reason == "key_binding" and "nonce" in error.detail:
            return STALE
        return INVALID
    except ValueError:
        return INVALID
    if verified.claims.get("age_over_18") is not True:
        return INVALID
    return None
