"""The switch's operator pages: states shown in the operator's language beside their names,
and a window's downloads offered as its state allows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from comptoir.app import create_app
from comptoir.kernel.db import Database, upgrade
from comptoir.kernel.settings import load_settings
from comptoir.kernel.web.operator import sign_in_link
from comptoir.payments.models import SettlementWindowRow
from comptoir.payments.services import settlement

FRENCH = {"accept-language": "fr", "accept": "text/html"}


@dataclass(frozen=True)
class Console:
    """The operator, signed in, with one window just closed and the next one open."""

    browser: TestClient
    closed: SettlementWindowRow
    opened: SettlementWindowRow


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
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
        yield Console(browser, closed, opened)
    database.dispose()


def test_a_window_state_is_shown_in_the_operators_language_with_its_settlement_name(
    console: Console,
) -> None:
    overview = console.browser.get("/operator/switch", headers=FRENCH)
    english = console.browser.get("/operator/switch", headers={"accept": "text/html"})
    window = console.browser.get(f"/operator/switch/windows/{console.closed.id}", headers=FRENCH)

    assert overview.status_code == 200
    assert "Ouvert <small>(OPEN)</small>" in overview.text
    assert "Fermé <small>(CLOSED)</small>" in overview.text
    assert "Open <small>(OPEN)</small>" in english.text
    assert "Fermé <small>(CLOSED)</small>" in window.text


def test_an_open_window_offers_its_iso_20022_messages_only_once_it_is_closed(
    console: Console,
) -> None:
    opened, closed = console.opened.id, console.closed.id
    open_page = console.browser.get(f"/operator/switch/windows/{opened}", headers=FRENCH)
    closed_page = console.browser.get(f"/operator/switch/windows/{closed}")

    assert "/pacs002" not in open_page.text
    assert "une fois la fenêtre fermée" in open_page.text
    assert f"/operator/switch/windows/{closed}/pacs002" in closed_page.text
    assert console.browser.get(f"/operator/switch/windows/{opened}/pacs002").status_code == 409
    assert console.browser.get(f"/operator/switch/windows/{closed}/pacs002").status_code == 200
    assert console.browser.get(f"/operator/switch/windows/{opened}/csv").status_code == 200


def test_the_pages_say_on_which_clock_their_times_are_shown(console: Console) -> None:
    english = console.browser.get("/operator/switch", headers={"accept": "text/html"})
    french = console.browser.get("/operator/switch", headers=FRENCH)
    # The demo's zone, America/St_Lucia, keeps no summer time.
    assert "Times are shown in Atlantic Standard Time (GMT-04:00)." in english.text
    said = "Les heures sont données en heure normale de l\u2019Atlantique (UTC-04:00)."
    assert said in french.text
