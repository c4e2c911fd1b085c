"""The web shell's own routes: health, the language switch, and the problem-type pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

import comptoir
from comptoir.kernel import i18n
from comptoir.kernel.errors import NOT_FOUND, PROBLEM_TYPES, Problem
from comptoir.kernel.i18n import LazyText
from comptoir.kernel.web import operator
from comptoir.kernel.web.context import node_context

router = APIRouter()


@router.get("/healthz", tags=["operations"])
def health(request: Request) -> JSONResponse:
    """Liveness and readiness: 200 when the database answers, 503 when it does not."""
    database_ok = True
    try:
        with node_context(request).database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        database_ok = False
    return JSONResponse(
        {
            "status": "ok" if database_ok else "unavailable",
            "version": comptoir.__version__,
            "database": "ok" if database_ok else "unreachable",
        },
        status_code=200 if database_ok else 503,
        headers={"Cache-Control": "no-store"},
    )


def safe_return_path(candidate: str | None) -> str:
    """Only a local path: a language switch must not become an open redirect."""
    if candidate and candidate.startswith("/") and not candidate.startswith("//"):
        return candidate
    return "/"


@router.post("/language", include_in_schema=False)
def choose_language(
    request: Request,
    lang: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    return language_chosen(request, lang, safe_return_path(next))


def language_chosen(request: Request, lang: str, back_to: str) -> Response:
    """Back to `back_to` (a local path) in `lang`, remembered in the language cookie for a
    year; a language this node does not speak is not remembered."""
    response = RedirectResponse(back_to, status_code=303)
    if lang in i18n.AVAILABLE_LOCALES:
        response.set_cookie(
            i18n.LANGUAGE_COOKIE,
            lang,
            max_age=60 * 60 * 24 * 365,
            httponly=True,
            secure=node_context(request).settings.secure_cookies,
            samesite="lax",
        )
    return response


@router.get("/operator/sign-in", include_in_schema=False)
def operator_sign_in(request: Request, token: str = "") -> Response:
    return operator.sign_in(request, token)


@router.get("/problems/{slug}", include_in_schema=False)
def explain_problem(request: Request, slug: str) -> Response:
    kind = PROBLEM_TYPES.get(slug)
    if kind is None:
        raise Problem(NOT_FOUND)
    return node_context(request).templates.render(
        request,
        "kernel/problem_type.html",
        {
            "kind": kind,
            "title": LazyText(kind.title).render(),
            "explanation": LazyText(kind.explanation).render() if kind.explanation else "",
        },
    )
