"""Forms as the customer typed them, refused or not yet sent, kept on their sign-in session.

A payee's or a customer's phone number, an amount or a reason must never travel in a URL
(server logs, browser history, the Referer header). When the language is switched on a form,
it comes back from here; a refused one with why it was refused said in the new language. Each
form has its own place in the session's draft (a refused payment does not push out a refused
request to pay); a form's draft goes when what it asked for is done, when that form is opened
afresh, at sign-out, and within the hour after its session expired (`forget_ended_drafts`).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from sqlalchemy import null, or_, select, update
from sqlalchemy.orm import Session

from comptoir.apps.wallet.domain import signin as rules
from comptoir.apps.wallet.domain.errors import FieldsError, MoneyText, WalletError, each_problem
from comptoir.apps.wallet.domain.qr import QrPayment
from comptoir.apps.wallet.models import WalletSession
from comptoir.apps.wallet.service.context import Wallet
from comptoir.kernel.i18n import LazyText
from comptoir.kernel.money import Money

FormName = Literal["pay", "request", "refund", "qr", "qr_read"]
# Each form's fields; a refund's draft also names the payment it was refunding, and a payment's
# the QR code read that it pays (`qr`, the mark of `qr_read`). `qr_read` is no form: it is the
# QR code last read, kept here for the payment form it filled, so that what the code fixes (its
# payee, and its amount when it has one) is taken from the server, never from the browser; once
# a payment pays it, it names that payment (`payment`) instead of a form, for a retry.
FIELDS: Final[Mapping[FormName, tuple[str, ...]]] = {
    "pay": ("recipient", "amount", "note", "qr"),
    "request": ("payer", "amount", "note"),
    "refund": ("transfer", "amount", "reason"),
    "qr": ("payload",),
    "qr_read": ("mark", "alias", "merchant_name", "minor", "currency", "reference", "payment"),
}
# Past each field's own limit (what is too long is kept, to be refused as too long), and
# short enough that a draft cannot be used to store anything big; a pasted QR code's text is
# up to 512 characters, often cut over lines.
KEPT_CHARACTERS: Final = 300
KEPT_QR_CHARACTERS: Final = 1000


@dataclass(frozen=True)
class FormDraft:
    typed: Mapping[str, str]
    error: WalletError | None  # None: the form was not sent yet


def _stored_param(value: object) -> object:
    if isinstance(value, MoneyText):
        return {"minor": value.money.minor, "currency": value.money.currency}
    return str(value)


def _shown_param(value: Any) -> object:
    if isinstance(value, dict):
        return MoneyText(Money(int(value["minor"]), str(value["currency"])))
    return str(value)


def _session_row(
    session: Session, institution_id: str, token: str | None, *, lock: bool = False
) -> WalletSession | None:
    """The live session a cookie opens at this institution, or None."""
    if not token or len(token) > 100:
        return None
    query = select(WalletSession).where(
        WalletSession.token_digest == rules.session_digest(token),
        WalletSession.institution_id == institution_id,
        WalletSession.ended_at.is_(None),
    )
    found: WalletSession | None = session.scalar(query.with_for_update() if lock else query)
    return found


def _drafts(row: WalletSession) -> dict[str, Any]:
    """The session's drafts, form by form (anything else stored there is not a draft)."""
    found = row.form_draft or {}
    return {form: found[form] for form in FIELDS if isinstance(found.get(form), dict)}


def keep_draft(
    wallet: Wallet,
    *,
    form: FormName,
    institution_id: str,
    token: str | None,
    typed: Mapping[str, str],
    error: WalletError | None,
) -> None:
    kept = KEPT_QR_CHARACTERS if form == "qr" else KEPT_CHARACTERS
    draft: dict[str, Any] = {
        "typed": {field: typed.get(field, "")[:kept] for field in FIELDS[form]}
    }
    if error is not None:
        stored = [_stored_problem(problem) for problem in each_problem(error)]
        draft.update(stored[0])
        if len(stored) > 1:
            draft["problems"] = stored
    with wallet.database.transaction() as session:
        row = _session_row(session, institution_id, token, lock=True)
        if row is not None:
            # A new dict, so that the JSON column is seen as changed.
            row.form_draft = {**_drafts(row), form: draft}


def kept_draft(
    wallet: Wallet, *, form: FormName, institution_id: str, token: str | None
) -> FormDraft | None:
    with wallet.database.reading() as session:
        row = _session_row(session, institution_id, token)
        found = None if row is None else _drafts(row).get(form)
    if not found:
        return None
    typed = {field: str(found["typed"].get(field, "")) for field in FIELDS[form]}
    if found.get("code") is None:
        return FormDraft(typed, None)
    problems = [_shown_problem(kept) for kept in found.get("problems") or [found]]
    return FormDraft(typed, problems[0] if len(problems) == 1 else FieldsError(problems))


