"""Pure rules of the OpenID provider: scopes and claims, the `claims` request parameter,
pairwise subjects and the redirect URIs a client may register. Standard library only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from comptoir.kernel.i18n import N_, LazyText, lazy

SUBJECT: Final = "sub"
# What each scope stands for (OpenID Connect Core 1.0 section 5.4, the claims this registry has).
SCOPE_CLAIMS: Final[Mapping[str, tuple[str, ...]]] = {
    "openid": (SUBJECT,),
    "profile": ("name", "birthdate", "locale"),
    "phone": ("phone_number", "phone_number_verified"),
}
SUPPORTED_SCOPES: Final = tuple(SCOPE_CLAIMS)
SUPPORTED_CLAIMS: Final = tuple(claim for claims in SCOPE_CLAIMS.values() for claim in claims)
# What the consent screen says for each claim, in the person's words.
CLAIM_LABELS: Final[Mapping[str, str]] = {
    SUBJECT: N_("An identifier for you, different at every service"),
    "name": N_("Your name"),
    "birthdate": N_("Your date of birth"),
    "locale": N_("Your preferred language"),
    "phone_number": N_("Your phone number"),
    "phone_number_verified": N_("Whether your phone number is verified"),
}
_LOOPBACK_HOSTS: Final = frozenset({"127.0.0.1", "::1", "localhost"})
# OpenID Connect Core 1.0 section 3.1.2.1. One account per browser here, so select_account
# asks for nothing more.
PROMPT_VALUES: Final = frozenset({"none", "login", "consent", "select_account"})
_MAX_AGE_DIGITS: Final = 10
# OIDC Core 2: a subject identifier is at most 255 ASCII characters.
_MAX_SUBJECT_LENGTH: Final = 255


class RequestError(ValueError):
    """A request the provider refuses; `error` is the OAuth error code to answer with."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


def parse_scopes(text: str) -> tuple[str, ...]:
    """The scopes of a `scope` parameter, in order, without repeats."""
    seen: list[str] = []
    for scope in text.split(" "):
        if scope and scope not in seen:
            seen.append(scope)
    return tuple(seen)


def understood_scopes(scopes: Iterable[str]) -> tuple[str, ...]:
    """The scopes this provider knows, in order: OIDC Core 3.1.2.1 has scope values that are
    not understood ignored (a library's default "openid profile email" still signs in)."""
    return tuple(scope for scope in scopes if scope in SCOPE_CLAIMS)


def parse_prompt(text: str | None) -> tuple[str, ...]:
    """The `prompt` values asked for; unknown values, or `none` with another, are refused."""
    values = parse_scopes(text or "")
    unknown = [value for value in values if value not in PROMPT_VALUES]
    if unknown:
        raise RequestError("invalid_request", f"the prompt value {unknown[0]!r} is not supported")
    if "none" in values and len(values) > 1:
        raise RequestError("invalid_request", "prompt=none cannot go with another prompt value")
    return values


def parse_max_age(text: str | None) -> int | None:
    """`max_age`: the most seconds since the person last logged in that the client accepts."""
    if text is None:
        return None
    if not text.isascii() or not text.isdigit() or len(text) > _MAX_AGE_DIGITS:
        raise RequestError("invalid_request", "max_age must be a whole number of seconds")
    return int(text)


def fresh_enough(
    prompt: Iterable[str],
    max_age: int | None,
    *,
    authenticated_at: float,
    asked_at: float | None,
    now: float,
) -> bool:
    """Whether a login at `authenticated_at` answers the request. A login made after the
    request was `asked_at` always does (none can be fresher: max_age=0 must not loop); an
    older one does unless the request says prompt=login or it is older than `max_age`."""
    if asked_at is not None and authenticated_at >= asked_at:
        return True
    if "login" in prompt:
        return False
    return max_age is None or now - authenticated_at <= max_age


def claims_of_scopes(scopes: Iterable[str]) -> tuple[str, ...]:
    claims: list[str] = []
    for scope in scopes:
        for claim in SCOPE_CLAIMS.get(scope, ()):
            if claim not in claims:
                claims.append(claim)
    return tuple(claims)


@dataclass(frozen=True)
class ClaimsRequest:
    """What a request asks for: every claim, those marked essential, and where each goes
    (the ID token, userinfo, or both). `sub` is always asked and always essential; `subject`
    is the `sub` value the ID token was asked to have, if any (OIDC Core 5.5.1)."""

    asked: tuple[str, ...]
    essential: frozenset[str]
    id_token: tuple[str, ...]
    userinfo: tuple[str, ...]
    subject: str | None = None

    def to_json(self) -> dict[str, object]:
        value: dict[str, object] = {
            "asked": list(self.asked),
            "essential": sorted(self.essential),
            "id_token": list(self.id_token),
            "userinfo": list(self.userinfo),
        }
        if self.subject is not None:
            value["subject"] = self.subject
        return value

    @classmethod
    def from_json(cls, value: Mapping[str, object]) -> ClaimsRequest:
        def names(key: str) -> tuple[str, ...]:
            found = value.get(key)
            return tuple(str(item) for item in found) if isinstance(found, list) else ()

        subject = value.get("subject")
        return cls(
            asked=names("asked"),
            essential=frozenset(names("essential")),
            id_token=names("id_token"),
            userinfo=names("userinfo"),
            subject=subject if isinstance(subject, str) else None,
        )


