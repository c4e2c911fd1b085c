"""The switch's operator pages: states shown in the operator's language beside their names."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from comptoir.app import create_app
from comptoir.kernel.db import Database, upgrade
from comptoir.kernel.settings import load_settings
from comptoir.kernel.web.operator import sign_in_link
from comptoir.payments.services import settlement

FRENCH = {"accept-language": "fr", "accept": "text/html"}


def test_a_window_state_is_shown_in_the_operators_language_with_its_settlement_name(
    tmp_path: Path,
) -> None:
    settings = load_settings(data_dir=tmp_path)
    database = Database.from_url(settings.resolved_database_url)
    upgrade(database.engine)
    app = create_app(settings, database=database)
    with TestClient(app) as browser:
        node = app.state.node
        with database.transaction() as session:
            closed = settlement.close_window(session, clock=node.clock, actor="operator:test")
        browser.get(sign_in_link("", node.secret))
        overview = browser.get("/operator/switch", headers=FRENCH)
        english = browser.get("/operator/switch", headers={"accept": "text/html"})
        window = browser.get(f"/operator/switch/windows/{closed.id}", headers=FRENCH)
    database.dispose()

    assert overview.status_code == 200
    assert "Ouvert <small>(OPEN)</small>" in overview.text
    assert "Fermé <small>(CLOSED)</small>" in overview.text
    assert "Open <small>(OPEN)</small>" in english.text
    assert "Fermé <small>(CLOSED)</small>" in window.text


def test_an_open_window_offers_its_iso_20022_messages_only_once_it_is_closed(
    tmp_path: Path,
) -> None:
    settings = load_settings(data_dir=tmp_path)
    database = Database.from_url(settings.resolved_database_url)
    upgrade(database.engine)
    app = create_app(settings, database=database)
    with TestClient(app) as browser:
        node = app.state.node
        with database.transaction() as session:
            closed = settlement.close_window(session, clock=node.clock, actor="operator:test")
            opened = settlement.open_window(session, clock=node.clock)
        browser.get(sign_in_link("", node.secret))
        open_page = browser.get(f"/operator/switch/windows/{opened.id}", headers=FRENCH)
        closed_page = browser.get(f"/operator/switch/windows/{closed.id}")
        open_status = browser.get(f"/operator/switch/windows/{opened.id}/pacs002")
        closed_status = browser.get(f"/operator/switch/windows/{closed.id}/pacs002")
        open_positions = browser.get(f"/operator/switch/windows/{opened.id}/csv")
    database.dispose()

    assert "/pacs002" not in open_page.text
    assert "une fois la fenêtre fermée" in open_page.text
    assert f"/operator/switch/windows/{closed.id}/pacs002" in closed_page.text
    assert open_status.status_code == 409
    assert closed_status.status_code == 200
    assert open_positions.status_code == 200
