"""The business registration form sent by a language button (the header's, `switch_keeps`):
nothing is registered, what was typed waits in a short-lived signed cookie (never in an
address) and comes back in the new language, with the problems of a refused form said again."""

from __future__ import annotations

import pytest

from comptoir.identity.registry.pages.pending import BUSINESS_DRAFT
from comptoir.identity.registry.service import businesses_of
from tests.identity.registry.conftest import Node, csrf
from tests.identity.registry.test_businesses import BUSINESS, signed_in_marie

pytestmark = pytest.mark.postgres

FORM = "/identity/me/businesses/new"


def test_a_language_button_keeps_the_typed_form_and_registers_nothing(node: Node) -> None:
    marie_id, browser = signed_in_marie(node)
    form = browser.get(FORM)

    switched = browser.post(
        FORM,
        data={**BUSINESS, "lang": "fr", "csrf_token": csrf(form.text)},
        follow_redirects=False,
    )

    assert switched.status_code == 303
    assert switched.headers["location"] == FORM + "?kept=1"
    assert BUSINESS_DRAFT in browser.cookies
    shown = browser.get(switched.headers["location"])
    assert 'lang="fr"' in shown.text and 'value="Marigot Market"' in shown.text
    assert 'value="lc-bn 2024/0117"' in shown.text
    assert '<option value="yes" selected>' in shown.text
    assert 'aria-invalid="true"' not in shown.text  # not sent yet: nothing refused
    with node.database.reading() as session:
        assert businesses_of(session, owner_id=marie_id) == []


def test_a_refused_form_switched_says_its_problems_again_in_the_new_language(
    node: Node,
) -> None:
    _marie_id, browser = signed_in_marie(node)
    form = browser.get(FORM)
    refused = browser.post(FORM, data={**BUSINESS, "address": "", "csrf_token": csrf(form.text)})
    assert refused.status_code == 400 and 'name="refused" value="1"' in refused.text

    shown = browser.post(
        FORM,
        data={
            **BUSINESS,
            "address": "",
            "refused": "1",
            "lang": "fr",
            "csrf_token": csrf(refused.text),
        },
    )

    assert shown.status_code == 200 and 'lang="fr"' in shown.text
    assert 'id="address-error"' in shown.text and "Write the business" not in shown.text
    assert 'value="Marigot Market"' in shown.text


def test_the_form_opened_afresh_forgets_the_kept_one_and_registering_clears_it(
    node: Node,
) -> None:
    marie_id, browser = signed_in_marie(node)
    form = browser.get(FORM)
    browser.post(FORM, data={**BUSINESS, "lang": "en", "csrf_token": csrf(form.text)})

    fresh = browser.get(FORM)

    assert "Marigot Market" not in fresh.text and BUSINESS_DRAFT not in browser.cookies
    browser.post(FORM, data={**BUSINESS, "lang": "en", "csrf_token": csrf(fresh.text)})
    registered = browser.post(
        FORM, data={**BUSINESS, "csrf_token": csrf(fresh.text)}, follow_redirects=False
    )
    assert registered.status_code == 303 and BUSINESS_DRAFT not in browser.cookies
    with node.database.reading() as session:
        assert [b.name for b in businesses_of(session, owner_id=marie_id)] == ["Marigot Market"]
