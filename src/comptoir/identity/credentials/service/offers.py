"""OpenID4VCI's pre-authorized code flow: offers, codes, access tokens, nonces and proofs.

A signed-in person asks for an offer; their wallet redeems the pre-authorized code (with the
transaction code shown beside it) for an access token, fetches a `c_nonce`, and sends a proof
of possession of its key over that nonce. Each code, token and nonce works once; all three are
stored as SHA-256 digests only.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Final
from urllib.parse import quote

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from comptoir.identity.credentials import catalogue
from comptoir.identity.credentials.errors import CredentialError
from comptoir.identity.credentials.models import NonceRow, OfferRow
from comptoir.identity.credentials.service.issuance import (
    IssuedCredential,
    Issuer,
    credential_claims,
    issue,
)
from comptoir.kernel.crypto import JoseError, Jwk, JwsAlgorithm, import_jwk, verify_jwt
from comptoir.kernel.i18n import LazyText, _, lazy
from comptoir.kernel.ids import new_id

PRE_AUTHORIZED_GRANT: Final = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
PROOF_TYPE: Final = "openid4vci-proof+jwt"
OFFER_LIFETIME: Final = timedelta(minutes=10)
# OpenID4VCI 1.0, "Protecting the Access Token": a bearer access token living longer than five
# minutes is long lived, and a long-lived one must not be issued unless sender-constrained.
TOKEN_LIFETIME: Final = timedelta(minutes=5)
NONCE_LIFETIME: Final = timedelta(minutes=5)
TX_CODE_LENGTH: Final = 6
MAX_TX_CODE_FAILURES: Final = 3
PROOF_MAX_AGE_SECONDS: Final = 300
# The algorithms a proof of possession may use: the metadata lists exactly these, since a proof
# signed otherwise must be refused (OpenID4VCI 1.0 appendix F.1).
PROOF_ALGORITHMS: Final[tuple[JwsAlgorithm, ...]] = ("ES256", "EdDSA", "Ed25519")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Offer:
    id: uuid.UUID
    kind: str
    document: dict[str, object]
    tx_code: str | None  # shown to the person beside the offer, never put in it

    @property
    def link(self) -> str:
        text = json.dumps(self.document, separators=(",", ":"))
        return f"openid-credential-offer://?credential_offer={quote(text, safe='')}"


@dataclass(frozen=True)
class AccessToken:
    value: str
    expires_in: int


def create_offer(
    session: Session,
    *,
    issuer: Issuer,
    person_id: uuid.UUID,
    kind: str,
    business_id: uuid.UUID | None,
    with_tx_code: bool = True,
) -> Offer:
    """An offer for a credential the person may have now (checked here, and again at issue)."""
    credential_claims(
        session, person_id=person_id, kind=kind, business_id=business_id, clock=issuer.clock
    )
    code = secrets.token_urlsafe(32)
    tx_code = (
        "".join(secrets.choice("0123456789") for _ in range(TX_CODE_LENGTH))
        if with_tx_code
        else None
    )
    now = issuer.clock.now()
    offer_id = new_id()
    session.add(
        OfferRow(
            id=offer_id,
            person_id=person_id,
            kind=kind,
            business_id=business_id,
            code_hash=_digest(code),
            tx_code_hash=None if tx_code is None else _digest(f"{offer_id}:{tx_code}"),
            tx_code_failures=0,
            created_at=now,
            expires_at=now + OFFER_LIFETIME,
            redeemed_at=None,
            token_hash=None,
            token_expires_at=None,
            credential_id=None,
        )
    )
    grant: dict[str, object] = {"pre-authorized_code": code}
    if tx_code is not None:
        grant["tx_code"] = {
            "input_mode": "numeric",
            "length": TX_CODE_LENGTH,
            "description": _("The code shown on the Comptoir page beside this offer."),
        }
    document: dict[str, object] = {
        "credential_issuer": issuer.identifier,
        "credential_configuration_ids": [kind],
        "grants": {PRE_AUTHORIZED_GRANT: grant},
    }
    return Offer(offer_id, kind, document, tx_code)


def redeem_code(
    session: Session, *, issuer: Issuer, code: str, tx_code: str | None
) -> AccessToken | CredentialError:
    """Exchange a pre-authorized code for an access token, once.

    A wrong transaction code is returned (not raised) so that the caller commits the failure
    count: after three, the code is burned.
    """
    now = issuer.clock.now()
    offer = session.scalar(
        select(OfferRow).where(OfferRow.code_hash == _digest(code)).with_for_update()
    )
    refused = CredentialError(
        "invalid_grant",
        lazy("The pre-authorized code is unknown, used or expired."),
        oauth_error="invalid_grant",
    )
    if offer is None or offer.redeemed_at is not None or offer.expires_at <= now:
        return refused
    # OpenID4VCI 1.0 section 6.3: a transaction code missing where the offer asked for one, or
    # sent where it did not, is `invalid_request`; only a wrong one is `invalid_grant`.
    if (offer.tx_code_hash is None) != (not tx_code):
        return CredentialError(
            "tx_code_mismatch",
            lazy("This offer needs its transaction code.")
            if offer.tx_code_hash is not None
            else lazy("This offer has no transaction code; send none."),
        )
    if offer.tx_code_hash is not None and (_digest(f"{offer.id}:{tx_code}") != offer.tx_code_hash):
        offer.tx_code_failures += 1
        if offer.tx_code_failures >= MAX_TX_CODE_FAILURES:
            offer.redeemed_at = now
        return CredentialError(
            "invalid_tx_code", lazy("The transaction code is wrong."), oauth_error="invalid_grant"
        )
    token = secrets.token_urlsafe(32)
    offer.redeemed_at = now
    offer.token_hash = _digest(token)
    offer.token_expires_at = now + TOKEN_LIFETIME
    return AccessToken(token, int(TOKEN_LIFETIME.total_seconds()))


def new_nonce(session: Session, *, issuer: Issuer) -> str:
    now = issuer.clock.now()
    # Old nonces go as new ones come, so the table stays the size of five minutes' traffic.
    session.execute(delete(NonceRow).where(NonceRow.expires_at < now - NONCE_LIFETIME))
    value = secrets.token_urlsafe(24)
    session.add(NonceRow(value_hash=_digest(value), expires_at=now + NONCE_LIFETIME, used_at=None))
    return value


def purge_expired(session: Session, *, issuer: Issuer) -> int:
    """Forget offers and nonces past use for a day: they hold nothing anyone needs then (the
    issued credentials and the audit log keep what happened)."""
    horizon = issuer.clock.now() - timedelta(days=1)
    offers = session.execute(
        delete(OfferRow).where(
            OfferRow.expires_at < horizon,
            (OfferRow.token_expires_at.is_(None)) | (OfferRow.token_expires_at < horizon),
        )
    )
    nonces = session.execute(delete(NonceRow).where(NonceRow.expires_at < horizon))
    return int(getattr(offers, "rowcount", 0) or 0) + int(getattr(nonces, "rowcount", 0) or 0)


def offer_for_token(session: Session, *, issuer: Issuer, token: str) -> OfferRow:
    offer = session.scalar(
        select(OfferRow).where(OfferRow.token_hash == _digest(token)).with_for_update()
    )
    expires = None if offer is None else offer.token_expires_at
    if offer is None or expires is None or expires <= issuer.clock.now():
        raise CredentialError(
            "invalid_token",
            lazy("The access token is unknown or expired."),
            oauth_error="invalid_token",
            status=401,
        )
    return offer


def issue_for_token(
    session: Session,
    *,
    issuer: Issuer,
    token: str,
    configuration_id: str,
    proof: str,
) -> IssuedCredential:
    """The credential endpoint's work: check the token, the proof and its nonce, then issue."""
    offer = offer_for_token(session, issuer=issuer, token=token)
    if configuration_id not in catalogue.KINDS:
        raise CredentialError(
            "unknown_configuration",
            lazy("This issuer has no such credential configuration."),
            oauth_error="unknown_credential_configuration",
        )
    if configuration_id != offer.kind:
        # A configuration this issuer has, but that the token does not allow: an authorization
        # error of RFC 6750 (OpenID4VCI 1.0 section 8.3.1.1), not an unknown configuration.
        raise CredentialError(
            "unknown_configuration",
            lazy("This access token is for another credential."),
            oauth_error="insufficient_scope",
            status=403,
        )
    if offer.credential_id is not None:
        raise CredentialError(
            "already_issued",
            lazy("The credential of this offer was already issued."),
            oauth_error="credential_request_denied",
        )
    holder_key = _check_proof(session, issuer=issuer, proof=proof)
    issued = issue(
        session,
        issuer=issuer,
        person_id=offer.person_id,
        kind=offer.kind,
        business_id=offer.business_id,
        holder_key=holder_key,
        channel="openid4vci",
    )
    offer.credential_id = issued.id
    return issued


