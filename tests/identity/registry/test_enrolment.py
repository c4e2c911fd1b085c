"""Enrolment: by oneself over HTTP with a one-time code, assisted by an agent, and by the
operator; one person per phone number and per national id number."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from sqlalchemy import func, select

from comptoir.identity.registry.models import OneTimeCode, Person
from comptoir.identity.registry.service import (
    RegistryError,
    enrol_person,
    get_person,
    make_agent,
    method_locked,
    person_claims,
    set_method_lock,
)
from comptoir.identity.registry.session import SESSION_COOKIE
from comptoir.kernel.audit import entries
from tests.identity.registry.conftest import KWAME, MARIE, Node, csrf

pytestmark = pytest.mark.postgres

DETAILS = {
    "name": "Kwame  Charles",
    "phone": "+1 758 555 0102",
    "birthdate": "1995-07-01",
    "national_id": "lc-1995-0042",
    "locale": "fr",
}


def people(node: Node) -> int:
    with node.database.reading() as session:
        return session.scalar(select(func.count()).select_from(Person)) or 0


def test_a_person_registers_with_their_phone_and_a_code(node: Node) -> None:
    browser = node.browser()
    form = browser.get("/identity/register")
    sent = browser.post("/identity/register", data={**DETAILS, "csrf_token": csrf(form.text)})
    assert sent.status_code == 200
    assert people(node) == 0  # nothing is registered before the phone is proven
    assert node.code_sent_to(KWAME) in (node.latest_sms(KWAME) or "")

    done = browser.post(
        "/identity/register/code",
        data={
            **DETAILS,
            "phone": KWAME,
            "code": node.code_sent_to(KWAME),
            "csrf_token": csrf(sent.text),
        },
        follow_redirects=False,
    )

    assert done.status_code == 303 and done.headers["location"] == "/identity/me"
    assert SESSION_COOKIE in done.headers["set-cookie"]
    me = browser.get("/identity/me")
    assert "Kwame Charles" in me.text and "LC-1995-0042" in me.text
    with node.database.reading() as session:
        person = session.scalars(select(Person)).one()
        enrolled = entries(session, action="identity.person.enrolled")
        claims = person_claims(session, person_id=person.id)
    assert [(e.actor, e.subject, e.details) for e in enrolled] == [
        (f"person:{person.id}", f"person:{person.id}", {"channel": "self"})
    ]
    assert claims == {
        "name": "Kwame Charles",
        "phone_number": KWAME,
        "phone_number_verified": True,
        "birthdate": "1995-07-01",
        "locale": "fr",
    }


def test_the_code_form_sent_twice_registers_once_and_the_second_answer_says_to_log_in(
    node: Node,
) -> None:
    first_press = node.browser()
    form = first_press.get("/identity/register")
    sent = first_press.post("/identity/register", data={**DETAILS, "csrf_token": csrf(form.text)})
    # A second press sends the same form before the first answer comes back, so the browser
    # shows the second answer and never keeps the first one's cookie.
    second_press = node.browser()
    second_press.cookies = httpx.Cookies(first_press.cookies)
    data = {**DETAILS, "code": node.code_sent_to(KWAME), "csrf_token": csrf(sent.text)}

    first = first_press.post("/identity/register/code", data=data, follow_redirects=False)
    second = second_press.post("/identity/register/code", data=data, follow_redirects=False)

    assert first.status_code == 303
    assert second.status_code == 400
    assert "This phone number is registered now" in second.text
    assert "wrong" not in second.text
    assert 'id="phone-error"' in second.text and 'href="/identity/login"' in second.text
    assert people(node) == 1
    with node.database.reading() as session:
        code_state = session.get(OneTimeCode, KWAME)
    assert code_state is not None and code_state.failures == 0


def test_a_wrong_enrolment_code_registers_nobody(node: Node) -> None:
    browser = node.browser()
    form = browser.get("/identity/register")
    sent = browser.post("/identity/register", data={**DETAILS, "csrf_token": csrf(form.text)})
    code = node.code_sent_to(KWAME)

    answer = browser.post(
        "/identity/register/code",
        data={**DETAILS, "code": f"{(int(code) + 7) % 10**6:06d}", "csrf_token": csrf(sent.text)},
    )

    assert answer.status_code == 400
    assert people(node) == 0


def test_three_wrong_enrolment_codes_lock_signing_up_and_go_back_to_the_details(
    node: Node,
) -> None:
    browser = node.browser()
    form = browser.get("/identity/register")
    page = browser.post("/identity/register", data={**DETAILS, "csrf_token": csrf(form.text)})
    wrong = f"{(int(node.code_sent_to(KWAME)) + 7) % 10**6:06d}"

    for _ in range(3):
        page = browser.post(
            "/identity/register/code",
            data={**DETAILS, "code": wrong, "csrf_token": csrf(page.text)},
        )

    assert page.status_code == 429
    assert "Signing up with this number is locked until" in page.text
    assert 'name="code"' not in page.text  # no code can be typed any more
    assert 'value="Kwame  Charles"' in page.text  # what was typed is kept
    assert people(node) == 0


def test_asking_for_a_new_code_while_signing_up_is_locked_speaks_of_signing_up(
    node: Node,
) -> None:
    browser = node.browser()
    form = browser.get("/identity/register")
    page = browser.post("/identity/register", data={**DETAILS, "csrf_token": csrf(form.text)})
    wrong = f"{(int(node.code_sent_to(KWAME)) + 7) % 10**6:06d}"
    for _ in range(3):
        page = browser.post(
            "/identity/register/code",
            data={**DETAILS, "code": wrong, "csrf_token": csrf(page.text)},
        )

    again = browser.post("/identity/register", data={**DETAILS, "csrf_token": csrf(page.text)})

    assert again.status_code == 429
    assert "Signing up with this number is locked until" in again.text
    assert "Logging in" not in again.text
    assert 'id="phone-error"' in again.text and 'value="Kwame  Charles"' in again.text


def enrol_marie(node: Node, national_id: str | None = "LC-1988-0001") -> None:
    with node.database.transaction() as session:
        enrol_person(
            session,
            name="Marie Joseph",
            phone=MARIE,
            birthdate="1988-03-14",
            national_id=national_id,
            actor="operator:test",
            clock=node.clock,
        )


def test_a_phone_already_registered_is_refused_with_a_clear_message(node: Node) -> None:
    enrol_marie(node)
    browser = node.browser()
    form = browser.get("/identity/register")

    answer = browser.post(
        "/identity/register",
        data={**DETAILS, "phone": "+1 (758) 555-0101", "csrf_token": csrf(form.text)},
    )

    assert answer.status_code == 400
    assert "already registered with this phone number" in answer.text
    assert node.latest_sms(MARIE) is None
    assert people(node) == 1


def test_a_national_id_already_registered_is_refused_with_a_clear_message(node: Node) -> None:
    enrol_marie(node)
    browser = node.browser()
    form = browser.get("/identity/register")

    answer = browser.post(
        "/identity/register",
        data={**DETAILS, "national_id": "lc-1988-0001", "csrf_token": csrf(form.text)},
    )

    assert answer.status_code == 400
    assert "already registered with this national id number" in answer.text
    assert people(node) == 1


def test_a_phone_and_a_national_id_both_already_registered_are_named_at_once(
    node: Node,
) -> None:
    enrol_marie(node)
    browser = node.browser(**{"accept-language": "en"})
    form = browser.get("/identity/register")

    answer = browser.post(
        "/identity/register",
        data={
            **DETAILS,
            "phone": MARIE,
            "national_id": "lc-1988-0001",
            "locale": "en",
            "csrf_token": csrf(form.text),
        },
    )

    assert answer.status_code == 400
    assert "There are 2 problems" in answer.text
    assert 'id="phone-error"' in answer.text and 'id="national_id-error"' in answer.text
    assert node.latest_sms(MARIE) is None
    assert people(node) == 1


def test_a_date_of_birth_in_the_future_is_said_to_be_in_the_future(node: Node) -> None:
    with pytest.raises(RegistryError) as refused, node.database.transaction() as session:
        enrol_person(
            session,
            name="Aline Baptiste",
            phone="+17585550201",
            birthdate="2999-01-01",
            national_id=None,
            locale="en",
            actor="operator:test",
            clock=node.clock,
        )

    assert refused.value.text.render("en") == "This date of birth is in the future. Check the year."
    assert refused.value.text.render("fr") == (
        "Cette date de naissance est dans le futur. Vérifiez l'année."
    )


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"phone": MARIE}, "duplicate_phone"),
        ({"phone": "+33 6 12 34 56 78", "national_id": "lc-1988-0001"}, "duplicate_national_id"),
        ({"phone": "758 555 0199"}, "invalid_phone"),
        ({"birthdate": "2999-01-01"}, "invalid_birthdate"),
        ({"birthdate": "14/03/1988"}, "invalid_birthdate"),
        ({"name": "   "}, "missing_name"),
        ({"locale": "de"}, "invalid_locale"),
        ({"national_id": "x"}, "invalid_national_id"),
    ],
)
def test_the_service_refuses_duplicates_and_bad_input_and_adds_nobody(
    node: Node, changes: dict[str, str], code: str
) -> None:
    enrol_marie(node)
    arguments = {
        "name": "Aline Baptiste",
        "phone": "+17585550201",
        "birthdate": "1979-11-30",
        "national_id": None,
        "locale": "en",
        **changes,
    }

    with pytest.raises(RegistryError) as refused, node.database.transaction() as session:
        enrol_person(session, **arguments, actor="operator:test", clock=node.clock)  # type: ignore[arg-type]

    assert refused.value.code == code
    assert people(node) == 1


def test_an_agent_enrols_a_person_who_needs_help(node: Node) -> None:
    enrol_marie(node)
    with node.database.transaction() as session:
        agent = make_agent(session, phone=MARIE, actor="operator:test", clock=node.clock)
    browser = node.browser()
    page = browser.get("/identity/login")
    sent = browser.post("/identity/login", data={"phone": MARIE, "csrf_token": csrf(page.text)})
    browser.post(
        "/identity/login/code",
        data={"phone": MARIE, "code": node.code_sent_to(MARIE), "csrf_token": csrf(sent.text)},
    )
    form = browser.get("/identity/agent")
    assert form.status_code == 200

    answer = browser.post(
        "/identity/agent/enrol",
        data={
            "name": "Joseph Felix",
            "phone": "+17585550301",
            "birthdate": "1950-02-02",
            "locale": "fr",
            "csrf_token": csrf(form.text),
        },
    )

    assert answer.status_code == 200
    assert "Joseph Felix is registered" in answer.text
    assert "Joseph Felix" in (node.latest_sms("+17585550301") or "")
    with node.database.reading() as session:
        enrolled = entries(session, action="identity.person.enrolled")
        added = entries(session, action="identity.agent.added")
    assert enrolled[0].actor == f"person:{agent.id}"
    assert enrolled[0].details == {"channel": "agent"}
    assert [entry.subject for entry in added] == [f"person:{agent.id}"]


def test_a_person_who_is_not_an_agent_cannot_enrol_others(node: Node) -> None:
    enrol_marie(node)
    browser = node.browser()
    page = browser.get("/identity/login")
    sent = browser.post("/identity/login", data={"phone": MARIE, "csrf_token": csrf(page.text)})
    browser.post(
        "/identity/login/code",
        data={"phone": MARIE, "code": node.code_sent_to(MARIE), "csrf_token": csrf(sent.text)},
    )

    assert browser.get("/identity/agent").status_code == 403
    answer = browser.post(
        "/identity/agent/enrol",
        data={
            "name": "Joseph Felix",
            "phone": "+17585550301",
            "birthdate": "1950-02-02",
            "csrf_token": csrf(page.text),
        },
    )
    assert answer.status_code == 403
    assert people(node) == 1


def test_get_person_names_an_unknown_id(node: Node) -> None:
    with pytest.raises(RegistryError) as refused, node.database.reading() as session:
        get_person(session, person_id=uuid.uuid4())

    assert refused.value.code == "unknown_person"


def test_an_agent_unlocks_codes_for_a_person_who_locked_every_way_in(node: Node) -> None:
    enrol_marie(node)
    with node.database.transaction() as session:
        agent = make_agent(session, phone=MARIE, actor="operator:test", clock=node.clock)
        joseph = enrol_person(
            session,
            name="Joseph Felix",
            phone="+17585550301",
            birthdate="1950-02-02",
            actor="operator:test",
            clock=node.clock,
        )
        set_method_lock(
            session,
            person_id=joseph.id,
            method="otp",
            locked=True,
            actor=f"person:{joseph.id}",
            clock=node.clock,
        )
    browser = node.browser()
    page = browser.get("/identity/login")
    sent = browser.post("/identity/login", data={"phone": MARIE, "csrf_token": csrf(page.text)})
    browser.post(
        "/identity/login/code",
        data={"phone": MARIE, "code": node.code_sent_to(MARIE), "csrf_token": csrf(sent.text)},
    )
    form = browser.get("/identity/agent")

    unknown = browser.post(
        "/identity/agent/unlock",
        data={"unlock_phone": "+17585550999", "method": "otp", "csrf_token": csrf(form.text)},
    )
    unlocked = browser.post(
        "/identity/agent/unlock",
        data={"unlock_phone": "+17585550301", "method": "otp", "csrf_token": csrf(form.text)},
    )

    assert unknown.status_code == 400 and "No one is registered" in unknown.text
    assert re.search(r'id="unlock_phone"[^>]*aria-invalid="true"', unknown.text)
    assert unlocked.status_code == 200 and "unlocked for Joseph Felix" in unlocked.text
    with node.database.reading() as session:
        assert not method_locked(session, person_id=joseph.id, method="otp")
        (entry,) = entries(session, action="identity.method.unlocked")
    assert (entry.actor, entry.subject) == (f"person:{agent.id}", f"person:{joseph.id}")
