"""Logging in with a phone and a one-time code, over HTTP, as a browser without JavaScript:
the code's lifetime, the resend wait, the lock after wrong codes, method locks, logging out."""

from __future__ import annotations

import html
import json
import logging
import re
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from comptoir.app import create_app
from comptoir.identity.registry.models import OneTimeCode
from comptoir.identity.registry.service import OTP, enrol_person, set_method_lock
from comptoir.identity.registry.session import SESSION_COOKIE, SignedInPerson, signed_in_person
from comptoir.kernel.audit import AuditEntry, entries
from comptoir.kernel.i18n import lazy
from comptoir.kernel.settings import load_settings
from tests.identity.registry.conftest import KWAME, MARIE, Node, csrf

pytestmark = pytest.mark.postgres


def enrol(node: Node, phone: str = MARIE, name: str = "Marie Joseph") -> str:
    with node.database.transaction() as session:
        person = enrol_person(
            session,
            name=name,
            phone=phone,
            birthdate="1988-03-14",
            actor="operator:test",
            clock=node.clock,
        )
    return str(person.id)


def ask_code(browser: TestClient, phone: str, next_path: str = "") -> httpx.Response:
    form = browser.get("/identity/login", params={"next": next_path})
    assert form.status_code == 200
    return browser.post(
        "/identity/login",
        data={"phone": phone, "next": next_path, "csrf_token": csrf(form.text)},
    )


def send_code(
    browser: TestClient, page: str, phone: str, code: str, next_path: str = ""
) -> httpx.Response:
    return browser.post(
        "/identity/login/code",
        data={"phone": phone, "code": code, "next": next_path, "csrf_token": csrf(page)},
        follow_redirects=False,
    )


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_a_registered_person_logs_in_with_the_code_sent_by_sms(node: Node) -> None:
    enrol(node)
    browser = node.browser()

    page = ask_code(browser, "+1 758 555 0101", "/identity/me?x=1")
    answer = send_code(browser, page.text, MARIE, node.code_sent_to(MARIE), "/identity/me?x=1")

    assert answer.status_code == 303
    assert answer.headers["location"] == "/identity/me?x=1"
    cookie = answer.headers["set-cookie"]
    assert SESSION_COOKIE in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # the node's base URL is http
    me = browser.get("/identity/me")
    assert me.status_code == 200
    assert "Marie Joseph" in me.text and "/identity/me/consents" in me.text


@pytest.mark.parametrize("typed", ["758 555 0101", "(758) 555-0101", "555 0101"])
def test_a_person_may_type_their_number_as_it_is_dialled_in_saint_lucia(
    node: Node, typed: str
) -> None:
    enrol(node)
    browser = node.browser()

    page = ask_code(browser, typed)
    answer = send_code(browser, page.text, MARIE, node.code_sent_to(MARIE))

    assert page.status_code == 200, page.text
    assert answer.status_code == 303 and answer.headers["location"] == "/identity/me"


def test_the_session_says_who_signed_in_when_and_how(node: Node) -> None:
    person_id = enrol(node)
    browser = node.browser()
    page = ask_code(browser, MARIE)
    send_code(browser, page.text, MARIE, node.code_sent_to(MARIE))

    seen: list[SignedInPerson | None] = []

    async def probe(request: Request) -> Response:
        seen.append(signed_in_person(request))
        return PlainTextResponse("ok")

    node.app.add_route("/test/who", probe)
    browser.get("/test/who")

    signed = seen[0]
    assert signed is not None
    assert str(signed.person_id) == person_id
    assert signed.method == OTP
    assert signed.authenticated_at == node.clock.now()


def test_only_a_relative_next_path_is_honoured(node: Node) -> None:
    enrol(node)
    for hostile in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        browser = node.browser()
        page = ask_code(browser, MARIE, hostile)
        answer = send_code(browser, page.text, MARIE, node.code_sent_to(MARIE), hostile)
        assert answer.headers["location"] == "/identity/me"
        node.clock.advance(timedelta(seconds=31))


def test_an_unknown_phone_gets_a_clear_answer_and_no_code(node: Node) -> None:
    answer = ask_code(node.browser(), KWAME)

    assert answer.status_code == 400
    assert "No one is registered with this phone number" in answer.text
    assert node.latest_sms(KWAME) is None


