"""POST /participants: a DFSP registers many of its parties at once (at most 10,000), and hears
back, in `PUT /participants/{requestId}`, each party with or without the error that kept it
out (API Definition 6.2.2.3 and 6.2.3.3).

Each party is registered as `POST /participants/{Type}/{ID}` would: only for the DFSP that
sends the request (a party whose `fspId` names another is refused 3100), and never over a
party another DFSP holds (3003). One party's refusal keeps out that party alone. A currency
the DFSP does not hold refuses the whole request at once, as it does for one party.

A resend of the same request gets the same answer again; the same requestId with other
content, or from another DFSP, is told 3106 (section 3.2.5); the answer is kept to tell both.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from comptoir.kernel.clock import Clock
from comptoir.kernel.fspiop import FspiopError, content_hash, correlation_uuid, error_body
from comptoir.payments.models import AliasBatchRow
from comptoir.payments.services.directory import NOT_YOUR_PARTY, check_currency_held, claim
from comptoir.payments.switch.intake import Inbound
from comptoir.payments.switch.outbound import Sender
from comptoir.payments.switch.schemas import ParticipantsPost, PartyIdInfo

RESOURCE = "participants"


def register_parties(session: Session, sender: Sender, clock: Clock, inbound: Inbound) -> None:
    body = inbound.parse(ParticipantsPost)
    source = inbound.source.id
    path = f"/participants/{body.requestId}"
    batch_id = correlation_uuid(body.requestId)
    request_hash = content_hash(inbound.body)
    earlier = session.get(AliasBatchRow, batch_id)
    if earlier is not None:
        if earlier.request_hash != request_hash or earlier.participant_id != source:
            sender.error(
                session,
                destination=source,
                resource=RESOURCE,
                path=path,
                error=FspiopError("3106", f"{body.requestId} was already sent with other content"),
            )
            return
        _answer(session, sender, source, path, earlier.response)
        return
    check_currency_held(session, source, body.currency)
    answer: dict[str, Any] = {
        "partyList": [
            _registered(session, clock, source, party, body.currency) for party in body.partyList
        ]
    }
    if body.currency is not None:
        answer["currency"] = body.currency
    session.add(
        AliasBatchRow(
            id=batch_id,
            participant_id=source,
            request_hash=request_hash,
            response=answer,
            created_at=clock.now(),
        )
    )
    session.flush()
    _answer(session, sender, source, path, answer)


def _registered(
    session: Session, clock: Clock, source: str, party: PartyIdInfo, currency: str | None
) -> dict[str, Any]:
    """The PartyResult for one party: the party as sent, its fspId the DFSP that now holds it,
    or as sent with the error that kept it out."""
    sent = party.model_dump(mode="json", exclude_none=True)
    if party.fspId is not None and party.fspId != source:
        refused: FspiopError | None = FspiopError("3100", NOT_YOUR_PARTY)
    else:
        refused = claim(
            session,
            clock,
            participant_id=source,
            currency=currency,
            party_type=party.partyIdType,
            party_id=party.partyIdentifier,
            sub_id=party.partySubIdOrType,
        )
    if refused is not None:
        return {"partyId": sent, **error_body(refused)}
    return {"partyId": {**sent, "fspId": source}}


def _answer(
    session: Session, sender: Sender, destination: str, path: str, document: dict[str, Any]
) -> None:
    sender.originate(
        session,
        destination=destination,
        resource=RESOURCE,
        method="PUT",
        path=path,
        document=document,
    )
