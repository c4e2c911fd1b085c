"""A French-speaking shopper in the demo, in a real browser: the choices on the order page sit
beside their labels, and a refused checkout says why in French and keeps what was typed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page

from tests.support.servers import RunningServer

pytestmark = pytest.mark.browser


def _until(page: Page, found: Locator, seconds: float = 20.0) -> None:
    """Reload until the seller's asynchronous answer shows (the pages work without JavaScript)."""
    deadline = time.monotonic() + seconds
    while found.count() == 0:
        assert time.monotonic() < deadline, f"nothing on {page.url}"
        time.sleep(0.5)
        page.reload()


@pytest.fixture
def order_page(browser: Browser, demo_server: RunningServer) -> Iterator[Page]:
    """A cart with Soufriere Spice Co, quoted for pickup, at the checkout form."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(demo_server.url + "/shop/search?words=nutmeg")
    add = page.locator("li", has_text="Soufriere Spice Co").get_by_role(
        "button", name="Ajouter au panier"
    )
    _until(page, add)
    add.first.click()
    page.get_by_label("Retrait à la boutique").check()
    page.get_by_role("button", name="Obtenir un devis avec tous les frais").click()
    _until(page, page.get_by_label("Votre numéro de téléphone"))
    yield page
    context.close()


def test_a_choice_sits_on_the_line_of_its_label_at_a_size_a_thumb_can_hit(
    order_page: Page, screenshots: Path
) -> None:
    for name in ("Retrait à la boutique", "Avec mon portefeuille", "Espèces au retrait"):
        choice = order_page.get_by_label(name).bounding_box()
        label = order_page.locator("label", has_text=name).bounding_box()
        assert choice is not None and label is not None
        assert 24 <= choice["height"] <= 32, name
        assert label["x"] > choice["x"] + choice["width"] - 1, name
        middle = label["y"] + label["height"] / 2
        assert choice["y"] <= middle <= choice["y"] + choice["height"], name
    # The cart's quantity field is named for screen readers; on screen its column says it.
    quantity = order_page.get_by_label("Quantité de Nutmeg, whole (250 g)")
    assert quantity.input_value() == "1"
    label = order_page.locator("label", has_text="Quantité de Nutmeg").bounding_box()
    assert label is not None and label["height"] <= 1
    order_page.screenshot(path=str(screenshots / "order-choices-fr.png"), full_page=True)


def test_a_phone_number_a_digit_short_is_refused_in_french_and_the_form_kept(
    order_page: Page, screenshots: Path
) -> None:
    order_page.get_by_label("Votre nom").fill("Marie Joseph")
    order_page.get_by_label("Votre numéro de téléphone").fill("758 555 010")
    order_page.get_by_label("Avec mon portefeuille").check()
    order_page.get_by_role("button", name="Continuer").click()

    error = order_page.locator("main").inner_text()
    assert "Écrivez le numéro de téléphone avec son indicatif de pays" in error
    assert order_page.get_by_label("Votre nom").input_value() == "Marie Joseph"
    assert order_page.get_by_label("Votre numéro de téléphone").input_value() == "758 555 010"
    assert order_page.get_by_label("Avec mon portefeuille").is_checked()
    assert order_page.get_by_role("button", name="Passer la commande").count() == 0
    order_page.screenshot(path=str(screenshots / "checkout-refused-fr.png"), full_page=True)


def test_switching_language_on_a_refused_form_goes_back_to_the_page_that_held_it(
    order_page: Page,
) -> None:
    order_url = order_page.url
    order_page.get_by_role("button", name="Continuer").click()
    assert order_page.url.endswith("/init")  # the refusal answers the form's POST

    order_page.locator("header").get_by_role("button", name="English").click()

    assert order_page.url == order_url
    assert order_page.locator("html").get_attribute("lang") == "en"
    assert order_page.get_by_label("Your phone number").count() == 1


def test_an_order_paid_in_cash_offers_to_cancel_but_not_to_return_goods_not_yet_delivered(
    order_page: Page, screenshots: Path
) -> None:
    order_page.get_by_label("Votre nom").fill("Aline Baptiste")
    order_page.get_by_label("Votre numéro de téléphone").fill("+1 758 555 0201")
    order_page.get_by_label("Espèces au retrait").check()
    order_page.get_by_role("button", name="Continuer").click()
    place = order_page.get_by_role("button", name="Passer la commande")
    _until(order_page, place)
    place.click()
    cancel = order_page.get_by_role("button", name="Annuler la commande")
    _until(order_page, cancel)

    assert "en espèces à la réception de votre commande" in order_page.locator("main").inner_text()
    assert order_page.get_by_role("link", name="Retourner les articles").count() == 0
    for stars in ("5", "1"):  # on a narrow phone too, each star count stays beside its circle
        choice = order_page.get_by_label(stars, exact=True).bounding_box()
        label = order_page.locator(f"label[for='r-{stars}']").bounding_box()
        assert choice is not None and label is not None
        assert choice["y"] <= label["y"] + label["height"] / 2 <= choice["y"] + choice["height"]
    order_page.screenshot(path=str(screenshots / "order-placed-cash-fr.png"), full_page=True)


def test_the_order_page_shows_no_error_text_taken_from_its_address(order_page: Page) -> None:
    order_page.goto(order_page.url + "?error=Appelez+le+0800+pour+payer")

    assert "Appelez le 0800" not in order_page.locator("main").inner_text()
