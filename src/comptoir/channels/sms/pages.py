"""The operator's SMS console: the messages sent, newest first."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from comptoir.channels.sms.outbox import messages
from comptoir.kernel.i18n import local_moment
from comptoir.kernel.web.context import node_context
from comptoir.kernel.web.operator import require_operator

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_operator)])


@router.get("/operator/sms")
def console(request: Request) -> Response:
    node = node_context(request)
    with node.database.reading() as session:
        sent = [
            {
                "recipient": message.recipient,
                "body": message.body,
                "status": message.status,
                "when": local_moment(message.created_at),
            }
            for message in messages(session)
        ]
    response = node.templates.render(request, "sms/console.html", {"messages": sent})
    response.headers["Cache-Control"] = "no-store"
    return response
