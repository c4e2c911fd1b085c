"""How often the wallet sends sign-in codes: a resend waits 30 seconds and no phone gets more
than five an hour at one institution, so no one can flood a stranger's phone at the bank's
cost. A phone without an account is answered the same way, and a refused ask changes nothing."""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from fastapi.testclient import TestClient
from sqlalchemy import select

from comptoir.apps.wallet.domain.signin import MAX_CODES_PER_WINDOW, Hold
from comptoir.apps.wallet.models import SignIn
from comptoir.apps.wallet.service.signin import CodeRequest, request_code
from comptoir.kernel.audit import AuditEntry
from tests.apps.wallet.conftest import ALICE, BOB, Node
from tests.apps.wallet.test_pages import browser, csrf
from tests.support.texts import Texts

STRANGER = "+17585559999"  # has no account anywhere
ST_LUCIA = ZoneInfo("America/St_Lucia")  # the node's clock, its `time_zone` by default


def ask(client: TestClient, phone: str, institution_id: str = "wallet-a") -> str:
    """Ask for a code from the phone step and answer with the page that comes back."""
    form = client.get(f"/wallets/{institution_id}/signin")
    answer = client.post(
        f"/wallets/{institution_id}/signin", data={"phone": phone, "csrf_token": csrf(form.text)}
    )
    assert answer.status_code in (200, 429), answer.text
    return f"{answer.status_code}\n{answer.text}"


def sign_in_with(client: TestClient, page: str, code: str) -> int:
    done = client.post(
        "/wallets/wallet-a/signin/code",
        data={"phone": ALICE, "code": code, "csrf_token": csrf(page)},
        follow_redirects=False,
    )
    return done.status_code


def row_of(node: Node, phone: str, institution_id: str = "wallet-a") -> dict[str, object]:
    with node.wallet.database.reading() as session:
        row = session.get(SignIn, (institution_id, phone))
        assert row is not None
        return {column.key: getattr(row, column.key) for column in SignIn.__table__.columns}


# --- the pages --------------------------------------------------------------------------------


