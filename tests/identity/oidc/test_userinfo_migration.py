"""Migration 0019: clients registered before it had only ever been sent signed userinfo
answers, and keep them; clients registered after it choose."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from comptoir.kernel.db import Database, upgrade


def test_a_client_registered_before_the_migration_keeps_its_signed_userinfo_answers(
    database_url: str,
) -> None:
    database = Database.from_url(database_url)
    try:
        upgrade(database.engine, "0018")
        with database.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO identity_oidc_client (id, name, purpose, redirect_uris,"
                    " post_logout_redirect_uris, jwks, scopes, sector, created_at) VALUES"
                    " ('older', 'Older Shop', '', '[]', '[]', '{\"keys\": []}', 'openid',"
                    " 'client:older', :now)"
                ),
                {"now": datetime(2026, 1, 1, tzinfo=UTC)},
            )

        upgrade(database.engine)

        with database.engine.connect() as connection:
            found = connection.execute(
                text("SELECT userinfo_signed_response_alg FROM identity_oidc_client")
            ).scalar_one()
        assert found == "ES256"
    finally:
        database.dispose()
