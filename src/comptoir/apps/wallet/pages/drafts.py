"""The wallet pages' refused forms, kept on the sign-in session for the language switch
(service/form_drafts.py): the page that refuses a form keeps it and names its kept address as
where the language switch comes back to; that address shows the form again from the draft."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Request

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


def kept_address(institution_id: str, page: str) -> str:
    """Where a refused form comes back from its draft (after a language switch): what was
    typed stays on the server, never in this address."""
    return f"/wallets/{institution_id}/{page}?kept=1"


def keep(
    request: Request,
    form: FormName,
    institution_id: str,
    typed: Mapping[str, str],
    error: WalletError,
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
