"""The switch's operator commands as another tool scripts them: the real `comptoir` in a
subprocess on a fresh data folder, judged only by exit codes, stdout and stderr.

Written from the commands' published interface: every error is one sentence on stderr with a
non-zero exit code, bad input changes nothing, and what the commands print parses.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import subprocess
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.support.servers import COMPTOIR

PACS008 = "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.09"
PACS002 = "urn:iso:std:iso:20022:tech:xsd:pacs.002.001.11"


def comptoir(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("COMPTOIR_")}
    return subprocess.run(
        [COMPTOIR, *args],
        capture_output=True,
        text=True,
        env={**clean, "COMPTOIR_DATA_DIR": str(data_dir), "COLUMNS": "200", **env},
        timeout=120,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def refused(result: subprocess.CompletedProcess[str], *words: str) -> str:
    """The one sentence of a refusal, after checking its shape."""
    assert result.returncode != 0, result.stdout
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    sentence = lines[0]
    assert sentence.startswith("comptoir switch: "), sentence
    assert sentence.endswith("."), sentence
    for word in words:
        assert word in sentence, sentence
    return sentence


def b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def rsa_jwks(folder: Path, name: str = "dfsp") -> Path:
    numbers = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    public = numbers.public_numbers()
    key = {"kty": "RSA", "kid": f"{name}-1", "use": "sig", "alg": "RS256"}
    path = folder / f"{name}.jwks.json"
    path.write_text(json.dumps({"keys": [{**key, "n": b64(public.n), "e": b64(public.e)}]}))
    return path


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "var"


@pytest.fixture
def jwks(tmp_path: Path) -> Path:
    return rsa_jwks(tmp_path)


@pytest.fixture(scope="module")
def switch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One data folder for the refusals: bank-a with 100.00 of liquidity, a closed window."""
    folder = tmp_path_factory.mktemp("switch")
    data, jwks = folder / "var", rsa_jwks(folder)
    ok(comptoir(data, *add(data, jwks)))
    ok(comptoir(data, "switch", "liquidity", "bank-a", "100.00"))
    ok(comptoir(data, "switch", "window", "close"))
    return data, jwks


def add(data: Path, jwks: Path | str, fsp: str = "bank-a", **flags: str) -> list[str]:
    options = {
        "--name": "Bank A",
        "--currency": "XCD",
        "--callback-url": "http://127.0.0.1:9/fspiop",
        "--jwks": str(jwks),
        "--ndc": "100.00",
        **flags,
    }
    return ["switch", "participant", "add", fsp, *(x for pair in options.items() for x in pair)]


def positions(data: Path) -> str:
    # Amounts are printed with a no-break space between the currency and the number.
    return ok(comptoir(data, "switch", "positions")).replace("\xa0", " ")


def windows(data: Path) -> str:
    return ok(comptoir(data, "switch", "window", "list"))


# -- participant add ------------------------------------------------------------------------


def test_a_participant_is_added_on_a_fresh_data_folder(data: Path, jwks: Path) -> None:
    out = ok(comptoir(data, *add(data, jwks, **{"--currency": "xcd"})))
    assert "bank-a" in out
    listing = positions(data)
    assert listing.split("\t")[:2] == ["bank-a", "XCD"]
    assert "NDC XCD 100.00" in listing


def test_every_command_works_on_a_fresh_data_folder(tmp_path: Path) -> None:
    for args in (["switch", "positions"], ["switch", "window", "list"]):
        ok(comptoir(tmp_path / "fresh", *args))
    refused(comptoir(tmp_path / "other", "switch", "liquidity", "bank-a", "5"), "bank-a")


def test_an_unreachable_database_is_one_sentence_naming_the_setting(
    tmp_path: Path, jwks: Path
) -> None:
    unreachable = {"COMPTOIR_DATABASE_URL": "postgresql://nobody:secret@127.0.0.1:9/nowhere"}
    for args in (
        add(tmp_path, jwks),
        ["switch", "liquidity", "bank-a", "5"],
        ["switch", "window", "close"],
        ["switch", "positions"],
    ):
        result = comptoir(tmp_path, *args, **unreachable)
        assert result.returncode == 2, result.stderr
        assert result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("comptoir: COMPTOIR_DATABASE_URL: cannot reach")
        assert "secret" not in lines[0]


