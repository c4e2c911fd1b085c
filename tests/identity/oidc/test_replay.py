"""One-time identifiers recorded together, in one statement: each is accepted once, each is
kept until its own time, and a replay among them is told apart from a first use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from comptoir.identity.oidc.models import SeenIdentifier
from comptoir.identity.oidc.service.replay import OneTimeUse, first_uses, forget_expired
from comptoir.kernel.db import Database

NOON = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def _use(jti: str, until: datetime, purpose: str = "dpop") -> OneTimeUse:
    return OneTimeUse(purpose, "client-1", jti, until)


def test_identifiers_recorded_together_are_each_refused_the_second_time(
    database: Database,
) -> None:
    with database.transaction() as session:
        first = first_uses(session, [_use("a", NOON, "client_assertion"), _use("b", NOON)])
    with database.transaction() as session:
        again = first_uses(session, [_use("c", NOON, "client_assertion"), _use("b", NOON)])
    with database.transaction() as session:
        lone = first_uses(session, [_use("a", NOON, "client_assertion")])

    assert first == [True, True]
    assert again == [True, False]
    assert lone == [False]


def test_the_same_identifier_twice_in_one_request_is_a_replay_the_second_time(
    database: Database,
) -> None:
    with database.transaction() as session:
        answers = first_uses(session, [_use("x", NOON), _use("y", NOON), _use("x", NOON)])

    assert answers == [True, True, False]


def test_each_identifier_recorded_together_is_kept_until_its_own_time(
    database: Database,
) -> None:
    times = [NOON, NOON + timedelta(minutes=1), NOON + timedelta(minutes=2), NOON]
    uses = [_use(jti, until) for jti, until in zip("pqrs", times, strict=True)]
    with database.transaction() as session:
        assert first_uses(session, uses) == [True] * 4
    with database.reading() as session:
        kept = dict(session.execute(select(SeenIdentifier.key, SeenIdentifier.expires_at)).all())
    assert [kept[use.key] for use in uses] == times

    # Forgotten once past their time, not at it: compared as the database stores them.
    with database.transaction() as session:
        forget_expired(session, now=NOON + timedelta(minutes=2))
    with database.reading() as session:
        left = set(session.scalars(select(SeenIdentifier.key)).all())
    assert left == {uses[2].key}
