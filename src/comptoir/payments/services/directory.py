"""The alias directory and the routing of party lookups.

A DFSP registers which parties it holds (`POST /participants/{Type}/{ID}`); a payer's
`GET /parties/{Type}/{ID}` goes to the DFSP that holds the party, whose answer goes back to the
payer. Quotes and requests to pay, routed with this directory, are in `routing`. The switch
relays bodies untouched (they are signed end to end by their senders). What it sends about a
party goes to the path the asker wrote, still percent-encoded as the FSPIOP-URI it signed: an
identifier may hold characters (a space, '+', '/') that a URL carries only escaped.
"""

from __future__ import annotations

from typing import get_args
from urllib.parse import parse_qs

from sqlalchemy.orm import Session

from comptoir.kernel.clock import Clock
from comptoir.kernel.fspiop import FspiopError
from comptoir.payments.models import (
    AliasRow,
    ParticipantCurrencyRow,
    ParticipantRow,
)
from comptoir.payments.switch.currencies import CURRENCIES
from comptoir.payments.switch.intake import Inbound
from comptoir.payments.switch.outbound import Sender
from comptoir.payments.switch.schemas import (
    ParticipantPost,
    PartiesPut,
    PartyIdType,
)

# A party registered for a DFSP other than the one that sends the registration.
NOT_YOUR_PARTY = "a DFSP registers only its own parties (fspId = FSPIOP-Source)"
# Every PartyIdType of the API: a DFSP registers its parties under whichever it uses.
SUPPORTED_PARTY_TYPES = get_args(PartyIdType)


def _check_party_type(party_type: str) -> None:
    if party_type not in SUPPORTED_PARTY_TYPES:
        raise FspiopError(
            "3100",
            f"party type {party_type} is not in this directory "
            f"(it holds {', '.join(SUPPORTED_PARTY_TYPES)})",
        )


def owner_of(session: Session, party_type: str, party_id: str, sub_id: str | None) -> str | None:
    row = _held(session, party_type, party_id, sub_id)
    return None if row is None else row.participant_id


def _held(session: Session, party_type: str, party_id: str, sub_id: str | None) -> AliasRow | None:
    """The directory's entry for the party: under its sub-id (a till, an account type) when one
    was registered, else the party's own, whose DFSP knows its sub-ids without registering each."""
    row = session.get(AliasRow, (party_type, party_id, sub_id or ""))
    if row is None and sub_id:
        row = session.get(AliasRow, (party_type, party_id, ""))
    return row


# -- the directory: POST, GET, DELETE /participants/{Type}/{ID} ---------------------------------


def register_party(
    session: Session,
    sender: Sender,
    clock: Clock,
    inbound: Inbound,
    *,
    party_type: str,
    party_id: str,
    sub_id: str | None,
) -> None:
    body = inbound.parse(ParticipantPost)
    _check_party_type(party_type)
    path = inbound.path
    if body.fspId != inbound.source.id:
        raise FspiopError("3100", NOT_YOUR_PARTY)
    check_currency_held(session, body.fspId, body.currency)
    refused = claim(
        session,
        clock,
        participant_id=body.fspId,
        currency=body.currency,
        party_type=party_type,
        party_id=party_id,
        sub_id=sub_id,
    )
    if refused is not None:
        sender.error(
            session,
            destination=inbound.source.id,
            resource="participants",
            path=path,
            error=refused,
        )
        return
    sender.originate(
        session,
        destination=inbound.source.id,
        resource="participants",
        method="PUT",
        path=path,
        document={"fspId": body.fspId},
    )


def check_currency_held(session: Session, fsp_id: str, currency: str | None) -> None:
    if currency is not None and session.get(ParticipantCurrencyRow, (fsp_id, currency)) is None:
        raise FspiopError("3100", f"{fsp_id} does not hold {currency}")


def claim(
    session: Session,
    clock: Clock,
    *,
    participant_id: str,
    currency: str | None,
    party_type: str,
    party_id: str,
    sub_id: str | None,
) -> FspiopError | None:
    """Record that `participant_id` holds the party (nothing to do if it already does); 3003,
    and nothing recorded, when another DFSP holds it."""
    key = (party_type, party_id, sub_id or "")
    row = session.get(AliasRow, key, with_for_update=True)
    if row is not None and row.participant_id != participant_id:
        return FspiopError("3003", f"{party_type} {party_id} is held by another DFSP")
    if row is None:
        session.add(
            AliasRow(
                party_type=party_type,
                party_id=party_id,
                sub_id=sub_id or "",
                participant_id=participant_id,
                currency=currency,
                created_at=clock.now(),
            )
        )
        session.flush()
    return None


def remove_party(
    session: Session,
    sender: Sender,
    inbound: Inbound,
    *,
    party_type: str,
    party_id: str,
    sub_id: str | None,
) -> None:
    currency = _asked_currency(inbound)
    row = session.get(AliasRow, (party_type, party_id, sub_id or ""), with_for_update=True)
    path = inbound.path
    if row is None or row.participant_id != inbound.source.id or not _in(row, currency):
        sender.error(
            session,
            destination=inbound.source.id,
            resource="participants",
            path=path,
            error=FspiopError(
                "3204", f"{party_type} {party_id} is not registered by you{_for(currency)}"
            ),
        )
        return
    session.delete(row)
    session.flush()
    # "If the FSP information is deleted, the fspId element should be empty" (the API's
    # PUT /participants/{Type}/{ID}): no member is required, so the answer is {}.
    sender.originate(
        session,
        destination=inbound.source.id,
        resource="participants",
        method="PUT",
        path=path,
        document={},
    )


