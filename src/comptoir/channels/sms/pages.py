"""The operator's SMS console: the messages sent, newest first."""

from __future__ import annotations

from datetime import UTC

from babel.dates import format_datetime
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from comptoir.channels.sms.outbox import messages
from comptoir.kernel.i18n import current_locale
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
                "when": format_datetime(
                    message.created_at, "medium", tzinfo=UTC, locale=current_locale()
                )
                + " UTC",
            }
            for message in messages(session)
        ]
    response = node.templates.render(request, "sms/console.html", {"messages": sent})
    response.headers["Cache-Control"] = "no-store"
    return response
