"""`comptoir wallet merchant api-key ALIAS`: a key printed once, refused for an unknown alias."""

from __future__ import annotations

import hashlib
from pathlib import Path

import typer
from sqlalchemy import select

from comptoir.apps.wallet.merchant.models import MerchantApiKey
from comptoir.kernel.db import Database
from tests.apps.wallet.test_cli import add_institution, assert_one_sentence, cli, run

__all__ = ["cli"]


def test_an_operator_gives_a_merchant_an_api_key_and_only_its_digest_is_kept(
    cli: typer.Typer, tmp_path: Path, database_url: str
) -> None:
    assert add_institution(cli, tmp_path).exit_code == 0
    added = run(
        cli,
        "customer",
        "add",
        "wallet-a",
        "--phone",
        "+17585550303",
        "--name",
        "Chez Marie",
        "--merchant",
        "--alias",
        "shop@wallet-a",
    )
    assert added.exit_code == 0, added.output
    result = run(cli, "merchant", "api-key", "shop@wallet-a")
    assert result.exit_code == 0, result.output
    lines = dict(line.split(": ", 1) for line in result.stdout.strip().splitlines())
    assert lines["api"] == "https://node.example/wallets/wallet-a/api/v1"
    database = Database.from_url(database_url)
    try:
        with database.transaction() as session:
            row = session.scalars(select(MerchantApiKey)).one()
            assert row.key_digest == hashlib.sha256(lines["api key"].encode()).hexdigest()
            assert row.webhook_secret == lines["webhook secret"]
    finally:
        database.dispose()


def test_an_unknown_alias_gets_one_sentence(cli: typer.Typer, tmp_path: Path) -> None:
    assert add_institution(cli, tmp_path).exit_code == 0
    result = run(cli, "merchant", "api-key", "nobody@wallet-a")
    assert_one_sentence(result, "comptoir wallet merchant api-key: unknown_alias:")
