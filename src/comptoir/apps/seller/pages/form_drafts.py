"""A shop form kept across a language switch (`switch_keeps`): the header's language buttons
send it here rather than to be saved, and it waits in a short-lived signed cookie of the form's
own pages (`kernel/web/kept_in_cookie.py`), never in an address. A form the page had refused
keeps its problems, found when it was sent (in the language it was typed in, whose way of
writing an amount it follows), to be said in the new one."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from fastapi import Request
from fastapi.responses import Response

from comptoir.apps.seller.domain.errors import SellerError
from comptoir.kernel.i18n import LazyText
from comptoir.kernel.web import kept_in_cookie
from comptoir.kernel.web.routes import language_chosen

FORM_DRAFT: Final = "comptoir_seller_form_draft"
DRAFT_SECONDS: Final = 15 * 60
# The names the cookie keeps beside the form's fields: no form field may take them.
_FORM_KEY: Final = "__form"
_PROBLEMS: Final = "__problems"


@dataclass(frozen=True)
class KeptForm:
    values: dict[str, str]  # as typed
    refused: SellerError | None


def switched_language(
    request: Request,
    *,
    form_key: str,
    values: Mapping[str, str],
    problems: Mapping[str, LazyText] | None,
    lang: str,
    page: str,
) -> Response:
    """Back to `page` in `lang` with the form `form_key` (which form, and of what) as typed,
    and its `problems` if the page had refused it. A form too long for a cookie (a description
    of thousands of characters) switches language only."""
    stored = {**values, _FORM_KEY: form_key}
    if problems:
        stored[_PROBLEMS] = json.dumps(
            {
                field: [text.message, {name: str(value) for name, value in text.params.items()}]
                for field, text in problems.items()
            }
        )
    response = language_chosen(request, lang, f"{page}?kept=1")
    kept_in_cookie.keep(request, response, FORM_DRAFT, stored, path=page, seconds=DRAFT_SECONDS)
    return response


def kept_form(request: Request, form_key: str) -> KeptForm | None:
    """The form `form_key` this browser keeps for the page asked for, if any."""
    values = kept_in_cookie.kept(request, FORM_DRAFT)
    if values is None or values.pop(_FORM_KEY, None) != form_key:
        return None
    try:
        stored = json.loads(values.pop(_PROBLEMS, "") or "{}")
    except ValueError:
        stored = {}
    problems = {
        str(field): LazyText(str(message), {str(k): v for k, v in dict(params).items()})
        for field, (message, params) in dict(stored).items()
    }
    if not problems:
        return KeptForm(values, None)
    field, text = next(iter(problems.items()))
    return KeptForm(values, SellerError(field, text, problems))


def forget_form(request: Request, response: Response, page: str) -> None:
    if FORM_DRAFT in request.cookies:
        kept_in_cookie.forget(request, response, FORM_DRAFT, path=page)
