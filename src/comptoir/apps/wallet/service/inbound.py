"""Answering a POST from the switch exactly once (FSPIOP section 3.2.5).

The first request with an id is processed and its callback stored with a hash of its content;
a resend (same id, same content) gets the stored callback again and changes nothing; the same
id with other content gets error 3106 and changes nothing. The processing runs in a savepoint,
so a request refused half-way leaves no trace but its error callback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from comptoir.apps.wallet.models import InboundRequest, Institution
from comptoir.apps.wallet.service import outgoing
from comptoir.apps.wallet.service.context import Wallet
from comptoir.kernel.fspiop import (
    Action,
    FspiopError,
    StoredRequest,
    content_hash,
    decide,
    error_body,
)

Answer = tuple[str, dict[str, Any]]  # the callback's path and body
Process = Callable[[Session], Answer]


def answer_once(
    session: Session,
    wallet: Wallet,
    institution: Institution,
    *,
    resource: str,
    request_id: str,
    source: str,
    document: object,
    process: Process,
) -> None:
    """Run `process` for a new request and send its callback; resend it for a resend."""
    base = f"/{resource}/{request_id}"
    stored = session.get(InboundRequest, (institution.id, resource, request_id))
    previous = None
    if stored is not None:
        previous = StoredRequest(
            request_id=request_id,
            content_hash=stored.content_hash,
            outcome=(stored.callback_path, stored.callback_body),
            source=stored.source,
        )
    try:
        decision = decide(previous, request_id=request_id, body=document, source=source)
    except FspiopError as modified:
        outgoing.send_error(
            session, wallet, institution, path=base, error=modified, destination=source
        )
        return
    if decision.action is Action.RESEND and decision.outcome is not None:
        path, body = decision.outcome
        outgoing.send(
            session, wallet, institution, method="PUT", path=path, body=body, destination=source
        )
        return
    if decision.action is not Action.PROCESS:
        return
    try:
        with session.begin_nested():
            path, body = process(session)
    except FspiopError as refused:
        path, body = f"{base}/error", error_body(refused)
    session.add(
        InboundRequest(
            institution_id=institution.id,
            resource=resource,
            request_id=request_id,
            source=source,
            content_hash=content_hash(document),
            callback_path=path,
            callback_body=body,
            created_at=wallet.clock.now(),
        )
    )
    outgoing.send(
        session, wallet, institution, method="PUT", path=path, body=body, destination=source
    )
