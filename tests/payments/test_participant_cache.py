"""The switch's per-process cache of participants: a change made elsewhere applies within its
lifetime, one made through this process's services at once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import update

from comptoir.kernel.clock import FrozenClock, system_clock
from comptoir.kernel.db import Database
from comptoir.kernel.fspiop import (
    FspiopError,
    build_headers,
    generate_rsa_jwk,
    import_rsa_jwk,
    json_body,
    sign_headers,
)
from comptoir.kernel.money import Money
from comptoir.payments.domain import nanosecond_clock
from comptoir.payments.models import ParticipantRow
from comptoir.payments.services import registration
from comptoir.payments.services.ledger_store import LedgerStore
from comptoir.payments.services.participant_cache import (
    CACHE_SECONDS,
    ParticipantCache,
    forget_participant,
    participant_cache,
)
from comptoir.payments.switch.intake import Arrival, receive

CURRENCY = "XCD"


class Ticking:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def add(database: Database, clock: FrozenClock, fsp_id: str, jwks: dict[str, Any]) -> None:
    with database.transaction() as session:
        registration.add_participant(
            session,
            store=LedgerStore(nanosecond_clock(clock)),
            clock=clock,
            participant_id=fsp_id,
            name=fsp_id.title(),
            currency=CURRENCY,
            callback_url=f"http://{fsp_id}.example/fspiop",
            jwks=jwks,
            net_debit_cap=Money(10_000, CURRENCY),
            actor="test",
        )


def change_elsewhere(database: Database, fsp_id: str, **values: Any) -> None:
    """What `comptoir switch` or another API process does: a write this cache never sees."""
    with database.transaction() as session:
        session.execute(update(ParticipantRow).where(ParticipantRow.id == fsp_id).values(**values))


@pytest.fixture
def ticking(database: Database) -> Iterator[Ticking]:
    ticking = Ticking()
    cache = participant_cache(database.engine)
    saved = cache.monotonic
    cache.monotonic = ticking
    yield ticking
    cache.monotonic = saved


def test_one_cache_serves_every_session_and_engine_variant_of_a_database(
    database: Database,
) -> None:
    with database.reading() as reading, database.transaction() as writing:
        assert participant_cache(reading) is participant_cache(writing)
        assert participant_cache(reading) is participant_cache(database.engine)


def test_a_callback_url_changed_elsewhere_applies_once_the_lifetime_passes(
    database: Database, clock: FrozenClock, ticking: Ticking
) -> None:
    add(database, clock, "bank-a", generate_rsa_jwk(kid="a-1")[1])
    cache = participant_cache(database.engine)
    with database.reading() as session:
        assert cache.get(session, "bank-a") is not None
    change_elsewhere(database, "bank-a", callback_url="http://moved.example/fspiop")
    before = cache.peek("bank-a")
    assert before is not None
    assert before.callback_url == "http://bank-a.example/fspiop"
    ticking.now += CACHE_SECONDS
    assert cache.peek("bank-a") is None
    with database.reading() as session:
        after = cache.get(session, "bank-a")
    assert after is not None
    assert after.callback_url == "http://moved.example/fspiop"


def test_a_source_deactivated_elsewhere_is_refused_with_3200_once_the_lifetime_passes(
    database: Database, clock: FrozenClock, ticking: Ticking
) -> None:
    private, public = generate_rsa_jwk(kid="a-1")
    add(database, clock, "bank-a", public)
    body = json_body({"partyList": []})
    headers = build_headers(
        resource="participants",
        method="POST",
        uri="/participants",
        source="bank-a",
        destination="comptoir-switch",
        clock=system_clock,
    )
    signed = sign_headers(headers, body=body, private_key=import_rsa_jwk(private))
    arrival = Arrival(
        method="POST",
        path="/switch/participants",
        query="",
        headers=[(name.lower(), value) for name, value in signed.items()],
        body=body,
    )
    with database.reading() as session:
        assert receive(arrival, session, resource="participants").source.id == "bank-a"
    change_elsewhere(database, "bank-a", active=False)
    ticking.now += CACHE_SECONDS
    with database.reading() as session, pytest.raises(FspiopError) as refused:
        receive(arrival, session, resource="participants")
    assert refused.value.code == "3200"


def test_a_key_rotated_elsewhere_verifies_once_the_lifetime_passes(
    database: Database, clock: FrozenClock, ticking: Ticking
) -> None:
    add(database, clock, "bank-a", generate_rsa_jwk(kid="a-1")[1])
    cache = participant_cache(database.engine)
    with database.reading() as session:
        first = cache.get(session, "bank-a")
    assert first is not None
    assert first.keys is not None
    assert [key.kid for key in first.keys] == ["a-1"]
    change_elsewhere(database, "bank-a", jwks=generate_rsa_jwk(kid="a-2")[1])
    ticking.now += CACHE_SECONDS
    with database.reading() as session:
        rotated = cache.get(session, "bank-a")
    assert rotated is not None
    assert rotated.keys is not None
    assert [key.kid for key in rotated.keys] == ["a-2"]


def test_a_registered_key_set_with_no_usable_key_is_refused_with_3105(
    database: Database, clock: FrozenClock, ticking: Ticking
) -> None:
    add(database, clock, "bank-a", generate_rsa_jwk(kid="a-1")[1])
    change_elsewhere(database, "bank-a", jwks={"keys": []})
    with database.reading() as session:
        found = participant_cache(session).get(session, "bank-a")
    assert found is not None
    assert found.keys is None


def test_a_participant_added_through_this_process_is_found_at_once(
    database: Database, clock: FrozenClock, ticking: Ticking
) -> None:
    cache = participant_cache(database.engine)
    with database.reading() as session:
        assert cache.get(session, "bank-a") is None, "nothing absent is kept"
    add(database, clock, "bank-a", generate_rsa_jwk(kid="a-1")[1])
    with database.reading() as session:
        found = cache.get(session, "bank-a")
        assert found is not None
        assert cache.accounts(session, "bank-a", CURRENCY) is not None
        assert cache.accounts(session, "bank-a", "USD") is None


def test_a_change_through_this_process_forgets_the_participant_at_once_and_at_commit(
    database: Database, clock: FrozenClock, ticking: Ticking
) -> None:
    add(database, clock, "bank-a", generate_rsa_jwk(kid="a-1")[1])
    cache = participant_cache(database.engine)
    with database.reading() as session:
        assert cache.get(session, "bank-a") is not None
    with database.transaction() as session:
        # What a service of this process does when it changes a participant.
        row = session.get(ParticipantRow, "bank-a")
        assert row is not None
        row.callback_url = "http://moved.example/fspiop"
        session.flush()
        forget_participant(session, "bank-a")
        assert cache.peek("bank-a") is None
        # A reader in another session loads the participant before the change commits ...
        with database.reading() as other:
            early = cache.get(other, "bank-a")
        assert early is not None
        assert early.callback_url == "http://bank-a.example/fspiop"
    # ... and once it commits, the very next reader sees the change, without waiting.
    with database.reading() as session:
        after = cache.get(session, "bank-a")
    assert after is not None
    assert after.callback_url == "http://moved.example/fspiop"


def test_a_read_that_began_before_a_forget_does_not_keep_what_it_read(
    database: Database, clock: FrozenClock
) -> None:
    add(database, clock, "bank-a", generate_rsa_jwk(kid="a-1")[1])
    cache = ParticipantCache(monotonic=Ticking())
    with database.reading() as session:
        real_get = session.get

        def get_then_forget(*args: Any, **kwargs: Any) -> Any:
            found = real_get(*args, **kwargs)
            cache.forget("bank-a")  # a change committed while this read was under way
            return found

        session.get = get_then_forget  # type: ignore[method-assign]
        assert cache.load(session, "bank-a") is not None
    assert cache.peek("bank-a") is None