def test_a_resend_asked_too_soon_says_how_long_to_wait_and_the_first_code_still_works(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph")
    client = browser(node)
    texts.forget()
    ask(client, ALICE)
    [code] = texts.codes()
    node.clock.advance(timedelta(seconds=12))

    again = ask(client, ALICE)

    assert again.startswith("429")
    assert "Wait 18 seconds before asking for a new one." in again
    assert 'name="code"' in again  # still the code step: the first code is still good
    assert texts.codes() == []
    assert sign_in_with(client, again, code) == 303


def test_a_resend_one_second_before_the_wait_ends_says_one_second(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph")
    client = browser(node)
    ask(client, ALICE)
    node.clock.advance(timedelta(seconds=29, milliseconds=500))

    again = ask(client, ALICE)

    assert "Wait 1 second before asking for a new one." in again


def test_a_resend_after_the_wait_sends_a_new_code_that_replaces_the_first(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph")
    client = browser(node)
    texts.forget()
    ask(client, ALICE)
    [first] = texts.codes()
    node.clock.advance(timedelta(seconds=30))

    again = ask(client, ALICE)

    assert again.startswith("200")
    [second] = texts.codes()
    if first != second:
        assert sign_in_with(client, again, first) == 400
    assert sign_in_with(client, again, second) == 303


def test_a_phone_gets_at_most_five_codes_an_hour_and_the_sixth_ask_says_when_to_come_back(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph")
    client = browser(node)
    first_sent_at = node.clock.now()
    texts.forget()
    for _ in range(MAX_CODES_PER_WINDOW):
        assert ask(client, ALICE).startswith("200")
        node.clock.advance(timedelta(minutes=11))
    assert len(texts.codes()) == 5
    before = row_of(node, ALICE)

    sixth = ask(client, ALICE)

    ends = first_sent_at + timedelta(hours=1)
    assert sixth.startswith("429")
    assert "This number has asked for 5 codes in the last hour." in sixth
    on_the_local_clock = format_datetime(ends, "medium", tzinfo=ST_LUCIA, locale="en")
    assert f"You can ask for a new one at {on_the_local_clock}." in sixth
    assert 'name="phone" type="tel"' in sixth  # back at the phone step, the number kept
    assert f'value="{ALICE}"' in sixth
    assert texts.codes() == []
    assert row_of(node, ALICE) == before  # nothing sent, nothing half-made

    node.clock.set(ends)
    page = ask(client, ALICE)
    assert page.startswith("200")
    [code] = texts.codes()
    assert sign_in_with(client, page, code) == 303


def test_a_phone_without_an_account_is_held_back_the_same_way_and_never_gets_a_code(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph")
    client = browser(node)
    texts.forget()
    answers = {}
    for phone in (ALICE, STRANGER):
        first = ask(client, phone)
        node.clock.advance(timedelta(seconds=10))
        answers[phone] = (first, ask(client, phone))
        node.clock.advance(timedelta(seconds=-10))

    assert len(texts.codes()) == 1  # Alice's alone
    for first, again in answers.values():
        assert first.startswith("200") and "we have sent it a code" in first
        assert again.startswith("429") and "Wait 20 seconds" in again


def test_the_wrong_code_lock_still_answers_an_ask_like_a_sent_code_and_sends_none(
    two_banks: Node, texts: Texts
) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph")
    client = browser(node)
    texts.forget()
    page = ask(client, ALICE)
    [code] = texts.codes()
    wrong = "000000" if code != "000000" else "111111"
    assert [sign_in_with(client, page, wrong) for _ in range(3)] == [400, 400, 429]

    asked = ask(client, ALICE)

    assert asked.startswith("200") and "we have sent it a code" in asked
    assert texts.codes() == []
    node.clock.advance(timedelta(minutes=10))
    page = ask(client, ALICE)
    [code] = texts.codes()
    assert sign_in_with(client, page, code) == 303


def test_the_code_never_reaches_the_audit_log_or_the_logs(
    two_banks: Node, texts: Texts, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph")
    client = browser(node)
    texts.forget()
    page = ask(client, ALICE)
    [code] = texts.codes()
    node.clock.advance(timedelta(seconds=5))
    held = ask(client, ALICE)
    assert sign_in_with(client, page, code) == 303

    with node.wallet.database.reading() as session:
        audit_text = json.dumps(
            [
                [entry.actor, entry.action, entry.subject, entry.details]
                for entry in session.scalars(select(AuditEntry))
            ]
        )
    assert code not in audit_text
    assert code not in caplog.text
    assert code not in held and code not in page
    assert code not in json.dumps(row_of(node, ALICE), default=str)


# --- the service ------------------------------------------------------------------------------


def test_codes_are_counted_per_institution(two_banks: Node) -> None:
    node = two_banks
    node.customer("wallet-a", BOB, "Bob Charles")
    node.customer("wallet-b", BOB, "Bob Charles")

    at_a = request_code(node.wallet, institution_id="wallet-a", phone=BOB)
    at_b = request_code(node.wallet, institution_id="wallet-b", phone=BOB)

    assert at_a.held is None and at_b.held is None
    again = request_code(node.wallet, institution_id="wallet-a", phone=BOB)
    assert again.held is not None and again.held.reason is Hold.RESEND_WAIT


def test_a_refused_ask_changes_nothing(two_banks: Node) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph")
    request_code(node.wallet, institution_id="wallet-a", phone=ALICE)
    before = row_of(node, ALICE)
    node.clock.advance(timedelta(seconds=1))

    refused = request_code(node.wallet, institution_id="wallet-a", phone="+1 758 555 0101")

    assert refused.phone == ALICE
    assert refused.held is not None and refused.held.reason is Hold.RESEND_WAIT
    assert refused.held.until == before["code_sent_at"] + timedelta(seconds=30)  # type: ignore[operator]
    assert row_of(node, ALICE) == before


def test_the_window_and_the_wait_are_kept_in_the_database(two_banks: Node) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph")
    started = node.clock.now()
    for _ in range(3):
        request_code(node.wallet, institution_id="wallet-a", phone=ALICE)
        node.clock.advance(timedelta(minutes=1))

    row = row_of(node, ALICE)

    assert row["window_started_at"] == started and row["sent_in_window"] == 3
    assert row["code_sent_at"] == started + timedelta(minutes=2)


def test_asks_made_at_the_same_moment_send_one_code(two_banks: Node, texts: Texts) -> None:
    node = two_banks
    node.customer("wallet-a", ALICE, "Alice Joseph")
    texts.forget()

    def ask_once(_: int) -> CodeRequest:
        return request_code(node.wallet, institution_id="wallet-a", phone=ALICE)

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(ask_once, range(6)))

    assert len(texts.codes()) == 1
    assert sorted(answer.held is None for answer in answers) == [False] * 5 + [True]
    assert row_of(node, ALICE)["sent_in_window"] == 1
