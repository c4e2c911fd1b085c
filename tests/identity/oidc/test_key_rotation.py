"""Rotating the provider's signing key: `comptoir identity keys rotate|retire|list` change the
files in the data folder, and the provider (this one, or another over the same folder) takes
the change up within `KEYS_CHECK_SECONDS`, without a restart and without refusing the tokens
in flight."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from comptoir.app import create_app
from comptoir.identity.oidc.keys import signing_keys_folder
from comptoir.identity.oidc.provider import KEYS_CHECK_SECONDS, Provider
from comptoir.kernel import audit
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.crypto import Jwk, generate_jwk, issue_jwt
from comptoir.kernel.crypto.compact import protected_header
from comptoir.kernel.db import Database
from comptoir.kernel.oidc import OidcError, RelyingParty, TokenError, TokenSet, verify_id_token
from comptoir.kernel.oidc.client import JWKS_DEFAULT_MAX_AGE_SECONDS, JWKS_REFETCH_SECONDS
from comptoir.kernel.settings import Settings, load_settings
from tests.identity.oidc.world import ISSUER, Person, World


def keys_command(tmp_path: Path, database_url: str, *arguments: str) -> Result:
    """`comptoir identity keys ...` as the operator runs it, on the world's data folder."""
    from comptoir.cli import _register_block_commands, cli

    if not any(group.name == "identity" for group in cli.registered_groups):
        _register_block_commands()
    return CliRunner().invoke(
        cli,
        ["identity", "keys", *arguments],
        env={"COMPTOIR_DATA_DIR": str(tmp_path), "COMPTOIR_DATABASE_URL": database_url},
    )


def rotate(tmp_path: Path, database_url: str) -> dict[str, object]:
    done = keys_command(tmp_path, database_url, "rotate")
    assert done.exit_code == 0, done.output
    rotated: dict[str, object] = json.loads(done.stdout)
    return rotated


def published_kids(world: World) -> list[str]:
    answer = world.http.get("/identity/oidc/jwks")
    assert answer.headers["cache-control"] == "public, max-age=300"
    return [key["kid"] for key in answer.json()["keys"]]


def sign_in(world: World, shop: RelyingParty, person: Person) -> TokenSet:
    start = shop.begin(scope="openid profile")
    return shop.finish(start, world.authorize(person, start))


def kid_of(token: str) -> object:
    return protected_header(token).get("kid")


def folder_state(tmp_path: Path) -> dict[str, bytes]:
    """The provider's signing key files (other parts of the node keep keys beside them)."""
    keys_dir = tmp_path / "keys"
    return {
        str(path.relative_to(keys_dir)): path.read_bytes()
        for path in sorted(keys_dir.glob("oidc-signing*/**/*"))
        + sorted(keys_dir.glob("oidc-signing*"))
        if path.is_file() and path.name != ".lock"
    }


def test_after_a_rotation_new_tokens_carry_the_new_kid_and_tokens_in_flight_work_until_retired(
    world: World, tmp_path: Path, database_url: str
) -> None:
    shop = world.register_client()
    marie = world.enrol()
    before = sign_in(world, shop, marie)
    old_kid = kid_of(before.id_token)

    rotated = rotate(tmp_path, database_url)
    world.clock.advance(timedelta(seconds=KEYS_CHECK_SECONDS))
    after = sign_in(world, shop, marie)

    new_kid = rotated["kid"]
    assert new_kid != old_kid
    assert kid_of(after.id_token) == new_kid
    assert kid_of(after.access_token) == new_kid
    assert published_kids(world) == [new_kid, old_kid]
    assert shop.userinfo(before)["name"] == "Marie Joseph"  # signed by the old key
    assert shop.userinfo(after)["name"] == "Marie Joseph"

    retired = keys_command(tmp_path, database_url, "retire", str(old_kid))
    world.clock.advance(timedelta(seconds=KEYS_CHECK_SECONDS))

    assert retired.exit_code == 0, retired.output
    assert json.loads(retired.stdout) == {"retired": old_kid, "published": [new_kid]}
    assert published_kids(world) == [new_kid]
    with pytest.raises(OidcError) as refused:
        shop.userinfo(before)
    assert refused.value.error == "invalid_token"
    assert refused.value.status == 401
    assert shop.userinfo(after)["name"] == "Marie Joseph"


