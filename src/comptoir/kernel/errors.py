"""Errors: RFC 9457 problem details for the wire, and configuration errors for operators."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from comptoir.kernel.i18n import N_, LazyText


class ConfigurationError(Exception):
    """A setting is wrong. Carries the setting's name and one plain sentence for the operator.

    The command line prints `sentence` alone (never a traceback) and exits non-zero.
    """

    def __init__(self, setting: str, sentence: str) -> None:
        super().__init__(f"{setting}: {sentence}")
        self.setting = setting
        self.sentence = sentence


# --- RFC 9457 problem details ----------------------------------------------------------------


PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_PATH = "/problems/"


@dataclass(frozen=True)
class ProblemType:
    """One kind of error, with a stable `type` URI that clients may switch on.

    The URI is a path on this node (`/problems/<slug>`), where a page explains the error.
    """

    slug: str
    status: int
    title: str  # an N_() message id, translated when rendered
    explanation: str = ""  # an N_() message id for the /problems page

    @property
    def uri(self) -> str:
        return PROBLEM_PATH + self.slug


PROBLEM_TYPES: dict[str, ProblemType] = {}


def problem_type(slug: str, status: int, title: str, explanation: str = "") -> ProblemType:
    """Declare a problem type once, at import; slugs are unique across the whole system."""
    if slug in PROBLEM_TYPES:
        raise ValueError(f"problem type {slug!r} is declared twice")
    declared = ProblemType(slug, status, title, explanation)
    PROBLEM_TYPES[slug] = declared
    return declared


VALIDATION = problem_type(
    "validation",
    422,
    N_("The request is not valid"),
    N_("A field is missing or has a value that is not allowed; the errors list names each one."),
)
MALFORMED = problem_type(
    "malformed",
    400,
    N_("The request could not be read"),
    N_("The body is not well-formed JSON or form data."),
)
NOT_FOUND = problem_type("not-found", 404, N_("Not found"), N_("Nothing exists at this address."))
METHOD_NOT_ALLOWED = problem_type(
    "method-not-allowed",
    405,
    N_("Method not allowed"),
    N_("This address does not accept this HTTP method."),
)
CSRF_FAILED = problem_type(
    "csrf-failed",
    403,
    N_("The form has expired"),
    N_("The form was not sent from this site, or it is too old. Reload the page and try again."),
)
UNAUTHORIZED = problem_type(
    "unauthorized", 401, N_("Authentication is required"), N_("Sign in, or sign the request.")
)
FORBIDDEN = problem_type("forbidden", 403, N_("Not allowed"), N_("You may not do this."))
CONFLICT = problem_type(
    "conflict",
    409,
    N_("The request conflicts with what exists"),
    N_("The resource already exists or has changed; fetch it again and retry."),
)
RATE_LIMITED = problem_type(
    "rate-limited",
    429,
    N_("Too many attempts"),
    N_("Wait a little before trying again."),
)
UNAVAILABLE = problem_type(
    "unavailable",
    503,
    N_("The service is unavailable"),
    N_("A part of the service cannot be reached right now; try again shortly."),
)
INTERNAL = problem_type(
    "internal",
    500,
    N_("Something went wrong on our side"),
    N_("The error was logged. Nothing was changed; you may try again."),
)


@dataclass(frozen=True)
class FieldError:
    """One offending field, named by a JSON Pointer (RFC 6901) into the request."""

    pointer: str
    detail: LazyText


@dataclass
class Problem(Exception):  # noqa: N818 (RFC 9457 calls it a problem)
    """An error that becomes an `application/problem+json` answer (or an HTML error page)."""

    type: ProblemType
    detail: LazyText | None = None
    errors: Sequence[FieldError] = ()
    extensions: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.type.slug)

    @property
    def status(self) -> int:
        return self.type.status

    def to_json(self, *, locale: str, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type.uri,
            "title": LazyText(self.type.title).render(locale),
            "status": self.type.status,
        }
        if self.detail is not None:
            body["detail"] = self.detail.render(locale)
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = [
                {"pointer": error.pointer, "detail": error.detail.render(locale)}
                for error in self.errors
            ]
        body.update(self.extensions)
        return body


def json_pointer(*path: str | int) -> str:
    """A JSON Pointer for a location, escaping `~` and `/` as RFC 6901 says."""
    return "/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in path)
