"""The code steps of logging in and of registering keep the phone out of every address (a
URL lands in logs, history and the Referer): the phone waits in a short-lived signed cookie,
and the code step, its language switch and a reload all work from it, in English and French."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient

from comptoir.identity.registry.pages.pending import PENDING_LOGIN, PENDING_REGISTRATION
from tests.identity.registry.conftest import KWAME, MARIE, Node, csrf
from tests.identity.registry.test_enrolment import DETAILS
from tests.identity.registry.test_login import ask_code, enrol, send_code
from tests.support.addresses import without_ids

pytestmark = pytest.mark.postgres

ADDRESS = re.compile(r'(?:href|action)="([^"]*)"|name="next" value="([^"]*)"')


def addresses(answer: httpx.Response) -> list[str]:
    """Every address an answer gives the browser: links, form targets, the language switch's
    way back, and the redirect."""
    found = [html.unescape(link or back) for link, back in ADDRESS.findall(answer.text)]
    return [without_ids(address) for address in [*found, answer.headers.get("location", "")]]


def phone_in_any(answers: list[httpx.Response], phone: str) -> list[str]:
    digits = phone.removeprefix("+")[-7:]
    return [
        address
        for answer in answers
        for address in addresses(answer)
        if digits in re.sub(r"\D", "", address)
    ]


def switch_language(browser: TestClient, page: httpx.Response, locale: str) -> httpx.Response:
    target = re.search(
        r'action="/language">\s*<input[^>]*>\s*<input type="hidden" name="next" '
        r'value="([^"]+)"',
        page.text,
    )
    assert target, "the page has no language switch"
    return browser.post(
        "/language",
        data={
            "lang": locale,
            "next": html.unescape(target.group(1)),
            "csrf_token": csrf(page.text),
        },
    )


@pytest.mark.parametrize(
    ("locale", "words"), [("en", "One-time code"), ("fr", "Code à usage unique")]
)
def test_the_login_code_step_reloads_and_switches_language_without_the_phone_in_any_address(
    node: Node, locale: str, words: str
) -> None:
    enrol(node)
    browser = node.browser()
    sent = ask_code(browser, "+1 758 555 0101", "/identity/me/consents")
    first_code = node.latest_sms(MARIE)

    reloaded = browser.get("/identity/login/code", params={"next": "/identity/me/consents"})
    switched = switch_language(browser, sent, locale)

    assert phone_in_any([sent, reloaded, switched], MARIE) == []
    assert switched.url.path == "/identity/login/code"
    for page in (reloaded, switched):
        assert page.status_code == 200
        assert f'name="phone" value="{MARIE}"' in page.text and 'name="code"' in page.text
    assert switched.headers["content-language"] == locale and words in switched.text
    assert node.latest_sms(MARIE) == first_code  # neither sent a new code
    signed_in = send_code(
        browser, switched.text, MARIE, node.code_sent_to(MARIE), "/identity/me/consents"
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/identity/me/consents"
    # Signed in: the phone no longer waits in the browser.
    assert f'{PENDING_LOGIN}=""' in signed_in.headers["set-cookie"]


def test_the_login_code_step_sends_its_code_form_the_phone_from_the_cookie_alone(
    node: Node,
) -> None:
    enrol(node)
    browser = node.browser()
    sent = ask_code(browser, MARIE)

    answer = browser.post(
        "/identity/login/code",
        data={"code": node.code_sent_to(MARIE), "next": "", "csrf_token": csrf(sent.text)},
        follow_redirects=False,
    )

    assert answer.status_code == 303


def test_a_wrong_code_keeps_the_code_step_address_free_of_the_phone(node: Node) -> None:
    enrol(node)
    browser = node.browser()
    sent = ask_code(browser, MARIE)

    wrong = send_code(
        browser, sent.text, MARIE, "000000" if node.code_sent_to(MARIE) != "000000" else "111111"
    )

    assert wrong.status_code == 400 and 'name="code"' in wrong.text
    assert phone_in_any([wrong], MARIE) == []
    assert browser.get("/identity/login/code").status_code == 200


@pytest.mark.parametrize(
    "cookie",
    [
        "",
        "forged.value",
        "eyJ2YWx1ZXMiOnsicGhvbmUiOiIrMTc1ODU1NTAxMDIifSwidW50aWwiOjk5OTk5OTk5OTl9.bad",
    ],
)
def test_the_code_step_without_a_genuine_pending_login_shows_the_phone_step(
    node: Node, cookie: str
) -> None:
    browser = node.browser()
    if cookie:
        browser.cookies.set(PENDING_LOGIN, cookie, path="/identity")

    answer = browser.get(
        "/identity/login/code", params={"next": "/identity/me"}, follow_redirects=False
    )

    assert answer.status_code == 303
    assert answer.headers["location"] == "/identity/login?next=%2Fidentity%2Fme"


def test_the_pending_login_is_forgotten_after_fifteen_minutes(node: Node) -> None:
    enrol(node)
    browser = node.browser()
    ask_code(browser, MARIE)
    node.clock.advance(timedelta(minutes=15, seconds=1))

    answer = browser.get("/identity/login/code", follow_redirects=False)

    assert answer.status_code == 303
    assert answer.headers["location"] == "/identity/login?next=%2Fidentity%2Fme"


def test_the_old_code_step_address_with_a_phone_shows_only_the_phone_step(node: Node) -> None:
    enrol(node)

    page = node.browser().get("/identity/login", params={"phone": MARIE})

    assert 'name="code"' not in page.text and MARIE not in page.text


@pytest.mark.parametrize(
    ("locale", "words"), [("en", "One-time code"), ("fr", "Code à usage unique")]
)
def test_the_registration_code_step_reloads_and_switches_language_keeping_the_details(
    node: Node, locale: str, words: str
) -> None:
    browser = node.browser()
    form = browser.get("/identity/register")
    sent = browser.post("/identity/register", data={**DETAILS, "csrf_token": csrf(form.text)})
    first_code = node.latest_sms(KWAME)

    reloaded = browser.get("/identity/register/code")
    switched = switch_language(browser, sent, locale)

    assert phone_in_any([sent, reloaded, switched], KWAME) == []
    assert switched.url.path == "/identity/register/code"
    for page in (reloaded, switched):
        assert page.status_code == 200 and 'name="code"' in page.text
        assert f'name="phone" value="{KWAME}"' in page.text
        assert 'name="name" value="Kwame  Charles"' in page.text
        assert 'name="birthdate" value="1995-07-01"' in page.text
    assert switched.headers["content-language"] == locale and words in switched.text
    assert node.latest_sms(KWAME) == first_code
    registered = browser.post(
        "/identity/register/code",
        data={**DETAILS, "code": node.code_sent_to(KWAME), "csrf_token": csrf(switched.text)},
        follow_redirects=False,
    )
    assert registered.status_code == 303 and registered.headers["location"] == "/identity/me"
    assert f'{PENDING_REGISTRATION}=""' in registered.headers["set-cookie"]


def test_the_registration_code_step_without_a_pending_registration_goes_to_the_details(
    node: Node,
) -> None:
    answer = node.browser().get("/identity/register/code", follow_redirects=False)

    assert answer.status_code == 303 and answer.headers["location"] == "/identity/register"