def test_a_bad_jwks_file_is_refused_and_changes_nothing(
    switch: tuple[Path, Path], tmp_path: Path
) -> None:
    data, jwks = switch
    before = positions(data)
    not_json = tmp_path / "not.json"
    not_json.write_text("{not json")
    empty = tmp_path / "empty.json"
    empty.write_text('{"keys": []}')
    curve = ec.generate_private_key(ec.SECP256R1()).public_key().public_numbers()
    ec_only = tmp_path / "ec.json"
    ec_only.write_text(
        json.dumps({"keys": [{"kty": "EC", "crv": "P-256", "x": b64(curve.x), "y": b64(curve.y)}]})
    )
    private = tmp_path / "private.json"
    document = json.loads(jwks.read_text())
    document["keys"][0]["d"] = document["keys"][0]["n"]
    private.write_text(json.dumps(document))
    short = tmp_path / "short.json"
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    short_key = {"kty": "RSA", "n": b64(small.public_numbers().n), "e": "AQAB"}
    short.write_text(json.dumps({"keys": [short_key]}))
    for bad in (not_json, empty, ec_only, private, short, tmp_path / "missing.json", tmp_path):
        refused(comptoir(data, *add(data, bad, "bank-b")), str(bad))
    assert positions(data) == before


def test_a_bad_net_debit_cap_is_refused_and_changes_nothing(switch: tuple[Path, Path]) -> None:
    data, jwks = switch
    before = positions(data)
    for ndc, words in [
        ("-5.00", ["net debit cap"]),
        ("1.001", ["--ndc", "decimals"]),
        ("abc", ["--ndc", "abc"]),
        ("1e3", ["--ndc"]),
        ("", ["--ndc"]),
        ("99999999999999999999999", ["--ndc", "more than"]),
    ]:
        refused(comptoir(data, *add(data, jwks, "bank-b", **{"--ndc": ndc})), *words)
    assert positions(data) == before


def test_other_bad_input_to_participant_add_is_refused_and_changes_nothing(
    switch: tuple[Path, Path],
) -> None:
    data, jwks = switch
    before = positions(data)
    for flags, fsp, words in [
        ({"--currency": "ZZZ"}, "bank-b", ["--currency", "ZZZ"]),
        ({"--currency": "951"}, "bank-b", ["--currency", "951"]),
        ({"--callback-url": "not a url"}, "bank-b", ["not a url"]),
        ({"--callback-url": "ftp://dfsp.example/fspiop"}, "bank-b", ["ftp://"]),
        ({"--callback-url": "http://dfsp.example/fspiop?v=2"}, "bank-b", ["query"]),
        ({"--callback-url": "http://dfsp.example/fspiop#top"}, "bank-b", ["fragment"]),
        ({"--callback-url": "http://dfsp example/fspiop"}, "bank-b", ["dfsp example"]),
        ({"--callback-url": "http://:8443/fspiop"}, "bank-b", [":8443"]),
        ({"--callback-url": "http://dfsp.example:port/"}, "bank-b", [":port"]),
        ({"--name": ""}, "bank-b", ["name"]),
        ({"--name": "   "}, "bank-b", ["name"]),
        ({"--name": "B" * 201}, "bank-b", ["name", "200"]),
        ({"--callback-url": "http://dfsp.example/" + "x" * 481}, "bank-b", ["callback", "500"]),
        ({}, "bank a", ["bank a"]),
        ({}, "", ["participant id"]),
        ({"--name": "Another"}, "bank-a", ["bank-a", "already"]),
        ({"--name": "Another"}, "BANK-A", ["BANK-A", "differs only in case from bank-a"]),
        ({}, "comptoir-switch", ["comptoir-switch", "the switch's own"]),
        ({}, "Comptoir-Switch", ["the switch's own"]),
    ]:
        refused(comptoir(data, *add(data, jwks, fsp, **flags)), *words)
    assert positions(data) == before


def test_a_net_debit_cap_of_zero_is_allowed(data: Path, jwks: Path) -> None:
    ok(comptoir(data, *add(data, jwks, **{"--ndc": "0"})))
    assert "NDC XCD 0.00" in positions(data)


# -- liquidity ------------------------------------------------------------------------------


