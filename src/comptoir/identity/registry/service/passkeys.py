"""Passkeys (WebAuthn): the second, stronger way in. A signed-in person registers one; later
they log in with it alone, with no code by SMS.

The relying party is this node: its id is the host of `base_url`, and the only origin accepted
is `base_url`'s. Passkeys are discoverable (resident) credentials whose user handle is the
person's id, so logging in needs no phone number first.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers.exceptions import (
    InvalidAuthenticationResponse,
    InvalidCBORData,
    InvalidJSONStructure,
    InvalidRegistrationResponse,
)
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from comptoir.identity.registry import domain
from comptoir.identity.registry.errors import RegistryError
from comptoir.identity.registry.models import Passkey, Person
from comptoir.identity.registry.records import PASSKEY
from comptoir.identity.registry.service.people import method_locked
from comptoir.identity.registry.service.sessions import start_session
from comptoir.kernel import audit
from comptoir.kernel.clock import Clock
from comptoir.kernel.i18n import lazy
from comptoir.kernel.ids import new_id

RP_NAME = "Comptoir"
_BAD_RESPONSE = (
    InvalidRegistrationResponse,
    InvalidAuthenticationResponse,
    InvalidJSONStructure,
    InvalidCBORData,
    ValueError,
    KeyError,
    TypeError,
)


@dataclass(frozen=True)
class PasskeyRecord:
    id: uuid.UUID
    label: str
    created_at: datetime
    last_used_at: datetime | None


@dataclass(frozen=True)
class RelyingParty:
    id: str  # the node's host name
    origin: str  # scheme://host[:port]

    @classmethod
    def of(cls, base_url: str) -> RelyingParty:
        parts = urlsplit(base_url)
        return cls(parts.hostname or "localhost", f"{parts.scheme}://{parts.netloc}")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _refused() -> RegistryError:
    return RegistryError(
        "passkey_refused",
        lazy("The passkey could not be checked. Try again, or log in with a code by SMS."),
    )


def registration_options(
    session: Session, *, person_id: uuid.UUID, rp: RelyingParty, challenge: bytes
) -> str:
    """The JSON options for `navigator.credentials.create()`."""
    person = session.get(Person, person_id)
    if person is None:
        raise RegistryError("unknown_person", lazy("No one with this id is in the registry."))
    existing = session.scalars(select(Passkey.credential_id).where(Passkey.person_id == person_id))
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=RP_NAME,
        user_name=person.phone,
        user_id=person.id.bytes,
        user_display_name=person.name,
        challenge=challenge,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(
                id=base64.urlsafe_b64decode(found + "=" * (-len(found) % 4))
            )
            for found in existing
        ],
    )
    return options_to_json(options)


def add_passkey(
    session: Session,
    *,
    person_id: uuid.UUID,
    credential: dict[str, Any],
    challenge: bytes,
    rp: RelyingParty,
    label: str,
    clock: Clock,
) -> PasskeyRecord:
    """Check a new credential against the challenge this node gave, and keep its public key."""
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            require_user_verification=True,
        )
    except _BAD_RESPONSE:
        raise _refused() from None
    credential_id = b64url(verified.credential_id)
    if session.scalar(select(Passkey.id).where(Passkey.credential_id == credential_id)):
        raise RegistryError("duplicate_passkey", lazy("This passkey is already registered."))
    now = clock.now()
    passkey = Passkey(
        id=new_id(),
        person_id=person_id,
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        label=domain.clean_text(label or "Passkey", field="label", limit=100, missing="Passkey"),
        created_at=now,
        last_used_at=None,
    )
    session.add(passkey)
    session.flush()
    audit.record(
        session,
        actor=f"person:{person_id}",
        action="identity.passkey.added",
        subject=f"person:{person_id}",
        details={"passkey": str(passkey.id)},
        clock=clock,
    )
    return PasskeyRecord(passkey.id, passkey.label, passkey.created_at, None)


def passkeys_of(session: Session, *, person_id: uuid.UUID) -> list[PasskeyRecord]:
    rows = session.scalars(
        select(Passkey).where(Passkey.person_id == person_id).order_by(Passkey.created_at)
    )
    return [PasskeyRecord(p.id, p.label, p.created_at, p.last_used_at) for p in rows]


def remove_passkey(
    session: Session, *, person_id: uuid.UUID, passkey_id: uuid.UUID, clock: Clock
) -> None:
    found = session.get(Passkey, passkey_id)
    if found is None or found.person_id != person_id:
        raise RegistryError("unknown_passkey", lazy("There is no such passkey."))
    session.delete(found)
    audit.record(
        session,
        actor=f"person:{person_id}",
        action="identity.passkey.removed",
        subject=f"person:{person_id}",
        details={"passkey": str(passkey_id)},
        clock=clock,
    )


def authentication_options(*, rp: RelyingParty, challenge: bytes) -> str:
    """The JSON options for `navigator.credentials.get()` (any passkey of this node)."""
    return options_to_json(
        generate_authentication_options(
            rp_id=rp.id,
            challenge=challenge,
            user_verification=UserVerificationRequirement.REQUIRED,
        )
    )


@dataclass(frozen=True)
class PasskeyLogin:
    person_id: uuid.UUID
    session_id: uuid.UUID


def log_in_with_passkey(
    session: Session,
    *,
    credential: dict[str, Any],
    challenge: bytes,
    rp: RelyingParty,
    clock: Clock,
) -> PasskeyLogin:
    """Check an assertion against the challenge and the stored key; open a session."""
    credential_id = credential.get("id")
    passkey = (
        session.scalar(
            select(Passkey).where(Passkey.credential_id == credential_id).with_for_update()
        )
        if isinstance(credential_id, str)
        else None
    )
    if passkey is None:
        raise RegistryError(
            "unknown_passkey",
            lazy("This passkey is not registered here. Log in with a code by SMS."),
        )
    handle = (credential.get("response") or {}).get("userHandle")
    if handle and handle != b64url(passkey.person_id.bytes):
        raise _refused()
    if method_locked(session, person_id=passkey.person_id, method=PASSKEY):
        raise RegistryError(
            "method_locked",
            lazy(
                "You have locked logging in with a passkey. Log in another way to unlock it, "
                "or ask a registry agent."
            ),
        )
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except _BAD_RESPONSE:
        raise _refused() from None
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = clock.now()
    session_id = start_session(session, person_id=passkey.person_id, method=PASSKEY, clock=clock)
    return PasskeyLogin(passkey.person_id, session_id)
