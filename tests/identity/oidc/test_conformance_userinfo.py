"""The userinfo answer as OpenID Connect Core 1.0 section 5.3.2 has it: the claims as a JSON
object, unless the client registered for a signed answer (`userinfo_signed_response_alg`,
OpenID Connect Registration 1.0), which is then a JWT of type application/jwt."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from comptoir.identity.oidc.service import clients
from comptoir.kernel.crypto import generate_jwk, import_jwks, jwks_document, verify_jwt
from comptoir.kernel.oidc import RelyingParty, TokenSet
from comptoir.kernel.web.operator import sign_in_link
from tests.identity.oidc.protocol_requests import USERINFO, dpop_for
from tests.identity.oidc.world import CSRF_FIELD, ISSUER, World, hidden


def signed_in(world: World, shop: RelyingParty) -> TokenSet:
    marie = world.enrol()
    start = shop.begin(scope="openid profile")
    return shop.finish(start, world.authorize(marie, start))


def userinfo_answer(
    world: World, shop: RelyingParty, tokens: TokenSet, method: str = "GET"
) -> httpx.Response:
    answer: httpx.Response = world.http.request(
        method,
        USERINFO,
        headers={
            "Authorization": f"DPoP {tokens.access_token}",
            "DPoP": dpop_for(shop, method, USERINFO, tokens.access_token),
        },
    )
    return answer


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_client_registered_for_no_signed_answer_gets_the_claims_as_json(
    world: World, method: str
) -> None:
    shop = world.register_client()
    tokens = signed_in(world, shop)

    answer = userinfo_answer(world, shop, tokens, method)

    assert answer.status_code == 200
    assert answer.headers["content-type"].split(";")[0] == "application/json"
    assert answer.headers["cache-control"] == "no-store"
    claims = answer.json()
    # 5.3.2: the sub of the userinfo answer is the ID token's.
    assert claims["sub"] == tokens.subject
    assert claims["name"] == "Marie Joseph"
    assert "iss" not in claims
    assert "aud" not in claims


def test_a_client_registered_for_es256_gets_a_signed_answer_for_it_from_the_issuer(
    world: World,
) -> None:
    shop = world.register_client(userinfo_signed_response_alg="ES256")
    tokens = signed_in(world, shop)

    answer = userinfo_answer(world, shop, tokens)

    assert answer.status_code == 200
    assert answer.headers["content-type"].split(";")[0] == "application/jwt"
    assert answer.headers["cache-control"] == "no-store"
    keys = import_jwks(world.http.get("/identity/oidc/jwks").json())
    verified = verify_jwt(
        answer.text,
        keys,
        algorithms=["ES256"],
        issuer=ISSUER,
        audience=shop.client_id,
        require_expiry=False,
        clock=world.clock,
    )
    assert verified.claims["sub"] == tokens.subject
    assert verified.claims["name"] == "Marie Joseph"


@pytest.mark.parametrize("algorithm", [None, "ES256"])
def test_the_relying_party_library_reads_either_answer(world: World, algorithm: str | None) -> None:
    shop = world.register_client(userinfo_signed_response_alg=algorithm)
    tokens = signed_in(world, shop)

    claims = shop.userinfo(tokens)

    assert claims["sub"] == tokens.subject
    assert claims["name"] == "Marie Joseph"


@pytest.mark.parametrize("algorithm", ["RS256", "none", "HS256", ""])
def test_a_registration_for_a_userinfo_algorithm_the_provider_does_not_sign_with_is_refused(
    world: World, algorithm: str
) -> None:
    with (
        world.database.transaction() as session,
        pytest.raises(clients.ClientRegistrationError) as refused,
    ):
        clients.add_client(
            session,
            name="Coconut Corner",
            redirect_uris=["https://shop.example/callback"],
            jwks=jwks_document([generate_jwk("P-256").public()]),
            scopes="openid",
            userinfo_signed_response_alg=algorithm,
            actor="operator:test",
            clock=world.clock,
        )

    assert refused.value.field == "userinfo_signed_response_alg"


def test_the_registration_says_which_answer_the_client_gets(world: World) -> None:
    with world.database.transaction() as session:
        signed = clients.add_client(
            session,
            name="Signed",
            redirect_uris=["https://shop.example/callback"],
            jwks=jwks_document([generate_jwk("P-256").public()]),
            scopes="openid",
            userinfo_signed_response_alg="ES256",
            actor="operator:test",
            clock=world.clock,
        )
        plain = clients.add_client(
            session,
            name="Plain",
            redirect_uris=["https://shop.example/callback"],
            jwks=jwks_document([generate_jwk("P-256").public()]),
            scopes="openid",
            actor="operator:test",
            clock=world.clock,
        )

    assert signed.to_json()["userinfo_signed_response_alg"] == "ES256"
    assert "userinfo_signed_response_alg" not in plain.to_json()


def test_the_command_registers_a_client_for_signed_answers_and_refuses_another_algorithm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from comptoir.cli import _register_block_commands, cli
    from comptoir.kernel.db import Database, upgrade

    monkeypatch.setenv("COMPTOIR_DATA_DIR", str(tmp_path))
    database = Database.from_url(f"sqlite:///{tmp_path / 'comptoir.db'}")
    upgrade(database.engine)
    database.dispose()
    _register_block_commands()
    jwks = tmp_path / "shop.jwks.json"
    jwks.write_text(json.dumps(jwks_document([generate_jwk("P-256").public()])))
    add = ["identity", "client", "add", "--name", "Coconut Corner",
           "--redirect-uri", "https://shop.example/cb", "--jwks", str(jwks)]  # fmt: skip
    runner = CliRunner()

    signed = runner.invoke(cli, [*add, "--userinfo-signed-response-alg", "ES256"])
    by_default = runner.invoke(cli, add)
    plain = runner.invoke(cli, [*add, "--userinfo-signed-response-alg", "none"])
    refused = runner.invoke(cli, [*add, "--userinfo-signed-response-alg", "RS256"])

    assert signed.exit_code == 0, signed.output
    assert json.loads(signed.stdout)["userinfo_signed_response_alg"] == "ES256"
    # The node signs userinfo answers unless told not to: ID tokens and userinfo are JWTs.
    assert by_default.exit_code == 0, by_default.output
    assert json.loads(by_default.stdout)["userinfo_signed_response_alg"] == "ES256"
    assert plain.exit_code == 0, plain.output
    assert "userinfo_signed_response_alg" not in json.loads(plain.stdout)
    assert refused.exit_code == 2
    assert "--userinfo-signed-response-alg" in refused.output


def test_the_operator_page_registers_a_client_for_signed_answers(world: World) -> None:
    world.http.get(sign_in_link("", world.app.state.node.secret))
    page = world.http.get("/operator/identity/clients")
    assert 'name="signed_userinfo"' in page.text
    assert re.search(r'<input[^>]*name="signed_userinfo"[^>]*checked', page.text)

    added = world.http.post(
        "/operator/identity/clients",
        data={
            "csrf_token": hidden(page.text, CSRF_FIELD),
            "name": "Bread Basket",
            "redirect_uris": "https://bakery.example/cb",
            "jwks": json.dumps(jwks_document([generate_jwk("P-256").public()])),
            "signed_userinfo": "ES256",
        },
    )

    assert added.status_code == 200
    with world.database.reading() as session:
        (registered,) = clients.list_clients(session)
    assert registered.userinfo_signed_response_alg == "ES256"
