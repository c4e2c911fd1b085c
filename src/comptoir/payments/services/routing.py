"""The routing of quotes, and what requests to pay (`requests_to_pay`) share with it.

A payer's `POST /quotes` and a payee's `POST /transactionRequests` go to the DFSP that holds the
other party (named in FSPIOP-Destination or the body, or found in the alias `directory`), and
the answers go back. The switch keeps what it needs to route answers and to answer resends,
and relays bodies untouched (they are signed end to end by their senders).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from comptoir.kernel.clock import Clock
from comptoir.kernel.fspiop import (
    FspiopError,
    content_hash,
    correlation_uuid,
    not_found_in_uri,
    ulid_or_none,
)
from comptoir.kernel.money import Money, MoneyError
from comptoir.payments.models import ParticipantRow, QuoteRow, TransactionRequestRow
from comptoir.payments.services.directory import (
    named_destination,
    owner_of,
    refused_unknown_destination,
)
from comptoir.payments.services.participant_cache import participant_cache
from comptoir.payments.services.transfer_context import parse_time
from comptoir.payments.switch.intake import Inbound
from comptoir.payments.switch.outbound import Sender
from comptoir.payments.switch.schemas import QuotePost, QuotePut, Relayed

__all__ = [
    "answer_quote",
    "answered_too_late",
    "ask_quote",
    "pass_question_on",
    "refused_as_expired",
    "route_new_request",
    "route_quote",
]


# -- quotes ---------------------------------------------------------------------------------------


def route_new_request(
    session: Session,
    sender: Sender,
    inbound: Inbound,
    *,
    resource: str,
    request_id: str,
    stored: tuple[str, str, str] | None,
    destination: str | None,
    named_in_body: str | None,
    who_is_missing: str,
    fsp_not_found: str,
    record: Callable[[str], object],
) -> None:
    """The shared path of a POST the switch routes (quotes, requests to pay): a resend whose
    content changed is 3106; a resend of the same content goes on again to the DFSP the first
    went to, which answers it as a resend (API Definition 3.2.5.1: once a callback was sent,
    a resend gets a new one). A DFSP named in FSPIOP-Destination that is not a participant is
    3201; one named in the body (`named_in_body`) that is not, `fsp_not_found`; the two naming
    different DFSPs, 3100; a party no DFSP holds, 3204. Otherwise `record` keeps what routing
    the answer needs, and the request goes on, untouched, to `destination`.
    `stored` is the first request's content hash, its sender and the DFSP it went to."""
    path = f"/{resource}/{request_id}"
    if stored is not None:
        stored_hash, sent_by, routed_to = stored
        if stored_hash != content_hash(inbound.body) or sent_by != inbound.source.id:
            sender.error(
                session,
                destination=inbound.source.id,
                resource=resource,
                path=path,
                error=FspiopError("3106", f"{request_id} was already sent with other content"),
            )
            return
        sender.relay(
            session,
            destination=routed_to,
            method="POST",
            path=f"/{resource}",
            headers=inbound.relayed_headers,
            body=inbound.body,
        )
        return
    if refused_unknown_destination(session, sender, inbound, resource=resource, path=path):
        return
    named = named_destination(sender, inbound)
    if named is not None and named_in_body is not None and named != named_in_body:
        # The sender signed both: which DFSP should answer is in doubt, so neither is asked.
        disagreement = FspiopError(
            "3100",
            f"FSPIOP-Destination {named} is not the {who_is_missing} FSP {named_in_body} "
            "that the body names",
        )
        sender.error(
            session, destination=inbound.source.id, resource=resource, path=path,
            error=disagreement,
        )  # fmt: skip
        return
    if destination is None or session.get(ParticipantRow, destination) is None:
        missing = (
            # The request named the DFSP itself (payee.partyIdInfo.fspId, payer.fspId), and
            # no such participant exists: 3203 "Payee FSP ID not found" or 3202 for a payer's.
            FspiopError(
                fsp_not_found, f"the {who_is_missing} FSP {destination} is not a participant"
            )
            if destination is not None and destination == named_in_body
            else FspiopError("3204", f"the {who_is_missing} is not held by any DFSP")
        )
        sender.error(
            session, destination=inbound.source.id, resource=resource, path=path, error=missing
        )
        return
    session.add(record(destination))
    session.flush()
    sender.relay(
        session,
        destination=destination,
        method="POST",
        path=f"/{resource}",
        headers=inbound.relayed_headers,
        body=inbound.body,
    )


