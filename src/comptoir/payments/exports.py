"""Settlement reports from the database, in the formats of `settlement_exports`."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.kernel.clock import system_clock
from comptoir.kernel.fspiop import ilp
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
            **_parties(row.ilp_packet),
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


def _parties(ilp_packet: str) -> dict[str, str | None]:
    """Who paid whom, and the payer's note, as the FSPIOP transaction in the transfer's ILP
    packet says (the only place a transfer names its parties). The payer's DFSP wrote it and
    the switch checked only its form, so anything not plainly a string is left out."""
    try:
        transaction = ilp.decode(ilp_packet).transaction() or {}
    except ilp.IlpError:
        transaction = {}
    payer, payee = transaction.get("payer"), transaction.get("payee")
    return {
        "payer_party": _party_id(payer),
        "payee_party": _party_id(payee),
        "payer_name": _party_name(payer),
        "payee_name": _party_name(payee),
        "note": _text(transaction.get("note")),
    }


def _party_id(party: object) -> str | None:
    """ "TYPE:IDENTIFIER" (":SUBID" after it when there is one), as the exports write a party."""
    info = party.get("partyIdInfo") if isinstance(party, dict) else None
    if not isinstance(info, dict):
        return None
    kind, identifier = _text(info.get("partyIdType")), _text(info.get("partyIdentifier"))
    if kind is None or identifier is None:
        return None
    sub_id = _text(info.get("partySubIdOrType"))
    return f"{kind}:{identifier}" + (f":{sub_id}" if sub_id else "")


def _party_name(party: object) -> str | None:
    """The party's display name, else the name its personal information spells out."""
    if not isinstance(party, dict):
        return None
    name = _text(party.get("name"))
    if name is not None:
        return name
    personal = party.get("personalInfo")
    complex_name = personal.get("complexName") if isinstance(personal, dict) else None
    if not isinstance(complex_name, dict):
        return None
    parts = [_text(complex_name.get(key)) for key in ("firstName", "middleName", "lastName")]
    return " ".join(part for part in parts if part) or None


def _text(value: object) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def render(session: Session, *, window_id: uuid.UUID, kind: str, currency: str | None) -> str:
    return exports.render(window_report(session, window_id), kind, currency)
