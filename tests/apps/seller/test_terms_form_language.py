"""The shop's terms read in another language half-way through: the header's language buttons
send the form (`switch_keeps`) to be kept in a signed cookie of the terms page, so it comes
back as typed in the new language and nothing is saved; a refused form keeps its problems,
said in the new language; nothing typed travels in an address."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from comptoir.apps.seller.models import Business
from tests.apps.seller.test_pages import csrf, sign_in, site  # noqa: F401 (a fixture)
from tests.apps.seller.world import PLATFORM, World
from tests.support.texts import Texts

TERMS = f"/sellers/{PLATFORM}/shop/terms"
TYPED = {
    "pickup": "yes",
    "delivery": "",
    "delivery_fee": "3.25",
    "cash_on_delivery": "",
    "payment_alias": "cocoa@helen-cu",
    "return_days": "21",
}


def _saved(world: World) -> tuple[int, int, str | None]:
    with world.seller.database.reading() as session:
        business = session.get(Business, world.business_id)
        assert business is not None
        return business.delivery_fee, business.return_days, business.payment_alias


def test_the_terms_switched_to_french_come_back_as_typed_and_nothing_is_saved(
    site: tuple[TestClient, World],  # noqa: F811 (the fixture)
    texts: Texts,
) -> None:
    client, world = site
    sign_in(client, texts)
    form = client.get(TERMS)
    assert 'form="terms"' in form.text
    before = _saved(world)

    switched = client.post(TERMS, data={**TYPED, "lang": "fr", "csrf_token": csrf(form.text)})

    assert switched.status_code == 200 and 'lang="fr"' in switched.text
    assert [answer.headers["location"] for answer in switched.history] == [TERMS + "?kept=1"]
    for field in ("delivery_fee", "payment_alias", "return_days"):
        assert f'value="{TYPED[field]}"' in switched.text
    assert 'id="pickup" name="pickup" type="checkbox" value="yes" checked' in switched.text
    assert 'id="delivery" name="delivery" type="checkbox" value="yes">' in switched.text
    assert 'id="cash_on_delivery" name="cash_on_delivery" type="checkbox" value="yes">' in (
        switched.text
    )
    assert 'aria-invalid="true"' not in switched.text
    assert 'name="refused"' not in switched.text
    assert _saved(world) == before
    assert "cocoa@helen-cu" not in client.get(TERMS).text  # opened afresh: the saved terms


def test_refused_terms_switched_to_french_name_their_problems_in_french(
    site: tuple[TestClient, World],  # noqa: F811 (the fixture)
    texts: Texts,
) -> None:
    client, world = site
    sign_in(client, texts)
    form = client.get(TERMS)
    wrong = {**TYPED, "pickup": "", "return_days": "four hundred"}
    refused = client.post(TERMS, data={**wrong, "csrf_token": csrf(form.text)})
    assert refused.status_code == 400 and 'name="refused" value="1"' in refused.text
    assert "Write the return period in days" in refused.text
    before = _saved(world)

    switched = client.post(
        TERMS, data={**wrong, "refused": "1", "lang": "fr", "csrf_token": csrf(refused.text)}
    )

    assert 'lang="fr"' in switched.text and 'value="four hundred"' in switched.text
    assert 'id="return_days-error"' in switched.text and 'id="fulfilment-error"' in switched.text
    assert "Write the return period in days" not in switched.text  # said in French
    days_box = r'id="return_days" name="return_days"[^>]* value="four hundred" aria-invalid="true"'
    assert re.search(days_box, switched.text)
    assert 'name="refused" value="1"' in switched.text  # still refused, if switched again
    assert _saved(world) == before


def test_saving_the_terms_forgets_what_a_switch_kept(
    site: tuple[TestClient, World],  # noqa: F811 (the fixture)
    texts: Texts,
) -> None:
    client, world = site
    sign_in(client, texts)
    form = client.get(TERMS)
    switched = client.post(TERMS, data={**TYPED, "lang": "fr", "csrf_token": csrf(form.text)})

    saved = client.post(
        TERMS,
        data={
            **TYPED,
            "delivery_fee": "3,25",  # written the French way, as the page now reads it
            "payment_alias": "nutmeg@helen-cu",
            "csrf_token": csrf(switched.text),
        },
    )

    assert saved.status_code == 200, saved.text
    assert _saved(world) == (325, 21, "nutmeg@helen-cu")
    again = client.get(TERMS + "?kept=1")
    assert 'value="nutmeg@helen-cu"' in again.text  # the saved terms, not the kept draft
    assert 'value="3,25"' in again.text  # the saved fee, written the French way