def test_a_retired_key_is_refused_at_userinfo_with_the_dpop_challenge(
    world: World, tmp_path: Path, database_url: str
) -> None:
    shop = world.register_client()
    tokens = sign_in(world, shop, world.enrol())
    rotate(tmp_path, database_url)
    assert (
        keys_command(tmp_path, database_url, "retire", str(kid_of(tokens.id_token))).exit_code == 0
    )
    world.clock.advance(timedelta(seconds=KEYS_CHECK_SECONDS))
    endpoint = shop.metadata.userinfo_endpoint

    answer = world.http.get(
        endpoint,
        headers={
            "Authorization": f"DPoP {tokens.access_token}",
            "DPoP": shop._proof("GET", endpoint, tokens.access_token),
        },
    )

    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith("DPoP ")
    assert 'error="invalid_token"' in answer.headers["www-authenticate"]


def test_logout_accepts_an_id_token_hint_of_the_previous_key_until_it_is_retired(
    world: World, tmp_path: Path, database_url: str
) -> None:
    shop = world.register_client(post_logout_redirect_uris=["https://shop.example/bye"])
    marie = world.enrol()
    tokens = sign_in(world, shop, marie)
    logout = shop.logout_url(
        id_token=tokens.id_token, post_logout_redirect_uri="https://shop.example/bye", state="s"
    )
    rotate(tmp_path, database_url)
    world.clock.advance(timedelta(seconds=KEYS_CHECK_SECONDS))

    assert marie.browser.get(logout, follow_redirects=False).status_code == 200

    keys_command(tmp_path, database_url, "retire", str(kid_of(tokens.id_token)))
    world.clock.advance(timedelta(seconds=KEYS_CHECK_SECONDS))
    refused = marie.browser.get(logout, follow_redirects=False)

    assert refused.status_code == 400
    assert "location" not in refused.headers


def test_another_provider_over_the_same_folder_takes_up_a_rotation_within_the_interval(
    tmp_path: Path, database_url: str
) -> None:
    settings = load_settings(data_dir=tmp_path, base_url=ISSUER)
    clock = FrozenClock()
    running = Provider.for_settings(settings, clock=clock)
    first_kid = running.signing_key.kid

    rotated = rotate(tmp_path, database_url)

    assert running.signing_key.kid == first_kid  # not looked yet: still a published key
    clock.advance(timedelta(seconds=KEYS_CHECK_SECONDS - 1))
    assert running.signing_key.kid == first_kid
    clock.advance(timedelta(seconds=1))
    assert running.signing_key.kid == rotated["kid"]
    assert [key.kid for key in running.public_keys] == [rotated["kid"], first_kid]
    assert all(not key.is_private for key in running.public_keys)

    assert keys_command(tmp_path, database_url, "retire", first_kid).exit_code == 0
    clock.advance(timedelta(seconds=KEYS_CHECK_SECONDS))

    assert [key.kid for key in running.public_keys] == [rotated["kid"]]
    restarted = Provider.for_settings(settings, clock=clock)
    assert [key.kid for key in restarted.public_keys] == [rotated["kid"]]


def test_a_worker_that_has_not_looked_yet_accepts_a_token_signed_by_one_that_has(
    world: World, tmp_path: Path, database_url: str, database: Database
) -> None:
    shop = world.register_client()
    marie = world.enrol()
    first = sign_in(world, shop, marie)
    rotated = rotate(tmp_path, database_url)
    this_worker: Provider = world.app.state.oidc_provider
    settings = load_settings(data_dir=tmp_path, base_url=ISSUER)
    other_app = create_app(settings, database=database, clock=world.clock)

    with TestClient(other_app, base_url=ISSUER) as other_worker:
        shop.http = other_worker  # the load balancer sends the back channel there
        start = shop.begin(scope="openid profile")
        tokens = shop.finish(start, world.authorize(marie, start))
    shop.http = world.http  # and userinfo here, to a worker that has not looked yet
    assert this_worker.signing_key.kid == kid_of(first.id_token)

    assert kid_of(tokens.access_token) == rotated["kid"]
    assert shop.userinfo(tokens)["name"] == "Marie Joseph"
    assert this_worker.signing_key.kid == rotated["kid"]


