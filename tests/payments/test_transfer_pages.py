"""The operator's transfer pages, over HTTP as a browser reads them: every transfer newest
first, filtered and paged; one found by the identifier its DFSP wrote (a UUID or a ULID); and
one transfer with what the switch knows of it, its refunds and its window.

Transfers are stored as the switch stores them (see test_operator_settlement_ids)."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import update

from comptoir.kernel.fspiop.ids import correlation_uuid
from comptoir.kernel.ids import new_id
from comptoir.payments import transfer_pages
from comptoir.payments.models import TransferRow
from tests.payments.test_operator_actions import FRENCH, HTML, _register
from tests.payments.test_operator_settlement_ids import Switch, store, switch

__all__ = ["switch"]  # the fixture, on each backend

LIST = "/operator/switch/transfers"
SENT_AS_ULID = "01J7Z3V0Q1R2S3T4V5W6X7Y8Z9"


def _listed_ids(page: str) -> list[str]:
    return re.findall(r'href="/operator/switch/transfers/([^"]+)"><code>', page)


def test_a_transfer_is_found_by_the_ulid_its_dfsp_wrote_or_by_its_uuid(switch: Switch) -> None:
    store(switch, SENT_AS_ULID, amount=1250)
    stored_as = str(correlation_uuid(SENT_AS_ULID))

    for typed in (SENT_AS_ULID, f"  {stored_as}  "):
        found = switch.browser.get(LIST, params={"q": typed}, headers=HTML, follow_redirects=False)
        assert found.status_code == 303, typed
        assert found.headers["location"] == f"{LIST}/{SENT_AS_ULID}"

    page = switch.browser.get(f"{LIST}/{SENT_AS_ULID}", headers=HTML)
    assert page.status_code == 200
    assert f"<code>{SENT_AS_ULID}</code>" in page.text
    assert "Committed <small>(COMMITTED)</small>" in page.text
    assert "12.50" in page.text and "XCD" in page.text
    assert f"<code>{stored_as}</code>" in page.text  # what the reports name it by
    assert "Checked: its SHA-256 is the condition." in page.text
    assert "/operator/switch/windows/" in page.text


def test_an_identifier_that_is_not_one_or_names_no_transfer_is_said_beside_the_search(
    switch: Switch,
) -> None:
    malformed = switch.browser.get(LIST, params={"q": "12.50"}, headers=HTML)
    unknown_id = str(new_id())
    unknown = switch.browser.get(LIST, params={"q": unknown_id}, headers=FRENCH)

    assert malformed.status_code == 400
    assert "12.50 is not a transfer identifier: one is a UUID or a ULID." in malformed.text
    assert 'value="12.50"' in malformed.text and 'aria-invalid="true"' in malformed.text
    assert unknown.status_code == 404
    assert f"Aucun virement n'a l'identifiant {unknown_id}." in html.unescape(unknown.text)
    assert switch.browser.get(f"{LIST}/not-an-id", headers=HTML).status_code == 404
    assert switch.browser.get(f"{LIST}/{new_id()}", headers=HTML).status_code == 404


def test_the_list_runs_newest_first_page_by_page_and_keeps_its_filters(
    switch: Switch, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transfer_pages, "PAGE_SIZE", 2)
    _register(switch)
    committed = [str(store(switch, str(new_id()))) for _ in range(3)]
    aborted = [str(store(switch, str(new_id()), state="ABORTED")) for _ in range(2)]
    newest_first = list(reversed(committed + aborted))

    seen: list[str] = []
    address: str | None = LIST
    while address is not None:
        page = switch.browser.get(address, headers=HTML)
        assert page.status_code == 200
        seen += _listed_ids(page.text)
        older = re.search(r'<a href="([^"]+)" rel="next">', page.text)
        address = older.group(1).replace("&amp;", "&") if older else None
    assert seen == newest_first

    first = switch.browser.get(LIST, params={"state": "ABORTED"}, headers=HTML).text
    assert _listed_ids(first) == list(reversed(aborted))
    assert 'rel="next"' not in first
    for unknown in ({"state": "PAID"}, {"participant": "nobody"}):
        nothing = switch.browser.get(LIST, params=unknown, headers=HTML).text
        assert _listed_ids(nothing) == [] and "No transfer matches." in nothing, unknown

    with switch.database.transaction() as session:
        session.execute(
            update(TransferRow)
            .where(TransferRow.id == correlation_uuid(committed[0]))
            .values(payee_fsp="credit-c")
        )
    theirs = switch.browser.get(
        LIST, params={"participant": "wallet-b", "state": "COMMITTED"}, headers=HTML
    ).text
    assert _listed_ids(theirs) == [committed[2], committed[1]]
    assert "participant=wallet-b&amp;state=COMMITTED&amp;before=" not in theirs  # no third
    participant_page = switch.browser.get("/operator/switch/participants/wallet-b", headers=HTML)
    assert 'href="/operator/switch/transfers?participant=wallet-b"' in participant_page.text


def test_a_refund_and_the_transfer_it_refunds_lead_to_each_other(switch: Switch) -> None:
    original = store(switch, str(new_id()), amount=2000)
    refund = store(switch, SENT_AS_ULID, amount=500, refund_of=original)

    original_page = switch.browser.get(f"{LIST}/{original}", headers=FRENCH).text
    refund_page = switch.browser.get(f"{LIST}/{SENT_AS_ULID}", headers=HTML).text

    assert f'href="{LIST}/{SENT_AS_ULID}"' in original_page
    assert "Confirmé <small>(COMMITTED)</small>" in original_page
    assert f'href="{LIST}/{original}"' in refund_page
    assert "Refund of" in refund_page
    assert refund == correlation_uuid(SENT_AS_ULID)


def test_the_overview_links_each_recent_transfer_to_its_page(switch: Switch) -> None:
    sent_as = str(store(switch, str(new_id())))
    overview = switch.browser.get("/operator/switch", headers=HTML).text
    assert f'href="{LIST}/{sent_as}"' in overview
    assert f'href="{LIST}"' in overview


def test_the_transfer_pages_are_the_operators_only(switch: Switch) -> None:
    sent_as = str(store(switch, str(new_id())))
    switch.browser.cookies.clear()
    for path in (LIST, f"{LIST}/{sent_as}"):
        answer = switch.browser.get(path, headers=HTML, follow_redirects=False)
        assert answer.status_code in (303, 401, 403), path
