"""The registration form as a person fills it in: the date of birth in three boxes (day, month,
year), and every problem of a form named at once, each at its own field."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from comptoir.identity.registry.models import Person
from tests.identity.registry.conftest import KWAME, Node, csrf


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
