"""The `comptoir` command as an operator uses it: real processes, real files, real databases."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

import comptoir
from tests.support.servers import COMPTOIR


def run(*args: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("COMPTOIR_")}
    return subprocess.run(
        [COMPTOIR, *args],
        capture_output=True,
        text=True,
        env={**clean, "COMPTOIR_DATA_DIR": str(data_dir), **env},
        timeout=120,
        check=False,
    )


def assert_one_clear_sentence(result: subprocess.CompletedProcess[str], setting: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"comptoir: {setting}: ")


def test_it_prints_its_version(tmp_path: Path) -> None:
    result = run("--version", data_dir=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"comptoir {comptoir.__version__}"


def test_an_unreachable_database_stops_it_with_one_sentence(tmp_path: Path) -> None:
    result = run(
        "db",
        "upgrade",
        data_dir=tmp_path,
        COMPTOIR_DATABASE_URL="postgresql://nobody:secret@127.0.0.1:9/nowhere",
    )
    assert_one_clear_sentence(result, "COMPTOIR_DATABASE_URL")
    assert "cannot reach the database" in result.stderr
    assert "secret" not in result.stderr


def test_a_file_that_is_not_a_database_stops_it_with_one_sentence(tmp_path: Path) -> None:
    corrupt = tmp_path / "comptoir.db"
    corrupt.write_bytes(b"these are not the bytes of a SQLite database" * 100)
    result = run("db", "upgrade", data_dir=tmp_path, COMPTOIR_DATABASE_URL=f"sqlite:///{corrupt}")
    assert_one_clear_sentence(result, "COMPTOIR_DATABASE_URL")
    assert "not a database" in result.stderr
    assert corrupt.read_bytes().startswith(b"these are not")  # left as it was found


def test_a_database_url_that_is_not_a_url_stops_it_with_one_sentence(tmp_path: Path) -> None:
    result = run("db", "upgrade", data_dir=tmp_path, COMPTOIR_DATABASE_URL="not a url")
    assert_one_clear_sentence(result, "COMPTOIR_DATABASE_URL")


def test_an_unknown_locale_stops_it_with_one_sentence(tmp_path: Path) -> None:
    result = run("serve", data_dir=tmp_path, COMPTOIR_DEFAULT_LOCALE="tlh")
    assert_one_clear_sentence(result, "COMPTOIR_DEFAULT_LOCALE")
    assert "'tlh' is not an available language" in result.stderr


def test_a_malformed_key_file_stops_it_with_one_sentence(tmp_path: Path) -> None:
    key_file = tmp_path / "broken.pem"
    key_file.write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    result = run("serve", data_dir=tmp_path, COMPTOIR_SIGNING_KEY_FILE=str(key_file))
    assert_one_clear_sentence(result, "COMPTOIR_SIGNING_KEY_FILE")
    assert str(key_file) in result.stderr


def test_an_unknown_block_stops_it_with_one_sentence(tmp_path: Path) -> None:
    result = run("serve", data_dir=tmp_path, COMPTOIR_BLOCKS="home,teleport")
    assert_one_clear_sentence(result, "COMPTOIR_BLOCKS")


def test_db_upgrade_creates_the_schema_and_is_idempotent(tmp_path: Path) -> None:
    first = run("db", "upgrade", data_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "comptoir.db").exists()
    second = run("db", "upgrade", data_dir=tmp_path)
    assert second.returncode == 0
    assert first.stdout == second.stdout


def test_keys_generate_writes_a_private_key_and_prints_the_public_half(tmp_path: Path) -> None:
    result = run("keys", "generate", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    key_file = tmp_path / "keys" / "signing.ed25519.pem"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert "public key:" in result.stdout
    again = run("keys", "generate", data_dir=tmp_path)
    assert again.returncode != 0, "an existing key must not be overwritten silently"
    assert "Traceback" not in again.stderr


@pytest.mark.parametrize("tamper", ["UPDATE", "DELETE"])
def test_audit_verify_detects_a_tampered_log(tmp_path: Path, tamper: str) -> None:
    import sqlite3

    from comptoir.kernel import audit
    from comptoir.kernel.db import Database

    assert run("db", "upgrade", data_dir=tmp_path).returncode == 0
    database = Database.from_url(f"sqlite:///{tmp_path}/comptoir.db")
    for number in range(3):
        with database.transaction() as session:
            audit.record(session, actor="operator:test", action="test.step", subject=str(number))
    database.dispose()
    intact = run("audit", "verify", data_dir=tmp_path)
    assert intact.returncode == 0, intact.stderr
    assert "3 entries" in intact.stdout

    with sqlite3.connect(tmp_path / "comptoir.db") as raw:
        if tamper == "UPDATE":
            raw.execute("UPDATE kernel_audit_entry SET subject = 'forged' WHERE subject = '1'")
        else:
            raw.execute("DELETE FROM kernel_audit_entry WHERE subject = '1'")
    broken = run("audit", "verify", data_dir=tmp_path)
    assert broken.returncode == 1
    assert "broken" in broken.stderr
