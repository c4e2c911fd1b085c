"""The wallet pages' forms, kept on the sign-in session for the language switch
(service/form_drafts.py): the page that refuses a form keeps it and names its kept address as
where the language switch comes back to; a form not sent yet is kept when the header's
language buttons send it (`switched_language`); that address shows the form again from the
draft."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Request
from fastapi.responses import Response

from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.apps.wallet.pages.common import SESSION_COOKIE
from comptoir.apps.wallet.service.form_drafts import (
    FormDraft,
    FormName,
    forget_draft,
    keep_draft,
    kept_draft,
)
from comptoir.apps.wallet.web import wallet_of
from comptoir.kernel.web.routes import language_chosen


def kept_address(institution_id: str, page: str) -> str:
    """Where a refused form comes back from its draft (after a language switch): what was
    typed stays on the server, never in this address."""
    return f"/wallets/{institution_id}/{page}?kept=1"


def keep(
    request: Request,
    form: FormName,
    institution_id: str,
    typed: Mapping[str, str],
    error: WalletError | None,
) -> None:
    keep_draft(
        wallet_of(request),
        form=form,
        institution_id=institution_id,
        token=request.cookies.get(SESSION_COOKIE),
        typed=typed,
        error=error,
    )


def forget(request: Request, form: FormName, institution_id: str) -> None:
    forget_draft(
        wallet_of(request),
        form=form,
        institution_id=institution_id,
        token=request.cookies.get(SESSION_COOKIE),
    )


def kept_or_forgotten(
    request: Request, form: FormName, institution_id: str, *, kept: str
) -> FormDraft | None:
    """The form's draft, on its kept address (`kept`); elsewhere the form is opened afresh,
    and its draft, if any, is forgotten."""
    if kept:
        found = kept_draft(
            wallet_of(request),
            form=form,
            institution_id=institution_id,
            token=request.cookies.get(SESSION_COOKIE),
        )
        if found is not None:
            return found
    forget(request, form, institution_id)
    return None


def switched_language(
    request: Request,
    form: FormName,
    institution_id: str,
    page: str,
    typed: Mapping[str, str],
    *,
    lang: str,
    refused: bool,
) -> Response:
    """The form sent by the header's language buttons (`switch_keeps`): nothing it asks for is
    done; it is kept as typed, with the problem it was refused for if the page showed one, and
    comes back in `lang` from its kept address."""
    earlier = kept_or_forgotten(request, form, institution_id, kept="1") if refused else None
    keep(request, form, institution_id, typed, None if earlier is None else earlier.error)
    return language_chosen(request, lang, kept_address(institution_id, page))
