"""A shop owner whose phone is refused at sign-in, then reads the page in another language,
finds the number as typed and why it was refused, in that language; the number waits in a
cookie of the sign-in pages, never in an address, and goes when the form is opened afresh."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from tests.apps.seller.test_pages import csrf, site
from tests.apps.seller.world import PLATFORM, World
from tests.support.addresses import without_ids

__all__ = ["site"]  # the fixture, used by name


def test_a_phone_refused_at_sign_in_read_in_french_keeps_the_number_out_of_every_address(
    site: tuple[TestClient, World],
) -> None:
    client, _ = site
    form = client.get(f"/sellers/{PLATFORM}/signin")
    refused = client.post(
        f"/sellers/{PLATFORM}/signin", data={"phone": "555 077", "csrf_token": csrf(form.text)}
    )
    assert refused.status_code == 400
    back_to = re.search(r'name="next" value="([^"]+)"', refused.text)
    assert back_to is not None

    switched = client.post(
        "/language",
        data={
            "lang": "fr",
            "next": html.unescape(back_to.group(1)),
            "csrf_token": csrf(refused.text),
        },
    )

    assert switched.status_code == 200 and 'lang="fr"' in switched.text
    assert 'value="555 077"' in switched.text
    assert "Écrivez le numéro de téléphone avec l&#39;indicatif du pays." in switched.text
    sent = [answer.headers["location"] for answer in switched.history]
    links = re.findall(r'(?:href|action)="([^"]*)"', switched.text)
    for address in map(without_ids, [back_to.group(1), *sent, *links]):
        assert "555" not in address and "077" not in address
    assert 'value="555 077"' not in client.get(f"/sellers/{PLATFORM}/signin").text
    assert 'value="555 077"' not in client.get(html.unescape(back_to.group(1))).text
