"""What a revoked or already-given consent stops, and what the provider forgets."""

from __future__ import annotations

from datetime import timedelta

import pytest

from comptoir.kernel.oidc import (
    OidcError,
    callback_parameters,
)
from tests.identity.oidc.protocol_requests import (
    signed_in_tokens,
)
from tests.identity.oidc.world import World


def test_a_revoked_consent_stops_userinfo_at_once_and_the_next_authorization_asks_again(
    world: World,
) -> None:
    shop = world.register_client()
    marie = world.enrol()
    start = shop.begin(scope="openid profile")
    tokens = shop.finish(start, world.authorize(marie, start))
    page = marie.browser.get("/identity/me/consents").text
    assert "Coconut Corner" in page

    revoked = marie.browser.post(
        f"/identity/me/consents/{shop.client_id}/revoke",
        data={"csrf_token": page.split('name="csrf_token" value="')[1].split('"')[0]},
        follow_redirects=False,
    )

    assert revoked.status_code == 303
    with pytest.raises(OidcError) as refused:
        shop.userinfo(tokens)
    assert refused.value.error == "invalid_token"
    assert refused.value.status == 401
    again = shop.begin(scope="openid profile")
    assert "request_id" in world.consent_page(marie, again)


def test_a_code_issued_before_a_revocation_gives_no_tokens(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    start = shop.begin(scope="openid profile")
    code = callback_parameters(world.authorize(marie, start))["code"]
    page = marie.browser.get("/identity/me/consents").text
    marie.browser.post(
        f"/identity/me/consents/{shop.client_id}/revoke",
        data={"csrf_token": page.split('name="csrf_token" value="')[1].split('"')[0]},
    )

    with pytest.raises(OidcError) as refused:
        shop.exchange_code(code, code_verifier=start.code_verifier, nonce=start.nonce)

    assert refused.value.error == "invalid_grant"


def test_expired_one_time_records_are_forgotten_a_day_later(world: World) -> None:
    from sqlalchemy import func, select

    from comptoir.identity.oidc.models import AccessToken, PushedRequest, SeenIdentifier
    from comptoir.identity.oidc.service.replay import forget_expired

    signed_in_tokens(world)
    world.clock.advance(timedelta(days=1, minutes=11))
    with world.database.transaction() as session:
        forget_expired(session, now=world.clock.now())
    with world.database.reading() as session:
        left = [
            session.scalar(select(func.count()).select_from(table))
            for table in (SeenIdentifier, AccessToken, PushedRequest)
        ]

    assert left == [0, 0, 0]
