"""Shop owners sign in through the identity provider (OpenID Connect under FAPI 2.0).

Each platform is a relying party of its own: its private ES256 key sits in
`seller-<id>.oidc.json` under the keys folder, its public JWKS in `seller-<id>.oidc-jwks.json`,
which the provider's operator registers (`comptoir identity client add ... --scopes "openid
phone"`); the client_id they give back is recorded with `comptoir seller platform
oidc-register <id> --client-id ...`. The verified `phone_number` claim finds the business: a
shop on a platform is known by its owner's phone, as with the one-time code.
"""

from __future__ import annotations

from comptoir.apps.seller.domain.errors import SellerError
from comptoir.apps.seller.service import signin
from comptoir.apps.seller.service.context import Seller, get_platform
from comptoir.kernel import audit
from comptoir.kernel.crypto import Jwk
from comptoir.kernel.i18n import lazy
from comptoir.kernel.oidc.browser import ClientFile

SCOPE = "openid phone"


def client_file(seller: Seller, platform_id: str) -> ClientFile:
    return ClientFile.under(seller.keys_dir, f"seller-{platform_id}")


def redirect_uri(seller: Seller, platform_id: str) -> str:
    return f"{seller.base_url.rstrip('/')}/sellers/{platform_id}/signin/oidc/callback"


def registration(seller: Seller, platform_id: str) -> tuple[str, Jwk] | None:
    """The platform's client_id and key at the provider, once registered."""
    return client_file(seller, platform_id).registration()


def open_session_for_phone(seller: Seller, *, platform_id: str, phone: object) -> str:
    """A session for the business whose owner's phone the provider vouched for."""
    if not isinstance(phone, str) or not phone:
        raise SellerError(
            "no_phone",
            lazy("The identity provider did not tell us your phone number, so we cannot find "
                 "your shop."),
        )  # fmt: skip
    number = signin.normalise_phone(phone)
    with seller.database.transaction() as session:
        platform = get_platform(session, platform_id)
        business = signin.find_business(session, platform_id, number)
        if business is None:
            raise SellerError(
                "no_shop",
                lazy(
                    "No shop on {platform} belongs to the phone number your Comptoir ID gives "
                    "({phone}). Ask the platform to add your shop.",
                    platform=platform.name,
                    phone=number,
                ),
            )
        audit.record(
            session,
            actor=f"seller:{business.id}",
            action="seller.signin.oidc",
            subject=str(business.id),
            clock=seller.clock,
        )
        return signin.open_session(session, seller, business.id)