def route_quote(session: Session, sender: Sender, clock: Clock, inbound: Inbound) -> None:
    """POST /quotes: to the payee's DFSP (named, or found in the directory). A request whose
    `expiration` has already passed goes nowhere: the payer hears 3302 (quote expired)."""
    body = inbound.parse(QuotePost)
    quote_id = correlation_uuid(body.quoteId)
    info = body.payee.partyIdInfo
    existing = session.get(QuoteRow, quote_id)
    expiration = None if body.expiration is None else parse_time(body.expiration)
    if existing is None and refused_as_expired(
        session,
        sender,
        inbound,
        expiration,
        clock,
        resource="quotes",
        path=f"/quotes/{body.quoteId}",
        error=FspiopError("3302", "the quote request expired before the switch received it"),
    ):
        return
    destination = (
        named_destination(sender, inbound)
        or info.fspId
        or owner_of(session, info.partyIdType, info.partyIdentifier, info.partySubIdOrType)
    )
    refusal = None if existing else _amount_refusal(session, body, inbound.source.id, destination)
    if refusal is not None:
        sender.error(
            session, destination=inbound.source.id, resource="quotes",
            path=f"/quotes/{body.quoteId}", error=refusal,
        )  # fmt: skip
        return
    route_new_request(
        session,
        sender,
        inbound,
        resource="quotes",
        request_id=body.quoteId,
        stored=(
            None
            if existing is None
            else (existing.request_hash, existing.payer_fsp, existing.payee_fsp)
        ),
        destination=destination,
        named_in_body=info.fspId,
        who_is_missing="payee",
        fsp_not_found="3203",
        record=lambda payee_fsp: QuoteRow(
            id=quote_id,
            ulid=ulid_or_none(body.quoteId),
            payer_fsp=inbound.source.id,
            payee_fsp=payee_fsp,
            request_hash=content_hash(inbound.body),
            state="RECEIVED",
            expiration=expiration,
            response=None,
            created_at=clock.now(),
        ),
    )


def _amount_refusal(
    session: Session, body: QuotePost, payer_fsp: str, payee_fsp: str | None
) -> FspiopError | None:
    """What the transfer would be refused for, said before the payee is asked to quote: an
    amount of nothing or finer than its currency's minor unit (3100), a currency the payer's
    DFSP (4103) or the payee's (5106) does not hold. A quote with currency conversion is in
    the payee's currency, which the payer's DFSP need not hold."""
    try:
        amount = Money.parse(body.amount.amount, body.amount.currency)
    except MoneyError as exc:
        return FspiopError("3100", str(exc))
    if amount.is_zero():
        return FspiopError("3100", "the amount must be more than zero")
    participants = participant_cache(session)
    converted = body.converter is not None or body.currencyConversion is not None
    if not converted and participants.accounts(session, payer_fsp, amount.currency) is None:
        return FspiopError("4103", f"the payer FSP does not hold {amount.currency}")
    if payee_fsp is None or participants.get(session, payee_fsp) is None:
        return None  # routing says who is missing
    if participants.accounts(session, payee_fsp, amount.currency) is None:
        return FspiopError("5106", f"the payee FSP does not hold {amount.currency}")
    return None