def _stored_problem(problem: WalletError) -> dict[str, Any]:
    return {
        "code": problem.code,
        "message": problem.text.message,
        "params": {name: _stored_param(value) for name, value in problem.text.params.items()},
    }


def _shown_problem(kept: Mapping[str, Any]) -> WalletError:
    params = {name: _shown_param(value) for name, value in kept["params"].items()}
    return WalletError(str(kept["code"]), LazyText(str(kept["message"]), params))


def forget_draft(wallet: Wallet, *, form: FormName, institution_id: str, token: str | None) -> None:
    if kept_draft(wallet, form=form, institution_id=institution_id, token=token) is None:
        return  # the usual case, answered without a write
    with wallet.database.transaction() as session:
        row = _session_row(session, institution_id, token, lock=True)
        if row is not None:
            left = {name: draft for name, draft in _drafts(row).items() if name != form}
            row.form_draft = left or None


def forget_ended_drafts(wallet: Wallet) -> int:
    """Forget the drafts of sessions ended or expired; how many were forgotten."""
    with wallet.database.connection_transaction() as connection:
        forgotten = connection.execute(
            update(WalletSession)
            .where(
                WalletSession.form_draft.is_not(None),
                or_(
                    WalletSession.ended_at.is_not(None),
                    WalletSession.expires_at <= wallet.clock.now(),
                ),
            )
            .values(form_draft=null())
        )
    return forgotten.rowcount


def keep_qr_read(
    wallet: Wallet, *, institution_id: str, token: str | None, qr: QrPayment, currency: str
) -> str:
    """Keep the QR code just read for the payment form it fills; returns the mark that form
    carries, which names this code and no other read before or since (in another tab)."""
    mark = secrets.token_urlsafe(12)
    kept = {
        "mark": mark,
        "alias": qr.alias,
        "merchant_name": qr.merchant_name or "",
        "minor": "" if qr.amount is None else str(qr.amount.minor),
        "currency": currency if qr.amount is None else qr.amount.currency,
        "reference": qr.reference or "",
    }
    keep_draft(
        wallet, form="qr_read", institution_id=institution_id, token=token, typed=kept, error=None
    )
    return mark


def kept_qr_read(
    wallet: Wallet, *, institution_id: str, token: str | None, mark: str
) -> QrPayment | None:
    """The QR code read that a payment form's `mark` names, if it is still kept."""
    found = kept_draft(wallet, form="qr_read", institution_id=institution_id, token=token)
    if found is None or not mark or not secrets.compare_digest(found.typed["mark"], mark):
        return None
    return _qr_payment(found.typed)


def _qr_payment(kept: Mapping[str, str]) -> QrPayment:
    currency = kept["currency"]
    return QrPayment(
        alias=kept["alias"],
        merchant_name=kept["merchant_name"] or None,
        currency=currency,
        amount=Money(int(kept["minor"]), currency) if kept["minor"] else None,
        reference=kept.get("reference") or None,
    )


def qr_read_paid(
    wallet: Wallet, *, institution_id: str, token: str | None, mark: str, payment_id: str
) -> None:
    """The QR code read that `mark` names was paid by `payment_id`: no form's mark names it any
    more (the same form sent again pays nothing twice), but a retry of that payment, should it
    fail, pays the same code (`qr_read_again`). A code read since, in another tab, stays as
    it is."""
    found = kept_draft(wallet, form="qr_read", institution_id=institution_id, token=token)
    if found is not None and mark and secrets.compare_digest(found.typed["mark"], mark):
        typed = {**found.typed, "mark": "", "payment": payment_id}
        keep_draft(
            wallet,
            form="qr_read",
            institution_id=institution_id,
            token=token,
            typed=typed,
            error=None,
        )


def qr_read_again(
    wallet: Wallet, *, institution_id: str, token: str | None, payment_id: str
) -> str | None:
    """If `payment_id` paid the QR code kept, keep it again for a new payment form, and
    return that form's mark; else None."""
    found = kept_draft(wallet, form="qr_read", institution_id=institution_id, token=token)
    if found is None or not payment_id or found.typed["payment"] != payment_id:
        return None
    return keep_qr_read(
        wallet,
        institution_id=institution_id,
        token=token,
        qr=_qr_payment(found.typed),
        currency=found.typed["currency"],
    )


def qr_read_paid_by(
    wallet: Wallet, *, institution_id: str, token: str | None, payment_id: str
) -> QrPayment | None:
    """The QR code read that `payment_id` pays, if that is the code kept."""
    found = kept_draft(wallet, form="qr_read", institution_id=institution_id, token=token)
    if found is None or not payment_id or found.typed["payment"] != payment_id:
        return None
    return _qr_payment(found.typed)
