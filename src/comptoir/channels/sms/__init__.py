"""The SMS channel: an outbox of text messages, handed to a gateway (or kept for the console).

Blocks publish on the outbox topic `sms.send` (see `outbox.py`); this channel stores and sends.
With `COMPTOIR_SMS_GATEWAY_URL` set, messages are POSTed there; otherwise (the demo) they are
only kept, and the operator reads them at `/operator/sms`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from comptoir.kernel.i18n import N_
from comptoir.kernel.web.navigation import Role, ServiceLink

if TYPE_CHECKING:
    import typer
    from fastapi import FastAPI

    from comptoir.kernel.web.context import NodeContext


def register(app: FastAPI | None, cli: typer.Typer | None) -> None:
    if app is None:
        return
    from comptoir.channels.sms import outbox, pages

    node: NodeContext = app.state.node
    gateway_url = (node.settings.sms_gateway_url or "").strip()
    adapter: outbox.SmsAdapter = (
        outbox.GatewayAdapter(gateway_url) if gateway_url else outbox.ConsoleAdapter()
    )
    sms = outbox.SmsOutbox(node.database, adapter=adapter, clock=node.clock)
    app.state.sms_outbox = sms
    node.outbox.subscribe(outbox.TOPIC, outbox.HANDLER, sms.handle)
    node.templates.add_directory(Path(__file__).parent / "templates")
    app.include_router(pages.router)
    node.directory.add(
        Role.OPERATOR,
        ServiceLink(
            N_("SMS console"),
            "/operator/sms",
            N_("The text messages the node has sent, one-time codes included (demo only)."),
        ),
    )