def test_the_jwks_lists_a_new_key_at_once(world: World, tmp_path: Path, database_url: str) -> None:
    first = published_kids(world)

    rotated = rotate(tmp_path, database_url)

    assert published_kids(world) == [rotated["kid"], *first]


def test_rotating_again_keeps_at_most_two_previous_keys_and_removes_the_oldest_file(
    world: World, tmp_path: Path, database_url: str
) -> None:
    first = published_kids(world)[0]
    kids = [rotate(tmp_path, database_url)["kid"] for _ in range(3)]

    assert published_kids(world) == [kids[2], kids[1], kids[0]]
    files = sorted(path.name for path in signing_keys_folder(world_settings(tmp_path)).iterdir())
    assert files == sorted([".lock", "keyring.json", *(f"{kid}.p256.pem" for kid in kids)])
    assert first not in json.dumps(folder_state(tmp_path), default=str)
    assert not (tmp_path / "keys" / "oidc-signing.p256.pem").exists()
    for path in signing_keys_folder(world_settings(tmp_path)).iterdir():
        assert path.stat().st_mode & 0o777 == 0o600, path


def test_retire_refuses_the_current_key_and_an_unknown_kid_and_changes_nothing(
    world: World, tmp_path: Path, database_url: str, database: Database
) -> None:
    current = rotate(tmp_path, database_url)["kid"]
    before = folder_state(tmp_path)
    with database.reading() as session:
        logged = len(audit.entries(session, action_prefix="identity.oidc.signing_key"))

    the_current = keys_command(tmp_path, database_url, "retire", str(current))
    unknown = keys_command(tmp_path, database_url, "retire", "-" + "A" * 42)  # not an option
    malformed = keys_command(tmp_path, database_url, "retire", "../../comptoir.db")

    assert the_current.exit_code == 1
    assert "current_key" in the_current.stderr
    assert "rotate first" in the_current.stderr
    for refused in (unknown, malformed):
        assert refused.exit_code == 1
        assert "unknown_kid" in refused.stderr
    assert the_current.stdout == unknown.stdout == ""
    assert folder_state(tmp_path) == before
    assert len(published_kids(world)) == 2
    with database.reading() as session:
        assert len(audit.entries(session, action_prefix="identity.oidc.signing_key")) == logged


def test_retire_refuses_the_only_key_of_a_node_never_rotated(
    world: World, tmp_path: Path, database_url: str
) -> None:
    only = published_kids(world)[0]

    refused = keys_command(tmp_path, database_url, "retire", only)

    assert refused.exit_code == 1
    assert "current_key" in refused.stderr
    assert published_kids(world) == [only]


def test_the_commands_print_json_and_record_key_ids_in_the_audit_log(
    world: World, tmp_path: Path, database_url: str, database: Database
) -> None:
    first = published_kids(world)[0]

    rotated = rotate(tmp_path, database_url)
    listed = keys_command(tmp_path, database_url, "list")

    assert set(rotated) == {"kid", "published"}
    assert rotated["published"] == [rotated["kid"], first]
    assert listed.exit_code == 0, listed.output
    keys = json.loads(listed.stdout)
    assert [(key["kid"], key["status"]) for key in keys] == [
        (rotated["kid"], "current"),
        (first, "previous"),
    ]
    for key in keys:
        assert set(key) == {"kid", "status", "created"}
        assert key["created"].endswith("Z")
        assert datetime.fromisoformat(key["created"]).utcoffset() == timedelta(0)
    keys_command(tmp_path, database_url, "retire", first)
    with database.reading() as session:
        logged = sorted(
            audit.entries(session, action_prefix="identity.oidc.signing_key"),
            key=lambda entry: entry.seq,
        )
    assert [(entry.action, entry.subject, entry.actor) for entry in logged] == [
        ("identity.oidc.signing_key_rotated", f"oidc-signing-key:{rotated['kid']}", "operator:cli"),
        ("identity.oidc.signing_key_retired", f"oidc-signing-key:{first}", "operator:cli"),
    ]
    assert logged[0].details == {
        "replaced": first,
        "no_longer_published": [],
        "published": [rotated["kid"], first],
    }
    assert logged[1].details == {"published": [rotated["kid"]]}


