"""Status list slots: unique under concurrent issuance, and a new list when one is half full."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from comptoir.identity.credentials import service
from comptoir.identity.credentials.models import CredentialRow, NonceRow, OfferRow
from comptoir.identity.credentials.service import issuance
from comptoir.kernel.crypto import generate_jwk

from .conftest import ADULT, BASE_URL, Node


def test_concurrent_issuers_never_share_a_status_slot(node: Node) -> None:
    people = [node.enrol(f"+1758555{index:04d}", born=ADULT) for index in range(8)]
    issuer = service.Issuer(BASE_URL, node.app.state.credential_issuer_key, node.clock)
    holder = generate_jwk("P-256").public()

    def issue_for(index: int) -> None:
        with node.database.transaction() as session:
            service.issue(
                session,
                issuer=issuer,
                person_id=people[index % len(people)].id,
                kind="age-over-18",
                business_id=None,
                holder_key=holder,
                channel="download",
            )

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(issue_for, range(24)))
    with node.database.reading() as session:
        slots = session.execute(
            select(CredentialRow.status_list_id, CredentialRow.status_index)
        ).all()
    assert len(slots) == 24 and len(set(slots)) == 24


def test_a_half_full_list_gives_way_to_a_new_one(
    node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(issuance, "STATUS_LIST_SIZE", 8)
    marie = node.enrol("+17585550101", born=ADULT)
    issuer = service.Issuer(BASE_URL, node.app.state.credential_issuer_key, node.clock)
    holder = generate_jwk("P-256").public()
    with node.database.transaction() as session:
        for _ in range(9):
            service.issue(
                session,
                issuer=issuer,
                person_id=marie.id,
                kind="age-over-18",
                business_id=None,
                holder_key=holder,
                channel="download",
            )
        lists = session.scalars(select(CredentialRow.status_list_id)).all()
    assert sorted(set(lists)) == [1, 2, 3]
    assert all(lists.count(number) <= 4 for number in (1, 2, 3))


def test_offers_and_nonces_are_forgotten_a_day_after_their_use(node: Node) -> None:
    marie = node.enrol("+17585550101", born=ADULT)
    node.offer(marie, "age-over-18")
    assert node.client().post("/identity/vci/nonce").status_code == 200
    scheduler = node.app.state.node.scheduler
    scheduler.run_due(now=10**9)
    with node.database.reading() as session:
        assert len(session.scalars(select(OfferRow)).all()) == 1
    node.clock.advance(timedelta(days=2))
    scheduler.run_due(now=2 * 10**9)
    with node.database.reading() as session:
        assert session.scalars(select(OfferRow)).all() == []
        assert session.scalars(select(NonceRow)).all() == []
