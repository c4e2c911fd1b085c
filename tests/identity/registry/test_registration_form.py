"""The registration and code forms as a person fills them in: the date of birth in three boxes
(day, month, year), every problem of a form named at once, each at its own field, and a
mistyped one-time code asked for again without costing a try."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from comptoir.identity.registry.models import Person
from tests.identity.registry.conftest import KWAME, MARIE, Node, csrf


def people(node: Node) -> int:
    with node.database.reading() as session:
        return session.scalar(select(func.count()).select_from(Person)) or 0


def invalid_fields(html: str) -> set[str]:
    return set(re.findall(r'id="([^"]+)"[^>]*aria-invalid="true"', html))


def test_an_empty_form_names_every_missing_field_at_once_and_sends_no_code(node: Node) -> None:
    browser = node.browser()
    form = browser.get("/identity/register")

    answer = browser.post("/identity/register", data={"csrf_token": csrf(form.text)})

    assert answer.status_code == 400
    summary = answer.text.split('id="form-error"')[1].split("</div>")[0]
    assert "There are 3 problems" in summary
    assert [link for link, _ in re.findall(r'<a href="#(\w+)">([^<]+)</a>', summary)] == [
        "name",
        "phone",
        "birthdate",
    ]
    # Each field says its own problem beside it, and is marked for assistive technology.
    assert {"name", "phone", "birthdate_day", "birthdate_month", "birthdate_year"} <= (
        invalid_fields(answer.text)
    )
    assert 'id="birthdate-error"' in answer.text
    assert "national_id" not in invalid_fields(answer.text)
    assert people(node) == 0 and node.latest_sms(KWAME) is None


def test_the_date_of_birth_given_in_three_boxes_registers_the_person(node: Node) -> None:
    browser = node.browser()
    form = browser.get("/identity/register")
    assert 'inputmode="numeric"' in form.text and 'type="date"' not in form.text

    sent = browser.post(
        "/identity/register",
        data={
            "name": "Kwame Charles",
            "phone": KWAME,
            "birthdate_day": "1",
            "birthdate_month": "7",
            "birthdate_year": "1995",
            "locale": "en",
            "csrf_token": csrf(form.text),
        },
    )
    assert sent.status_code == 200, sent.text
    # The code step carries the date on as one ISO value.
    assert 'name="birthdate" value="1995-07-01"' in sent.text
    done = browser.post(
        "/identity/register/code",
        data={
            "name": "Kwame Charles",
            "phone": KWAME,
            "birthdate": "1995-07-01",
            "locale": "en",
            "code": node.code_sent_to(KWAME),
            "csrf_token": csrf(sent.text),
        },
        follow_redirects=False,
    )

    assert done.status_code == 303
    with node.database.reading() as session:
        person = session.scalars(select(Person)).one()
    assert person.birthdate.isoformat() == "1995-07-01"


def test_a_date_that_does_not_exist_is_refused_in_french_and_the_boxes_keep_what_was_typed(
    node: Node,
) -> None:
    browser = node.browser(**{"accept-language": "fr"})
    form = browser.get("/identity/register")

    answer = browser.post(
        "/identity/register",
        data={
            "name": "Kwame Charles",
            "phone": KWAME,
            "birthdate_day": "31",
            "birthdate_month": "2",
            "birthdate_year": "1995",
            "locale": "fr",
            "csrf_token": csrf(form.text),
        },
    )

    assert answer.status_code == 400
    assert "Cette date de naissance n&#39;existe pas" in answer.text
    assert invalid_fields(answer.text) == {"birthdate_day", "birthdate_month", "birthdate_year"}
    for box, typed in (("day", "31"), ("month", "2"), ("year", "1995")):
        assert re.search(
            rf'id="birthdate_{box}" name="birthdate_{box}" value="{typed}"', answer.text
        )
    assert people(node) == 0 and node.latest_sms(KWAME) is None


def test_a_mistyped_code_is_asked_for_again_and_costs_none_of_the_three_tries(
    node: Node,
) -> None:
    from tests.identity.registry.test_login import ask_code, enrol, send_code, wrong

    enrol(node)
    browser = node.browser(**{"accept-language": "fr"})
    page = ask_code(browser, MARIE)
    code = node.code_sent_to(MARIE)

    slips = [page]
    for typed in ("", "12", "abcdef", "1234567", "١٢٣٤٥٦", "", "12"):
        slips.append(send_code(browser, slips[-1].text, MARIE, typed))
    assert {answer.status_code for answer in slips[1:]} == {400}
    assert "Indiquez le code à 6 chiffres" in slips[-1].text
    assert 'name="code"' in slips[-1].text  # still the code step
    assert 'aria-invalid="true"' in slips[-1].text
    # Two real wrong guesses after seven slips: not yet locked.
    second = send_code(
        browser, send_code(browser, slips[-1].text, MARIE, wrong(code)).text, MARIE, wrong(code)
    )
    assert second.status_code == 400
    # Typed as a message may show it, with a space, the code signs in.
    signed_in = send_code(browser, second.text, MARIE, f"{code[:3]} {code[3:]}")
    assert signed_in.status_code == 303


def test_a_mistyped_enrolment_code_keeps_the_code_step_and_registers_nobody(node: Node) -> None:
    browser = node.browser()
    form = browser.get("/identity/register")
    details = {
        "name": "Kwame Charles",
        "phone": KWAME,
        "birthdate": "1995-07-01",
        "locale": "en",
    }
    sent = browser.post("/identity/register", data={**details, "csrf_token": csrf(form.text)})

    slip = browser.post(
        "/identity/register/code",
        data={**details, "code": "12 34", "csrf_token": csrf(sent.text)},
    )

    assert slip.status_code == 400
    assert "Enter the 6-figure code we sent you." in slip.text
    assert 'name="code"' in slip.text and "Send me a new code" in slip.text
    assert people(node) == 0


def test_a_name_with_control_characters_is_refused_at_its_field_and_sends_no_code(
    node: Node,
) -> None:
    browser = node.browser(**{"accept-language": "fr"})
    form = browser.get("/identity/register")

    # A NUL, which PostgreSQL cannot store, and a bell, which no page can show.
    for name in ("Kwame\x00 Charles", "Kwame Charles\x07"):
        answer = browser.post(
            "/identity/register",
            data={
                "name": name,
                "phone": KWAME,
                "birthdate": "1995-07-01",
                "locale": "fr",
                "csrf_token": csrf(form.text),
            },
        )

        assert answer.status_code == 400
        assert invalid_fields(answer.text) == {"name"}
        assert 'id="name-error"' in answer.text
        assert "caractères de contrôle invisibles" in answer.text or (
            "invisible control characters" in answer.text
        )
        assert 'id="phone" name="phone" type="tel" value="+17585550102"' in answer.text
    assert people(node) == 0 and node.latest_sms(KWAME) is None