def claims_request(
    *, scopes: Iterable[str], claims_parameter: str | None, allowed_scopes: Iterable[str]
) -> ClaimsRequest:
    """Combine the scopes and the `claims` parameter (OIDC Core 5.5) into what is asked.

    A scope or a claim the client is not registered for is refused (`invalid_scope`,
    `invalid_request`): a client never gets more than the operator allowed it. A scope this
    provider does not know is ignored (`understood_scopes`).
    """
    requested_scopes = understood_scopes(scopes)
    allowed = tuple(allowed_scopes)
    if "openid" not in requested_scopes:
        raise RequestError("invalid_scope", "the scope must include openid")
    refused = [scope for scope in requested_scopes if scope not in allowed]
    if refused:
        raise RequestError(
            "invalid_scope", f"this client is not registered for the scope {refused[0]!r}"
        )
    allowed_claims = set(claims_of_scopes(allowed))
    userinfo = list(claims_of_scopes(requested_scopes))
    id_token: list[str] = [SUBJECT]
    essential = {SUBJECT}
    parameter = _parse_claims_parameter(claims_parameter)
    subject = _id_token_demands(parameter.get("id_token", {}))
    for target, members in parameter.items():
        for claim, options in members.items():
            if claim not in SUPPORTED_CLAIMS:
                # OIDC Core 5.5: claims the provider does not know are ignored.
                continue
            if claim not in allowed_claims:
                raise RequestError(
                    "invalid_request", f"this client may not ask for the claim {claim!r}"
                )
            destination = id_token if target == "id_token" else userinfo
            if claim not in destination:
                destination.append(claim)
            if options.get("essential") is True:
                essential.add(claim)
    asked = [SUBJECT]
    for claim in (*userinfo, *id_token):
        if claim not in asked:
            asked.append(claim)
    return ClaimsRequest(
        asked=tuple(asked),
        essential=frozenset(essential),
        id_token=tuple(id_token),
        userinfo=tuple(claim for claim in userinfo if claim != SUBJECT),
        subject=subject,
    )


def _id_token_demands(members: Mapping[str, Mapping[str, object]]) -> str | None:
    """What the ID token's members of the `claims` parameter demand: the `sub` it must have,
    if one is named (OIDC Core 5.5.1: only that person may then get it); an essential `acr`
    with values is refused (5.5.1.1: it must be met, or the request fails, and this provider
    has no authentication context classes to meet one with)."""
    acr = members.get("acr", {})
    if acr.get("essential") is True and ("value" in acr or acr.get("values")):
        raise RequestError("invalid_request", "no essential acr value can be met by this provider")
    options = members.get(SUBJECT, {})
    if "value" not in options:
        return None
    value = options["value"]
    if not isinstance(value, str) or not value or len(value) > _MAX_SUBJECT_LENGTH:
        raise RequestError(
            "invalid_request", "claims.id_token.sub.value must be a subject identifier"
        )
    return value


def _parse_claims_parameter(text: str | None) -> dict[str, dict[str, dict[str, object]]]:
    if text is None or not text.strip():
        return {}
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise RequestError("invalid_request", "the claims parameter is not JSON") from None
    if not isinstance(value, dict):
        raise RequestError("invalid_request", "the claims parameter must be a JSON object")
    parsed: dict[str, dict[str, dict[str, object]]] = {}
    for target in ("userinfo", "id_token"):
        members = value.get(target)
        if members is None:
            continue
        if not isinstance(members, dict):
            raise RequestError("invalid_request", f"claims.{target} must be a JSON object")
        parsed[target] = {}
        for claim, options in members.items():
            if options is None:
                parsed[target][claim] = {}
            elif isinstance(options, dict):
                parsed[target][claim] = options
            else:
                raise RequestError(
                    "invalid_request", f"claims.{target}.{claim} must be null or an object"
                )
    return parsed


def pairwise_subject(secret: bytes, *, sector: str, person_id: uuid.UUID) -> str:
    """The `sub` a sector sees for a person (OIDC Core 8.1): stable for the sector, unlinkable
    across sectors without the provider's secret."""
    digest = hmac.new(secret, f"{sector}\x00{person_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def redirect_uri_problem(uri: str) -> LazyText | None:
    """Why `uri` cannot be registered as a redirect URI, or None when it can.

    FAPI 2.0 asks for https; plain http is allowed only to the loopback interface, where a
    developer's own machine runs the relying party.
    """
    try:
        parts = urlsplit(uri)
    except ValueError:
        return lazy("it is not a URL")
    if parts.fragment or "#" in uri:
        return lazy("it must not have a fragment")
    if not parts.hostname:
        return lazy("it must be an absolute URL with a host")
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS:
        return None
    return lazy("it must use https (http only to 127.0.0.1 or localhost)")