def test_what_a_crashed_rotation_leaves_is_ignored_and_swept_by_the_next_change(
    world: World, tmp_path: Path, database_url: str
) -> None:
    kids = published_kids(world)
    rotate(tmp_path, database_url)
    folder = signing_keys_folder(world_settings(tmp_path))
    # A rotation that died before its keyring was renamed: a new key file and a half-written
    # temporary keyring, neither named by the keyring.
    orphan = folder / f"{'B' * 43}.p256.pem"
    orphan.write_bytes((folder / f"{published_kids(world)[0]}.p256.pem").read_bytes())
    (folder / ".keyring.json.crashed").write_text('{"keys": [')
    world.clock.advance(timedelta(seconds=KEYS_CHECK_SECONDS))

    assert published_kids(world)[1:] == kids
    rotated = rotate(tmp_path, database_url)

    assert not orphan.exists()
    assert not (folder / ".keyring.json.crashed").exists()
    assert published_kids(world)[0] == rotated["kid"]
    assert os.stat(folder / "keyring.json").st_mode & 0o777 == 0o600


def count_jwks_fetches(world: World) -> list[str]:
    fetched: list[str] = []

    def seen(request: httpx.Request) -> None:
        if request.url.path == "/identity/oidc/jwks":
            fetched.append(request.method)

    world.http.event_hooks = {"request": [seen], "response": []}
    return fetched


def check_id_token_signed_by(key: Jwk, shop: RelyingParty, world: World) -> None:
    """What the shop does with an ID token: check it with the keys it has for its kid."""
    token = issue_jwt(
        {"sub": "someone"}, key, issuer=ISSUER, audience=shop.client_id, clock=world.clock
    )
    verify_id_token(
        token,
        keys=shop.keys_for(token),
        issuer=ISSUER,
        client_id=shop.client_id,
        nonce=None,
        clock=world.clock,
    )


def test_a_relying_party_fetches_the_jwks_again_once_for_a_new_kid_but_not_for_each_unknown_one(
    world: World, tmp_path: Path, database_url: str
) -> None:
    shop = world.register_client()
    marie = world.enrol()
    fetched = count_jwks_fetches(world)
    sign_in(world, shop, marie)
    assert len(fetched) == 1
    rotated = rotate(tmp_path, database_url)
    world.clock.advance(timedelta(seconds=KEYS_CHECK_SECONDS))

    tokens = sign_in(world, shop, marie)

    assert kid_of(tokens.id_token) == rotated["kid"]
    assert len(fetched) == 2
    assert shop.userinfo(tokens)["sub"] == tokens.subject
    assert len(fetched) == 2
    stranger = generate_jwk("P-256")
    for _ in range(3):
        with pytest.raises(TokenError, match="no key has the kid"):
            check_id_token_signed_by(stranger, shop, world)
    assert len(fetched) == 2  # within the rate limit: no fetch for a kid in no JWKS
    world.clock.advance(timedelta(seconds=JWKS_REFETCH_SECONDS))
    with pytest.raises(TokenError, match="no key has the kid"):
        check_id_token_signed_by(stranger, shop, world)
    assert len(fetched) == 3


def test_a_relying_party_keeps_the_jwks_no_longer_than_its_max_age(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    fetched = count_jwks_fetches(world)
    sign_in(world, shop, marie)
    world.clock.advance(timedelta(seconds=JWKS_DEFAULT_MAX_AGE_SECONDS - 1))
    shop.provider_keys()
    assert len(fetched) == 1

    world.clock.advance(timedelta(seconds=1))
    shop.provider_keys()

    assert len(fetched) == 2


def world_settings(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path, base_url=ISSUER)
