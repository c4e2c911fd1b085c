"""What a person sees and controls: pairwise subjects, the log of who used their data, the
audit trail, their consents (in English and French), and logging out from a relying party."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from comptoir.kernel.audit import entries
from comptoir.kernel.oidc import callback_parameters
from tests.identity.oidc.world import CSRF_FIELD, ISSUER, World, hidden


def test_pairwise_subjects_differ_across_clients_and_stay_stable_for_one(world: World) -> None:
    shop = world.register_client(name="Coconut Corner")
    bakery = world.register_client(name="Bread Basket", redirect_uri="https://bakery.example/cb")
    marie = world.enrol()

    def subject_at(client_name: str) -> str:
        rp = shop if client_name == "shop" else bakery
        start = rp.begin(scope="openid")
        return rp.finish(start, world.authorize(marie, start)).subject

    first_at_shop, first_at_bakery = subject_at("shop"), subject_at("bakery")
    again_at_shop = subject_at("shop")

    assert first_at_shop != first_at_bakery
    assert first_at_shop == again_at_shop
    assert str(marie.person_id) not in (first_at_shop, first_at_bakery)


def test_two_people_get_two_subjects_at_one_client(world: World) -> None:
    shop = world.register_client()
    marie, jean = world.enrol(), world.enrol(name="Jean Baptiste")
    subjects = set()
    for person in (marie, jean):
        start = shop.begin()
        subjects.add(shop.finish(start, world.authorize(person, start)).subject)

    assert len(subjects) == 2


def test_releases_are_shown_to_the_person_and_audited_without_values(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    start = shop.begin(scope="openid profile phone")
    tokens = shop.finish(start, world.authorize(marie, start))
    shop.userinfo(tokens)

    page = marie.browser.get("/identity/me/releases")

    assert page.status_code == 200
    assert page.text.count("Coconut Corner") == 2  # the ID token, then userinfo
    assert "Your phone number" in page.text
    with world.database.reading() as session:
        released = entries(session, action="identity.oidc.released", limit=10)
    assert [entry.details["channel"] for entry in released] == ["userinfo", "id_token"]
    assert all(entry.subject == f"person:{marie.person_id}" for entry in released)
    assert all(entry.actor == f"oidc-client:{shop.client_id}" for entry in released)
    assert "phone_number" in released[0].details["claims"]
    # Claim names only, never the values.
    assert "+17585550101" not in str([entry.details for entry in released])
    assert "Marie Joseph" not in str([entry.details for entry in released])


def test_the_releases_page_says_in_french_what_was_shared_in_a_column_that_wraps(
    world: World,
) -> None:
    shop = world.register_client()
    marie = world.enrol()
    start = shop.begin(scope="openid phone")
    shop.finish(start, world.authorize(marie, start))

    page = marie.browser.get("/identity/me/releases", headers={"accept-language": "fr"}).text

    assert '<th scope="col">Données transmises</th>' in page
    assert "Opération" not in page
    assert '<td class="free-text">' in page  # the claims wrap rather than push the table wide


def test_the_audit_log_records_the_login_and_the_consent(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    start = shop.begin(scope="openid profile")
    shop.finish(start, world.authorize(marie, start))

    with world.database.reading() as session:
        actions = [entry.action for entry in entries(session, limit=20)]

    assert "identity.person.signed_in" in actions
    assert "identity.oidc.consent_given" in actions
    assert "identity.oidc.client_added" in actions


def test_someone_else_sees_none_of_a_persons_releases(world: World) -> None:
    shop = world.register_client()
    marie, jean = world.enrol(), world.enrol(name="Jean Baptiste")
    start = shop.begin(scope="openid profile")
    shop.userinfo(shop.finish(start, world.authorize(marie, start)))

    page = jean.browser.get("/identity/me/releases").text

    assert "Coconut Corner" not in page


def test_the_consent_screen_speaks_french(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    marie.browser.headers["Accept-Language"] = "fr"
    start = shop.begin(scope="openid profile")

    page = world.consent_page(marie, start)

    assert '<html lang="fr">' in page
    assert "Coconut Corner" in page


def test_the_authorization_endpoint_answers_as_a_page_and_only_to_get(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    marie.browser.headers["Accept-Language"] = "fr"
    start = shop.begin(scope="openid profile")

    head = marie.browser.head(start.authorization_url, follow_redirects=False)
    page = marie.browser.get(start.authorization_url, follow_redirects=False)

    assert head.status_code == 405  # a HEAD must not take the pushed request
    assert page.status_code == 200
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "Accept-Language" in page.headers["vary"]
    assert '<html lang="fr">' in page.text


def test_the_consents_page_needs_a_signed_in_person(world: World) -> None:
    for path in ("/identity/me/consents", "/identity/me/releases"):
        answer = world.http.get(path, follow_redirects=False)

        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/identity/login?next=/identity/me/")


def test_a_relying_party_logs_the_person_out_of_the_provider_too(world: World) -> None:
    shop = world.register_client(post_logout_redirect_uris=["https://shop.example/bye"])
    marie = world.enrol()
    start = shop.begin()
    tokens = shop.finish(start, world.authorize(marie, start))

    confirm = marie.browser.get(
        shop.logout_url(
            id_token=tokens.id_token,
            post_logout_redirect_uri="https://shop.example/bye",
            state="after-logout",
        )
    )
    assert confirm.status_code == 200
    assert "Coconut Corner" in confirm.text
    form = {
        "csrf_token": hidden(confirm.text, CSRF_FIELD),
        "id_token_hint": tokens.id_token,
        "post_logout_redirect_uri": "https://shop.example/bye",
        "state": "after-logout",
        "client_id": shop.client_id,
    }
    done = marie.browser.post("/identity/oidc/logout", data=form, follow_redirects=False)

    assert done.status_code == 303
    location = urlsplit(done.headers["location"])
    assert (location.netloc, location.path) == ("shop.example", "/bye")
    assert parse_qs(location.query)["state"] == ["after-logout"]
    # Signed out: the next authorization goes to the login page.
    again = shop.begin()
    answer = marie.browser.get(again.authorization_url, follow_redirects=False)
    assert answer.headers["location"].startswith("/identity/login")


def test_logout_never_redirects_to_an_unregistered_uri(world: World) -> None:
    shop = world.register_client(post_logout_redirect_uris=["https://shop.example/bye"])
    marie = world.enrol()
    start = shop.begin()
    tokens = shop.finish(start, world.authorize(marie, start))

    answer = marie.browser.get(
        shop.logout_url(
            id_token=tokens.id_token,
            post_logout_redirect_uri="https://evil.example/",
            state="x",
        ),
        follow_redirects=False,
    )

    assert answer.status_code == 400
    assert "location" not in answer.headers


def test_the_authorization_response_carries_the_issuer(world: World) -> None:
    shop = world.register_client()
    marie = world.enrol()
    start = shop.begin()

    parameters = callback_parameters(world.authorize(marie, start))

    assert parameters["iss"] == ISSUER
    assert parameters["state"] == start.state
    assert set(parameters) == {"code", "state", "iss"}
