"""What an export reads: one settlement window, its transfers and its participants' positions.

These are plain, frozen values checked when they are made, so that every export can trust
them: a report whose net positions do not sum to zero, or two transfers with one id, is
refused here rather than written out as a plausible-looking file.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import Final, Literal
from uuid import UUID

from comptoir.kernel.fspiop.ids import correlation_uuid, is_ulid
from comptoir.kernel.money import Money, sum_money

TransferState = Literal["COMMITTED", "ABORTED"]
TRANSFER_STATES: Final = ("COMMITTED", "ABORTED")

# Participant and switch ids become ISO 20022 Max35Text identifiers (ClrSysMmbId/MmbId,
# ClrSys/Prtry), which are never truncated: an id that does not fit is refused. FSPIOP FspId
# allows at most 32 characters, so every FSPIOP participant fits.
MAX_AGENT_ID: Final = 35
# A party is "TYPE:IDENTIFIER" (FSPIOP PartyIdType, PartyIdentifier of at most 128 characters,
# perhaps with a sub-id); ISO 20022 carries it whole in a Max2048Text proxy.
MAX_PARTY: Final = 2048
_FSPIOP_ERROR_CODE: Final = re.compile(r"[1-9][0-9]{3}")


class ExportError(ValueError):
    """A report that is inconsistent, or that cannot be written in the format asked for."""


def _aware(moment: datetime, what: str) -> None:
    if not isinstance(moment, datetime):
        raise TypeError(f"{what} must be a datetime, not {type(moment).__name__}.")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ExportError(f"{what} must be timezone-aware (UTC on the wire).")


def _agent_id(value: str, what: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}.")
    if not 1 <= len(value) <= MAX_AGENT_ID or not value.isprintable() or value != value.strip():
        raise ExportError(
            f"{what} {value!r} must be 1 to {MAX_AGENT_ID} printable characters "
            "without surrounding spaces (an ISO 20022 Max35Text identifier)."
        )


def _optional_text(value: str | None, what: str) -> None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{what} must be a str or None, not {type(value).__name__}.")


def _optional_party(value: str | None, what: str) -> None:
    _optional_text(value, what)
    # An id, unlike a note, is never cleaned or cut on the way out, so it must already fit.
    if value is not None and (not 1 <= len(value) <= MAX_PARTY or not value.isprintable()):
        raise ExportError(f"{what} must be 1 to {MAX_PARTY} printable characters.")


@dataclass(frozen=True, slots=True)
class WindowTransfer:
    """A transfer that ended in the window: COMMITTED (it moves money) or ABORTED (it does not).

    `payer_party` and `payee_party` are FSPIOP party ids written "TYPE:IDENTIFIER"
    ("MSISDN:+17585550101", "ALIAS:cafe@bank-a"); `fspiop_error_code` is the FSPIOP error that
    aborted the transfer ("3303" expired, "4001" liquidity...), never set on a committed one.

    `ulid` is the transfer id as its DFSP wrote it when that was a ULID (FSPIOP v2.0's
    CorrelationId allows both), `refund_of_ulid` the same for the refunded transfer: each
    must name the same 128 bits as the UUID beside it. `wire_id` and `refund_of_wire_id` are
    what the exports show, so that an operator finds a transfer by the DFSP's own id.
    """

    transfer_id: UUID
    payer_fsp: str
    payee_fsp: str
    amount: Money
    state: TransferState
    prepared_at: datetime
    completed_at: datetime | None = None
    payer_party: str | None = None
    payee_party: str | None = None
    payer_name: str | None = None
    payee_name: str | None = None
    note: str | None = None
    refund_of: UUID | None = None
    fspiop_error_code: str | None = None
    ulid: str | None = None
    refund_of_ulid: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.transfer_id, UUID):
            raise TypeError("transfer_id must be a UUID.")
        _agent_id(self.payer_fsp, "The payer FSP id")
        _agent_id(self.payee_fsp, "The payee FSP id")
        if not isinstance(self.amount, Money):
            raise TypeError("amount must be a Money.")
        if self.amount.is_negative():
            raise ExportError(f"Transfer {self.transfer_id} has a negative amount.")
        if self.state not in TRANSFER_STATES:
            raise ExportError(f"A window transfer is COMMITTED or ABORTED, not {self.state!r}.")
        _aware(self.prepared_at, "prepared_at")
        if self.completed_at is not None:
            _aware(self.completed_at, "completed_at")
        _optional_party(self.payer_party, "payer_party")
        _optional_party(self.payee_party, "payee_party")
        _optional_text(self.payer_name, "payer_name")
        _optional_text(self.payee_name, "payee_name")
        _optional_text(self.note, "note")
        if self.refund_of is not None and not isinstance(self.refund_of, UUID):
            raise TypeError("refund_of must be a UUID or None.")
        if self.refund_of == self.transfer_id:
            raise ExportError(f"Transfer {self.transfer_id} cannot refund itself.")
        _check_ulid(self.ulid, self.transfer_id, "ulid")
        if self.refund_of_ulid is not None and self.refund_of is None:
            raise ExportError(f"Transfer {self.transfer_id} has a refund_of_ulid but no refund_of.")
        _check_ulid(self.refund_of_ulid, self.refund_of, "refund_of_ulid")
        code = self.fspiop_error_code
        if code is not None:
            if not isinstance(code, str) or not _FSPIOP_ERROR_CODE.fullmatch(code):
                raise ExportError(f"{code!r} is not an FSPIOP error code (four digits).")
            if self.state == "COMMITTED":
                raise ExportError(f"Committed transfer {self.transfer_id} has an error code.")

    @property
    def committed(self) -> bool:
        return self.state == "COMMITTED"

    @property
    def wire_id(self) -> str:
        """The transfer id as its DFSP wrote it: the ULID when it came as one, else the UUID."""
        return self.ulid or str(self.transfer_id)

    @property
    def refund_of_wire_id(self) -> str | None:
        """The refunded transfer's id as its DFSP wrote it, when this is a refund."""
        if self.refund_of is None:
            return None
        return self.refund_of_ulid or str(self.refund_of)


