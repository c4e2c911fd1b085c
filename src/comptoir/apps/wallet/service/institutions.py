"""Institutions on this node, their keys, and the keys they trust."""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.apps.wallet import keys
from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.apps.wallet.domain.fees import FeeSchedule
from comptoir.apps.wallet.domain.parties import check_institution_id, check_name
from comptoir.apps.wallet.models import Institution, PeerKey
from comptoir.apps.wallet.service.context import (
    DEFAULT_SWITCH_FSP_ID,
    Wallet,
    get_institution,
)
from comptoir.apps.wallet.service.views import InstitutionCreated, InstitutionView
from comptoir.kernel.fspiop import FspiopError, RsaJwk, RsaKeyError, import_rsa_jwks
from comptoir.kernel.i18n import lazy
from comptoir.kernel.money import Money, UnknownCurrency, minor_unit_digits

QUOTE_SECONDS = 300  # how long a payee's quote stands: time for the payer to read and agree
TRANSFER_SECONDS = 60  # how long the switch may take to complete a transfer


def institution_view(wallet: Wallet, institution: Institution) -> InstitutionView:
    return InstitutionView(
        id=institution.id,
        name=institution.name,
        currency=institution.currency,
        switch_url=institution.switch_url,
        switch_fsp_id=institution.switch_fsp_id,
        callback_url=wallet.callback_url(institution.id),
        send_fee=Money(institution.send_fee, institution.currency),
        p2p_fee_bps=institution.p2p_fee_bps,
        merchant_fee_bps=institution.merchant_fee_bps,
    )


def _checked_jwks(document: Mapping[str, object], owner: str) -> dict[str, object]:
    try:
        import_rsa_jwks(document)
    except RsaKeyError as error:
        raise WalletError(
            "bad_jwks",
            lazy("The public keys of {owner} cannot be used: {reason}", owner=owner, reason=error),
        ) from None
    return json.loads(json.dumps(dict(document)))  # type: ignore[no-any-return]


def create_institution(
    wallet: Wallet,
    *,
    institution_id: str,
    name: str,
    switch_jwks: Mapping[str, object],
    switch_url: str | None = None,
    switch_fsp_id: str = DEFAULT_SWITCH_FSP_ID,
    currency: str = "XCD",
    fees: FeeSchedule | None = None,
) -> InstitutionCreated:
    """A new institution with its own RSA key. The private key file is made once: an
    institution recreated after a failed attempt keeps the key already on disk."""
    check_institution_id(institution_id)
    name = check_name(name)
    try:
        minor_unit_digits(currency)
    except UnknownCurrency:
        raise WalletError(
            "bad_currency", lazy("{currency} is not a currency.", currency=currency)
        ) from None
    jwks = _checked_jwks(switch_jwks, switch_fsp_id)
    schedule = fees or FeeSchedule(currency=currency)
    now = wallet.clock.now()
    with wallet.database.transaction() as session:
        if session.get(Institution, institution_id) is not None:
            raise WalletError(
                "institution_exists",
                lazy("The institution {institution} already exists.", institution=institution_id),
            )
        created = _key_for(wallet, institution_id)
        institution = Institution(
            id=institution_id,
            name=name,
            currency=currency,
            switch_url=(switch_url or wallet.default_switch_url()).rstrip("/"),
            switch_fsp_id=switch_fsp_id,
            key_id=created.kid,
            public_jwks=dict(created.jwks),
            send_fee=schedule.send_fee,
            p2p_fee_bps=schedule.p2p_fee_bps,
            merchant_fee_bps=schedule.merchant_fee_bps,
            merchant_fee_min=schedule.merchant_fee_min,
            merchant_fee_max=schedule.merchant_fee_max,
            quote_seconds=QUOTE_SECONDS,
            transfer_seconds=TRANSFER_SECONDS,
            created_at=now,
        )
        session.add(institution)
        session.add(
            PeerKey(institution_id=institution_id, fsp_id=switch_fsp_id, jwks=jwks, added_at=now)
        )
        session.flush()
        return InstitutionCreated(
            institution_view(wallet, institution),
            created.kid,
            created.private_path,
            created.public_path,
        )


def _key_for(wallet: Wallet, institution_id: str) -> keys.CreatedKey:
    private_path = keys.private_key_path(wallet.keys_dir, institution_id)
    if not private_path.exists():
        return keys.create_key(wallet.keys_dir, institution_id)
    key = keys.signing_key(wallet.keys_dir, institution_id).key
    jwks = {"keys": [key.to_dict(private=False)]}
    public_path = keys.public_jwks_path(wallet.keys_dir, institution_id)
    public_path.write_text(json.dumps(jwks, indent=2) + "\n", encoding="utf-8")
    return keys.CreatedKey(key.kid, jwks, private_path, public_path)


def trust_peer(
    wallet: Wallet, *, institution_id: str, fsp_id: str, jwks: Mapping[str, object]
) -> None:
    """Trust `jwks` for messages whose FSPIOP-Source is `fsp_id` (replacing earlier keys)."""
    checked = _checked_jwks(jwks, fsp_id)
    with wallet.database.transaction() as session:
        get_institution(session, institution_id)
        found = session.get(PeerKey, (institution_id, fsp_id))
        if found is None:
            session.add(
                PeerKey(
                    institution_id=institution_id,
                    fsp_id=fsp_id,
                    jwks=checked,
                    added_at=wallet.clock.now(),
                )
            )
        else:
            found.jwks = checked
            found.added_at = wallet.clock.now()


def list_institutions(wallet: Wallet) -> list[InstitutionView]:
    with wallet.database.transaction() as session:
        rows = session.scalars(select(Institution).order_by(Institution.name)).all()
        return [institution_view(wallet, row) for row in rows]


def find_institution(wallet: Wallet, institution_id: str) -> InstitutionView | None:
    with wallet.database.transaction() as session:
        row = session.get(Institution, institution_id)
        return None if row is None else institution_view(wallet, row)


def verification_keys(
    session: Session, institution: Institution, source: str
) -> tuple[RsaJwk, ...]:
    """The keys that may sign a message from `source`: keys the institution was given for it
    (the switch's, a peer's), else those of an institution hosted on this same node."""
    trusted = session.get(PeerKey, (institution.id, source))
    if trusted is not None:
        return import_rsa_jwks(trusted.jwks)
    neighbour = session.get(Institution, source)
    if neighbour is not None:
        return import_rsa_jwks(neighbour.public_jwks)
    return ()


def keys_for_message(
    wallet: Wallet, *, institution_id: str, source: str, destination: str | None
) -> tuple[RsaJwk, ...]:
    """Check that a message is for this institution, and find the keys of its sender.
    An unknown institution is 3002 (HTTP 404); another destination is 3100."""
    with wallet.database.transaction() as session:
        institution = session.get(Institution, institution_id)
        if institution is None:
            raise FspiopError("3002", f"no institution {institution_id} here", http_status=404)
        if destination is not None and destination != institution.id:
            raise FspiopError("3100", f"FSPIOP-Destination is {destination}, not {institution.id}")
        return verification_keys(session, institution, source)


def switch_fsp_id(wallet: Wallet, *, institution_id: str) -> str:
    with wallet.database.transaction() as session:
        return get_institution(session, institution_id).switch_fsp_id
