"""The SMS outbox (the console adapter and its page) and the `comptoir identity` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from comptoir import identity
from comptoir.channels.sms.models import SmsMessage
from comptoir.channels.sms.outbox import latest_message_to
from comptoir.identity.registry.service import businesses_of, find_person_by_phone
from comptoir.identity.registry.service.signin import send_sms
from comptoir.kernel.audit import entries
from comptoir.kernel.db import Database
from tests.identity.registry.conftest import MARIE, Node

pytestmark = pytest.mark.postgres


def test_a_message_is_stored_once_and_shown_on_the_operators_console(node: Node) -> None:
    with node.database.transaction() as session:
        send_sms(session, to=MARIE, body="Bonjou Marie", clock=node.clock)
    with node.database.reading() as session:
        assert latest_message_to(session, MARIE) == "Bonjou Marie"  # queued, not yet sent

    node.pump()
    node.pump()

    with node.database.reading() as session:
        assert session.scalar(select(func.count()).select_from(SmsMessage)) == 1
        assert latest_message_to(session, MARIE) == "Bonjou Marie"
        assert latest_message_to(session, "+17585550999") is None
    console = node.operator().get("/operator/sms")
    assert console.status_code == 200
    assert "Bonjou Marie" in console.text and MARIE in console.text
    # Sent at 2026-01-01 00:00 UTC: the evening before on St Lucia's clock, the node's default.
    # The footer names the clock and its offset; the times themselves are local.
    assert "Dec 31, 2025, 8:00:00" in console.text
    assert "UTC" not in console.text.split("<footer>")[0]


@pytest.fixture
def cli(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    monkeypatch.setenv("COMPTOIR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COMPTOIR_DATABASE_URL", database_url)
    root = typer.Typer()
    identity.register(None, root)
    return root


def run(cli: typer.Typer, *args: str) -> Result:
    return CliRunner().invoke(cli, ["identity", *args])


def test_the_operator_enrols_people_makes_agents_and_verifies_businesses(
    cli: typer.Typer, database: Database
) -> None:
    added = run(
        cli,
        "person", "add", "--name", "Marie Joseph", "--phone", "+1 758 555 0101",
        "--birthdate", "1988-03-14", "--national-id", "LC-1988-0001", "--locale", "fr",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    person_id = json.loads(added.stdout)["person_id"]

    again = run(cli, "person", "add", "--name", "M", "--phone", MARIE, "--birthdate", "1988-03-14")
    assert again.exit_code == 1
    assert "duplicate_phone" in again.stderr

    assert run(cli, "agent", "add", MARIE).exit_code == 0
    with database.transaction() as session:
        from comptoir.identity.registry.service import register_business
        from comptoir.kernel.clock import system_clock

        marie = find_person_by_phone(session, phone=MARIE)
        assert marie is not None and marie.is_agent and str(marie.id) == person_id
        register_business(
            session,
            owner_id=marie.id,
            name="Marigot Market",
            registration_number="LC-BN-2024-0117",
            address="Castries",
            sector="Food",
            actor="operator:test",
            clock=system_clock,
        )
    verified = run(cli, "business", "verify", "lc-bn-2024-0117")
    assert verified.exit_code == 0, verified.output
    assert run(cli, "business", "verify", "LC-BN-2024-0117").exit_code == 1
    assert run(cli, "business", "verify", "NOPE-1").exit_code == 1

    with database.reading() as session:
        (business,) = businesses_of(session, owner_id=marie.id)
        actions = [(e.actor, e.action) for e in entries(session, action_prefix="identity.")]
    assert business.verified_at is not None
    assert ("operator:cli", "identity.person.enrolled") in actions
    assert ("operator:cli", "identity.agent.added") in actions
    assert ("operator:cli", "identity.business.verified") in actions