def which_participant(
    session: Session,
    sender: Sender,
    inbound: Inbound,
    *,
    party_type: str,
    party_id: str,
    sub_id: str | None,
) -> None:
    currency = _asked_currency(inbound)
    path = inbound.path
    row = _held(session, party_type, party_id, sub_id)
    if row is None or not _in(row, currency):
        sender.error(
            session,
            destination=inbound.source.id,
            resource="participants",
            path=path,
            error=FspiopError("3204", f"no DFSP holds {party_type} {party_id}{_for(currency)}"),
        )
        return
    sender.originate(
        session,
        destination=inbound.source.id,
        resource="participants",
        method="PUT",
        path=path,
        document={"fspId": row.participant_id},
    )


def _asked_currency(inbound: Inbound) -> str | None:
    """The `?currency=XYZ` of a GET or DELETE /participants/{Type}/{ID}, which the API has
    these requests support "for filtering of currency"; None without one."""
    query = inbound.uri.partition("?")[2]
    asked = parse_qs(query, keep_blank_values=True).get("currency")
    if not asked:
        return None
    if len(asked) > 1 or asked[0] not in CURRENCIES:
        raise FspiopError("3101", "the currency asked for is not one currency of the API")
    return asked[0]


def _in(row: AliasRow, currency: str | None) -> bool:
    """Whether the party is registered in `currency` (a party registered without one is
    registered in every currency its DFSP holds)."""
    return currency is None or row.currency is None or row.currency == currency


def _for(currency: str | None) -> str:
    return "" if currency is None else f" in {currency}"


# -- parties: the lookup --------------------------------------------------------------------------


def named_destination(sender: Sender, inbound: Inbound) -> str | None:
    """The DFSP the sender named in FSPIOP-Destination; not the switch itself, which a sender
    may name when it leaves the routing to it (the payee's fspId or the directory then)."""
    named = inbound.headers.destination
    return None if named == sender.switch_id else named


def refused_unknown_destination(
    session: Session, sender: Sender, inbound: Inbound, *, resource: str, path: str
) -> bool:
    """Whether the request named, in FSPIOP-Destination, a DFSP that is not a participant: if
    so, the sender got 3201 "Destination FSP Error" (the "destination FSP does not exist or
    cannot be found") and the request goes no further."""
    named = named_destination(sender, inbound)
    if named is None or session.get(ParticipantRow, named) is not None:
        return False
    sender.error(
        session,
        destination=inbound.source.id,
        resource=resource,
        path=path,
        error=FspiopError("3201", f"the destination FSP {named} is not a participant"),
    )
    return True


def lookup_party(
    session: Session,
    sender: Sender,
    inbound: Inbound,
    *,
    party_type: str,
    party_id: str,
    sub_id: str | None,
) -> None:
    """GET /parties/...: forward to the DFSP that holds the party, or 3204 to the asker."""
    path = inbound.path
    headers = inbound.relayed_headers
    named = named_destination(sender, inbound)
    if named is None:
        # "empty (or set to the Switch's ID)": the switch sets it to the DFSP it routes to.
        headers = {k: v for k, v in headers.items() if k.lower() != "fspiop-destination"}
    if refused_unknown_destination(session, sender, inbound, resource="parties", path=path):
        return
    owner = named or owner_of(session, party_type, party_id, sub_id)
    if owner is None or session.get(ParticipantRow, owner) is None:
        sender.error(
            session,
            destination=inbound.source.id,
            resource="parties",
            path=path,
            error=FspiopError("3204", f"no DFSP holds {party_type} {party_id}"),
        )
        return
    sender.relay(
        session,
        destination=owner,
        method="GET",
        path=path,
        headers=headers,
        body=inbound.body,
    )


def answer_back(
    session: Session, sender: Sender, inbound: Inbound, *, method: str, path: str
) -> None:
    """A callback (PUT .../{ID}[/error]) goes to the DFSP named in FSPIOP-Destination, once
    its body is known to be what the callback carries."""
    if path.endswith("/error"):
        inbound.error()
    else:
        inbound.parse(PartiesPut)
    destination = inbound.headers.destination
    if destination is None:
        raise FspiopError("3102", "FSPIOP-Destination is required on a callback")
    if session.get(ParticipantRow, destination) is None:
        raise FspiopError("3201", f"the destination FSP {destination} is not a participant")
    sender.relay(
        session,
        destination=destination,
        method=method,
        path=path,
        headers=inbound.relayed_headers,
        body=inbound.body,
    )


__all__ = [
    "SUPPORTED_PARTY_TYPES",
    "answer_back",
    "lookup_party",
    "owner_of",
    "register_party",
    "remove_party",
    "which_participant",
]
