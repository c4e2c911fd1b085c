"""Settlement reports from the database, in the formats of `settlement_exports`."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.kernel.clock import system_clock
from comptoir.kernel.money import Money
from comptoir.kernel.settings import load_settings
from comptoir.payments import settlement_exports as exports
from comptoir.payments.models import ParticipantRow
from comptoir.payments.services import settlement
from comptoir.payments.settlement_exports import ExportError

__all__ = ["ExportError", "render", "window_report"]


def window_report(session: Session, window_id: uuid.UUID) -> exports.SettlementWindowReport:
    result = settlement.report(session, window_id)
    names: Mapping[str, str] = {row.id: row.name for row in session.scalars(select(ParticipantRow))}
    transfers = [
        exports.WindowTransfer(
            transfer_id=row.id,
            payer_fsp=row.payer_fsp,
            payee_fsp=row.payee_fsp,
            amount=Money(row.amount, row.currency),
            state="COMMITTED" if row.state == "COMMITTED" else "ABORTED",
            prepared_at=row.created_at,
            completed_at=row.completed_at,
            refund_of=row.refund_of,
            fspiop_error_code=row.error_code if row.state != "COMMITTED" else None,
        )
        for row in result.transfers
    ]
    positions = [
        exports.NetPosition(
            fsp_id=net.participant_id,
            currency=net.currency,
            sent=Money(net.sent, net.currency),
            received=Money(net.received, net.currency),
            net=Money(net.net, net.currency),
        )
        for net in result.positions
    ]
    window = result.window
    report = exports.SettlementWindowReport(
        window_id=window.id,
        state=window.state,
        opened_at=window.opened_at,
        closed_at=window.closed_at,
        transfers=transfers,
        positions=positions,
        switch_id=load_settings().switch_id,
        generated_at=system_clock.now(),
        participant_names=names,
    )
    # Each transfer named as its DFSP sent it: a ULID when it came as one.
    return exports.with_ulids(report, settlement.window_ulids(session, window_id))


def render(session: Session, *, window_id: uuid.UUID, kind: str, currency: str | None) -> str:
    return exports.render(window_report(session, window_id), kind, currency)