def answered_too_late(
    session: Session,
    sender: Sender,
    clock: Clock,
    inbound: Inbound,
    row: QuoteRow | TransactionRequestRow,
    *,
    answer: type[Relayed],
    resource: str,
    told: tuple[str, str],
    late: FspiopError,
) -> bool:
    """An answer that comes after its request's own expiration is not passed on: the request
    is marked EXPIRED and both DFSPs (`told`) hear `late`, the asker that no answer came in
    time, the answerer that its answer went nowhere. True if it was too late."""
    if row.expiration is None or clock.now() <= row.expiration:
        return False
    inbound.parse(answer)  # a malformed late answer is refused as malformed
    row.state = "EXPIRED"
    session.flush()
    for destination in told:
        sender.error(
            session, destination=destination, resource=resource, path=inbound.path, error=late
        )
    return True


def answer_quote(
    session: Session,
    sender: Sender,
    clock: Clock,
    inbound: Inbound,
    quote_id: uuid.UUID,
    *,
    error: bool,
) -> None:
    """PUT /quotes/{ID}[/error] from the payee's DFSP, back to the payer's. An answer that
    comes after the payer's request expired is not passed on: both DFSPs hear 3302, the payer
    that no answer came in time, the payee that its answer went nowhere."""
    if error:
        inbound.error()
    quote = session.get(QuoteRow, quote_id, with_for_update=True)
    if quote is None:
        raise not_found_in_uri("3205", f"no quote has the id {quote_id}")
    if quote.payee_fsp != inbound.source.id:
        raise FspiopError("3100", "only the quote's payee DFSP may answer it")
    inbound.addressed_to(quote.payer_fsp)
    if not error and answered_too_late(
        session, sender, clock, inbound, quote, answer=QuotePut, resource="quotes",
        told=(quote.payer_fsp, quote.payee_fsp),
        late=FspiopError("3302", "the payee answered after the quote request expired"),
    ):  # fmt: skip
        return
    if not error:
        answer = inbound.parse(QuotePut)
        quote.state = "ACCEPTED"
        quote.response = answer.model_dump(mode="json", exclude_none=True)
    else:
        quote.state = "REJECTED"
    session.flush()
    sender.relay(
        session,
        destination=quote.payer_fsp,
        method="PUT",
        path=inbound.uri,
        headers=inbound.relayed_headers,
        body=inbound.body,
    )


def ask_quote(session: Session, sender: Sender, inbound: Inbound, quote_id: uuid.UUID) -> None:
    """GET /quotes/{ID} from the quote's payer DFSP: on to the payee's DFSP, whose PUT comes
    back through `answer_quote`; 3205 to anyone else (API Definition 6.5.3.1)."""
    quote = session.get(QuoteRow, quote_id)
    pass_question_on(
        session,
        sender,
        inbound,
        resource="quotes",
        answerer=quote.payee_fsp if quote and quote.payer_fsp == inbound.source.id else None,
        unknown=FspiopError("3205", f"no quote of yours has the id {quote_id}"),
    )


def pass_question_on(
    session: Session,
    sender: Sender,
    inbound: Inbound,
    *,
    resource: str,
    answerer: str | None,
    unknown: FspiopError,
) -> None:
    """A GET of something the switch routed earlier: on, as signed, to the DFSP that answers
    it; `unknown` back to the asker when it is not the asker's to ask (`answerer` None)."""
    if answerer is None:
        sender.error(
            session, destination=inbound.source.id, resource=resource, path=inbound.path,
            error=unknown,
        )  # fmt: skip
        return
    sender.relay(
        session,
        destination=answerer,
        method="GET",
        path=inbound.uri,
        headers=inbound.relayed_headers,
        body=inbound.body,
    )


def refused_as_expired(
    session: Session,
    sender: Sender,
    inbound: Inbound,
    expiration: datetime | None,
    clock: Clock,
    *,
    resource: str,
    path: str,
    error: FspiopError,
) -> bool:
    """A new request whose sender's own deadline has passed is answered `error` and goes no
    further (nothing recorded, so a resend is judged again): True if it was."""
    if expiration is None or expiration > clock.now():
        return False
    sender.error(session, destination=inbound.source.id, resource=resource, path=path, error=error)
    return True
