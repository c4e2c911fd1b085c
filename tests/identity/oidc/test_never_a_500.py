"""Whatever a client sends to the protocol endpoints, the answer is an OAuth error, never a 500."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.identity.oidc.world import ISSUER, World

junk = st.one_of(
    st.text(max_size=200),
    st.sampled_from(["", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "..", "DPoP", "x" * 5000]),
)
parameters = st.sampled_from(
    [
        "client_id",
        "client_assertion",
        "client_assertion_type",
        "code",
        "code_verifier",
        "redirect_uri",
        "scope",
        "claims",
        "code_challenge",
        "code_challenge_method",
        "grant_type",
        "response_type",
        "dpop_jkt",
    ]
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    endpoint=st.sampled_from(["par", "token"]),
    form=st.dictionaries(parameters, junk, max_size=6),
    dpop=st.one_of(st.none(), junk),
)
def test_par_and_token_answer_junk_with_an_oauth_error(
    world: World, endpoint: str, form: dict[str, str], dpop: str | None
) -> None:
    headers = {} if dpop is None else {"DPoP": dpop.encode("utf-8")}

    answer = world.http.post(f"{ISSUER}/identity/oidc/{endpoint}", data=form, headers=headers)

    assert 400 <= answer.status_code < 500, answer.text
    assert isinstance(answer.json()["error"], str)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    authorization=st.one_of(st.none(), junk.map(lambda text: "DPoP " + text)),
    dpop=st.one_of(st.none(), junk),
)
def test_userinfo_answers_junk_with_a_challenge(
    world: World, authorization: str | None, dpop: str | None
) -> None:
    headers: dict[str, bytes] = {}
    for name, value in (("Authorization", authorization), ("DPoP", dpop)):
        if value is not None:
            headers[name] = value.encode("utf-8")

    answer = world.http.get(f"{ISSUER}/identity/oidc/userinfo", headers=headers)

    assert answer.status_code in (400, 401), answer.text
    assert "DPoP" in answer.headers["www-authenticate"]


def test_the_pages_answer_junk_with_an_error_page(world: World) -> None:
    marie = world.enrol()

    for query in ({"client_id": "x" * 500, "request_uri": "urn:x"}, {"request_uri": "\u00e9"}):
        answer = marie.browser.get("/identity/oidc/authorize", params=query)
        assert answer.status_code == 400
    page = marie.browser.get("/identity/me/consents").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    consent = marie.browser.post(
        "/identity/oidc/consent", data={"csrf_token": token, "request_id": "not-a-uuid"}
    )
    revoke = marie.browser.post(
        "/identity/me/consents/nobody/revoke", data={"csrf_token": token}, follow_redirects=False
    )
    assert consent.status_code == 400
    assert revoke.status_code == 303