def test_an_invalid_phone_is_refused_in_the_users_language(node: Node) -> None:
    browser = node.browser(**{"accept-language": "fr"})

    answer = ask_code(browser, "+1 234")

    assert answer.status_code == 400
    assert answer.headers["content-language"] == "fr"
    assert '<html lang="fr">' in answer.text
    expected = lazy("This is not a valid phone number. Check it, with its country code.")
    # The page escapes the apostrophe, as it escapes every message.
    assert str(escape(expected.render("fr"))) in answer.text
    assert expected.render("fr") != expected.render("en")
    assert 'aria-invalid="true"' in answer.text


def test_three_wrong_codes_lock_the_login_for_ten_minutes_even_for_the_right_code(
    node: Node,
) -> None:
    person_id = enrol(node)
    browser = node.browser()
    page = ask_code(browser, MARIE)
    code = node.code_sent_to(MARIE)

    first = send_code(browser, page.text, MARIE, wrong(code))
    second = send_code(browser, first.text, MARIE, wrong(code))
    third = send_code(browser, second.text, MARIE, wrong(code))
    right = send_code(browser, third.text, MARIE, code)

    assert (first.status_code, second.status_code) == (400, 400)
    assert third.status_code == 429 and "locked until" in third.text
    assert right.status_code == 429
    assert SESSION_COOKIE not in right.headers.get("set-cookie", "")
    node.clock.advance(timedelta(minutes=9, seconds=59))
    assert ask_code(browser, MARIE).status_code == 429
    with node.database.reading() as session:
        locks = entries(session, action="identity.signin.locked")
    assert [entry.subject for entry in locks] == [f"phone:{MARIE}"]

    node.clock.advance(timedelta(seconds=2))
    page = ask_code(browser, MARIE)
    answer = send_code(browser, page.text, MARIE, node.code_sent_to(MARIE))
    assert answer.status_code == 303
    with node.database.reading() as session:
        logins = entries(session, action="identity.person.signed_in")
    assert [entry.actor for entry in logins] == [f"person:{person_id}"]


def test_a_code_expires_after_three_minutes(node: Node) -> None:
    enrol(node)
    browser = node.browser()
    page = ask_code(browser, MARIE)
    code = node.code_sent_to(MARIE)

    node.clock.advance(timedelta(minutes=3))
    answer = send_code(browser, page.text, MARIE, code)

    assert answer.status_code == 400
    assert "wrong or has expired" in answer.text


def test_a_code_still_works_just_before_it_expires(node: Node) -> None:
    enrol(node)
    browser = node.browser()
    page = ask_code(browser, MARIE)
    code = node.code_sent_to(MARIE)

    node.clock.advance(timedelta(minutes=2, seconds=59))

    assert send_code(browser, page.text, MARIE, code).status_code == 303


def test_a_new_code_waits_thirty_seconds_and_replaces_the_old_one(node: Node) -> None:
    enrol(node)
    browser = node.browser()
    ask_code(browser, MARIE)
    first = node.code_sent_to(MARIE)

    node.clock.advance(timedelta(seconds=29))
    too_soon = ask_code(browser, MARIE)
    assert too_soon.status_code == 429
    assert "Wait 2 seconds" in too_soon.text
    assert 'name="code"' in too_soon.text  # still on the code page: the first code works
    assert node.code_sent_to(MARIE) == first

    node.clock.advance(timedelta(seconds=1))
    page = ask_code(browser, MARIE)
    assert page.status_code == 200
    second = node.code_sent_to(MARIE)
    if second != first:
        assert send_code(browser, page.text, MARIE, first).status_code == 400
    assert send_code(browser, page.text, MARIE, second).status_code == 303


def test_a_new_code_is_sent_at_once_after_the_last_one_was_used(node: Node) -> None:
    # Signing in on a second device (or after logging out) must not wait for a code that is
    # already used up: the wait only stops a code still in flight from being replaced.
    enrol(node)
    first_device, second_device = node.browser(), node.browser()
    page = ask_code(first_device, MARIE)
    assert send_code(first_device, page.text, MARIE, node.code_sent_to(MARIE)).status_code == 303

    node.clock.advance(timedelta(seconds=5))
    page = ask_code(second_device, MARIE)

    assert page.status_code == 200
    answer = send_code(second_device, page.text, MARIE, node.code_sent_to(MARIE))
    assert answer.status_code == 303


