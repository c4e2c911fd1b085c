"""The switch end to end: a `comptoir serve` process, DFSPs as real HTTP servers speaking
FSPIOP, and the operator's commands run against the same database while the switch runs."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from comptoir.kernel.fspiop import ilp
from tests.payments.fspiop_peer import Peer
from tests.support.servers import COMPTOIR, RunningServer, comptoir_server

pytestmark = pytest.mark.slow


class Node:
    def __init__(self, server: RunningServer, env: dict[str, str]) -> None:
        self.server = server
        self.env = env

    def comptoir(self, *args: str) -> subprocess.CompletedProcess[str]:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("COMPTOIR_")}
        return subprocess.run(
            [COMPTOIR, *args],
            capture_output=True,
            text=True,
            env={**clean, **self.env},
            timeout=120,
            check=False,
        )

    def join(
        self, peer: Peer, folder: Path, ndc: str = "1000.00", liquidity: str = "1000.00"
    ) -> None:
        added = self.comptoir(
            "switch",
            "participant",
            "add",
            peer.fsp_id,
            "--name",
            peer.fsp_id.title(),
            "--currency",
            "XCD",
            "--callback-url",
            peer.callback_url,
            "--jwks",
            str(peer.write_jwks(folder)),
            "--ndc",
            ndc,
        )
        assert added.returncode == 0, added.stderr
        funded = self.comptoir("switch", "liquidity", peer.fsp_id, liquidity)
        assert funded.returncode == 0, funded.stderr

    def position_of(self, fsp_id: str) -> str:
        listing = self.comptoir("switch", "positions")
        assert listing.returncode == 0, listing.stderr
        line = next(line for line in listing.stdout.splitlines() if line.startswith(fsp_id))
        # The position and what is reserved: a refusal or an expiry must leave both alone.
        return " | ".join(line.split("\t")[2:4])


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def node(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Node]:
    folder = tmp_path_factory.mktemp("switch")
    env = {"COMPTOIR_DATA_DIR": str(folder), "COMPTOIR_OUTBOX_POLL_SECONDS": "0.05"}
    schema = None
    if request.param == "postgresql":
        server_url = request.getfixturevalue("postgres_server_url")
        schema = f"e2e_{uuid.uuid4().hex[:12]}"
        admin = create_engine(server_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
        env["COMPTOIR_DATABASE_URL"] = url.render_as_string(hide_password=False)
    with comptoir_server(folder, extra_env=env) as server:
        env["COMPTOIR_BASE_URL"] = server.url
        yield Node(server, env)
    if schema is not None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="module")
def payer(node: Node, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peer]:
    peer = Peer("bank-a", node.server.url + "/switch")
    with peer.serving():
        node.join(peer, tmp_path_factory.mktemp("keys"))
        yield peer


@pytest.fixture(scope="module")
def payee(node: Node, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peer]:
    peer = Peer("wallet-b", node.server.url + "/switch")
    with peer.serving():
        node.join(peer, tmp_path_factory.mktemp("keys"))
        yield peer


def error_code(callback_body: object) -> str:
    assert isinstance(callback_body, dict)
    return str(callback_body["errorInformation"]["errorCode"])


def test_a_payment_commits_and_both_sides_hear_of_it(node: Node, payer: Peer, payee: Peer) -> None:
    before = node.position_of("bank-a")
    document, fulfilment = payer.prepare(payee, "12.5")
    answer = payer.send(
        "POST", "/transfers", resource="transfers", document=document, destination="wallet-b"
    )
    assert answer.status_code == 202, answer.text
    transfer_id = document["transferId"]

    forwarded = payee.wait_for("POST", "/transfers")
    assert forwarded.json() == document
    assert forwarded.headers["fspiop-source"] == "bank-a", "relayed with the payer's signature"

    fulfil = payee.send(
        "PUT",
        f"/transfers/{transfer_id}",
        resource="transfers",
        destination="bank-a",
        document={
            "fulfilment": fulfilment,
            "completedTimestamp": "2026-11-28T12:00:00.000Z",
            "transferState": "COMMITTED",
        },
    )
    assert fulfil.status_code == 200, fulfil.text
    committed = payer.wait_for("PUT", f"/transfers/{transfer_id}")
    assert committed.json()["transferState"] == "COMMITTED"
    assert committed.json()["fulfilment"] == fulfilment
    assert node.position_of("bank-a") != before


def test_a_payee_that_answers_reserved_hears_of_the_commit_by_patch(
    payer: Peer, payee: Peer
) -> None:
    document, fulfilment = payer.prepare(payee, "2")
    payer.send("POST", "/transfers", resource="transfers", document=document)
    payee.wait_for("POST", "/transfers")
    payee.send(
        "PUT",
        f"/transfers/{document['transferId']}",
        resource="transfers",
        destination="bank-a",
        document={"fulfilment": fulfilment, "transferState": "RESERVED"},
    )
    committed = payer.wait_for("PUT", f"/transfers/{document['transferId']}")
    assert committed.json()["transferState"] == "COMMITTED"
    assert committed.headers["fspiop-source"] == "comptoir-switch"
    notified = payee.wait_for("PATCH", f"/transfers/{document['transferId']}")
    assert notified.json()["transferState"] == "COMMITTED"
    assert notified.headers["fspiop-source"] == "comptoir-switch"


def test_a_wrong_fulfilment_aborts_and_releases_the_reservation(
    node: Node, payer: Peer, payee: Peer
) -> None:
    before = node.position_of("bank-a")
    document, _right = payer.prepare(payee, "5")
    assert (
        payer.send("POST", "/transfers", resource="transfers", document=document).status_code == 202
    )
    payee.wait_for("POST", "/transfers")
    wrong, _ = ilp.new_fulfilment()
    payee.send(
        "PUT",
        f"/transfers/{document['transferId']}",
        resource="transfers",
        destination="bank-a",
        document={"fulfilment": wrong, "transferState": "COMMITTED"},
    )
    refused = payer.wait_for("PUT", f"/transfers/{document['transferId']}/error")
    assert error_code(refused.json()) == "3100"
    told = payee.wait_for("PUT", f"/transfers/{document['transferId']}/error")
    assert error_code(told.json()) == "3100"
    assert node.position_of("bank-a") == before


def test_an_aborted_transfer_asked_for_is_answered_with_its_state_aborted(
    payer: Peer, payee: Peer
) -> None:
    document, _right = payer.prepare(payee, "5")
    payer.send("POST", "/transfers", resource="transfers", document=document)
    payee.wait_for("POST", "/transfers")
    path = f"/transfers/{document['transferId']}"
    wrong, _ = ilp.new_fulfilment()
    payee.send(
        "PUT",
        path,
        resource="transfers",
        destination="bank-a",
        document={"fulfilment": wrong, "transferState": "COMMITTED"},
    )
    payer.wait_for("PUT", f"{path}/error")

    asked = payer.send("GET", path, resource="transfers")

    assert asked.status_code == 202, asked.text
    state = payer.wait_for("PUT", path).json()
    assert state["transferState"] == "ABORTED"
    assert "fulfilment" not in state and state["completedTimestamp"].endswith("Z")


def test_a_prepare_past_the_net_debit_cap_is_refused_with_4001(
    node: Node, payer: Peer, payee: Peer
) -> None:
    document, _ = payer.prepare(payee, "1000000")
    assert (
        payer.send("POST", "/transfers", resource="transfers", document=document).status_code == 202
    )
    refused = payer.wait_for("PUT", f"/transfers/{document['transferId']}/error")
    assert error_code(refused.json()) == "4001"


def test_a_tampered_body_is_refused_at_once_with_3105(payer: Peer, payee: Peer) -> None:
    document, _ = payer.prepare(payee, "1")
    answer = payer.send("POST", "/transfers", resource="transfers", document=document, tamper=True)
    assert answer.status_code == 400
    assert answer.json()["errorInformation"]["errorCode"] == "3105"


def test_a_body_missing_a_field_is_refused_at_once(payer: Peer, payee: Peer) -> None:
    document, _ = payer.prepare(payee, "1")
    del document["amount"]
    answer = payer.send("POST", "/transfers", resource="transfers", document=document)
    assert answer.status_code == 400
    assert answer.json()["errorInformation"]["errorCode"] in ("3100", "3102")


@pytest.mark.parametrize(("amount", "code"), [("1.234", "3100"), ("0", "3100")])
def test_an_amount_the_currency_cannot_hold_is_refused_and_moves_nothing(
    node: Node, payer: Peer, payee: Peer, amount: str, code: str
) -> None:
    before = node.position_of("bank-a")
    document, _ = payer.prepare(payee, amount)
    assert (
        payer.send("POST", "/transfers", resource="transfers", document=document).status_code == 202
    )
    refused = payer.wait_for("PUT", f"/transfers/{document['transferId']}/error")
    assert error_code(refused.json()) == code
    assert node.position_of("bank-a") == before


def test_a_negative_amount_is_refused_at_once(payer: Peer, payee: Peer) -> None:
    document, _ = payer.prepare(payee, "-1")
    answer = payer.send("POST", "/transfers", resource="transfers", document=document)
    assert answer.status_code == 400


def test_a_resend_gets_the_same_answer_and_a_changed_resend_gets_3106(
    payer: Peer, payee: Peer
) -> None:
    document, _ = payer.prepare(payee, "1000000")
    payer.send("POST", "/transfers", resource="transfers", document=document)
    first = payer.wait_for("PUT", f"/transfers/{document['transferId']}/error")
    payer.send("POST", "/transfers", resource="transfers", document=document)
    again = payer.wait_for("PUT", f"/transfers/{document['transferId']}/error")
    assert again.json() == first.json()
    changed = {**document, "amount": {"currency": "XCD", "amount": "2"}}
    payer.send("POST", "/transfers", resource="transfers", document=changed)
    modified = payer.wait_for("PUT", f"/transfers/{document['transferId']}/error")
    assert error_code(modified.json()) == "3106"


def test_an_expired_transfer_is_refused_with_3303(payer: Peer, payee: Peer) -> None:
    document, _ = payer.prepare(payee, "1", expires_in=timedelta(seconds=-5))
    payer.send("POST", "/transfers", resource="transfers", document=document)
    refused = payer.wait_for("PUT", f"/transfers/{document['transferId']}/error")
    assert error_code(refused.json()) == "3303"


def test_a_reservation_the_payee_never_answers_expires_and_is_released(
    node: Node, payer: Peer, payee: Peer
) -> None:
    before = node.position_of("bank-a")
    document, _ = payer.prepare(payee, "3", expires_in=timedelta(seconds=2))
    payer.send("POST", "/transfers", resource="transfers", document=document)
    payee.wait_for("POST", "/transfers")
    expired = payer.wait_for("PUT", f"/transfers/{document['transferId']}/error", timeout=15)
    assert error_code(expired.json()) == "3303"
    told = payee.wait_for("PUT", f"/transfers/{document['transferId']}/error", timeout=15)
    assert error_code(told.json()) == "3303"
    assert node.position_of("bank-a") == before


def test_a_lookup_reaches_the_dfsp_that_holds_the_party_and_comes_back(
    payer: Peer, payee: Peer
) -> None:
    assert payee.register_party("MSISDN", "17585550123").status_code == 202
    assert payee.wait_for("PUT", "/participants/MSISDN/17585550123").json() == {"fspId": "wallet-b"}
    payer.send("GET", "/parties/MSISDN/17585550123", resource="parties")
    asked = payee.wait_for("GET", "/parties/MSISDN/17585550123")
    assert asked.headers["fspiop-source"] == "bank-a"
    party = {
        "party": {
            "partyIdInfo": {
                "partyIdType": "MSISDN",
                "partyIdentifier": "17585550123",
                "fspId": "wallet-b",
            },
            "name": "Marie Joseph",
        }
    }
    payee.send(
        "PUT",
        "/parties/MSISDN/17585550123",
        resource="parties",
        document=party,
        destination="bank-a",
    )
    assert payer.wait_for("PUT", "/parties/MSISDN/17585550123").json() == party


def test_a_lookup_of_an_unknown_party_gets_3204(payer: Peer) -> None:
    payer.send("GET", "/parties/MSISDN/17580000000", resource="parties")
    refused = payer.wait_for("PUT", "/parties/MSISDN/17580000000/error")
    assert error_code(refused.json()) == "3204"


def committed_payment(payer: Peer, payee: Peer, amount: str) -> None:
    """A complete transfer, prepare to commit."""
    document, fulfilment = payer.prepare(payee, amount)
    answer = payer.send(
        "POST", "/transfers", resource="transfers", document=document, destination="wallet-b"
    )
    assert answer.status_code == 202, answer.text
    transfer_id = document["transferId"]
    payee.wait_for("POST", "/transfers")
    fulfil = payee.send(
        "PUT",
        f"/transfers/{transfer_id}",
        resource="transfers",
        destination="bank-a",
        document={
            "fulfilment": fulfilment,
            "completedTimestamp": "2026-11-28T12:00:00.000Z",
            "transferState": "COMMITTED",
        },
    )
    assert fulfil.status_code == 200, fulfil.text
    assert payer.wait_for("PUT", f"/transfers/{transfer_id}").json()["transferState"] == (
        "COMMITTED"
    )


def test_a_closed_window_reports_its_committed_transfers(
    node: Node, payer: Peer, payee: Peer
) -> None:
    # Its own payment, so that the test holds whichever tests ran before it in the window.
    committed_payment(payer, payee, "3")
    closed = node.comptoir("switch", "window", "close")
    assert closed.returncode == 0, closed.stderr
    window_id = closed.stdout.split()[-1]
    report = node.comptoir("switch", "report", window_id, "--format", "csv")
    assert report.returncode == 0, report.stderr
    assert "bank-a" in report.stdout and "wallet-b" in report.stdout
    xml = node.comptoir("switch", "report", window_id, "--format", "pacs008")
    assert xml.returncode == 0, xml.stderr
    assert "<FIToFICstmrCdtTrf>" in xml.stdout
    settle = node.comptoir("switch", "window", "settle", window_id)
    assert settle.returncode == 0, settle.stderr
    assert node.position_of("bank-a").startswith("position XCD\u00a00.00")


def test_a_window_without_committed_transfers_has_no_pacs008_and_says_so_in_one_sentence(
    node: Node,
) -> None:
    node.comptoir("switch", "window", "close")
    # The window just opened has seen nothing.
    empty = node.comptoir("switch", "window", "close").stdout.split()[-1]
    xml = node.comptoir("switch", "report", empty, "--format", "pacs008")
    assert xml.returncode == 1
    assert xml.stderr.strip().splitlines() == [
        "comptoir switch: pacs008: The window has no committed transfer, and a pacs.008 needs"
        " at least one."
    ]
    status = node.comptoir("switch", "report", empty, "--format", "pacs002")
    assert status.returncode == 0, status.stderr
    assert "<FIToFIPmtStsRpt>" in status.stdout
