"""The demo's seeded words on French pages: what the demo's operator writes is in the
catalogue, shown in the reader's language; what a person typed stays in theirs."""

from __future__ import annotations

from pathlib import Path

import pytest

from comptoir import demo
from comptoir.identity.oidc.service.clients import list_clients
from comptoir.identity.registry.service import list_businesses
from comptoir.kernel.db import Database, upgrade
from comptoir.kernel.i18n import LazyText
from comptoir.kernel.settings import load_settings

pytestmark = pytest.mark.slow


def test_the_demo_services_say_why_in_words_the_catalogue_translates(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, default_locale="fr")
    database = Database.from_url(settings.resolved_database_url)
    try:
        upgrade(database.engine)
        demo.ensure_node_keys(settings)
        demo.seed(settings)
        with database.reading() as session:
            purposes = {client.name: client.purpose for client in list_clients(session)}
            sectors = {business.name: business.sector for business in list_businesses(session)}
    finally:
        database.dispose()

    # Stored as the catalogue's words, so that each reader sees them in their language.
    assert purposes["Island Wallet"] == demo.WALLET_PURPOSE
    assert purposes["Island Market"] == demo.SHOP_PURPOSE
    assert LazyText(demo.WALLET_PURPOSE).render("fr") != demo.WALLET_PURPOSE
    assert LazyText(demo.SHOP_PURPOSE).render("fr") != demo.SHOP_PURPOSE
    # Celestine Auguste, who registered Soufriere Spice Co, writes in French.
    assert sectors["Soufriere Spice Co"] == "Épices et condiments"
    assert sectors["Marigot Market"] == "Food retail"
