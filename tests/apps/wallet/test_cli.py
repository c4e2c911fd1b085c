"""`comptoir wallet` as an operator uses it: institutions with their keys, customers, books."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from comptoir.apps import wallet as wallet_app
from comptoir.apps.wallet.fspiop_client import HANDLER, TOPIC
from comptoir.kernel.db import Database
from comptoir.kernel.fspiop import import_rsa_jwk, import_rsa_jwks
from comptoir.kernel.outbox import OutboxEventRecord, deliveries
from tests.apps.wallet.conftest import KeyPair


@pytest.fixture
def cli(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, switch_key: KeyPair
) -> typer.Typer:
    for name in ("COMPTOIR_SECRET_KEY", "COMPTOIR_BASE_URL", "COMPTOIR_SIGNING_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COMPTOIR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COMPTOIR_DATABASE_URL", database_url)
    monkeypatch.setenv("COMPTOIR_BASE_URL", "https://node.example")
    (tmp_path / "switch.jwks.json").write_text(json.dumps(switch_key.jwks))
    root = typer.Typer()
    wallet_app.register(None, root)
    return root


def run(cli: typer.Typer, *args: str) -> Result:
    return CliRunner().invoke(cli, ["wallet", *args])


def add_institution(cli: typer.Typer, tmp_path: Path, institution_id: str = "wallet-a") -> Result:
    return run(
        cli,
        "institution",
        "add",
        institution_id,
        "--name",
        "Wallet A",
        "--switch-jwks",
        str(tmp_path / "switch.jwks.json"),
    )


def assert_one_sentence(result: Result, prefix: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(prefix), result.stderr
    assert "Traceback" not in result.stderr


def test_adding_an_institution_makes_its_key_and_prints_the_public_jwks_path(
    cli: typer.Typer, tmp_path: Path
) -> None:
    result = add_institution(cli, tmp_path)

    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    public = Path(lines[-1])
    assert public == tmp_path / "data" / "keys" / "wallet-wallet-a.jwks.json"
    assert import_rsa_jwks(json.loads(public.read_text()))
    private = tmp_path / "data" / "keys" / "wallet-wallet-a.rsa.json"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert import_rsa_jwk(json.loads(private.read_text())).is_private
    assert "callback URL: https://node.example/wallets/wallet-a/fspiop" in result.stdout
    assert "comptoir switch participant add wallet-a" in result.stdout
    listed = run(cli, "institution", "list")
    assert listed.stdout.startswith("wallet-a\tWallet A\tXCD\t")


def test_an_institution_is_added_once(cli: typer.Typer, tmp_path: Path) -> None:
    add_institution(cli, tmp_path)
    again = add_institution(cli, tmp_path)
    assert_one_sentence(again, "comptoir wallet institution add: institution_exists: ")


def test_a_switch_jwks_that_holds_no_rsa_key_is_refused(cli: typer.Typer, tmp_path: Path) -> None:
    (tmp_path / "switch.jwks.json").write_text(json.dumps({"keys": []}))
    result = add_institution(cli, tmp_path)
    assert_one_sentence(result, "comptoir wallet institution add: bad_jwks: ")


def test_a_customer_is_opened_funded_and_queued_for_the_directory(
    cli: typer.Typer, tmp_path: Path, database_url: str
) -> None:
    add_institution(cli, tmp_path)

    result = run(
        cli,
        "customer",
        "add",
        "wallet-a",
        "--phone",
        "+1 758 555 0303",
        "--name",
        "Chez Marie",
        "--merchant",
        "--alias",
        "shop@wallet-a",
        "--balance",
        "100.00",
    )

    assert result.exit_code == 0, result.output
    assert "100.00 XCD" in result.stdout
    database = Database.from_url(database_url)
    try:
        with database.transaction() as session:
            events = session.query(OutboxEventRecord).filter_by(topic=TOPIC).all()
            calls = sorted((e.payload["method"], e.payload["path"]) for e in events)
            assert calls == [
                ("POST", "/participants/ALIAS/shop@wallet-a"),
                ("POST", "/participants/MSISDN/17585550303"),
            ]
            assert json.loads(events[0].payload["body"]) == {"fspId": "wallet-a", "currency": "XCD"}
            pending = deliveries(session, handler=HANDLER)
            assert len(pending) == 2  # the node's relay delivers them
    finally:
        database.dispose()
    listing = run(cli, "customers", "wallet-a")
    assert listing.stdout.startswith("+17585550303\tChez Marie\tmerchant\t100.00 XCD\t")
    assert "ALIAS:shop@wallet-a(pending)" in listing.stdout
    books = run(cli, "books", "wallet-a")
    assert books.exit_code == 0
    assert "customer:" in books.stdout and books.stdout.strip().endswith("total\t0\tbalanced")


@pytest.mark.parametrize(
    ("options", "code"),
    [
        (["--phone", "555", "--name", "X"], "bad_phone"),
        (["--phone", "+17585550101", "--name", "X", "--alias", "x@elsewhere"], "alias_elsewhere"),
        (["--phone", "+17585550101", "--name", "X", "--balance", "1.001"], "bad_amount"),
    ],
)
def test_bad_customer_input_is_one_clear_sentence(
    cli: typer.Typer, tmp_path: Path, options: list[str], code: str
) -> None:
    add_institution(cli, tmp_path)
    result = run(cli, "customer", "add", "wallet-a", *options)
    assert_one_sentence(result, f"comptoir wallet customer add: {code}: ")
    assert "\tX\t" not in run(cli, "customers", "wallet-a").stdout


def test_a_customer_at_an_unknown_institution_is_refused(cli: typer.Typer) -> None:
    result = run(cli, "customer", "add", "nowhere", "--phone", "+17585550101", "--name", "X")
    assert_one_sentence(result, "comptoir wallet customer add: unknown_institution: ")


def test_a_peer_dfsp_can_be_trusted(cli: typer.Typer, tmp_path: Path) -> None:
    add_institution(cli, tmp_path)
    result = run(
        cli, "peer", "add", "wallet-a", "dfsp-x", "--jwks", str(tmp_path / "switch.jwks.json")
    )
    assert result.exit_code == 0 and "trusts the keys of dfsp-x" in result.stdout


def test_oidc_register_makes_the_client_key_then_records_the_client_id(
    cli: typer.Typer, tmp_path: Path
) -> None:
    assert add_institution(cli, tmp_path).exit_code == 0

    first = run(cli, "institution", "oidc-register", "wallet-a")
    recorded = run(cli, "institution", "oidc-register", "wallet-a", "--client-id", "abc123")
    missing = run(cli, "institution", "oidc-register", "nowhere")

    assert first.exit_code == 0, first.output
    printed = dict(line.split(": ", 1) for line in first.stdout.strip().splitlines())
    assert printed["redirect_uri"] == ("https://node.example/wallets/wallet-a/signin/oidc/callback")
    assert printed["scopes"] == "openid phone"
    jwks = json.loads(Path(printed["jwks"]).read_text())
    assert [key.get("d") for key in jwks["keys"]] == [None]
    assert recorded.exit_code == 0 and "abc123" in recorded.stdout
    private = tmp_path / "data" / "keys" / "wallet-wallet-a.oidc.json"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert json.loads(private.read_text())["client_id"] == "abc123"
    assert_one_sentence(missing, "comptoir wallet institution oidc-register: unknown_institution")
