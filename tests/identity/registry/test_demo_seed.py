"""The demo's identity registry: people, an agent and the person they enrolled, and the owners
of Marigot Market (verified) and Soufriere Spice Co (waiting for the operator)."""

from __future__ import annotations

from pathlib import Path

import pytest

from comptoir import demo
from comptoir.identity.registry.service import find_person_by_phone, list_businesses
from comptoir.kernel.audit import entries
from comptoir.kernel.db import Database, upgrade
from comptoir.kernel.settings import load_settings

pytestmark = pytest.mark.slow


def test_the_demo_seeds_people_an_agent_and_two_businesses(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)
    database = Database.from_url(settings.resolved_database_url)
    try:
        upgrade(database.engine)
        demo.ensure_node_keys(settings)
        demo.seed(settings)
        demo.seed(settings)  # a second start changes nothing

        with database.reading() as session:
            agent = find_person_by_phone(session, phone="+17585550102")
            assisted = find_person_by_phone(session, phone="+17585550301")
            businesses = {b.name: b for b in list_businesses(session)}
            enrolled = entries(session, action="identity.person.enrolled", limit=20)
    finally:
        database.dispose()
    assert agent is not None and agent.is_agent
    assert assisted is not None
    assert businesses["Marigot Market"].verified_at is not None
    assert businesses["Marigot Market"].owner_name == "Marie Joseph"
    assert businesses["Soufriere Spice Co"].verified_at is None
    assert len(enrolled) == 5
    assert [e.details["channel"] for e in enrolled if e.actor == f"person:{agent.id}"] == ["agent"]
