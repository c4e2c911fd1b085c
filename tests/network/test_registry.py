"""The registry's rules on both databases: statuses, approval, revocation, key windows and
rotation, lookups; and the gateway's index."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import func, select

from comptoir.kernel import audit
from comptoir.kernel.beckn import LookupRequest, Subscription
from comptoir.kernel.beckn.models import Catalog as CatalogModel
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.crypto import public_key_to_base64
from comptoir.kernel.db import Database
from comptoir.kernel.errors import Problem
from comptoir.network.gateway import index
from comptoir.network.models import Subscriber
from comptoir.network.registry import queries, service
from tests.kernel.beckn.messages import catalog


def _key(unique_key_id: str = "k1") -> service.NewKey:
    return service.NewKey(
        unique_key_id,
        public_key_to_base64(Ed25519PrivateKey.generate()),
        public_key_to_base64(X25519PrivateKey.generate()),
    )


def _add(
    database: Database,
    clock: FrozenClock,
    subscriber_id: str,
    *,
    type_: str = "BPP",
    city: str | None = "std:castries",
    domain: str = "retail",
) -> None:
    with database.transaction() as session:
        service.add_subscriber(
            session,
            clock=clock,
            subscriber_id=subscriber_id,
            type_=type_,
            url=f"https://{subscriber_id}/beckn",
            domain=domain,
            city=city,
            country="LCA",
            key=_key(),
            actor="test",
        )


def _approve(database: Database, clock: FrozenClock, subscriber_id: str) -> None:
    with database.transaction() as session:
        service.approve(session, clock=clock, subscriber_id=subscriber_id, actor="test")


def _lookup(database: Database, clock: FrozenClock, **criteria: object) -> list[str]:
    with database.reading() as session:
        found = queries.lookup(session, clock=clock, request=LookupRequest(**criteria))
    return [subscription.subscriber_id for subscription in found]


@pytest.mark.postgres
def test_a_subscriber_added_by_the_operator_is_listed_only_once_approved(
    database: Database, clock: FrozenClock
) -> None:
    _add(database, clock, "shop.example.test")
    assert _lookup(database, clock) == []
    assert _lookup(database, clock, status="INITIATED") == ["shop.example.test"]
    _approve(database, clock, "shop.example.test")
    assert _lookup(database, clock, subscriber_id="shop.example.test") == ["shop.example.test"]
    with database.reading() as session:
        actions = list(session.scalars(select(audit.AuditEntry.action)))
    assert actions == ["network.subscriber.added", "network.subscriber.approved"]


@pytest.mark.postgres
def test_lookup_filters_by_type_domain_and_place(database: Database, clock: FrozenClock) -> None:
    _add(database, clock, "castries.example.test")
    _add(database, clock, "everywhere.example.test", city=None)
    _add(database, clock, "food.example.test", domain="food")
    _add(database, clock, "buyer.example.test", type_="BAP")
    for name in ("castries", "everywhere", "food", "buyer"):
        _approve(database, clock, f"{name}.example.test")
    found = _lookup(database, clock, type="BPP", domain="retail", city="std:castries")
    assert found == ["castries.example.test", "everywhere.example.test"]
    assert _lookup(database, clock, type="BPP", city="std:soufriere") == ["everywhere.example.test"]


@pytest.mark.postgres
def test_a_revoked_subscriber_stays_revoked_and_its_keys_stop(
    database: Database, clock: FrozenClock
) -> None:
    _add(database, clock, "shop.example.test")
    _approve(database, clock, "shop.example.test")
    with database.transaction() as session:
        service.revoke(session, clock=clock, subscriber_id="shop.example.test", actor="test")
    with database.reading() as session:
        key = queries.find_key(session, "shop.example.test", "k1")
    assert key is not None
    assert key.refusal(clock.now()) is not None
    assert _lookup(database, clock) == []
    with pytest.raises(Problem) as refused, database.transaction() as session:
        service.approve(session, clock=clock, subscriber_id="shop.example.test", actor="test")
    assert refused.value.type.slug == "network-subscriber-state"


@pytest.mark.postgres
def test_a_rotated_out_key_works_through_the_overlap_then_stops(
    database: Database, clock: FrozenClock
) -> None:
    _add(database, clock, "shop.example.test")
    _approve(database, clock, "shop.example.test")
    with database.transaction() as session:
        service.add_key(
            session,
            clock=clock,
            subscriber_id="shop.example.test",
            key=_key("k2"),
            actor="test",
            overlap=timedelta(minutes=10),
        )

    def refusal(key_id: str) -> str | None:
        with database.reading() as session:
            key = queries.find_key(session, "shop.example.test", key_id)
        assert key is not None
        return key.refusal(clock.now())

    assert refusal("k1") is None
    assert refusal("k2") is None
    clock.advance(timedelta(minutes=10))
    assert refusal("k1") == "the key k1 is no longer valid"
    assert refusal("k2") is None
    assert [s.unique_key_id for s in _subscriptions(database, clock)] == ["k2"]


def _subscriptions(database: Database, clock: FrozenClock) -> list[Subscription]:
    with database.reading() as session:
        return queries.lookup(session, clock=clock, request=LookupRequest())


@pytest.mark.postgres
def test_a_key_outside_its_window_is_refused(database: Database, clock: FrozenClock) -> None:
    with database.transaction() as session:
        service.add_subscriber(
            session,
            clock=clock,
            subscriber_id="later.example.test",
            type_="BAP",
            url="https://later.example.test/beckn",
            domain="retail",
            key=service.NewKey(
                "k1",
                public_key_to_base64(Ed25519PrivateKey.generate()),
                valid_from=clock.now() + timedelta(days=1),
                valid_until=clock.now() + timedelta(days=2),
            ),
            actor="test",
            status="SUBSCRIBED",
        )
    with database.reading() as session:
        key = queries.find_key(session, "later.example.test", "k1")
    assert key is not None
    assert key.refusal(clock.now()) == "the key k1 is not valid yet"
    clock.advance(timedelta(days=1, hours=1))
    assert key.refusal(clock.now()) is None
    clock.advance(timedelta(days=1))
    assert key.refusal(clock.now()) == "the key k1 is no longer valid"


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("changes", "pointer"),
    [
        ({"type_": "XYZ"}, "/type"),
        ({"url": "ftp://shop"}, "/url"),
        ({"subscriber_id": "has space"}, "/subscriber_id"),
        ({"key": service.NewKey("k1", "bm90IGEga2V5")}, "/signing_public_key"),
        ({"key": service.NewKey("k1", public_key_to_base64(Ed25519PrivateKey.generate()), "x")},
         "/encr_public_key"),
    ],
)  # fmt: skip
def test_bad_details_are_refused_naming_the_field_and_change_nothing(
    database: Database, clock: FrozenClock, changes: dict[str, object], pointer: str
) -> None:
    arguments: dict[str, object] = {
        "subscriber_id": "shop.example.test",
        "type_": "BPP",
        "url": "https://shop.example.test/beckn",
        "domain": "retail",
        "key": _key(),
        **changes,
    }
    with pytest.raises(Problem) as refused, database.transaction() as session:
        service.add_subscriber(session, clock=clock, actor="test", **arguments)  # type: ignore[arg-type]
    assert refused.value.status == 422
    assert refused.value.errors[0].pointer == pointer
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(Subscriber)) == 0


@pytest.mark.postgres
def test_a_subscriber_id_is_registered_once(database: Database, clock: FrozenClock) -> None:
    _add(database, clock, "shop.example.test")
    with pytest.raises(Problem) as refused:
        _add(database, clock, "shop.example.test")
    assert refused.value.status == 409


def _publish(
    database: Database, clock: FrozenClock, bpp_id: str, names: list[str], city: str | None
) -> None:
    document = catalog(bpp_id, f"https://{bpp_id}/beckn")
    document["resources"] = [
        {"id": f"r{number}", "descriptor": {"name": name}} for number, name in enumerate(names)
    ]
    document["offers"] = [{"id": "o0", "resourceIds": ["r0"]}]
    with database.transaction() as session:
        results = index.publish(
            session,
            clock=clock,
            bpp_id=bpp_id,
            bpp_uri=f"https://{bpp_id}/beckn",
            catalogs=[CatalogModel.model_validate(document)],
            domain="retail",
            city=city,
            country="LCA",
        )
    assert [result.status for result in results] == ["ACCEPTED"]


@pytest.mark.postgres
def test_the_index_finds_every_word_in_the_place_asked(
    database: Database, clock: FrozenClock
) -> None:
    _publish(database, clock, "a.example.test", ["Julie mango", "Green banana", "Mango 100%"], "c")
    _publish(database, clock, "b.example.test", ["Mango chutney"], "s")
    with database.reading() as session:
        found = index.search(
            session, text="MANGO", bpp_ids=["a.example.test", "b.example.test"], city="c"
        )
        percent = index.search(session, text="100%", bpp_ids=["a.example.test"], city=None)
        both = index.search(session, text="julie mango", bpp_ids=["a.example.test"], city=None)
    assert [catalog["bppId"] for catalog in found] == ["a.example.test"]
    assert [r["descriptor"]["name"] for r in found[0]["resources"]] == [
        "Julie mango",
        "Mango 100%",
    ]
    assert found[0]["offers"] == [{"id": "o0", "resourceIds": ["r0"]}]
    assert [r["descriptor"]["name"] for r in percent[0]["resources"]] == ["Mango 100%"]
    assert [r["descriptor"]["name"] for r in both[0]["resources"]] == ["Julie mango"]


@pytest.mark.postgres
def test_publishing_a_catalogue_again_replaces_it(database: Database, clock: FrozenClock) -> None:
    _publish(database, clock, "a.example.test", ["Julie mango"], None)
    _publish(database, clock, "a.example.test", ["Soursop"], None)
    with database.reading() as session:
        assert index.search(session, text="mango", bpp_ids=["a.example.test"], city=None) == []
        assert index.search(session, text="soursop", bpp_ids=["a.example.test"], city=None)


@pytest.mark.postgres
def test_revoking_one_key_leaves_the_others_working(database: Database, clock: FrozenClock) -> None:
    _add(database, clock, "shop.example.test")
    _approve(database, clock, "shop.example.test")
    with database.transaction() as session:
        service.add_key(
            session, clock=clock, subscriber_id="shop.example.test", key=_key("k2"), actor="test"
        )
        service.revoke_key(
            session,
            clock=clock,
            subscriber_id="shop.example.test",
            unique_key_id="k1",
            actor="test",
        )
    with database.reading() as session:
        leaked = queries.find_key(session, "shop.example.test", "k1")
        current = queries.find_key(session, "shop.example.test", "k2")
    assert leaked is not None
    assert current is not None
    assert leaked.status == "UNSUBSCRIBED"
    assert current.refusal(clock.now()) is None
    with pytest.raises(Problem) as refused, database.transaction() as session:
        service.revoke_key(
            session, clock=clock, subscriber_id="shop.example.test", unique_key_id="k9", actor="t"
        )
    assert refused.value.status == 404


@pytest.mark.postgres
def test_every_seller_gets_its_share_of_an_answer_from_the_index(
    database: Database, clock: FrozenClock
) -> None:
    _publish(database, clock, "big.example.test", [f"Mango {n}" for n in range(30)], None)
    _publish(database, clock, "small.example.test", ["Mango jam"], None)
    with database.reading() as session:
        found = index.search(
            session,
            text="mango",
            bpp_ids=["big.example.test", "small.example.test"],
            city=None,
            per_catalog=5,
        )
    assert [(c["bppId"], len(c["resources"])) for c in found] == [
        ("big.example.test", 5),
        ("small.example.test", 1),
    ]
