"""A refused registration (or login phone) read in another language comes back as typed, its
problems said again in that language, with nothing typed in any address: the details wait in
a short-lived signed cookie, forgotten once a code is sent or the form is opened afresh."""

from __future__ import annotations

import re

import httpx

from comptoir.identity.registry.pages.pending import REFUSED_REGISTRATION
from tests.identity.registry.conftest import KWAME, Node, csrf
from tests.identity.registry.test_code_step_addresses import (
    addresses,
    phone_in_any,
    switch_language,
)
from tests.identity.registry.test_pages import agent_browser
from tests.identity.registry.test_registration_form import invalid_fields

TYPED = {
    "name": "Kwame Charles",
    "phone": KWAME,
    "birthdate_day": "31",
    "birthdate_month": "2",
    "birthdate_year": "1995",
    "national_id": "LC-1995-0231",
    "locale": "fr",
}


def test_a_refused_registration_read_in_english_keeps_what_was_typed_and_says_why(
    node: Node,
) -> None:
    browser = node.browser(**{"accept-language": "fr"})
    form = browser.get("/identity/register")
    refused = browser.post("/identity/register", data={**TYPED, "csrf_token": csrf(form.text)})
    assert refused.status_code == 400 and "Cette date de naissance n&#39;existe pas" in refused.text

    switched = switch_language(browser, refused, "en")

    assert switched.status_code == 200 and 'lang="en"' in switched.text
    assert "This date of birth is not a real date." in switched.text
    assert invalid_fields(switched.text) == {"birthdate_day", "birthdate_month", "birthdate_year"}
    for field in ("name", "phone", "birthdate_day", "birthdate_month", "birthdate_year"):
        assert re.search(
            rf'id="{field}" name="{field}"[^>]* value="{re.escape(TYPED[field])}"', switched.text
        )
    assert 'value="LC-1995-0231"' in switched.text
    assert re.search(r'<option value="fr" lang="fr" selected>', switched.text)
    answers = [refused, *switched.history, switched]
    assert phone_in_any(answers, KWAME) == []
    assert not any("1995" in address or "Kwame" in address for address in _all(answers))
    assert node.latest_sms(KWAME) is None


def _all(answers: list[httpx.Response]) -> list[str]:
    return [address for answer in answers for address in addresses(answer)]


def test_the_registration_form_opened_afresh_forgets_the_refused_one(node: Node) -> None:
    browser = node.browser()
    form = browser.get("/identity/register")
    browser.post("/identity/register", data={**TYPED, "csrf_token": csrf(form.text)})
    assert REFUSED_REGISTRATION in browser.cookies

    fresh = browser.get("/identity/register")

    assert "Kwame Charles" not in fresh.text and REFUSED_REGISTRATION not in browser.cookies
    assert "Kwame Charles" not in browser.get("/identity/register?kept=1").text


def test_a_registration_whose_code_is_sent_leaves_no_refused_form_behind(node: Node) -> None:
    browser = node.browser()
    form = browser.get("/identity/register")
    token = csrf(form.text)
    browser.post("/identity/register", data={**TYPED, "csrf_token": token})

    sent = browser.post(
        "/identity/register", data={**TYPED, "birthdate_day": "28", "csrf_token": token}
    )

    assert sent.status_code == 200 and node.latest_sms(KWAME) is not None
    assert REFUSED_REGISTRATION not in browser.cookies


def test_an_agents_refused_enrolment_read_in_english_keeps_the_persons_details(
    node: Node,
) -> None:
    browser = agent_browser(node, "fr")
    page = browser.get("/identity/agent")
    refused = browser.post("/identity/agent/enrol", data={**TYPED, "csrf_token": csrf(page.text)})
    assert refused.status_code == 400

    switched = switch_language(browser, refused, "en")

    assert switched.status_code == 200 and "This date of birth is not a real date." in switched.text
    assert 'value="Kwame Charles"' in switched.text and f'value="{KWAME}"' in switched.text
    assert 'value="LC-1995-0231"' in switched.text
    assert phone_in_any([refused, *switched.history, switched], KWAME) == []
    assert 'value="Kwame Charles"' not in browser.get("/identity/agent").text
    assert node.latest_sms(KWAME) is None


def test_a_phone_refused_at_login_read_in_french_keeps_the_number_and_its_way_on(
    node: Node,
) -> None:
    browser = node.browser()
    form = browser.get("/identity/login?next=/identity/me")
    refused = browser.post(
        "/identity/login",
        # A local number one digit short: the node reads Saint Lucian numbers without +1.
        data={"phone": "758 555 077", "next": "/identity/me", "csrf_token": csrf(form.text)},
    )
    assert refused.status_code == 400

    switched = switch_language(browser, refused, "fr")

    assert switched.status_code == 200 and 'lang="fr"' in switched.text
    assert 'value="758 555 077"' in switched.text and 'aria-invalid="true"' in switched.text
    assert "Ce numéro de téléphone n'est pas valide" in switched.text.replace("&#39;", "'")
    assert 'name="next" value="/identity/me"' in switched.text
    assert not any("555" in address for address in _all([refused, *switched.history, switched]))
    assert 'value="758 555 077"' not in browser.get("/identity/login").text
