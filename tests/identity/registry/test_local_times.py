"""Times on the code pages are read on the clock of the country the node serves (the
`time_zone` setting, St Lucia's by default), in the reader's language, never as UTC."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from comptoir.app import create_app
from comptoir.kernel.clock import FrozenClock
from comptoir.kernel.db import Database
from comptoir.kernel.errors import ConfigurationError
from comptoir.kernel.settings import load_settings
from tests.identity.registry.conftest import BASE_URL, KWAME, MARIE, Node, csrf
from tests.identity.registry.test_enrolment import DETAILS
from tests.identity.registry.test_login import ask_code, enrol, send_code, wrong

pytestmark = pytest.mark.postgres

# The tests' clock starts at 2026-01-01 00:00 UTC: 31 December 2025, 20:00 in St Lucia.


def flood(node: Node, browser_locale: str) -> str:
    """Five codes in an hour, then the refused sixth: its page."""
    enrol(node)
    browser = node.browser(**{"accept-language": browser_locale})
    for _ in range(5):
        page = ask_code(browser, MARIE)
        send_code(browser, page.text, MARIE, wrong(node.code_sent_to(MARIE)))
        node.clock.advance(timedelta(minutes=11))
    sixth = ask_code(browser, MARIE)
    assert sixth.status_code == 429
    return sixth.text


@pytest.mark.parametrize(("locale", "shown"), [("en", "at 9:00\u202fPM."), ("fr", "21:00")])
def test_the_hour_a_new_code_can_be_asked_is_on_the_local_clock(
    node: Node, locale: str, shown: str
) -> None:
    page = flood(node, locale)

    assert shown in page
    # The footer names the clock and its offset ("UTC-04:00" in French); the times do not.
    content = page.split("<footer>")[0]
    assert "UTC" not in content and "01:00" not in content


def lock(node: Node, browser_locale: str) -> tuple[str, str]:
    """Three wrong codes, then a new code asked while locked: both pages."""
    enrol(node)
    browser = node.browser(**{"accept-language": browser_locale})
    page = ask_code(browser, MARIE)
    for _ in range(3):
        page = send_code(browser, page.text, MARIE, wrong(node.code_sent_to(MARIE)))
    again = ask_code(browser, MARIE)
    assert (page.status_code, again.status_code) == (429, 429)
    return page.text, again.text


@pytest.mark.parametrize(
    ("locale", "shown"),
    [
        ("en", "locked until Dec 31, 2025, 8:10:00\u202fPM."),
        ("fr", "verrouillée jusqu'au 31 déc. 2025, 20:10:00."),
    ],
)
def test_the_end_of_a_lock_is_on_the_local_clock_in_the_readers_language(
    node: Node, locale: str, shown: str
) -> None:
    after_wrong_codes, asking_again = lock(node, locale)

    for page in (after_wrong_codes, asking_again):
        assert shown in page.replace("&#39;", "'")
        assert "UTC" not in page.split("<footer>")[0]


@pytest.mark.parametrize(
    ("locale", "shown"),
    [
        ("en", "Signing up with this number is locked until Dec 31, 2025, 8:10:00\u202fPM."),
        ("fr", "L'inscription avec ce numéro est verrouillée jusqu'au 31 déc. 2025, 20:10:00."),
    ],
)
def test_the_end_of_a_registration_lock_is_on_the_local_clock(
    node: Node, locale: str, shown: str
) -> None:
    browser = node.browser(**{"accept-language": locale})
    form = browser.get("/identity/register")
    page = browser.post("/identity/register", data={**DETAILS, "csrf_token": csrf(form.text)})
    for _ in range(3):
        page = browser.post(
            "/identity/register/code",
            data={
                **DETAILS,
                "code": wrong(node.code_sent_to(KWAME)),
                "csrf_token": csrf(page.text),
            },
        )
    again = browser.post("/identity/register", data={**DETAILS, "csrf_token": csrf(page.text)})

    for answer in (page, again):
        assert answer.status_code == 429
        assert shown in answer.text.replace("&#39;", "'")


def test_a_node_set_to_another_time_zone_shows_its_clock(
    database: Database, tmp_path: Path, clock: FrozenClock
) -> None:
    settings = load_settings(
        data_dir=tmp_path,
        base_url=BASE_URL,
        secret_key="test-secret-" + uuid.uuid4().hex,
        blocks="home,identity,channels.sms",
        time_zone="Europe/Paris",
    )
    node = Node(create_app(settings, database=database, clock=clock), database, clock)

    page = flood(node, "fr")

    assert "02:00" in page  # 01:00 UTC is 02:00 in Paris in winter


def test_an_unknown_time_zone_is_refused_naming_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as refused:
        load_settings(data_dir=tmp_path, time_zone="Castries/Nowhere")

    assert "COMPTOIR_TIME_ZONE" in str(refused.value)
    assert "not a known time zone" in str(refused.value)


def test_the_default_time_zone_is_the_demo_countrys(tmp_path: Path) -> None:
    assert load_settings(data_dir=tmp_path).time_zone == "America/St_Lucia"