def _bad_proof(text: LazyText) -> CredentialError:
    return CredentialError("invalid_proof", text, oauth_error="invalid_proof")


def _check_proof(session: Session, *, issuer: Issuer, proof: str) -> Jwk:
    """A `openid4vci-proof+jwt`: signed by the `jwk` in its header, for this issuer, fresh,
    over an unused `c_nonce`. Returns the holder's public key."""
    try:
        header = json.loads(_b64(proof.split(".", 1)[0]))
        members = header.get("jwk") if isinstance(header, dict) else None
        if not isinstance(members, dict) or "d" in members:
            raise _bad_proof(lazy("The proof's header must carry the holder's public key (jwk)."))
        if "kid" in header:
            raise _bad_proof(lazy("The proof names its key by jwk, not also by kid."))
        holder = import_jwk(members)
        verified = verify_jwt(
            proof,
            holder,
            algorithms=PROOF_ALGORITHMS,
            issuer=None,
            audience=issuer.identifier,
            typ=PROOF_TYPE,
            require_expiry=False,
            clock=issuer.clock,
        )
    except JoseError as error:
        raise _bad_proof(lazy("The proof is not valid: {reason}.", reason=error.detail)) from None
    except (ValueError, RecursionError):
        # RecursionError: JSON nested deeper than the parser goes is no JWT either.
        raise _bad_proof(lazy("The proof is not a JWT.")) from None
    issued_at = verified.claims.get("iat")
    now = issuer.clock.now()
    if (
        not isinstance(issued_at, int | float)
        or now.timestamp() - issued_at > PROOF_MAX_AGE_SECONDS
    ):
        raise _bad_proof(lazy("The proof is too old or has no iat."))
    nonce = verified.claims.get("nonce")
    if not isinstance(nonce, str):
        # OpenID4VCI 1.0 section 8.3.1.2: a proof without a c_nonce is `invalid_proof`; only
        # a c_nonce that is not valid is `invalid_nonce`.
        raise _bad_proof(lazy("The proof carries no nonce; fetch one at the nonce endpoint."))
    row = session.get(NonceRow, _digest(nonce), with_for_update=True)
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise CredentialError(
            "invalid_nonce",
            lazy("The proof's nonce is unknown, used or expired; fetch a new one."),
            oauth_error="invalid_nonce",
        )
    row.used_at = now
    return holder.public()


def _b64(segment: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
