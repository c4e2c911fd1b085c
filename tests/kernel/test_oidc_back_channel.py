"""The relying party's back-channel client keeps no cookies, and is otherwise httpx's."""

from __future__ import annotations

import httpx
import pytest

from comptoir.kernel.oidc import BackChannelClient


def _provider_setting_a_cookie(seen: list[httpx.Request]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, json={"ok": True}, headers={"Set-Cookie": "tracker=1; Path=/; HttpOnly"}
        )

    return httpx.MockTransport(answer)


def test_a_cookie_the_provider_sets_is_neither_kept_nor_sent_back() -> None:
    seen: list[httpx.Request] = []
    with BackChannelClient(
        transport=_provider_setting_a_cookie(seen), base_url="https://idp.test"
    ) as http:
        first = http.post("/token", data={"grant_type": "authorization_code"})
        http.get("/userinfo", headers={"Authorization": "DPoP token"})
    assert first.json() == {"ok": True}
    assert not http.cookies
    assert [request.headers.get("cookie") for request in seen] == [None, None]
    assert seen[1].headers["authorization"] == "DPoP token"


def test_a_plain_httpx_client_would_have_sent_it_back() -> None:
    # What the back-channel client is there to leave out.
    seen: list[httpx.Request] = []
    with httpx.Client(
        transport=_provider_setting_a_cookie(seen), base_url="https://idp.test"
    ) as http:
        http.get("/one")
        http.get("/two")
    assert seen[1].headers.get("cookie") == "tracker=1"


def test_cookies_cannot_be_given_to_a_back_channel_client() -> None:
    with pytest.raises(TypeError):
        BackChannelClient(cookies={"session": "x"})
    with BackChannelClient() as http:
        with pytest.raises(TypeError):
            http.cookies = {"session": "x"}
        with pytest.raises(TypeError):
            http.cookies.set("session", "x")
