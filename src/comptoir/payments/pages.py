"""The operator's pages for the switch: participants, positions, windows and their reports."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from comptoir.kernel.errors import NOT_FOUND, Problem
from comptoir.kernel.i18n import N_, LazyText, current_locale, local_moment
from comptoir.kernel.money import Money, format_money
from comptoir.kernel.web.context import node_context
from comptoir.kernel.web.operator import require_operator
from comptoir.payments import exports, settlement_exports
from comptoir.payments.errors import WINDOW_STATE
from comptoir.payments.models import ParticipantRow, TransferRow
from comptoir.payments.services import participants, settlement
from comptoir.payments.services.transfer_context import wire_id
from comptoir.payments.switch.keys import switch_public_jwks

# The states keep their FSPIOP and settlement names (what the logs and the participants say)
# beside a label in the operator's language.
STATE_LABELS = {
    "OPEN": N_("Open"),
    "CLOSED": N_("Closed"),
    "PENDING_SETTLEMENT": N_("Settling"),
    "SETTLED": N_("Settled"),
    "RECEIVED": N_("Received"),
    "RESERVED": N_("Reserved"),
    "COMMITTED": N_("Committed"),
    "ABORTED": N_("Aborted"),
}

router = APIRouter(include_in_schema=False)
operator_only = [Depends(require_operator)]
REPORT_TYPES = {
    "csv": ("positions.csv", "text/csv; charset=utf-8"),
    "transfers-csv": ("transfers.csv", "text/csv; charset=utf-8"),
    "pacs008": ("pacs008.xml", "application/xml"),
    "pacs002": ("pacs002.xml", "application/xml"),
}


def _show(minor: int, currency: str) -> str:
    return format_money(Money(minor, currency), current_locale())


def transfer_summary(row: TransferRow) -> dict[str, Any]:
    """A transfer as the operator's lists show it (see `_transfers.html`)."""
    return {
        # As its DFSP named it (a ULID or a UUID), so the DFSP's own id finds it.
        "id": wire_id(row),
        "payer": row.payer_fsp,
        "payee": row.payee_fsp,
        "amount": _show(row.amount, row.currency),
        "state": row.state,
        "error": row.error_code or "",
        "at": local_moment(row.created_at),
    }


@router.get("/operator/switch", response_class=HTMLResponse, dependencies=operator_only)
def switch_overview(request: Request) -> HTMLResponse:
    node = node_context(request)
    store = request.app.state.switch.transfers.store
    with node.database.transaction() as session:
        names = {row.id: row.name for row in session.scalars(select(ParticipantRow))}
        rows: list[dict[str, Any]] = []
        for position in participants.positions(session, store=store):
            used = position.position + position.reserved
            rows.append(
                {
                    "id": position.participant_id,
                    "name": names.get(position.participant_id, ""),
                    "currency": position.currency,
                    "position": _show(position.position, position.currency),
                    "reserved": _show(position.reserved, position.currency),
                    "cap": _show(position.net_debit_cap, position.currency),
                    "liquidity": _show(position.liquidity, position.currency),
                    "used_percent": (
                        max(0, min(100, used * 100 // position.net_debit_cap))
                        if position.net_debit_cap
                        else 0
                    ),
                }
            )
        windows = settlement.list_windows(session, limit=10)
        committed = settlement.committed_counts(session, [window.id for window in windows])
        recent = session.scalars(
            select(TransferRow).order_by(TransferRow.created_at.desc()).limit(20)
        ).all()
        transfers = [transfer_summary(row) for row in recent]
    return node.templates.render(
        request,
        "payments/overview.html",
        {
            "participants": rows,
            "windows": windows,
            "committed": committed,
            "transfers": transfers,
            "state_labels": STATE_LABELS,
        },
    )


@router.get(
    "/operator/switch/windows/{window_id}",
    response_class=HTMLResponse,
    dependencies=operator_only,
)
def window_page(request: Request, window_id: str) -> HTMLResponse:
    return render_window(request, _window_id(window_id))


def render_window(
    request: Request,
    window_id: uuid.UUID,
    *,
    refusal: LazyText | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """A window's page; `refusal` says why what the operator asked of it was refused."""
    node = node_context(request)
    with node.database.transaction() as session:
        report = settlement.report(session, window_id)
        positions = [
            {
                "id": net.participant_id,
                "sent": _show(net.sent, net.currency),
                "received": _show(net.received, net.currency),
                "net": _show(net.net, net.currency),
            }
            for net in report.positions
        ]
        context = {
            "window": report.window,
            "positions": positions,
            # A pacs.008 totals one currency: one per currency the window committed in.
            "pacs008_currencies": sorted({net.currency for net in report.positions}),
            "count": len(report.transfers),
            "formats": REPORT_TYPES,
            "state_labels": STATE_LABELS,
            "refusal": refusal.render() if refusal is not None else None,
        }
    return node.templates.render(request, "payments/window.html", context, status_code=status_code)


@router.get("/operator/switch/windows/{window_id}/{kind}", dependencies=operator_only)
def window_download(
    request: Request, window_id: str, kind: str, currency: str | None = None
) -> Response:
    """A report of the window; `currency` names the pacs.008 of a window that committed in
    several. A pacs.008 the window has none of (no committed transfer, or none in that
    currency) is not found, rather than a server error."""
    if kind not in REPORT_TYPES:
        raise Problem(NOT_FOUND)
    filename, media_type = REPORT_TYPES[kind]
    key = _window_id(window_id)
    with node_context(request).database.reading() as session:
        report = exports.window_report(session, key)
    if kind in settlement_exports.FINAL_ONLY and report.state == settlement.OPEN:
        raise Problem(WINDOW_STATE)  # written once the window is closed; the page says so
    if kind == "pacs008":
        committed = report.committed_currencies()
        if currency is None and len(committed) == 1:
            currency = committed[0]
        if currency not in committed:
            raise Problem(NOT_FOUND)
        filename = f"{currency}-{filename}"
    text = settlement_exports.render(report, kind, currency)
    return Response(
        text,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{key}-{filename}"'},
    )


@router.get("/operator/switch/connect", response_class=HTMLResponse)
def connect_page(request: Request) -> HTMLResponse:
    """For a bank's developers: where the API is and how to join. Public on purpose."""
    node = node_context(request)
    return node.templates.render(
        request,
        "payments/connect.html",
        {
            "api_url": node.settings.base_url.rstrip("/") + "/switch",
            "switch_id": node.settings.switch_id,
            "jwks": json.dumps(switch_public_jwks(node.settings), indent=2),
        },
    )


def _window_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise Problem(NOT_FOUND) from None