def _check_ulid(ulid: str | None, key: UUID | None, what: str) -> None:
    if ulid is None:
        return
    if not isinstance(ulid, str):
        raise TypeError(f"{what} must be a str or None, not {type(ulid).__name__}.")
    if not is_ulid(ulid) or correlation_uuid(ulid) != key:
        raise ExportError(f"{what} {ulid[:40]!r} is not the ULID of {key}.")


@dataclass(frozen=True, slots=True)
class NetPosition:
    """A participant's result for one currency over the window: net = received - sent.

    A positive net means the participant is owed money at settlement; a negative one, that
    it owes. Across all participants of a currency the nets sum to zero.
    """

    fsp_id: str
    currency: str
    sent: Money
    received: Money
    net: Money

    def __post_init__(self) -> None:
        _agent_id(self.fsp_id, "The FSP id")
        for name in ("sent", "received", "net"):
            amount = getattr(self, name)
            if not isinstance(amount, Money):
                raise TypeError(f"{name} must be a Money.")
            if amount.currency != self.currency:
                raise ExportError(
                    f"{self.fsp_id}'s {name} is in {amount.currency}, not {self.currency}."
                )
        if self.sent.is_negative() or self.received.is_negative():
            raise ExportError(f"{self.fsp_id}'s sent and received cannot be negative.")
        if self.net != self.received - self.sent:
            raise ExportError(
                f"{self.fsp_id}'s net {self.net.to_fixed()} {self.currency} is not received "
                "minus sent."
            )


