"""Every error becomes RFC 9457 problem details, or an HTML page for a browser, in its language."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from comptoir.kernel import i18n
from comptoir.kernel.errors import (
    INTERNAL,
    MALFORMED,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    PROBLEM_MEDIA_TYPE,
    UNAUTHORIZED,
    VALIDATION,
    FieldError,
    Problem,
    ProblemType,
    json_pointer,
)
from comptoir.kernel.i18n import lazy
from comptoir.kernel.web.context import node_context

logger = logging.getLogger("comptoir.errors")

_STATUS_TYPES: dict[int, ProblemType] = {
    400: MALFORMED,
    401: UNAUTHORIZED,
    404: NOT_FOUND,
    405: METHOD_NOT_ALLOWED,
    422: VALIDATION,
}


def wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "json" not in accept


def problem_response(request: Request, problem: Problem) -> Response:
    locale = i18n.current_locale()
    body = problem.to_json(locale=locale, instance=request.url.path)
    if wants_html(request):
        return node_context(request).templates.render(
            request,
            "kernel/error.html",
            {"problem": body},
            status_code=problem.status,
            headers=problem.headers,
        )
    response = JSONResponse(
        body, status_code=problem.status, media_type=PROBLEM_MEDIA_TYPE, headers=problem.headers
    )
    response.headers["Content-Language"] = locale
    return response


def _validation_problem(exc: RequestValidationError) -> Problem:
    errors: list[FieldError] = []
    for error in exc.errors():
        location = [part for part in error.get("loc", ()) if part not in ("body", "query", "path")]
        kind = error.get("type", "")
        if kind == "missing":
            detail = lazy("This field is required.")
        elif kind == "json_invalid":
            return Problem(MALFORMED, lazy("The body is not valid JSON."))
        else:
            # pydantic's message is English only; keep it, it names the constraint precisely.
            detail = lazy("{message}", message=str(error.get("msg", "")))
        errors.append(FieldError(json_pointer(*location), detail))
    return Problem(VALIDATION, lazy("Some fields are not valid."), errors=errors)


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        return problem_response(request, exc)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        kind = _STATUS_TYPES.get(exc.status_code, INTERNAL if exc.status_code >= 500 else MALFORMED)
        headers = dict(exc.headers or {})
        return problem_response(request, Problem(kind, headers=headers))

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return problem_response(request, _validation_problem(exc))

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(request, Problem(INTERNAL))

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(Exception, on_unexpected)