def test_a_phone_gets_at_most_five_codes_an_hour_so_no_one_can_flood_it(node: Node) -> None:
    enrol(node)
    browser = node.browser()
    first_sent_at = node.clock.now()
    codes = []
    for _ in range(5):
        page = ask_code(browser, MARIE)
        assert page.status_code == 200
        codes.append(node.code_sent_to(MARIE))
        send_code(browser, page.text, MARIE, wrong(codes[-1]))  # wrong codes give none back
        node.clock.advance(timedelta(minutes=11))  # past the resend wait, and any lock

    sixth = ask_code(browser, MARIE)

    assert sixth.status_code == 429
    assert "5 codes were sent to this number in the last hour" in sixth.text
    # 01:00 UTC on the demo's clock, St Lucia's (the default `time_zone`).
    assert "You can ask for a new one at 9:00\u202fPM." in sixth.text
    assert node.code_sent_to(MARIE) == codes[-1]  # no sixth text

    node.clock.advance(first_sent_at + timedelta(hours=1) - node.clock.now())
    page = ask_code(browser, MARIE)
    assert page.status_code == 200
    assert send_code(browser, page.text, MARIE, node.code_sent_to(MARIE)).status_code == 303


def test_the_code_never_reaches_the_audit_log_or_the_logs(
    node: Node, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    enrol(node)
    browser = node.browser()
    page = ask_code(browser, MARIE)
    node.pump()
    code = node.code_sent_to(MARIE)
    send_code(browser, page.text, MARIE, wrong(code))
    send_code(browser, page.text, MARIE, code)

    with node.database.reading() as session:
        audit_text = json.dumps(
            [
                [entry.actor, entry.action, entry.subject, entry.details]
                for entry in session.scalars(select(AuditEntry))
            ]
        )
    assert "identity.person.signed_in" in audit_text
    assert code not in audit_text
    assert code not in caplog.text
    assert re.search(rf"\b{code}\b", node.latest_sms(MARIE) or "")


def test_a_locked_method_refuses_sign_in_with_a_clear_message(node: Node) -> None:
    person_id = enrol(node)
    browser = node.browser()
    page = ask_code(browser, MARIE)
    code = node.code_sent_to(MARIE)

    with node.database.transaction() as session:
        set_method_lock(
            session,
            person_id=uuid.UUID(person_id),
            method=OTP,
            locked=True,
            actor=f"person:{person_id}",
            clock=node.clock,
        )

    late = send_code(browser, page.text, MARIE, code)
    node.clock.advance(timedelta(minutes=1))
    fresh = ask_code(browser, MARIE)

    for answer in (late, fresh):
        assert answer.status_code == 400
        assert "You have locked logging in with a code by SMS" in answer.text
        assert SESSION_COOKIE not in answer.headers.get("set-cookie", "")


def test_a_person_locks_and_unlocks_a_method_from_my_data(node: Node) -> None:
    person_id = enrol(node)
    browser = node.browser()
    page = ask_code(browser, MARIE)
    send_code(browser, page.text, MARIE, node.code_sent_to(MARIE))
    me = browser.get("/identity/me")

    locked = browser.post(
        "/identity/me/locks",
        data={"method": "otp", "lock": "yes", "csrf_token": csrf(me.text)},
        follow_redirects=False,
    )
    assert locked.status_code == 303
    assert "Locked" in browser.get("/identity/me").text
    node.clock.advance(timedelta(minutes=1))
    assert ask_code(node.browser(), MARIE).status_code == 400

    browser.post(
        "/identity/me/locks",
        data={"method": "otp", "lock": "no", "csrf_token": csrf(me.text)},
    )
    assert ask_code(node.browser(), MARIE).status_code == 200
    with node.database.reading() as session:
        actions = [entry.action for entry in entries(session, subject=f"person:{person_id}")]
    assert "identity.method.locked" in actions and "identity.method.unlocked" in actions


def test_logging_out_ends_the_session_even_for_a_copied_cookie(node: Node) -> None:
    enrol(node)
    browser = node.browser()
    page = ask_code(browser, MARIE)
    send_code(browser, page.text, MARIE, node.code_sent_to(MARIE))
    cookie = browser.cookies.get(SESSION_COOKIE)
    assert cookie
    me = browser.get("/identity/me")

    out = browser.post(
        "/identity/logout", data={"csrf_token": csrf(me.text)}, follow_redirects=False
    )

    assert out.status_code == 303
    thief = node.browser()
    thief.cookies.set(SESSION_COOKIE, cookie)
    answer = thief.get("/identity/me", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/identity/login?next=/identity/me")


def test_a_forged_session_cookie_is_ignored(node: Node) -> None:
    enrol(node)
    browser = node.browser()
    browser.cookies.set(SESSION_COOKIE, "0190a0a0-0000-7000-8000-000000000000.forged")

    answer = browser.get("/identity/me", follow_redirects=False)

    assert answer.status_code == 303


def test_the_session_cookie_is_secure_when_the_node_is_served_over_https(
    node: Node, tmp_path: Path
) -> None:
    enrol(node)
    settings = load_settings(
        data_dir=tmp_path / "https", base_url="https://id.example", blocks="home,identity"
    )
    app = create_app(settings, database=node.database, clock=node.clock)
    browser = TestClient(app, base_url="https://id.example", headers={"accept": "text/html"})
    page = ask_code(browser, MARIE)

    answer = send_code(browser, page.text, MARIE, node.code_sent_to(MARIE))

    assert answer.status_code == 303
    assert "Secure" in answer.headers["set-cookie"]


def _language_switch_target(page: str) -> str:
    found = re.search(
        r'action="/language">\s*<input[^>]*>\s*<input type="hidden" name="next" '
        r'value="([^"]+)"',
        page,
    )
    assert found, "the page has no language switch"
    return html.unescape(found.group(1))


def test_switching_language_at_the_code_step_keeps_the_code_step_and_sends_no_new_code(
    node: Node,
) -> None:
    enrol(node)
    browser = node.browser()
    page = ask_code(browser, "+1 758 555 0101", "/identity/me/consents")
    sent = node.latest_sms(MARIE)
    target = _language_switch_target(page.text)

    switched = browser.post(
        "/language",
        data={"lang": "fr", "next": target, "csrf_token": csrf(page.text)},
        follow_redirects=True,
    )

    assert switched.status_code == 200
    assert switched.headers["content-language"] == "fr"
    assert 'name="code"' in switched.text and f'name="phone" value="{MARIE}"' in switched.text
    assert 'name="next" value="/identity/me/consents"' in switched.text
    assert node.latest_sms(MARIE) == sent  # no new code
    # The code sent before still signs in from the page in the new language.
    answer = send_code(
        browser, switched.text, MARIE, node.code_sent_to(MARIE), "/identity/me/consents"
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/identity/me/consents"


def test_a_code_step_address_with_a_phone_that_is_not_one_shows_the_phone_step(
    node: Node,
) -> None:
    page = node.browser().get("/identity/login", params={"phone": "not a phone"})

    assert page.status_code == 200
    assert 'name="code"' not in page.text and 'id="phone"' in page.text


def test_the_code_form_sent_twice_signs_in_once_and_the_second_answer_costs_no_try(
    node: Node,
) -> None:
    enrol(node)
    browser = node.browser()
    page = ask_code(browser, MARIE)
    code = node.code_sent_to(MARIE)

    first = send_code(browser, page.text, MARIE, code)
    second = send_code(browser, page.text, MARIE, code)

    assert first.status_code == 303
    assert second.status_code == 400
    assert "No code is waiting for this number" in second.text
    assert "wrong" not in second.text
    assert 'name="code"' in second.text and "Send me a new code" in second.text
    with node.database.reading() as session:
        state = session.get(OneTimeCode, MARIE)
    assert state is not None and state.failures == 0
    # A new code comes at once, and signs in.
    again = ask_code(browser, MARIE)
    assert again.status_code == 200
    assert send_code(browser, again.text, MARIE, node.code_sent_to(MARIE)).status_code == 303


def test_guesses_when_no_code_is_waiting_never_lock_the_number(node: Node) -> None:
    enrol(node)
    browser = node.browser()
    page = browser.get("/identity/login")

    for guess in ("111111", "222222", "333333", "444444"):
        answer = send_code(browser, page.text, MARIE, guess)
        assert answer.status_code == 400
    page = ask_code(browser, MARIE)
    assert page.status_code == 200
    assert send_code(browser, page.text, MARIE, node.code_sent_to(MARIE)).status_code == 303
