"""The operator's pages for transfers: every transfer, newest first, filtered by participant
and state, page by page; one found by its identifier; and one with all the switch knows of it.

A participant's support desk calls about a payment by the id its own system shows, a UUID or
a ULID as FSPIOP v2.0 allows; either finds the transfer here, as its DFSP wrote it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session

from comptoir.kernel.errors import NOT_FOUND, Problem
from comptoir.kernel.fspiop.ids import correlation_uuid
from comptoir.kernel.i18n import LazyText, lazy, local_moment
from comptoir.kernel.web.context import node_context
from comptoir.kernel.web.operator import require_operator
from comptoir.payments.models import ParticipantRow, TransferRow
from comptoir.payments.pages import STATE_LABELS, transfer_summary
from comptoir.payments.services.transfer_context import (
    ABORTED,
    COMMITTED,
    RECEIVED,
    RESERVED,
    wire_id,
)

router = APIRouter(include_in_schema=False)
operator_only = [Depends(require_operator)]
PAGE_SIZE = 50
TRANSFER_STATES = (RECEIVED, RESERVED, COMMITTED, ABORTED)
LIST_PATH = "/operator/switch/transfers"


@router.get(LIST_PATH, response_class=HTMLResponse, dependencies=operator_only)
def transfers_page(
    request: Request,
    q: str = "",
    participant: str = "",
    state: str = "",
    before: str = "",
) -> Response:
    """The transfers, newest first; `q` finds one by its identifier, `before` is the last one
    of the previous page (its identifier), so pages stay put while new transfers arrive."""
    node = node_context(request)
    typed = q.strip()
    with node.database.reading() as session:
        names = {row.id: row.name for row in session.scalars(select(ParticipantRow))}
        if typed:
            found, refusal, status_code = _found(session, typed)
            if found is not None:
                return RedirectResponse(_detail_path(found), status_code=303)
            return _render_list(
                request, session, names, typed=typed, refusal=refusal, status_code=status_code
            )
        return _render_list(
            request,
            session,
            names,
            # As asked, even when it names no participant or state: then nothing matches.
            participant=participant.strip(),
            state=state.strip(),
            before=before.strip(),
        )


@router.get(LIST_PATH + "/{transfer_id}", response_class=HTMLResponse, dependencies=operator_only)
def transfer_page(request: Request, transfer_id: str) -> HTMLResponse:
    node = node_context(request)
    with node.database.reading() as session:
        row = _by_id(session, transfer_id)
        if row is None:
            raise Problem(NOT_FOUND)
        original = session.get(TransferRow, row.refund_of) if row.refund_of else None
        refunds = session.scalars(
            select(TransferRow)
            .where(TransferRow.refund_of == row.id)
            .order_by(TransferRow.created_at, TransferRow.id)
        ).all()
        context = {
            "transfer": transfer_summary(row),
            "stored_as": str(row.id) if row.ulid else None,
            "condition": row.condition,
            "fulfilled": row.fulfilment is not None,
            "error_description": row.error_description or "",
            "transaction_id": str(row.transaction_id) if row.transaction_id else None,
            "window_id": str(row.window_id) if row.window_id else None,
            "expiration": local_moment(row.expiration),
            "completed_at": local_moment(row.completed_at) if row.completed_at else None,
            "original": transfer_summary(original) if original is not None else None,
            "refunds": [transfer_summary(refund) for refund in refunds],
            "state_labels": STATE_LABELS,
        }
    return node.templates.render(request, "payments/transfer.html", context)


def _render_list(
    request: Request,
    session: Session,
    names: dict[str, str],
    *,
    typed: str = "",
    refusal: LazyText | None = None,
    participant: str = "",
    state: str = "",
    before: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    rows: list[TransferRow] = []
    # The last one of the previous page; an identifier that names none starts from the newest.
    last = _by_id(session, before) if before else None
    if refusal is None:
        rows = list(session.scalars(_listed(participant, state, last)).all())
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    context = {
        "transfers": [transfer_summary(row) for row in rows],
        "participants": sorted(names.items()),
        "typed": typed,
        "refusal": refusal.render() if refusal is not None else None,
        "participant": participant,
        "state": state,
        "states": TRANSFER_STATES,
        "state_labels": STATE_LABELS,
        "paged": last is not None,
        "older": _older(rows[-1], participant, state) if more else None,
    }
    return node_context(request).templates.render(
        request, "payments/transfers.html", context, status_code=status_code
    )


def _older(last: TransferRow, participant: str, state: str) -> str:
    """The address of the next page: what came before `last`, with the same filters."""
    query = {"participant": participant, "state": state, "before": wire_id(last)}
    return LIST_PATH + "?" + urlencode({key: value for key, value in query.items() if value})


def _listed(participant: str, state: str, last: TransferRow | None) -> Select[TransferRow]:
    conditions: list[ColumnElement[bool]] = []
    if participant:
        conditions.append(
            or_(TransferRow.payer_fsp == participant, TransferRow.payee_fsp == participant)
        )
    if state:
        conditions.append(TransferRow.state == state)
    if last is not None:
        # Keyset paging: what came before the last one shown, in the order shown.
        conditions.append(
            or_(
                TransferRow.created_at < last.created_at,
                and_(TransferRow.created_at == last.created_at, TransferRow.id < last.id),
            )
        )
    return (
        select(TransferRow)
        .where(*conditions)
        .order_by(TransferRow.created_at.desc(), TransferRow.id.desc())
        .limit(PAGE_SIZE + 1)
    )


def _found(session: Session, typed: str) -> tuple[TransferRow | None, LazyText | None, int]:
    """The transfer `typed` names, or why there is none and the status that says it."""
    try:
        key = correlation_uuid(typed)
    except ValueError:
        said = lazy("{value} is not a transfer identifier: one is a UUID or a ULID.", value=typed)
        return None, said, 400
    row = session.get(TransferRow, key)
    if row is None:
        return None, lazy("No transfer has the identifier {value}.", value=typed), 404
    return row, None, 200


def _by_id(session: Session, text: str) -> TransferRow | None:
    try:
        return session.get(TransferRow, correlation_uuid(text))
    except ValueError:
        return None


def _detail_path(row: TransferRow) -> str:
    return f"{LIST_PATH}/{wire_id(row)}"
