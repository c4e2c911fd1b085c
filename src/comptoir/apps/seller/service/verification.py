"""The "verified business" mark: checking the registry's "registered business" credential.

The owner presents an SD-JWT VC presentation. It is verified with the kernel alone
(`comptoir.kernel.crypto.sdjwt.verify_presentation`) against the identity issuer's keys and
status list, fetched over HTTP: the issuer must be the one this node trusts
(`COMPTOIR_CREDENTIAL_ISSUER`), the type its "registered-business", the key-binding JWT made for
this platform (audience) and a challenge this page gave in the last fifteen minutes (nonce), so
that a presentation made for someone else cannot be replayed here. Its disclosed
`business_name` must be the shop's own. Anything less gives no mark.

The status list is read again later (`recheck_credentials`, hourly and by command): a credential
the registry revoked loses the mark. That second check leaves out key binding, whose proof was
made for the first presentation only; the issuer's signature and the status still hold.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Final

from sqlalchemy import select

from comptoir.apps.seller.models import Business
from comptoir.apps.seller.service.context import Seller, get_business
from comptoir.kernel import audit
from comptoir.kernel.crypto.sdjwt import Fetch, SdJwtError, verify_presentation
from comptoir.kernel.i18n import N_

BUSINESS_CREDENTIAL: Final = "registered-business"
CHALLENGE_LIFETIME_SECONDS: Final = 900
MAX_PRESENTATION_LENGTH: Final = 20000

REFUSALS: Final = {
    "challenge": N_("This presentation was not made for the challenge shown here. Make a new "
                    "one with the audience and challenge on this page."),
    "name": N_("This credential is for another business than your shop."),
    "revoked": N_("The registry has revoked this credential."),
    "unavailable": N_("The registry cannot be reached to check the credential. Try again later."),
    "invalid": N_("This credential could not be verified: it is not a valid registered-business "
                  "credential from the registry."),
}  # fmt: skip


@dataclass(frozen=True)
class Challenge:
    """What the owner's wallet signs its key-binding JWT for."""

    audience: str
    nonce: str


@dataclass(frozen=True)
class Verdict:
    verified: bool
    refusal: str | None = None  # a key of REFUSALS
    detail: str = ""  # the verifier's reason, for the audit log (no secret in it)


def audience_of(seller: Seller, platform_id: str) -> str:
    return f"{seller.base_url.rstrip('/')}/sellers/{platform_id}"


def _mac(secret: bytes, platform_id: str, business_id: uuid.UUID, issued_at: int) -> str:
    message = f"seller-credential:{platform_id}:{business_id}:{issued_at}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode("ascii")


def new_challenge(
    seller: Seller, *, secret: bytes, platform_id: str, business_id: uuid.UUID
) -> Challenge:
    issued_at = int(seller.clock.now().timestamp())
    return Challenge(
        audience=audience_of(seller, platform_id),
        nonce=f"{issued_at}.{_mac(secret, platform_id, business_id, issued_at)}",
    )


def challenge_holds(
    seller: Seller, *, secret: bytes, platform_id: str, business_id: uuid.UUID, nonce: str
) -> bool:
    stamp, _, mac = nonce.partition(".")
    if not stamp.isdigit() or len(stamp) > 12:
        return False
    issued_at = int(stamp)
    age = int(seller.clock.now().timestamp()) - issued_at
    if not -30 <= age <= CHALLENGE_LIFETIME_SECONDS:
        return False
    return hmac.compare_digest(mac, _mac(secret, platform_id, business_id, issued_at))


