"""The operator's switch pages and their downloads name a transfer as its DFSP did: by the
ULID it was sent with, else by its UUID; every download of a window is a file, never a
server error.

The transfers are written straight into the switch's real database as the switch
stores them (the key is the UUID of the ULID's 128 bits, the ULID beside it), then the
window is closed and read through the pages over HTTP.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from comptoir.app import create_app
from comptoir.kernel.db import Database
from comptoir.kernel.fspiop import correlation_uuid, ulid_text
from comptoir.kernel.ids import new_id
from comptoir.kernel.settings import load_settings
from comptoir.kernel.web.operator import sign_in_link
from comptoir.payments.models import TransferRow
from comptoir.payments.services import settlement

HTML = {"accept": "text/html"}
NS = {
    "p8": "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.09",
    "p2": "urn:iso:std:iso:20022:tech:xsd:pacs.002.001.11",
}


@dataclass
class Switch:
    browser: TestClient
    database: Database
    app: object


@pytest.fixture
def switch(tmp_path: Path, database: Database) -> Iterator[Switch]:
    """The app on each backend (conftest's `database`: SQLite, and PostgreSQL when set)."""
    app = create_app(load_settings(data_dir=tmp_path), database=database)
    with TestClient(app) as browser:
        browser.get(sign_in_link("", app.state.node.secret))
        yield Switch(browser, database, app)


def store(
    switch: Switch,
    sent_as: str,
    *,
    amount: int = 1250,
    currency: str = "XCD",
    state: str = "COMMITTED",
    refund_of: uuid.UUID | None = None,
) -> uuid.UUID:
    """A transfer in the open window, stored as the switch stores one sent with `sent_as`."""
    key = correlation_uuid(sent_as)
    clock = switch.app.state.node.clock  # type: ignore[attr-defined]
    now = clock.now()
    with switch.database.transaction() as session:
        window = settlement.open_window(session, clock=clock)
        session.add(
            TransferRow(
                id=key,
                ulid=sent_as if sent_as != str(key) else None,
                payer_fsp="bank-a",
                payee_fsp="wallet-b",
                amount=amount,
                currency=currency,
                condition="c" * 43,
                ilp_packet="packet",
                expiration=now + timedelta(minutes=1),
                state=state,
                request_hash="hash",
                fulfilment="f" * 43 if state == "COMMITTED" else None,
                error_code=None if state == "COMMITTED" else "3303",
                error_description=None,
                transaction_id=new_id(),
                refund_of=refund_of,
                window_id=window.id,
                created_at=now,
                completed_at=now + timedelta(seconds=1),
            )
        )
    return key


def close(switch: Switch) -> uuid.UUID:
    clock = switch.app.state.node.clock  # type: ignore[attr-defined]
    with switch.database.transaction() as session:
        return settlement.close_window(session, clock=clock, actor="operator:test").id


def download(switch: Switch, window: uuid.UUID, kind: str, query: str = "") -> str:
    answer = switch.browser.get(f"/operator/switch/windows/{window}/{kind}{query}")
    assert answer.status_code == 200, answer.text
    return answer.text


def xml_texts(text: str, path: str) -> list[str]:
    document = etree.fromstring(text.encode(), etree.XMLParser(resolve_entities=False))
    found = document.xpath(path, namespaces=NS)
    return [node if isinstance(node, str) else node.text for node in found]


def test_every_download_and_the_overview_name_a_ulid_transfer_by_its_ulid(
    switch: Switch,
) -> None:
    ulid = ulid_text(new_id())
    plain = str(new_id())
    original = store(switch, ulid)
    store(switch, plain, amount=300)
    refund = ulid_text(new_id())
    store(switch, refund, amount=500, refund_of=original)
    window = close(switch)

    overview = switch.browser.get("/operator/switch", headers=HTML)
    assert f"<code>{ulid}</code>" in overview.text
    assert f"<code>{plain}</code>" in overview.text
    assert str(original) not in overview.text

    rows = list(csv.DictReader(io.StringIO(download(switch, window, "transfers-csv"))))
    assert [row["transfer_id"] for row in rows] == [ulid, plain, refund]
    assert rows[2]["refund_of"] == ulid

    pacs008 = download(switch, window, "pacs008")
    assert xml_texts(pacs008, "//p8:EndToEndId") == [ulid, uuid.UUID(plain).hex, refund]
    assert xml_texts(pacs008, "//p8:TxId") == [ulid, uuid.UUID(plain).hex, refund]
    assert f"Refund of {ulid}" in xml_texts(pacs008, "//p8:Ustrd")
    pacs002 = download(switch, window, "pacs002")
    assert xml_texts(pacs002, "//p2:OrgnlEndToEndId") == [ulid, uuid.UUID(plain).hex, refund]
    assert str(original) not in pacs008 + pacs002


def test_a_refund_names_a_refunded_ulid_transfer_of_an_earlier_window_by_its_ulid(
    switch: Switch,
) -> None:
    ulid = ulid_text(new_id())
    original = store(switch, ulid)
    close(switch)
    store(switch, str(new_id()), amount=500, refund_of=original)
    window = close(switch)

    (row,) = csv.DictReader(io.StringIO(download(switch, window, "transfers-csv")))
    assert row["refund_of"] == ulid


def test_a_window_in_two_currencies_offers_one_pacs008_per_currency(switch: Switch) -> None:
    store(switch, str(new_id()), currency="XCD")
    store(switch, str(new_id()), amount=1200, currency="JPY")
    window = close(switch)

    page = switch.browser.get(f"/operator/switch/windows/{window}", headers=HTML)
    for currency in ("JPY", "XCD"):
        link = f"/operator/switch/windows/{window}/pacs008?currency={currency}"
        assert f'href="{link}"' in page.text
        text = download(switch, window, "pacs008", f"?currency={currency}")
        assert xml_texts(text, "//p8:TtlIntrBkSttlmAmt/@Ccy") == [currency]
    yen = download(switch, window, "pacs008", "?currency=JPY")
    assert xml_texts(yen, "//p8:TtlIntrBkSttlmAmt") == ["1200"]
    # Which currency is meant cannot be guessed: not found, not a server error.
    assert switch.browser.get(f"/operator/switch/windows/{window}/pacs008").status_code == 404


def test_a_window_without_committed_transfers_has_no_pacs008_to_download(
    switch: Switch,
) -> None:
    store(switch, ulid_text(new_id()), state="ABORTED")
    window = close(switch)

    page = switch.browser.get(f"/operator/switch/windows/{window}", headers=HTML)
    assert "/pacs008" not in page.text
    assert "/pacs002" in page.text
    answer = switch.browser.get(f"/operator/switch/windows/{window}/pacs008")
    assert answer.status_code == 404
    assert xml_texts(download(switch, window, "pacs002"), "//p2:TxSts") == ["RJCT"]


def test_the_report_command_names_a_ulid_transfer_by_its_ulid_as_the_pages_do(
    switch: Switch,
) -> None:
    from comptoir.payments import exports

    ulid = ulid_text(new_id())
    store(switch, ulid)
    window = close(switch)

    with switch.database.reading() as session:
        rendered = {
            kind: exports.render(session, window_id=window, kind=kind, currency=None)
            for kind in ("transfers-csv", "pacs008", "pacs002")
        }

    assert rendered["transfers-csv"] == download(switch, window, "transfers-csv")
    assert ulid in rendered["transfers-csv"]
    assert xml_texts(rendered["pacs008"], "//p8:EndToEndId") == [ulid]
    assert xml_texts(rendered["pacs002"], "//p2:OrgnlEndToEndId") == [ulid]


def test_a_window_s_nets_keep_their_sign_on_the_line_of_their_amount(switch: Switch) -> None:
    store(switch, str(new_id()), amount=6675)
    window = close(switch)

    page = switch.browser.get(f"/operator/switch/windows/{window}", headers=HTML).text

    # A minus sign that wraps away from its amount reads as money received (a 360 px screen).
    nets = re.findall(r'<td class="nowrap">([^<]*66\.75)</td>', page)
    assert any(net.startswith(("-", "\N{MINUS SIGN}")) for net in nets), nets
    assert len(nets) >= 2  # what one sent, the other received; and each one's net
