"""Migration 0017 keys the seller's sign-in state by platform and phone instead of by business:
a shop's wrong-code count survives it both ways, and the code in flight is voided (it was bound
to the business, and is now bound to the platform and phone)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, text

from comptoir.apps.seller.models import SignIn
from comptoir.apps.seller.service.signin import request_code, verify_code
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.db import Database, downgrade, upgrade
from tests.apps.seller.world import PLATFORM, make_world

OWNER = "+17585550302"
STRANGER = "+17585559999"


def test_a_shops_wrong_codes_are_carried_down_and_up_and_its_code_is_voided(
    database: Database, clock: FrozenClock, tmp_path: Path
) -> None:
    world = make_world(database, clock, tmp_path / "keys")
    for phone in (OWNER, STRANGER):
        request_code(world.seller, platform_id=PLATFORM, phone=phone)
        for _ in range(2):
            verify_code(world.seller, platform_id=PLATFORM, phone=phone, code="999999")

    downgrade(database.engine, "0016")

    with database.engine.connect() as connection:
        rows = connection.execute(
            text("select business_id, code_digest, failures from seller_signin")
        ).all()
    # Only a shop's number had a row in the old shape.
    assert [(str(row[0]).replace("-", ""), row[1], row[2]) for row in rows] == [
        (world.business_id.hex, None, 2)
    ]

    upgrade(database.engine)

    with database.reading() as session:
        [row] = session.scalars(select(SignIn)).all()
        assert (row.platform_id, row.phone, row.failures) == (PLATFORM, OWNER, 2)
        assert (row.code_digest, row.code_sent_at, row.sent_in_window) == (None, None, 0)
    # The count carried over still locks: one more wrong code is the third.
    request_code(world.seller, platform_id=PLATFORM, phone=OWNER)
    verify_code(world.seller, platform_id=PLATFORM, phone=OWNER, code="999999")
    with database.reading() as session:
        locked = session.get(SignIn, (PLATFORM, OWNER))
        assert locked is not None and locked.locked_until is not None
