"""What the operator does from the switch's pages, over HTTP as a browser does it: record
liquidity, move a net debit cap, close the open window and settle it. A refusal is said on the
page, in the operator's language, and changes nothing.

The window's transfers are stored as the switch stores them (see test_operator_settlement_ids);
the participants are registered, and their money moved, through the switch's own services and
pages."""

from __future__ import annotations

import re
import uuid

import httpx

from comptoir.kernel.fspiop import generate_rsa_jwk
from comptoir.kernel.money import Money
from comptoir.kernel.web.operator import OPERATOR_COOKIE
from comptoir.payments.domain import nanosecond_clock
from comptoir.payments.services import participants, registration, settlement
from comptoir.payments.services.ledger_store import LedgerStore
from tests.payments.test_operator_settlement_ids import Switch, store, switch

__all__ = ["switch"]  # the fixture, on each backend

HTML = {"accept": "text/html"}
FRENCH = {"accept": "text/html", "accept-language": "fr"}
PAYER, PAYEE = "bank-a", "wallet-b"


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None, "the page has no form"
    return found.group(1)


def _register(switch: Switch) -> None:
    node = switch.app.state.node  # type: ignore[attr-defined]
    _private, public = generate_rsa_jwk(kid="k-1")
    with switch.database.transaction() as session:
        for participant_id, name in ((PAYER, "Bank A"), (PAYEE, "Wallet B")):
            registration.add_participant(
                session,
                store=LedgerStore(nanosecond_clock(node.clock)),
                clock=node.clock,
                participant_id=participant_id,
                name=name,
                currency="XCD",
                callback_url=f"http://{participant_id}.example/fspiop",
                jwks=public,
                net_debit_cap=Money(100_000, "XCD"),
                actor="operator:test",
            )


def _standing(switch: Switch, participant_id: str) -> participants.Position:
    node = switch.app.state.node  # type: ignore[attr-defined]
    with switch.database.transaction() as session:
        return participants.position(
            session,
            store=LedgerStore(nanosecond_clock(node.clock)),
            participant_id=participant_id,
            currency="XCD",
        )


def _post(
    switch: Switch, path: str, page_path: str, headers: dict[str, str] = HTML, **form: str
) -> httpx.Response:
    """Post a form the way a browser does: with the CSRF token of the page it is on."""
    page = switch.browser.get(page_path, headers=headers)
    assert page.status_code == 200, page.text
    return switch.browser.post(
        path, data={**form, "csrf_token": _csrf(page.text)}, headers=headers, follow_redirects=False
    )


def test_the_operator_records_a_deposit_then_a_withdrawal_on_the_participants_page(
    switch: Switch,
) -> None:
    _register(switch)
    page = f"/operator/switch/participants/{PAYER}"
    action = page + "/liquidity"

    deposited = _post(switch, action, page, currency="XCD", amount="1,250.50", direction="deposit")
    assert deposited.status_code == 303
    shown = switch.browser.get(deposited.headers["location"], headers=HTML)
    assert "The deposit is recorded." in shown.text and "XCD\xa01,250.50" in shown.text
    withdrawn = _post(switch, action, page, currency="XCD", amount="250.5", direction="withdraw")
    assert withdrawn.status_code == 303

    assert _standing(switch, PAYER).liquidity == 100_000


def test_a_refused_amount_is_said_beside_the_field_as_typed_and_moves_nothing(
    switch: Switch,
) -> None:
    _register(switch)
    page = f"/operator/switch/participants/{PAYER}"
    action = page + "/liquidity"
    _post(switch, action, page, currency="XCD", amount="10", direction="deposit")

    for typed, direction, said in (
        ("12.345", "deposit", "12.345 has too many decimals: an amount in XCD has at most 2."),
        ("douze", "deposit", "douze is not an amount."),
        ("", "deposit", "Enter an amount."),
        ("0", "deposit", "A deposit must not be zero."),
        ("-5", "deposit", "The amount cannot be below zero."),
        ("1" + "0" * 30, "deposit", "is more than the ledger holds (at most"),
        ("10.01", "withdraw", "A withdrawal of 10.01 is more than the 10.00 that bank-a holds."),
    ):
        refused = _post(switch, action, page, currency="XCD", amount=typed, direction=direction)
        assert refused.status_code in (400, 422), (typed, refused.status_code)
        assert said in refused.text, typed
        assert f'value="{typed}"' in refused.text and 'aria-invalid="true"' in refused.text

    assert _standing(switch, PAYER).liquidity == 1000


def test_the_participants_page_reads_amounts_and_answers_in_french(switch: Switch) -> None:
    _register(switch)
    page = f"/operator/switch/participants/{PAYER}"
    deposited = _post(
        switch,
        page + "/liquidity",
        page,
        FRENCH,
        currency="XCD",
        amount="12,50",
        direction="deposit",
    )
    shown = switch.browser.get(deposited.headers["location"], headers=FRENCH)
    refused = _post(switch, page + "/cap", page, FRENCH, currency="XCD", amount="1,234")

    assert "Le dépôt est enregistré." in shown.text
    assert _standing(switch, PAYER).liquidity == 1250
    assert refused.status_code == 400 and "1,234 a trop de décimales" in refused.text


