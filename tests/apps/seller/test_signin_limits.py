"""How often the seller platform sends sign-in codes: a resend waits 30 seconds and no phone
gets more than five an hour at one platform, so no one can flood a stranger's phone at the
platform's cost. A number without a shop is answered the same way, and a refused ask changes
nothing."""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from fastapi.testclient import TestClient
from sqlalchemy import select

from comptoir.apps.seller.models import SignIn
from comptoir.apps.seller.service.platforms import add_business, create_platform
from comptoir.apps.seller.service.signin import CodeRequest, request_code, verify_code
from comptoir.kernel.audit import AuditEntry
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.one_time_codes import MAX_CODES_PER_WINDOW, Hold
from tests.apps.seller.test_pages import OWNER, csrf, site
from tests.apps.seller.world import PLATFORM, World
from tests.support.texts import Texts

__all__ = ["site"]  # the fixture, shared with the other page tests

STRANGER = "+17585559999"  # has no shop anywhere
ST_LUCIA = ZoneInfo("America/St_Lucia")  # the node's clock, its `time_zone` by default
Site = tuple[TestClient, World]


def ask(client: TestClient, phone: str) -> str:
    """Ask for a code from the phone step and answer with the page that comes back."""
    form = client.get(f"/sellers/{PLATFORM}/signin")
    answer = client.post(
        f"/sellers/{PLATFORM}/signin", data={"phone": phone, "csrf_token": csrf(form.text)}
    )
    assert answer.status_code in (200, 429), answer.text
    return f"{answer.status_code}\n{answer.text}"


def sign_in_with(client: TestClient, page: str, code: str, phone: str = OWNER) -> int:
    done = client.post(
        f"/sellers/{PLATFORM}/signin/code",
        data={"phone": phone, "code": code, "csrf_token": csrf(page)},
        follow_redirects=False,
    )
    return done.status_code