def test_a_dfsp_in_another_currency_needs_no_currency_flag(data: Path, jwks: Path) -> None:
    ok(comptoir(data, *add(data, jwks, "yen-bank", **{"--currency": "JPY", "--ndc": "5000"})))
    out = ok(comptoir(data, "switch", "liquidity", "yen-bank", "1200")).replace("\xa0", " ")
    assert "liquidity JPY 1,200" in out
    assert "7000 JPY" in ok(comptoir(data, "switch", "ndc", "yen-bank", "7000"))
    refused(comptoir(data, "switch", "liquidity", "yen-bank", "1.5"), "decimals")


def test_a_dfsp_holding_two_currencies_is_told_to_name_one(data: Path, jwks: Path) -> None:
    ok(comptoir(data, *add(data, jwks)))
    out = ok(
        comptoir(
            data,
            "switch",
            "participant",
            "add-currency",
            "bank-a",
            "--currency",
            "usd",
            "--ndc",
            "40.00",
        )
    )
    assert out.strip() == "participant bank-a holds USD (NDC 40.00)"
    assert "USD\tposition USD 0.00\treserved USD 0.00\tNDC USD 40.00" in positions(data)
    before = positions(data)
    refused(
        comptoir(data, "switch", "liquidity", "bank-a", "5.00"), "holds USD and XCD", "--currency"
    )
    refused(comptoir(data, "switch", "ndc", "bank-a", "5.00"), "holds USD and XCD", "--currency")
    for currency, words in [("USD", ["already holds USD"]), ("ZZZ", ["--currency", "ZZZ"])]:
        again = ["switch", "participant", "add-currency", "bank-a", "--currency", currency]
        refused(comptoir(data, *again, "--ndc", "1.00"), *words)
    refused(
        comptoir(
            data,
            "switch",
            "participant",
            "add-currency",
            "nobody",
            "--currency",
            "EUR",
            "--ndc",
            "1.00",
        ),
        "nobody",
    )
    assert positions(data) == before
    out = ok(comptoir(data, "switch", "liquidity", "bank-a", "5.00", "--currency", "USD"))
    assert "liquidity USD 5.00" in out.replace("\xa0", " ")


def test_a_deposit_and_a_withdrawal_move_the_liquidity(data: Path, jwks: Path) -> None:
    ok(comptoir(data, *add(data, jwks)))
    out = ok(comptoir(data, "switch", "liquidity", "bank-a", "250.00")).replace("\xa0", " ")
    assert "liquidity XCD 250.00" in out
    out = ok(comptoir(data, "switch", "liquidity", "bank-a", "-50.00")).replace("\xa0", " ")
    assert "liquidity XCD 200.00" in out
    out = ok(comptoir(data, "switch", "liquidity", "bank-a", "-200.00")).replace("\xa0", " ")
    assert "liquidity XCD 0.00" in out


def test_a_bad_deposit_is_refused_and_changes_nothing(switch: tuple[Path, Path]) -> None:
    data, _ = switch
    before = positions(data)
    assert "liquidity XCD 100.00" in before
    for fsp, amount, words in [
        ("nobody", "10.00", ["nobody"]),
        ("bank-a", "abc", ["abc"]),
        ("bank-a", "1.001", ["decimals"]),
        ("bank-a", "0", ["zero"]),
        ("bank-a", "", ["AMOUNT"]),
        ("bank-a", "99999999999999999999999", ["more than"]),
        ("bank-a", "-100.01", ["withdrawal", "100.01", "100.00"]),
    ]:
        refused(comptoir(data, "switch", "liquidity", fsp, amount), *words)
    refused(comptoir(data, "switch", "liquidity", "bank-a", "5", "--currency", "USD"), "USD")
    assert positions(data) == before


# -- windows and reports --------------------------------------------------------------------


def close(data: Path) -> str:
    out = ok(comptoir(data, "switch", "window", "close"))
    return out.split()[-1]


def test_window_close_prints_the_closed_windows_id_as_its_last_word(data: Path) -> None:
    empty = comptoir(data, "switch", "window", "close")
    assert empty.returncode == 0 and uuid.UUID(empty.stdout.split()[-1])
    # An empty window is closed all the same, and said so aside, where scripts do not read.
    assert empty.stderr.strip() == "comptoir switch: the closed window holds no committed transfer."
    first = close(data)
    second = close(data)
    assert uuid.UUID(first) != uuid.UUID(second)
    listing = windows(data)
    states = dict(line.split("\t")[:2] for line in listing.splitlines())
    assert states[first] == states[second] == "CLOSED"


