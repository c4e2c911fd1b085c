"""Registering relying parties: the rules, the operator's page and the commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from comptoir.identity.oidc.service.clients import ClientRegistrationError, add_client
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.crypto import generate_jwk, jwks_document
from comptoir.kernel.db import Database
from comptoir.kernel.web.operator import sign_in_link
from tests.identity.oidc.world import CSRF_FIELD, World, hidden


def register(database: Database, clock: FrozenClock, **changes: object) -> None:
    arguments: dict[str, object] = {
        "name": "Coconut Corner",
        "redirect_uris": ["https://shop.example/cb"],
        "jwks": jwks_document([generate_jwk("P-256").public()]),
        "scopes": "openid profile",
        "actor": "operator:test",
        "clock": clock,
    }
    arguments.update(changes)
    with database.transaction() as session:
        add_client(session, **arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"redirect_uris": ["http://shop.example/cb"]}, "redirect_uri"),
        ({"redirect_uris": ["https://shop.example/cb#x"]}, "redirect_uri"),
        ({"redirect_uris": []}, "redirect_uri"),
        ({"scopes": "openid email"}, "scopes"),
        ({"scopes": "profile"}, "scopes"),
        ({"jwks": {"keys": []}}, "jwks"),
        ({"jwks": jwks_document([generate_jwk("Ed25519").public()])}, "jwks"),
        ({"name": " "}, "name"),
    ],
)
def test_it_refuses_a_registration_that_breaks_a_rule(
    database: Database, clock: FrozenClock, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(ClientRegistrationError) as refused:
        register(database, clock, **changes)

    assert refused.value.field == field


def test_it_refuses_a_private_key_in_the_jwks(database: Database, clock: FrozenClock) -> None:
    private = generate_jwk("P-256")

    with pytest.raises(ClientRegistrationError) as refused:
        register(database, clock, jwks={"keys": [private.to_dict(private=True)]})

    assert "private" in refused.value.message


def test_loopback_http_redirects_are_allowed_for_developers(
    database: Database, clock: FrozenClock
) -> None:
    register(database, clock, redirect_uris=["http://127.0.0.1:9000/cb"])


def test_the_operator_registers_a_client_on_the_page(world: World) -> None:
    secret = world.app.state.node.secret
    link = sign_in_link("http://testserver", secret)
    world.http.get(link.removeprefix("http://testserver"))
    page = world.http.get("/operator/identity/clients")
    assert page.status_code == 200

    added = world.http.post(
        "/operator/identity/clients",
        data={
            "csrf_token": hidden(page.text, CSRF_FIELD),
            "name": "Bread Basket",
            "redirect_uris": "https://bakery.example/cb\nhttps://bakery.example/cb2",
            "jwks": json.dumps(jwks_document([generate_jwk("P-256").public()])),
            "purpose": "To bake",
            "scope": ["profile"],
        },
    )

    assert added.status_code == 200
    assert "Bread Basket is registered" in added.text
    assert "https://bakery.example/cb2" in added.text


def test_the_operator_page_shows_a_bad_registration_and_keeps_the_form(world: World) -> None:
    world.http.get(sign_in_link("", world.app.state.node.secret))
    page = world.http.get("/operator/identity/clients")

    refused = world.http.post(
        "/operator/identity/clients",
        data={
            "csrf_token": hidden(page.text, CSRF_FIELD),
            "name": "Bread Basket",
            "redirect_uris": "ftp://bakery.example/cb",
            "jwks": "{}",
        },
    )

    assert refused.status_code == 400
    assert 'aria-invalid="true"' in refused.text
    assert "ftp://bakery.example/cb" in refused.text


def test_the_operator_page_refuses_a_jwks_nested_deeper_than_the_json_parser_goes(
    world: World,
) -> None:
    world.http.get(sign_in_link("", world.app.state.node.secret))
    page = world.http.get("/operator/identity/clients")

    refused = world.http.post(
        "/operator/identity/clients",
        data={
            "csrf_token": hidden(page.text, CSRF_FIELD),
            "name": "Bread Basket",
            "redirect_uris": "https://bakery.example/cb",
            "jwks": "[" * 30_000 + "]" * 30_000,
        },
    )

    assert refused.status_code == 400
    assert 'aria-invalid="true"' in refused.text


def test_the_operator_page_needs_an_operator(world: World) -> None:
    assert world.http.get("/operator/identity/clients").status_code == 401


def test_the_commands_add_and_list_clients(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from comptoir.cli import _register_block_commands, cli
    from comptoir.kernel.db import upgrade

    monkeypatch.setenv("COMPTOIR_DATA_DIR", str(tmp_path))
    database = Database.from_url(f"sqlite:///{tmp_path / 'comptoir.db'}")
    upgrade(database.engine)
    database.dispose()
    _register_block_commands()
    jwks = tmp_path / "shop.jwks.json"
    jwks.write_text(json.dumps(jwks_document([generate_jwk("P-256").public()])))
    runner = CliRunner()

    added = runner.invoke(
        cli,
        [
            "identity", "client", "add", "--name", "Coconut Corner",
            "--redirect-uri", "https://shop.example/cb", "--redirect-uri", "https://shop.example/cb2",
            "--jwks", str(jwks), "--scopes", "openid profile phone", "--purpose", "Deliveries",
        ],
    )  # fmt: skip
    listed = runner.invoke(cli, ["identity", "client", "list"])
    refused = runner.invoke(
        cli,
        ["identity", "client", "add", "--name", "X", "--redirect-uri", "http://x.example/",
         "--jwks", str(jwks)],
    )  # fmt: skip

    assert added.exit_code == 0, added.output
    client = json.loads(added.stdout)
    assert client["redirect_uris"] == ["https://shop.example/cb", "https://shop.example/cb2"]
    assert client["scopes"] == "openid profile phone"
    assert [found["client_id"] for found in json.loads(listed.stdout)] == [client["client_id"]]
    assert refused.exit_code == 2
    assert "--redirect-uri" in refused.output


def test_the_operator_page_names_every_problem_at_once_beside_its_field(world: World) -> None:
    world.http.get(sign_in_link("", world.app.state.node.secret))
    page = world.http.get("/operator/identity/clients")

    refused = world.http.post(
        "/operator/identity/clients",
        data={
            "csrf_token": hidden(page.text, CSRF_FIELD),
            "name": " ",
            "redirect_uris": "ftp://bakery.example/cb",
            "post_logout_redirect_uris": "https://bakery.example/bye#top",
            "jwks": "not json",
            "purpose": "To bake",
        },
    )

    assert refused.status_code == 400
    assert "There are 4 problems" in refused.text
    for field in ("name", "redirect_uris", "post_logout_redirect_uris", "jwks"):
        assert f'id="{field}-error"' in refused.text
        assert f'href="#{field}"' in refused.text
    assert "The name must have 1 to 200 characters." in refused.text
    assert "The JWKS is not a JSON object." in refused.text
    assert refused.text.count('aria-invalid="true"') == 4
    assert "ftp://bakery.example/cb" in refused.text and ">not json</textarea>" in refused.text
    assert "To bake" in refused.text


def test_a_refusal_is_translated_where_shown_and_keeps_its_english_for_the_command_line(
    database: Database, clock: FrozenClock
) -> None:
    with pytest.raises(ClientRegistrationError) as refused:
        register(database, clock, redirect_uris=["http://bakery.example/cb"])

    # What the page shows is translated when shown; the command line keeps its English text.
    assert refused.value.text.render("en") == refused.value.message
    assert refused.value.message == (
        "http://bakery.example/cb cannot be registered: it must use https (http only to "
        "127.0.0.1 or localhost)"
    )
