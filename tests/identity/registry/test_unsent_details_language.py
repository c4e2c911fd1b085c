"""A registration or an agent's enrolment read in another language before it is sent: the
header's language buttons send the form (`switch_keeps`) to be kept in this browser's signed
cookie, so it comes back as typed in the new language, with no problem named (nothing was sent
yet), no code texted, no one enrolled, and nothing typed in any address."""

from __future__ import annotations

import re

from comptoir.identity.registry.service import find_person_by_phone
from tests.identity.registry.conftest import KWAME, Node, csrf
from tests.identity.registry.test_code_step_addresses import phone_in_any
from tests.identity.registry.test_pages import agent_browser
from tests.identity.registry.test_refused_registration_language import TYPED

HALF_TYPED = {**TYPED, "birthdate_year": ""}  # not finished: would be refused if sent


def test_a_registration_switched_before_it_is_sent_comes_back_as_typed_and_sends_no_code(
    node: Node,
) -> None:
    browser = node.browser(**{"accept-language": "en"})
    form = browser.get("/identity/register")
    assert 'form="register-details"' in form.text  # the header's buttons send this form

    switched = browser.post(
        "/identity/register",
        data={**HALF_TYPED, "lang": "fr", "csrf_token": csrf(form.text)},
    )

    assert switched.status_code == 200 and 'lang="fr"' in switched.text
    for field in ("name", "phone", "birthdate_day", "birthdate_month"):
        assert re.search(
            rf'id="{field}" name="{field}"[^>]* value="{re.escape(TYPED[field])}"', switched.text
        )
    assert 'aria-invalid="true"' not in switched.text
    assert 'name="refused"' not in switched.text
    assert phone_in_any([*switched.history, switched], KWAME) == []
    assert node.latest_sms(KWAME) is None


def test_a_refused_registration_switched_from_the_header_names_its_problems_again(
    node: Node,
) -> None:
    browser = node.browser(**{"accept-language": "fr"})
    form = browser.get("/identity/register")
    refused = browser.post("/identity/register", data={**TYPED, "csrf_token": csrf(form.text)})
    assert refused.status_code == 400 and 'name="refused" value="1"' in refused.text

    switched = browser.post(
        "/identity/register",
        data={**TYPED, "refused": "1", "lang": "en", "csrf_token": csrf(refused.text)},
    )

    assert switched.status_code == 200 and "This date of birth is not a real date." in switched.text
    assert node.latest_sms(KWAME) is None


def test_an_enrolment_switched_before_it_is_sent_enrols_no_one(node: Node) -> None:
    browser = agent_browser(node, "fr")
    page = browser.get("/identity/agent")
    assert 'form="enrol"' in page.text

    switched = browser.post(
        "/identity/agent/enrol",
        data={**TYPED, "birthdate_day": "28", "lang": "en", "csrf_token": csrf(page.text)},
    )

    assert switched.status_code == 200 and 'lang="en"' in switched.text
    assert 'value="Kwame Charles"' in switched.text and f'value="{KWAME}"' in switched.text
    assert 'aria-invalid="true"' not in switched.text
    assert phone_in_any([*switched.history, switched], KWAME) == []
    with node.database.reading() as session:
        assert find_person_by_phone(session, phone=KWAME) is None
    assert node.latest_sms(KWAME) is None


def test_a_failed_unlock_does_not_mark_the_enrolment_form_refused(node: Node) -> None:
    browser = agent_browser(node, "en")
    page = browser.get("/identity/agent")

    failed = browser.post(
        "/identity/agent/unlock",
        data={"unlock_phone": "+17585550999", "csrf_token": csrf(page.text)},
    )

    assert failed.status_code == 400
    assert 'name="refused"' not in failed.text


def test_a_preferred_language_left_as_the_pages_follows_the_switch_and_a_chosen_one_stays(
    node: Node,
) -> None:
    for typed, switched_to, kept in (("en", "fr", "fr"), ("fr", "en", "fr"), ("en", "en", "en")):
        browser = node.browser(**{"accept-language": "en"})
        form = browser.get("/identity/register")
        data = {**HALF_TYPED, "locale": typed, "lang": switched_to, "csrf_token": csrf(form.text)}

        switched = browser.post("/identity/register", data=data)

        assert re.search(rf'<option value="{kept}" lang="{kept}" selected>', switched.text)
