"""Running `comptoir seller ...` as an operator does, on the test's database: the environment
the commands read their settings from, and the command line itself."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from comptoir.apps import seller as seller_app


def operator_environment(monkeypatch: pytest.MonkeyPatch, database_url: str, data: Path) -> None:
    """The settings a node's operator has: this database, `data` as the data folder, and none
    of the keys or issuers another test's environment may have set."""
    for name in ("COMPTOIR_SECRET_KEY", "COMPTOIR_SIGNING_KEY_FILE", "COMPTOIR_IDENTITY_ISSUER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COMPTOIR_DATA_DIR", str(data))
    monkeypatch.setenv("COMPTOIR_DATABASE_URL", database_url)
    monkeypatch.setenv("COMPTOIR_BASE_URL", "http://node.example")


def run(*args: str) -> Result:
    """`comptoir seller ARGS...`, its exit code and what it wrote to stdout and stderr."""
    root = typer.Typer()
    seller_app.register(None, root)
    return CliRunner().invoke(root, ["seller", *args])