def _same_name(first: object, second: str) -> bool:
    if not isinstance(first, str):
        return False

    def folded(text: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", text).casefold().split())

    return folded(first) == folded(second)


def _refusal_of(error: SdJwtError) -> str:
    if error.reason in ("revoked", "suspended"):
        return "revoked"
    if error.reason == "status_unavailable" or (
        error.reason == "issuer_key" and "cannot be read" in error.detail
    ):
        return "unavailable"
    return "invalid"


def check_presentation(
    presentation: str,
    *,
    issuer: str,
    business_name: str,
    audience: str | None,
    nonce: str | None,
    fetch: Fetch,
    seller: Seller,
) -> Verdict:
    """Whether a presentation earns the mark for the business named `business_name`."""
    try:
        verified = verify_presentation(
            presentation,
            trusted_issuers=[issuer],
            audience=audience,
            nonce=nonce,
            fetch=fetch,
            require_key_binding=audience is not None,
            vct=f"{issuer}/credentials/{BUSINESS_CREDENTIAL}",
            clock=seller.clock,
        )
    except SdJwtError as error:
        return Verdict(False, _refusal_of(error), f"{error.reason}: {error.detail}"[:300])
    except ValueError as error:
        return Verdict(False, "invalid", str(error)[:300])
    if not _same_name(verified.claims.get("business_name"), business_name):
        return Verdict(False, "name")
    return Verdict(True)


def present_credential(
    seller: Seller,
    *,
    platform_id: str,
    business_id: uuid.UUID,
    presentation: str,
    nonce: str,
    secret: bytes,
    issuer: str,
    fetch: Fetch,
) -> Verdict:
    """Check the owner's presentation; keep it, and set the mark by the verdict."""
    presentation = presentation.strip()
    with seller.database.reading() as session:
        name = get_business(session, platform_id, business_id).name
    if len(presentation) > MAX_PRESENTATION_LENGTH:
        verdict = Verdict(False, "invalid")
    elif not challenge_holds(
        seller, secret=secret, platform_id=platform_id, business_id=business_id, nonce=nonce
    ):
        verdict = Verdict(False, "challenge")
    else:
        verdict = check_presentation(
            presentation,
            issuer=issuer,
            business_name=name,
            audience=audience_of(seller, platform_id),
            nonce=nonce,
            fetch=fetch,
            seller=seller,
        )
    with seller.database.transaction() as session:
        business = get_business(session, platform_id, business_id)
        if verdict.verified:
            business.credential = presentation
        business.verified = verdict.verified
        audit.record(
            session,
            actor=f"seller:{business_id}",
            action="seller.credential.verified"
            if verdict.verified
            else "seller.credential.refused",
            subject=str(business_id),
            details={}
            if verdict.refusal is None
            else {"reason": verdict.refusal, "detail": verdict.detail},
            clock=seller.clock,
        )
    return verdict


def recheck_credentials(seller: Seller, *, issuer: str, fetch: Fetch) -> int:
    """Read the status of every verified business's credential again; a revoked (or no longer
    valid) one loses the mark. Returns how many lost it. A registry that cannot be reached
    changes nothing: the mark stays until the registry says otherwise."""
    with seller.database.reading() as session:
        marked = [
            (row.id, row.name, row.credential or "")
            for row in session.scalars(select(Business).where(Business.verified.is_(True)))
        ]
    lost = 0
    for business_id, name, presentation in marked:
        # The key-binding JWT proved possession once, for that challenge; what is read again
        # is the issuer-signed part and its disclosures.
        verdict = check_presentation(
            presentation[: presentation.rfind("~") + 1],
            issuer=issuer,
            business_name=name,
            audience=None,
            nonce=None,
            fetch=fetch,
            seller=seller,
        )
        if verdict.verified or verdict.refusal == "unavailable":
            continue
        with seller.database.transaction() as session:
            business = session.get(Business, business_id)
            if business is not None and business.verified:
                business.verified = False
                lost += 1
                audit.record(
                    session,
                    actor="seller:recheck",
                    action="seller.credential.withdrawn",
                    subject=str(business_id),
                    details={"reason": verdict.refusal or "invalid", "detail": verdict.detail},
                    clock=seller.clock,
                )
    return lost
