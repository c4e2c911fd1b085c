"""`comptoir seller platform oidc-register` and `comptoir seller business recheck-credentials`,
as an operator runs them, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from comptoir.apps.seller.models import Business
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.crypto import generate_jwk
from comptoir.kernel.crypto.sdjwt import issue_sd_jwt
from comptoir.kernel.db import Database
from tests.apps.seller.commands import operator_environment, run
from tests.apps.seller.world import PLATFORM, World, make_world

ISSUER = "http://127.0.0.1:9/identity/vci"  # a registry nowhere to be reached


@pytest.fixture
def world(
    database: Database,
    database_url: str,
    clock: FrozenClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> World:
    operator_environment(monkeypatch, database_url, tmp_path / "data")
    monkeypatch.setenv("COMPTOIR_CREDENTIAL_ISSUER", ISSUER)
    return make_world(database, clock, tmp_path / "data" / "keys")


def test_oidc_register_makes_the_platform_s_key_then_records_its_client_id(
    world: World, tmp_path: Path
) -> None:
    first = run("platform", "oidc-register", PLATFORM)
    recorded = run("platform", "oidc-register", PLATFORM, "--client-id", "xyz")
    unknown = run("platform", "oidc-register", "nowhere")

    assert first.exit_code == 0, first.output
    printed = {
        name.strip(): value.strip()
        for name, value in (line.split(":", 1) for line in first.stdout.splitlines())
    }
    assert printed["redirect_uri"] == (
        f"http://node.example/sellers/{PLATFORM}/signin/oidc/callback"
    )
    assert printed["scopes"] == "openid phone"
    public = json.loads(Path(printed["jwks"]).read_text())
    assert len(public["keys"]) == 1 and "d" not in public["keys"][0]
    assert recorded.exit_code == 0 and "xyz" in recorded.stdout
    private = tmp_path / "data" / "keys" / f"seller-{PLATFORM}.oidc.json"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert json.loads(private.read_text())["client_id"] == "xyz"
    assert unknown.exit_code == 1 and "no seller platform nowhere" in unknown.stderr


def mark(world: World, presentation: str) -> None:
    with world.seller.database.transaction() as session:
        business = session.get(Business, world.business_id)
        assert business is not None
        business.verified, business.credential = True, presentation


def still_marked(world: World) -> bool:
    with world.seller.database.reading() as session:
        business = session.get(Business, world.business_id)
        assert business is not None
        return business.verified


def test_a_recheck_that_cannot_reach_the_registry_keeps_the_mark(world: World) -> None:
    issued = issue_sd_jwt(
        {
            "iss": ISSUER,
            "vct": f"{ISSUER}/credentials/registered-business",
            "status": {"status_list": {"idx": 3, "uri": f"{ISSUER}/status/1"}},
        },
        {"business_name": "Soufriere Spice Co"},
        generate_jwk("P-256"),
        holder_key=None,
        ttl_seconds=3600,
    )
    mark(world, issued.serialized)

    rechecked = run("business", "recheck-credentials")

    assert rechecked.exit_code == 0, rechecked.output
    assert "0 businesses lost the verified mark" in rechecked.stdout
    assert still_marked(world)


def test_a_kept_presentation_that_no_longer_verifies_loses_the_mark(world: World) -> None:
    mark(world, "eyJ.e30.sig~")

    rechecked = run("business", "recheck-credentials")

    assert rechecked.exit_code == 0, rechecked.output
    assert "1 businesses lost the verified mark" in rechecked.stdout
    assert not still_marked(world)
