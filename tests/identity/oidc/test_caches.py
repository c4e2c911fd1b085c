"""What the provider keeps in memory (client registrations with their parsed keys) never
outlives what it stands for: a changed registration takes effect within the stated time, and
what must stop at once (a revoked consent, a used request_uri) is never answered from memory."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import update

from comptoir.identity.oidc.models import OidcClient
from comptoir.identity.oidc.provider import CLIENT_CACHE_SECONDS
from comptoir.kernel.crypto import generate_jwk, jwks_document
from comptoir.kernel.oidc import OidcError, RelyingParty, callback_parameters
from tests.identity.oidc.world import ISSUER, World


def test_a_client_key_replaced_by_the_operator_takes_effect_within_the_cache_time(
    world: World,
) -> None:
    shop = world.register_client()
    marie = world.enrol()
    start = shop.begin(scope="openid profile")
    shop.finish(start, world.authorize(marie, start))  # the registration is now cached
    new_key = generate_jwk("P-256")
    with world.database.transaction() as session:
        session.execute(
            update(OidcClient)
            .where(OidcClient.id == shop.client_id)
            .values(jwks=jwks_document([new_key.public()]))
        )
    renewed = RelyingParty(
        issuer=ISSUER,
        client_id=shop.client_id,
        redirect_uri=shop.redirect_uri,
        client_key=new_key,
        http=world.http,
        clock=world.clock,
    )

    world.clock.advance(timedelta(seconds=CLIENT_CACHE_SECONDS + 1))

    with pytest.raises(OidcError) as refused:
        shop.begin(scope="openid profile")
    assert refused.value.error == "invalid_client"
    again = renewed.begin(scope="openid profile")
    tokens = renewed.finish(again, world.authorize(marie, again))
    assert renewed.userinfo(tokens)["sub"] == tokens.subject


def test_a_revoked_consent_stops_userinfo_at_once_after_it_was_served(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    start = shop.begin(scope="openid profile")
    tokens = shop.finish(start, world.authorize(marie, start))
    assert shop.userinfo(tokens)["name"] == "Marie Joseph"
    page = marie.browser.get("/identity/me/consents").text

    marie.browser.post(
        f"/identity/me/consents/{shop.client_id}/revoke",
        data={"csrf_token": page.split('name="csrf_token" value="')[1].split('"')[0]},
    )

    with pytest.raises(OidcError) as refused:
        shop.userinfo(tokens)
    assert refused.value.error == "invalid_token"


def test_of_two_browsers_racing_with_one_request_uri_only_one_gets_a_code(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    first = shop.begin(scope="openid profile")
    shop.finish(first, world.authorize(marie, first))  # consent on file: codes come at once
    start = shop.begin(scope="openid profile")

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(
            pool.map(
                lambda _: marie.browser.get(start.authorization_url, follow_redirects=False),
                range(4),
            )
        )

    assert sorted(answer.status_code for answer in answers) == [303, 400, 400, 400]
    (won,) = [answer for answer in answers if answer.status_code == 303]
    assert "code" in callback_parameters(won.headers["location"])