def wrong_to(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def row_of(world: World, phone: str, platform_id: str = PLATFORM) -> dict[str, object]:
    with world.seller.database.reading() as session:
        row = session.get(SignIn, (platform_id, phone))
        assert row is not None
        return {column.key: getattr(row, column.key) for column in SignIn.__table__.columns}


# --- the pages --------------------------------------------------------------------------------


def test_a_resend_asked_too_soon_says_how_long_to_wait_and_the_first_code_still_works(
    site: Site, clock: FrozenClock, texts: Texts
) -> None:
    client, _ = site
    texts.forget()
    ask(client, OWNER)
    [code] = texts.codes()
    clock.advance(timedelta(seconds=12))

    again = ask(client, OWNER)

    assert again.startswith("429")
    assert "Wait 18 seconds before asking for a new one." in again
    assert 'name="code"' in again  # still the code step: the first code is still good
    assert texts.codes() == []
    assert sign_in_with(client, again, code) == 303


def test_a_resend_one_second_before_the_wait_ends_says_one_second(
    site: Site, clock: FrozenClock
) -> None:
    client, _ = site
    ask(client, OWNER)
    clock.advance(timedelta(seconds=29, milliseconds=500))

    again = ask(client, OWNER)

    assert "Wait 1 second before asking for a new one." in again


def test_the_wait_is_said_in_the_owners_language(site: Site, clock: FrozenClock) -> None:
    client, _ = site
    form = client.get(f"/sellers/{PLATFORM}/signin")
    client.post("/language", data={"lang": "fr", "next": "/sellers", "csrf_token": csrf(form.text)})
    ask(client, OWNER)
    clock.advance(timedelta(seconds=29))

    again = ask(client, OWNER)

    assert "Attendez 1 seconde avant" in again
    clock.advance(timedelta(seconds=-27))
    assert "Attendez 28 secondes avant" in ask(client, OWNER)


def test_a_resend_after_the_wait_sends_a_new_code_that_replaces_the_first(
    site: Site, clock: FrozenClock, texts: Texts
) -> None:
    client, _ = site
    texts.forget()
    ask(client, OWNER)
    [first] = texts.codes()
    clock.advance(timedelta(seconds=30))

    again = ask(client, OWNER)

    assert again.startswith("200")
    [second] = texts.codes()
    if first != second:
        assert sign_in_with(client, again, first) == 400
    assert sign_in_with(client, again, second) == 303


def test_a_phone_gets_at_most_five_codes_an_hour_and_the_sixth_ask_says_when_to_come_back(
    site: Site, clock: FrozenClock, texts: Texts
) -> None:
    client, world = site
    first_sent_at = clock.now()
    texts.forget()
    for _ in range(MAX_CODES_PER_WINDOW):
        assert ask(client, OWNER).startswith("200")
        clock.advance(timedelta(minutes=11))
    assert len(texts.codes()) == 5
    before = row_of(world, OWNER)

    sixth = ask(client, OWNER)

    ends = first_sent_at + timedelta(hours=1)
    assert sixth.startswith("429")
    assert "This number has asked for 5 codes in the last hour." in sixth
    on_the_local_clock = format_datetime(ends, "medium", tzinfo=ST_LUCIA, locale="en")
    assert f"You can ask for a new one at {on_the_local_clock}." in sixth
    assert 'name="phone" type="tel"' in sixth  # back at the phone step, the number kept
    assert f'value="{OWNER}"' in sixth
    assert texts.codes() == []
    assert row_of(world, OWNER) == before  # nothing sent, nothing half-made

    clock.set(ends)
    page = ask(client, OWNER)
    assert page.startswith("200")
    [code] = texts.codes()
    assert sign_in_with(client, page, code) == 303


def test_a_number_without_a_shop_is_held_back_the_same_way_and_never_gets_a_code(
    site: Site, clock: FrozenClock, texts: Texts
) -> None:
    client, _ = site
    texts.forget()
    answers = {}
    for phone in (OWNER, STRANGER):
        first = ask(client, phone)
        clock.advance(timedelta(seconds=10))
        answers[phone] = (first, ask(client, phone))
        clock.advance(timedelta(seconds=-10))

    assert len(texts.codes()) == 1  # the owner's alone
    for first, again in answers.values():
        assert first.startswith("200") and "we have sent it a code" in first
        assert again.startswith("429") and "Wait 20 seconds" in again


def test_wrong_codes_lock_a_number_without_a_shop_as_they_lock_a_shop(
    site: Site, clock: FrozenClock, texts: Texts
) -> None:
    client, _ = site
    texts.forget()
    answers = {}
    for phone in (OWNER, STRANGER):
        page = ask(client, phone)
        guesses = [sign_in_with(client, page, "999999", phone) for _ in range(3)]
        clock.advance(timedelta(seconds=5))
        answers[phone] = (guesses, ask(client, phone))
        clock.advance(timedelta(seconds=-5))

    owners, strangers = answers[OWNER], answers[STRANGER]
    assert owners[0] == strangers[0] == [400, 400, 400]
    # Locked, both are answered as if a code were sent, with no wait for the voided one.
    assert owners[1].startswith("200") and strangers[1].startswith("200")
    assert len(texts.codes()) == 1


def test_the_wrong_code_lock_still_answers_an_ask_like_a_sent_code_and_sends_none(
    site: Site, clock: FrozenClock, texts: Texts
) -> None:
    client, world = site
    texts.forget()
    page = ask(client, OWNER)
    [code] = texts.codes()
    assert [sign_in_with(client, page, wrong_to(code)) for _ in range(3)] == [400, 400, 400]
    assert sign_in_with(client, page, code) == 400  # the lock voided it

    asked = ask(client, OWNER)

    assert asked.startswith("200") and "we have sent it a code" in asked
    assert texts.codes() == []
    with world.seller.database.reading() as session:
        actions = list(session.scalars(select(AuditEntry.action)))
    assert actions.count("seller.signin.locked") == 1  # the lock, not each try under it
    clock.advance(timedelta(minutes=10))
    page = ask(client, OWNER)
    [code] = texts.codes()
    assert sign_in_with(client, page, code) == 303


def test_the_code_never_reaches_the_audit_log_or_the_logs(
    site: Site,
    clock: FrozenClock,
    texts: Texts,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    client, world = site
    texts.forget()
    page = ask(client, OWNER)
    [code] = texts.codes()
    clock.advance(timedelta(seconds=5))
    held = ask(client, OWNER)
    assert sign_in_with(client, page, code) == 303

    with world.seller.database.reading() as session:
        audit_text = json.dumps(
            [
                [entry.actor, entry.action, entry.subject, entry.details]
                for entry in session.scalars(select(AuditEntry))
            ]
        )
    assert code not in audit_text
    assert code not in caplog.text
    assert code not in held and code not in page
    assert code not in json.dumps(row_of(world, OWNER), default=str)


# --- the service ------------------------------------------------------------------------------


def test_codes_are_counted_per_platform(site: Site) -> None:
    _, world = site
    create_platform(
        world.seller,
        platform_id="harbour-crafts",
        name="Harbour Crafts",
        subscriber_id="harbour-crafts.example",
        registry_url="http://node.example/registry",
        gateway_url="http://node.example/gateway",
    )
    add_business(
        world.seller,
        platform_id="harbour-crafts",
        slug="soufriere-baskets",
        name="Soufriere Baskets",
        phone=OWNER,
        city="Soufrière",
        description="Baskets",
    )

    at_market = request_code(world.seller, platform_id=PLATFORM, phone=OWNER)
    at_crafts = request_code(world.seller, platform_id="harbour-crafts", phone=OWNER)

    assert at_market.held is None and at_crafts.held is None
    again = request_code(world.seller, platform_id=PLATFORM, phone=OWNER)
    assert again.held is not None and again.held.reason is Hold.RESEND_WAIT


def test_a_refused_ask_changes_nothing(site: Site, clock: FrozenClock) -> None:
    _, world = site
    request_code(world.seller, platform_id=PLATFORM, phone=OWNER)
    before = row_of(world, OWNER)
    clock.advance(timedelta(seconds=1))

    refused = request_code(world.seller, platform_id=PLATFORM, phone="+1 758 555 0302")

    assert refused.phone == OWNER
    assert refused.held is not None and refused.held.reason is Hold.RESEND_WAIT
    assert refused.held.until == before["code_sent_at"] + timedelta(seconds=30)  # type: ignore[operator]
    assert row_of(world, OWNER) == before


def test_the_window_and_the_wait_are_kept_in_the_database(site: Site, clock: FrozenClock) -> None:
    _, world = site
    started = clock.now()
    for _ in range(3):
        request_code(world.seller, platform_id=PLATFORM, phone=OWNER)
        clock.advance(timedelta(minutes=1))

    row = row_of(world, OWNER)

    assert row["window_started_at"] == started and row["sent_in_window"] == 3
    assert row["code_sent_at"] == started + timedelta(minutes=2)


def test_a_code_for_a_number_that_cannot_be_a_phone_makes_no_row(site: Site) -> None:
    _, world = site

    token = verify_code(world.seller, platform_id=PLATFORM, phone="12", code="123456")

    assert token is None
    with world.seller.database.reading() as session:
        assert list(session.scalars(select(SignIn))) == []


def test_asks_made_at_the_same_moment_send_one_code(site: Site, texts: Texts) -> None:
    _, world = site
    texts.forget()

    def ask_once(_: int) -> CodeRequest:
        return request_code(world.seller, platform_id=PLATFORM, phone=OWNER)

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(ask_once, range(6)))

    assert len(texts.codes()) == 1
    assert sorted(answer.held is None for answer in answers) == [False] * 5 + [True]
    assert row_of(world, OWNER)["sent_in_window"] == 1
