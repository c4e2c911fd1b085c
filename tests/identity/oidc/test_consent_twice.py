"""The consent form sent twice (a double click, a second press on a slow link): the second
press leads where the first did, with the same code while it is unused, and never makes a
second code or a second consent."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from comptoir.identity.oidc.models import AuthorizationCode, Consent
from comptoir.identity.oidc.provider import CODE_SECONDS
from comptoir.kernel.oidc import callback_parameters
from tests.identity.oidc.world import CSRF_FIELD, ISSUER, REQUEST_ID_FIELD, World, hidden


def press(browser: TestClient, page: str, decision: str = "allow") -> tuple[int, str, str]:
    """One press of a button of the consent screen: the status, the redirect, the page."""
    answer = browser.post(
        "/identity/oidc/consent",
        data={
            "csrf_token": hidden(page, CSRF_FIELD),
            "request_id": hidden(page, REQUEST_ID_FIELD),
            "decision": decision,
            "claim": ["name"],
        },
        follow_redirects=False,
    )
    return answer.status_code, answer.headers.get("location", ""), answer.text


def counted(world: World) -> tuple[int, int]:
    """How many consent versions and codes the provider wrote."""
    with world.database.reading() as session:
        return (
            session.scalar(select(func.count()).select_from(Consent)) or 0,
            session.scalar(select(func.count()).select_from(AuthorizationCode)) or 0,
        )


def test_a_second_press_of_share_gives_the_same_redirect_and_no_second_code_or_consent(
    world: World,
) -> None:
    shop = world.register_client()
    marie = world.enrol()
    start = shop.begin(scope="openid profile")
    page = world.consent_page(marie, start)

    first = press(marie.browser, page)
    second = press(marie.browser, page)

    assert first[0] == second[0] == 303
    assert second[1] == first[1]
    assert "code" in callback_parameters(first[1])
    assert counted(world) == (1, 1)
    # The browser followed the second answer: its code signs the person in.
    tokens = shop.finish(start, second[1])
    assert shop.userinfo(tokens)["name"] == "Marie Joseph"


def test_a_press_of_refuse_after_share_still_gives_the_first_answer(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    page = world.consent_page(marie, shop.begin(scope="openid profile"))

    first = press(marie.browser, page)
    second = press(marie.browser, page, "deny")

    assert second[1] == first[1] and "code" in callback_parameters(second[1])
    assert counted(world) == (1, 1)


def test_a_second_press_of_refuse_repeats_the_refusal(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    page = world.consent_page(marie, shop.begin(scope="openid profile"))

    first = press(marie.browser, page, "deny")
    second = press(marie.browser, page, "deny")

    assert second[0] == 303 and second[1] == first[1]
    assert callback_parameters(second[1])["error"] == "access_denied"
    assert counted(world) == (0, 0)


@pytest.mark.parametrize(
    ("locale", "words"),
    [("en", "Back to Coconut Corner"), ("fr", "Se déconnecter")],
)
def test_a_press_after_the_code_was_redeemed_says_the_sign_in_went_on_in_the_persons_language(
    world: World, locale: str, words: str
) -> None:
    shop = world.register_client()
    marie = world.enrol()
    marie.browser.headers["accept-language"] = locale
    start = shop.begin(scope="openid profile")
    page = world.consent_page(marie, start)
    first = press(marie.browser, page)
    shop.finish(start, first[1])

    second = press(marie.browser, page)

    # Sending the used code again would make the token endpoint revoke what it gave.
    assert second[0] == 200 and second[1] == ""
    assert "code=" not in second[2]
    assert 'href="https://shop.example/"' in second[2]
    assert words in second[2]
    assert f'lang="{locale}"' in second[2]
    assert counted(world) == (1, 1)


def test_a_press_after_the_code_expired_sends_no_code(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    page = world.consent_page(marie, shop.begin(scope="openid profile"))
    press(marie.browser, page)
    world.clock.advance(timedelta(seconds=CODE_SECONDS + 1))

    second = press(marie.browser, page)

    assert second[0] == 200 and "code=" not in second[2]


def test_another_person_pressing_with_the_same_form_gets_nothing_of_the_first_answer(
    world: World,
) -> None:
    shop = world.register_client()
    marie = world.enrol()
    kwame = world.enrol(name="Kwame Charles")
    page = world.consent_page(marie, shop.begin(scope="openid profile"))
    first = press(marie.browser, page)
    # Kwame's own form, to carry his CSRF token, with Marie's request.
    his_page = world.consent_page(kwame, shop.begin(scope="openid profile"))
    forged = page.replace(hidden(page, CSRF_FIELD), hidden(his_page, CSRF_FIELD))

    second = press(kwame.browser, forged)

    assert second[0] == 400
    assert callback_parameters(first[1])["code"] not in second[2]


def test_two_presses_at_once_give_one_code_and_one_consent(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    page = world.consent_page(marie, shop.begin(scope="openid profile"))
    # A second browser tab of the same person: the same cookies, its own connection.
    other_tab = TestClient(world.app, base_url=ISSUER, cookies=marie.browser.cookies)
    answers: list[tuple[int, str, str]] = []
    ready = threading.Barrier(2)

    def press_now(browser: TestClient) -> None:
        ready.wait()
        answers.append(press(browser, page))

    presses = [
        threading.Thread(target=press_now, args=(browser,))
        for browser in (marie.browser, other_tab)
    ]
    for thread in presses:
        thread.start()
    for thread in presses:
        thread.join()

    assert [status for status, _, _ in answers] == [303, 303]
    assert answers[0][1] == answers[1][1]
    assert counted(world) == (1, 1)
