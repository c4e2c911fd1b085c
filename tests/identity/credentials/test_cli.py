"""`comptoir identity credentials list|revoke` on the node's database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from comptoir import identity
from comptoir.kernel import audit
from comptoir.kernel.crypto import Jwk

from .conftest import ADULT, Node
from .test_openid4vci import obtain


def test_the_operator_lists_and_revokes_credentials_from_the_command_line(
    node: Node, holder: Jwk, database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    marie = node.enrol("+17585550101", born=ADULT)
    obtain(node, marie, "age-over-18", holder)
    monkeypatch.setenv("COMPTOIR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COMPTOIR_DATABASE_URL", database_url)
    root = typer.Typer()
    identity.register(None, root)
    runner = CliRunner()
    listed = runner.invoke(root, ["identity", "credentials", "list", "--person", str(marie.id)])
    assert listed.exit_code == 0, listed.output
    (line,) = listed.output.strip().splitlines()
    credential = json.loads(line)
    assert credential["kind"] == "age-over-18" and credential["revoked_at"] is None
    revoked = runner.invoke(root, ["identity", "credentials", "revoke", credential["id"]])
    assert revoked.exit_code == 0, revoked.output
    again = runner.invoke(root, ["identity", "credentials", "revoke", credential["id"]])
    assert again.exit_code == 1 and "already_revoked" in again.output
    nonsense = runner.invoke(root, ["identity", "credentials", "revoke", "nonsense"])
    assert nonsense.exit_code == 1 and "invalid_id" in nonsense.output
    with node.database.reading() as session:
        (entry,) = audit.entries(session, action="identity.credential_revoked")
        assert entry.actor == "operator:cli"