def test_the_closed_windows_id_is_accepted_by_every_report(data: Path, jwks: Path) -> None:
    ok(comptoir(data, *add(data, jwks)))
    window = close(data)
    rows = list(
        csv.reader(io.StringIO(ok(comptoir(data, "switch", "report", window, "--format", "csv"))))
    )
    assert rows[0][:3] == ["window_id", "currency", "fsp_id"]
    status = ok(comptoir(data, "switch", "report", window, "--format", "pacs002"))
    assert ET.fromstring(status).tag == f"{{{PACS002}}}Document"
    # A pacs.008 carries at least one transaction (CdtTrfTxInf is 1..n): an empty window has none.
    refused(comptoir(data, "switch", "report", window, "--format", "pacs008"), "pacs008")


def test_an_open_window_has_its_net_positions_so_far_but_no_iso_20022_message_yet(
    data: Path,
) -> None:
    # A pacs.008's MsgId names its window: a copy made while transfers still arrive would
    # make the final one look like a duplicate to whoever received the first.
    close(data)  # closing a window opens the next
    window = next(line.split("\t") for line in windows(data).splitlines() if "\tOPEN\t" in line)
    ok(comptoir(data, "switch", "report", window[0], "--format", "csv"))
    for kind in ("pacs008", "pacs002"):
        said = refused(comptoir(data, "switch", "report", window[0], "--format", kind), kind)
        assert "still open" in said and "comptoir switch window close" in said


def test_a_report_of_an_unknown_window_is_refused(switch: tuple[Path, Path]) -> None:
    data, _ = switch
    unknown = str(uuid.UUID(int=7))
    for window, words in [("nope", ["nope"]), ("", ["window"]), (unknown, [unknown])]:
        refused(comptoir(data, "switch", "report", window, "--format", "csv"), *words)


def test_a_report_in_an_unknown_format_is_refused(switch: tuple[Path, Path]) -> None:
    data, _ = switch
    window = windows(data).splitlines()[-1].split("\t")[0]
    for args in (["--format", "pdf"], ["--format", "PACS008"], []):
        result = comptoir(data, "switch", "report", window, *args)
        assert result.returncode == 2
        assert result.stdout == ""
        assert "Traceback" not in result.stderr
        assert "--format" in result.stderr


# -- help -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "flags"),
    [
        (
            ["participant", "add"],
            ["ID", "--name", "--currency", "--callback-url", "--jwks", "--ndc"],
        ),
        (["liquidity"], ["ID", "AMOUNT"]),
        (["window", "close"], []),
        (["report"], ["WINDOW", "--format", "csv", "pacs008", "pacs002"]),
    ],
)
def test_the_help_of_each_command_lists_its_flags(command: list[str], flags: list[str]) -> None:
    out = ok(comptoir(Path("/nonexistent/unused"), "switch", *command, "--help"))
    for flag in flags:
        assert flag in out, (flag, out)


def test_the_commands_and_their_refusals_are_the_same_on_each_backend(
    database_url: str, tmp_path: Path, jwks: Path
) -> None:
    """A value past a column's size is one sentence on PostgreSQL too, not a database error."""
    data, backend = tmp_path / "var", {"COMPTOIR_DATABASE_URL": database_url}
    ok(comptoir(data, *add(data, jwks), **backend))
    ok(comptoir(data, "switch", "liquidity", "bank-a", "10.00", **backend))
    before = ok(comptoir(data, "switch", "positions", **backend))
    for args, words in [
        (add(data, jwks, "bank-b", **{"--name": "B" * 201}), ["200"]),
        (add(data, jwks, "bank-b", **{"--callback-url": "http://d.example/" + "x" * 490}), ["500"]),
        (add(data, jwks, "b" * 33), ["participant id"]),
        (["switch", "liquidity", "bank-a", "-10.01"], ["withdrawal"]),
    ]:
        refused(comptoir(data, *args, **backend), *words)
    assert ok(comptoir(data, "switch", "positions", **backend)) == before
    window = ok(comptoir(data, "switch", "window", "close", **backend)).split()[-1]
    ok(comptoir(data, "switch", "report", window, "--format", "csv", **backend))
