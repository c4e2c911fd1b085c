"""Rotating and retiring the provider's signing keys, each change recorded in the audit log
(key ids only: the keys themselves never leave their files)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from comptoir.identity.oidc.keys import (
    Rotation,
    SigningKeys,
    retire_signing_key,
    rotate_signing_key,
)
from comptoir.kernel import audit
from comptoir.kernel.clock import Clock
from comptoir.kernel.settings import Settings


def rotate(session: Session, *, settings: Settings, actor: str, clock: Clock) -> Rotation:
    """A new signing key; the audit entry is written in the caller's transaction."""
    rotation = rotate_signing_key(settings, now=clock.now())
    audit.record(
        session,
        actor=actor,
        action="identity.oidc.signing_key_rotated",
        subject=f"oidc-signing-key:{rotation.keys.current.kid}",
        details={
            "replaced": rotation.replaced,
            "no_longer_published": list(rotation.dropped),
            "published": rotation.keys.kids,
        },
        clock=clock,
    )
    return rotation


def retire(
    session: Session, *, settings: Settings, kid: str, actor: str, clock: Clock
) -> SigningKeys:
    """Stop publishing and accepting a previous key (`SigningKeyError` for the current one or
    an unknown kid, with nothing changed)."""
    keys = retire_signing_key(settings, kid)
    audit.record(
        session,
        actor=actor,
        action="identity.oidc.signing_key_retired",
        subject=f"oidc-signing-key:{kid}",
        details={"published": keys.kids},
        clock=clock,
    )
    return keys
