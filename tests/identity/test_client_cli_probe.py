"""`comptoir identity client add` as another tool scripts it: the real command in a subprocess on
a fresh data folder, judged by its exit code, its JSON on stdout and its one sentence on stderr.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from tests.support.servers import COMPTOIR

SCOPES = "openid profile phone"


def comptoir(data: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("COMPTOIR_")}
    return subprocess.run(
        [COMPTOIR, "identity", "client", *args],
        capture_output=True,
        text=True,
        env={**clean, "COMPTOIR_DATA_DIR": str(data), "COLUMNS": "200", **env},
        timeout=120,
        check=False,
    )


def b64(number: int) -> str:
    return base64.urlsafe_b64encode(number.to_bytes(32, "big")).rstrip(b"=").decode()


def es256_jwks(folder: Path, *, private: bool = False) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    numbers = key.public_key().public_numbers()
    jwk = {"kty": "EC", "crv": "P-256", "kid": "rp-1", "use": "sig", "alg": "ES256"}
    jwk |= {"x": b64(numbers.x), "y": b64(numbers.y)}
    if private:
        jwk["d"] = b64(key.private_numbers().private_value)
    path = folder / ("private.json" if private else "rp.jwks.json")
    path.write_text(json.dumps({"keys": [jwk]}))
    return path


def clients(data: Path) -> list[dict[str, object]]:
    result = comptoir(data, "list")
    assert result.returncode == 0, result.stderr
    listing = json.loads(result.stdout)
    assert isinstance(listing, list)
    return listing


def add(data: Path, jwks: Path, **flags: str) -> subprocess.CompletedProcess[str]:
    options = {"--name": "Marigot Market", "--redirect-uri": "https://rp.example/cb"}
    options |= {"--jwks": str(jwks), "--scopes": SCOPES, **flags}
    return comptoir(data, "add", *(x for pair in options.items() for x in pair))


def test_a_client_is_added_on_a_fresh_data_folder_and_printed_as_json(tmp_path: Path) -> None:
    data = tmp_path / "var"
    result = add(data, es256_jwks(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    client = json.loads(result.stdout)
    assert isinstance(client["client_id"], str) and client["client_id"]
    assert client["scopes"] == SCOPES
    assert client["redirect_uris"] == ["https://rp.example/cb"]
    assert [found["client_id"] for found in clients(data)] == [client["client_id"]]


def test_the_list_works_on_a_fresh_data_folder(tmp_path: Path) -> None:
    assert clients(tmp_path / "var") == []


def test_an_unreachable_database_is_one_sentence_naming_the_setting(tmp_path: Path) -> None:
    unreachable = {"COMPTOIR_DATABASE_URL": "postgresql://nobody:secret@127.0.0.1:9/nowhere"}
    jwks = es256_jwks(tmp_path)
    options = ["--name", "Shop", "--redirect-uri", "https://rp.example/cb", "--jwks", str(jwks)]
    for args in (["add", *options], ["list"]):
        result = comptoir(tmp_path, *args, **unreachable)
        assert result.returncode == 2, result.stderr
        assert result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("comptoir: COMPTOIR_DATABASE_URL: cannot reach")
        assert "secret" not in lines[0]


def test_bad_input_is_one_sentence_and_adds_no_client(tmp_path: Path) -> None:
    data, jwks = tmp_path / "var", es256_jwks(tmp_path)
    assert add(data, jwks).returncode == 0
    before = clients(data)
    not_json = tmp_path / "not.json"
    not_json.write_text("{nope")
    an_array = tmp_path / "array.json"
    an_array.write_text("[]")
    empty = tmp_path / "empty.json"
    empty.write_text('{"keys": []}')
    cases: list[tuple[subprocess.CompletedProcess[str], str]] = [
        (add(data, not_json), "not.json"),
        (add(data, an_array), "array.json"),
        (add(data, empty), "--jwks"),
        (add(data, tmp_path / "missing.json"), "missing.json"),
        (add(data, es256_jwks(tmp_path, private=True)), "--jwks"),
        (add(data, jwks, **{"--redirect-uri": "not a url"}), "--redirect-uri"),
        (add(data, jwks, **{"--redirect-uri": "https://rp.example/cb#x"}), "--redirect-uri"),
        (add(data, jwks, **{"--redirect-uri": "http://rp.example/cb"}), "--redirect-uri"),
        (add(data, jwks, **{"--scopes": "openid bogus"}), "--scopes"),
        (add(data, jwks, **{"--scopes": "profile phone"}), "--scopes"),
        (add(data, jwks, **{"--name": ""}), "--name"),
        (add(data, jwks, **{"--name": "N" * 201}), "--name"),
        (add(data, jwks, **{"--sector": "s" * 256}), "--sector"),
    ]
    for result, word in cases:
        assert result.returncode != 0, result.stdout
        assert result.stdout == ""
        assert "Traceback" not in result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("comptoir identity client: "), lines[0]
        assert lines[0].endswith("."), lines[0]
        assert word in lines[0], lines[0]
    assert clients(data) == before


@pytest.mark.parametrize("flag", ["--name", "--redirect-uri", "--jwks", "--scopes"])
def test_the_help_lists_every_flag(tmp_path: Path, flag: str) -> None:
    result = comptoir(tmp_path, "add", "--help")
    assert result.returncode == 0
    assert flag in result.stdout


def test_a_sector_past_its_column_is_refused_on_each_backend(
    database_url: str, tmp_path: Path
) -> None:
    data, backend = tmp_path / "var", {"COMPTOIR_DATABASE_URL": database_url}
    jwks = es256_jwks(tmp_path)
    options = ["--name", "Shop", "--redirect-uri", "https://rp.example/cb", "--jwks", str(jwks)]
    result = comptoir(data, "add", *options, "--sector", "s" * 256, **backend)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("comptoir identity client: --sector: ")
    assert comptoir(data, "add", *options, "--sector", "s" * 255, **backend).returncode == 0
    listing = json.loads(comptoir(data, "list", **backend).stdout)
    assert [client["sector_identifier"] for client in listing] == ["s" * 255]