@dataclass(frozen=True, slots=True)
class SettlementWindowReport:
    """One settlement window as the exports see it.

    `switch_id` names the hub (the clearing system, "comptoir-switch"); `participant_names`
    maps FSP ids to display names (optional, used where the formats carry a name);
    `generated_at` is when the export was made; `messages_created_at` is the creation time
    its ISO 20022 messages carry.
    `transfers` are held in the order they were prepared, whatever order they came in.
    """

    window_id: UUID
    state: str
    opened_at: datetime
    closed_at: datetime | None
    transfers: Sequence[WindowTransfer]
    positions: Sequence[NetPosition]
    switch_id: str
    generated_at: datetime
    participant_names: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.window_id, UUID):
            raise TypeError("window_id must be a UUID.")
        if not isinstance(self.state, str) or not self.state:
            raise ExportError("The window state must be a non-empty str.")
        _aware(self.opened_at, "opened_at")
        if self.closed_at is not None:
            _aware(self.closed_at, "closed_at")
        _aware(self.generated_at, "generated_at")
        _agent_id(self.switch_id, "The switch id")
        # Frozen copies, so a caller's list changing later cannot change the report. Transfers
        # are kept in the order they were prepared (ties broken by id), so that the same
        # window always exports to the same text whatever order the caller listed them in.
        ordered = sorted(self.transfers, key=lambda t: (t.prepared_at, t.transfer_id.hex))
        object.__setattr__(self, "transfers", tuple(ordered))
        object.__setattr__(self, "positions", tuple(self.positions))
        object.__setattr__(
            self, "participant_names", MappingProxyType(dict(self.participant_names))
        )
        if not all(isinstance(transfer, WindowTransfer) for transfer in self.transfers):
            raise TypeError("transfers must hold WindowTransfer values.")
        if not all(isinstance(position, NetPosition) for position in self.positions):
            raise TypeError("positions must hold NetPosition values.")
        _check_unique_transfers(self.transfers)
        _check_positions(self.positions)

    @property
    def currencies(self) -> tuple[str, ...]:
        """Every currency the window's transfers or positions are in, sorted."""
        found = {transfer.amount.currency for transfer in self.transfers}
        found.update(position.currency for position in self.positions)
        return tuple(sorted(found))

    def committed_in(self, currency: str) -> tuple[WindowTransfer, ...]:
        """The committed transfers in `currency`, in the order they were prepared."""
        return tuple(
            transfer
            for transfer in self.transfers
            if transfer.committed and transfer.amount.currency == currency
        )

    @property
    def messages_created_at(self) -> datetime:
        """A closed window's content was fixed when it closed: its messages say they were
        created then, so each export of it is the same message, byte for byte, under its one
        MsgId, and a pacs.002 can name the pacs.008's creation time as every copy bears it."""
        return self.closed_at or self.generated_at

    def committed_currencies(self) -> tuple[str, ...]:
        """The currencies that have at least one committed transfer, sorted."""
        return tuple(sorted({t.amount.currency for t in self.transfers if t.committed}))


def _check_unique_transfers(transfers: Iterable[WindowTransfer]) -> None:
    seen: set[UUID] = set()
    for transfer in transfers:
        if transfer.transfer_id in seen:
            raise ExportError(f"Transfer {transfer.transfer_id} appears twice in the window.")
        seen.add(transfer.transfer_id)


def _check_positions(positions: Sequence[NetPosition]) -> None:
    seen: set[tuple[str, str]] = set()
    nets: dict[str, list[Money]] = defaultdict(list)
    for position in positions:
        key = (position.fsp_id, position.currency)
        if key in seen:
            raise ExportError(f"{position.fsp_id} has two {position.currency} positions.")
        seen.add(key)
        nets[position.currency].append(position.net)
    for currency, amounts in nets.items():
        total = sum_money(amounts, currency)
        if not total.is_zero():
            raise ExportError(
                f"The {currency} net positions sum to {total.to_fixed()}, not zero: "
                "multilateral netting always balances."
            )


def net_positions(transfers: Iterable[WindowTransfer]) -> tuple[NetPosition, ...]:
    """Each participant's net position per currency from the committed transfers alone,
    sorted by currency then FSP id. Aborted transfers move nothing, so they count for nothing."""
    sent: dict[tuple[str, str], int] = defaultdict(int)
    received: dict[tuple[str, str], int] = defaultdict(int)
    for transfer in transfers:
        if not transfer.committed:
            continue
        currency = transfer.amount.currency
        sent[(currency, transfer.payer_fsp)] += transfer.amount.minor
        received[(currency, transfer.payee_fsp)] += transfer.amount.minor
        received.setdefault((currency, transfer.payer_fsp), 0)
        sent.setdefault((currency, transfer.payee_fsp), 0)
    positions = []
    for currency, fsp_id in sorted(sent):
        out = Money(sent[(currency, fsp_id)], currency)
        into = Money(received[(currency, fsp_id)], currency)
        positions.append(NetPosition(fsp_id, currency, out, into, into - out))
    return tuple(positions)


def with_ulids(report: SettlementWindowReport, ulids: Mapping[UUID, str]) -> SettlementWindowReport:
    """`report` with each transfer (and each refunded transfer) that `ulids` names given its
    ULID, so the exports name it as its DFSP did. `ulids` maps stored ids to the ULIDs they
    came as; ids it does not hold came as UUIDs and stay as they are."""
    transfers = [
        replace(
            transfer,
            ulid=ulids.get(transfer.transfer_id, transfer.ulid),
            refund_of_ulid=(
                transfer.refund_of_ulid
                if transfer.refund_of is None
                else ulids.get(transfer.refund_of, transfer.refund_of_ulid)
            ),
        )
        for transfer in report.transfers
    ]
    return replace(report, transfers=transfers)