def test_the_operator_raises_and_lowers_a_net_debit_cap(switch: Switch) -> None:
    _register(switch)
    page = f"/operator/switch/participants/{PAYEE}"

    raised = _post(switch, page + "/cap", page, currency="XCD", amount="5000")
    assert raised.status_code == 303
    assert _standing(switch, PAYEE).net_debit_cap == 500_000
    lowered = _post(switch, page + "/cap", page, currency="XCD", amount="0")
    assert lowered.status_code == 303
    assert _standing(switch, PAYEE).net_debit_cap == 0
    assert (
        "The net debit cap is changed."
        in switch.browser.get(lowered.headers["location"], headers=HTML).text
    )


def test_the_operator_closes_the_open_window_then_settles_it_once(switch: Switch) -> None:
    _register(switch)
    payer_page = f"/operator/switch/participants/{PAYER}"
    _post(
        switch,
        payer_page + "/liquidity",
        payer_page,
        currency="XCD",
        amount="100",
        direction="deposit",
    )
    store(switch, "01J7Z3V0Q1R2S3T4V5W6X7Y8Z9", amount=1250)
    store(switch, "01J7Z3V0Q1R2S3T4V5W6X7Y8ZA", amount=750)
    store(switch, "01J7Z3V0Q1R2S3T4V5W6X7Y8ZB", amount=999, state="ABORTED")
    overview = switch.browser.get("/operator/switch", headers=HTML)
    assert "2 payments" in overview.text

    closed = _post(switch, "/operator/switch/windows/close", "/operator/switch")
    assert closed.status_code == 303
    window_path = closed.headers["location"]
    window = switch.browser.get(window_path, headers=HTML)
    assert "Closed <small>(CLOSED)</small>" in window.text
    assert "Open <small>(OPEN)</small>" in switch.browser.get("/operator/switch", headers=HTML).text

    settled = _post(switch, window_path + "/settle", window_path)
    assert settled.status_code == 303
    assert "Settled <small>(SETTLED)</small>" in switch.browser.get(window_path, headers=HTML).text
    assert _standing(switch, PAYER).liquidity == 10_000 - 2000
    assert _standing(switch, PAYEE).liquidity == 2000
    again = switch.browser.post(
        window_path + "/settle", data={"csrf_token": _csrf(window.text)}, headers=HTML
    )
    assert again.status_code == 409
    assert "Only a closed window can be settled; this one is SETTLED." in again.text
    assert _standing(switch, PAYEE).liquidity == 2000  # nothing moved twice


def test_a_window_that_cannot_be_settled_says_why_and_stays_closed(switch: Switch) -> None:
    _register(switch)
    store(switch, "01J7Z3V0Q1R2S3T4V5W6X7Y8ZC", amount=1250)
    closed = _post(switch, "/operator/switch/windows/close", "/operator/switch")
    window_path = closed.headers["location"]
    # Paid its net, the payee's position would come back up past a cap now lowered to zero.
    payee_page = f"/operator/switch/participants/{PAYEE}"
    assert _post(switch, payee_page + "/cap", payee_page, currency="XCD", amount="0").is_redirect

    refused = _post(switch, window_path + "/settle", window_path)

    assert refused.status_code == 409 and 'role="alert"' in refused.text
    assert "Settlement refused by the ledger for wallet-b" in refused.text
    window_id = uuid.UUID(window_path.rsplit("/", 1)[1])
    with switch.database.transaction() as session:
        assert settlement.get_window(session, window_id).state == "CLOSED"
    assert _standing(switch, PAYER).liquidity == 0 and _standing(switch, PAYEE).liquidity == 0


def test_the_operators_forms_need_a_session_and_a_csrf_token(switch: Switch) -> None:
    _register(switch)
    page = f"/operator/switch/participants/{PAYER}"
    without_token = switch.browser.post(
        page + "/liquidity", data={"currency": "XCD", "amount": "10"}, headers=HTML
    )
    token = _csrf(switch.browser.get(page, headers=HTML).text)
    switch.browser.cookies.delete(OPERATOR_COOKIE)
    signed_out = switch.browser.post(
        page + "/liquidity",
        data={"currency": "XCD", "amount": "10", "csrf_token": token},
        headers=HTML,
    )
    closing = switch.browser.post(
        "/operator/switch/windows/close", data={"csrf_token": token}, headers=HTML
    )

    assert without_token.status_code == 403
    assert signed_out.status_code == 401 and closing.status_code == 401
    assert _standing(switch, PAYER).liquidity == 0
    with switch.database.transaction() as session:
        assert [w.state for w in settlement.list_windows(session)] in ([], ["OPEN"])


def test_an_unknown_participant_or_window_is_not_found(switch: Switch) -> None:
    assert (
        switch.browser.get("/operator/switch/participants/nobody", headers=HTML).status_code == 404
    )
    token = _csrf(switch.browser.get("/operator/switch", headers=HTML).text)
    unknown = switch.browser.post(
        "/operator/switch/participants/nobody/liquidity",
        data={"currency": "XCD", "amount": "10", "csrf_token": token},
        headers=HTML,
    )
    window = switch.browser.post(
        f"/operator/switch/windows/{uuid.uuid4()}/settle", data={"csrf_token": token}, headers=HTML
    )
    assert unknown.status_code == 404 and window.status_code == 404
