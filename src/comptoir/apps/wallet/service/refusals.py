"""What to do when the switch refuses one of our requests outright (an HTTP 4xx).

No callback will follow such a refusal, so it is applied as an error callback would be: the
payment or request fails (a reservation is released), the identifier is not registered, and a
fulfilment the switch would not take means the credit we gave our customer is reversed.
"""

from __future__ import annotations

import uuid
from typing import Any

from comptoir.apps.wallet.service import customers, incoming, payer_answers, requests
from comptoir.apps.wallet.service.context import Wallet, get_institution
from comptoir.kernel.fspiop import FspiopError
from comptoir.kernel.outbox import processed_once

CONSUMER = "wallet.refusals"


def outgoing_refused(
    wallet: Wallet, event_id: uuid.UUID, payload: dict[str, Any], error: FspiopError
) -> None:
    with wallet.database.transaction() as session:
        if not processed_once(session, CONSUMER, event_id, clock=wallet.clock):
            return
        subject = payload.get("subject") or {}
        kind, subject_id = subject.get("kind"), str(subject.get("id"))
        if kind == "payment":
            payer_answers.payment_refused(session, wallet, subject_id, error)
        elif kind == "request":
            requests.request_refused(session, wallet, subject_id, error)
        elif kind == "identifier":
            customers.identifier_refused(wallet, session, subject_id, error.description)
        elif _is_fulfilment(payload):
            institution = get_institution(session, payload["institution"])
            transfer_id = payload["path"].split("/")[2]
            incoming.settle_incoming(session, wallet, institution, transfer_id, committed=False)


def _is_fulfilment(payload: dict[str, Any]) -> bool:
    parts = payload.get("path", "").split("/")
    return payload.get("method") == "PUT" and len(parts) == 3 and parts[1] == "transfers"
