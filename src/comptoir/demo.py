"""The embedded demo: the node's keys and demo data, created once and reused on every start."""

from __future__ import annotations

from sqlalchemy import select

from comptoir.kernel import audit
from comptoir.kernel.crypto import generate_key_file
from comptoir.kernel.db import Database
from comptoir.kernel.settings import Settings

DEMO_SEEDED = "demo.seeded"


def ensure_node_keys(settings: Settings) -> None:
    """The node's Ed25519 signing key, generated on first start."""
    if not settings.signing_key_path.exists():
        generate_key_file(settings.signing_key_path, "ed25519")


def seed(settings: Settings) -> None:
    """Seed the demo data once; a second start finds it and does nothing."""
    database = Database.from_url(settings.resolved_database_url)
    try:
        with database.transaction() as session:
            seeded = session.scalar(
                select(audit.AuditEntry.seq).where(audit.AuditEntry.action == DEMO_SEEDED)
            )
            if seeded is None:
                audit.record(session, actor="operator:demo", action=DEMO_SEEDED, subject="node")
    finally:
        database.dispose()
