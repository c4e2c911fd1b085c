"""Signing customers in through the identity provider (OpenID Connect under FAPI 2.0).

Each institution is a relying party of its own, exactly as an outside bank would be: its
private ES256 key sits in `wallet-<id>.oidc.json` under the keys folder, its public JWKS in
`wallet-<id>.oidc-jwks.json`, which the provider's operator registers
(`comptoir identity client add ... --scopes "openid phone"`); the client_id they give back is
recorded with `comptoir wallet institution oidc-register <id> --client-id ...`. The verified
`phone_number` claim is what ties a person to an account: a bank knows its customers by phone.
"""

from __future__ import annotations

from sqlalchemy import select

from comptoir.apps.wallet.domain import signin as rules
from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.apps.wallet.domain.parties import normalise_phone
from comptoir.apps.wallet.models import Customer, WalletSession
from comptoir.apps.wallet.service.context import Wallet, get_institution
from comptoir.kernel import audit
from comptoir.kernel.crypto import Jwk
from comptoir.kernel.i18n import lazy
from comptoir.kernel.ids import new_id
from comptoir.kernel.oidc.browser import ClientFile

SCOPE = "openid phone"


def client_file(wallet: Wallet, institution_id: str) -> ClientFile:
    return ClientFile.under(wallet.keys_dir, f"wallet-{institution_id}")


def redirect_uri(wallet: Wallet, institution_id: str) -> str:
    return f"{wallet.base_url.rstrip('/')}/wallets/{institution_id}/signin/oidc/callback"


def registration(wallet: Wallet, institution_id: str) -> tuple[str, Jwk] | None:
    """The institution's client_id and key at the provider, once registered."""
    return client_file(wallet, institution_id).registration()


def open_session_for_phone(wallet: Wallet, *, institution_id: str, phone: object) -> str:
    """A session for the customer whose phone the provider vouched for; the cookie's value."""
    if not isinstance(phone, str) or not phone:
        raise WalletError(
            "no_phone",
            lazy("The identity provider did not tell us your phone number, so we cannot find "
                 "your account."),
        )  # fmt: skip
    number = normalise_phone(phone)
    now = wallet.clock.now()
    with wallet.database.transaction() as session:
        institution = get_institution(session, institution_id)
        customer = session.scalar(
            select(Customer).where(
                Customer.institution_id == institution_id, Customer.phone == number
            )
        )
        if customer is None:
            raise WalletError(
                "no_account",
                lazy(
                    "You have no account at {institution} under the phone number your "
                    "Comptoir ID gives ({phone}). Ask the institution to open one.",
                    institution=institution.name,
                    phone=number,
                ),
            )
        token, digest = rules.new_session_token()
        session.add(
            WalletSession(
                id=new_id(),
                institution_id=institution_id,
                customer_id=customer.id,
                token_digest=digest,
                created_at=now,
                expires_at=now + rules.SESSION_LIFETIME,
            )
        )
        audit.record(
            session,
            actor=f"customer:{customer.id}",
            action="wallet.signin.oidc",
            subject=institution_id,
            clock=wallet.clock,
        )
        return token
