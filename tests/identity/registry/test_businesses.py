"""Businesses: registered by their owner, verified by the operator (or an agent, or the CLI)."""

from __future__ import annotations

import uuid

import pytest

from comptoir.identity.registry.service import (
    RegistryError,
    businesses_of,
    enrol_person,
    register_business,
)
from comptoir.kernel.audit import entries
from tests.identity.registry.conftest import MARIE, Node, csrf

pytestmark = pytest.mark.postgres


def signed_in_marie(node: Node):  # type: ignore[no-untyped-def]
    with node.database.transaction() as session:
        marie = enrol_person(
            session,
            name="Marie Joseph",
            phone=MARIE,
            birthdate="1988-03-14",
            actor="operator:test",
            clock=node.clock,
        )
    browser = node.browser()
    page = browser.get("/identity/login")
    sent = browser.post("/identity/login", data={"phone": MARIE, "csrf_token": csrf(page.text)})
    browser.post(
        "/identity/login/code",
        data={"phone": MARIE, "code": node.code_sent_to(MARIE), "csrf_token": csrf(sent.text)},
    )
    return marie.id, browser


BUSINESS = {
    "name": "Marigot Market",
    "registration_number": "lc-bn 2024/0117",
    "address": "Marigot Bay Road, Castries",
    "sector": "Food retail",
    "women_owned": "yes",
    "youth_owned": "",
}


def test_an_owner_registers_a_business_and_the_operator_verifies_it(node: Node) -> None:
    marie_id, browser = signed_in_marie(node)
    form = browser.get("/identity/me/businesses/new")
    assert form.status_code == 200

    added = browser.post(
        "/identity/me/businesses/new",
        data={**BUSINESS, "csrf_token": csrf(form.text)},
        follow_redirects=False,
    )
    assert added.status_code == 303
    me = browser.get("/identity/me")
    assert "Marigot Market" in me.text and "waiting for verification" in me.text
    with node.database.reading() as session:
        (waiting,) = businesses_of(session, owner_id=marie_id)
    assert waiting.registration_number == "LC-BN2024/0117"
    assert (waiting.women_owned, waiting.youth_owned, waiting.verified_at) == (True, None, None)
    assert waiting.owner_name == "Marie Joseph"

    operator = node.operator()
    listing = operator.get("/operator/identity/businesses")
    assert listing.status_code == 200 and "Marigot Market" in listing.text
    verified = operator.post(
        f"/operator/identity/businesses/{waiting.id}/verify",
        data={"csrf_token": csrf(listing.text)},
        follow_redirects=False,
    )

    assert verified.status_code == 303
    with node.database.reading() as session:
        (business,) = businesses_of(session, owner_id=marie_id)
        audit = entries(session, action="identity.business.verified")
    assert business.verified_at == node.clock.now()
    assert [(e.actor, e.subject) for e in audit] == [("operator:web", f"business:{business.id}")]
    again = operator.post(
        f"/operator/identity/businesses/{waiting.id}/verify",
        data={"csrf_token": csrf(listing.text)},
    )
    assert again.status_code == 400 and "already verified" in again.text


def test_the_operator_pages_need_the_operator(node: Node) -> None:
    _marie_id, browser = signed_in_marie(node)

    assert browser.get("/operator/identity/businesses").status_code == 401
    assert browser.get("/operator/sms").status_code == 401
    page = browser.get("/identity/me")
    answer = browser.post(
        f"/operator/identity/businesses/{uuid.uuid4()}/verify",
        data={"csrf_token": csrf(page.text)},
    )
    assert answer.status_code == 401


def test_a_registration_number_is_registered_once(node: Node) -> None:
    marie_id, browser = signed_in_marie(node)
    form = browser.get("/identity/me/businesses/new")
    browser.post("/identity/me/businesses/new", data={**BUSINESS, "csrf_token": csrf(form.text)})

    answer = browser.post(
        "/identity/me/businesses/new",
        data={**BUSINESS, "name": "Another", "csrf_token": csrf(form.text)},
    )

    assert answer.status_code == 400
    assert "already registered" in answer.text
    with node.database.reading() as session:
        assert len(businesses_of(session, owner_id=marie_id)) == 1


def test_a_business_without_an_address_is_refused_and_not_added(node: Node) -> None:
    marie_id, _browser = signed_in_marie(node)

    with pytest.raises(RegistryError) as refused, node.database.transaction() as session:
        register_business(
            session,
            owner_id=marie_id,
            name="Soufriere Spice Co",
            registration_number="LC-BN-2023-0042",
            address=" ",
            sector="Spices",
            actor=f"person:{marie_id}",
            clock=node.clock,
        )

    assert (refused.value.code, refused.value.field) == ("missing_address", "address")
    with node.database.reading() as session:
        assert businesses_of(session, owner_id=marie_id) == []


def test_a_business_form_names_every_problem_at_once_and_keeps_what_was_typed(
    node: Node,
) -> None:
    marie_id, browser = signed_in_marie(node)
    form = browser.get("/identity/me/businesses/new")

    answer = browser.post(
        "/identity/me/businesses/new",
        data={
            "name": "",
            "registration_number": "!",
            "address": "Marigot Bay Road\x00",
            "sector": "",
            "women_owned": "yes",
            "csrf_token": csrf(form.text),
        },
    )

    assert answer.status_code == 400
    assert "There are 4 problems" in answer.text
    for field in ("name", "registration_number", "address", "sector"):
        assert f'id="{field}-error"' in answer.text
    assert 'name="registration_number" type="text" value="!"' in answer.text
    assert '<option value="yes" selected>' in answer.text
    with node.database.reading() as session:
        assert businesses_of(session, owner_id=marie_id) == []


def test_the_same_business_form_sent_twice_registers_one_business_and_both_answers_agree(
    node: Node,
) -> None:
    marie_id, browser = signed_in_marie(node)
    form = browser.get("/identity/me/businesses/new")
    data = {**BUSINESS, "csrf_token": csrf(form.text)}

    first = browser.post("/identity/me/businesses/new", data=data, follow_redirects=False)
    second = browser.post("/identity/me/businesses/new", data=data, follow_redirects=False)

    assert (first.status_code, second.status_code) == (303, 303)
    assert first.headers["location"] == second.headers["location"] == "/identity/me#businesses"
    with node.database.reading() as session:
        assert len(businesses_of(session, owner_id=marie_id)) == 1
        registered = entries(session, action="identity.business.registered")
    assert len(registered) == 1
