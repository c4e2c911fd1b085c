"""What every block's routes can reach: settings, database, clock, templates, the outbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from starlette.requests import HTTPConnection

from comptoir.kernel.clock import Clock
from comptoir.kernel.db import Database
from comptoir.kernel.outbox import OutboxRelay
from comptoir.kernel.scheduler import Scheduler
from comptoir.kernel.settings import Settings
from comptoir.kernel.web.navigation import ServiceDirectory

if TYPE_CHECKING:
    from comptoir.kernel.web.templating import Templates


@dataclass
class NodeContext:
    settings: Settings
    database: Database
    clock: Clock
    templates: Templates
    outbox: OutboxRelay  # blocks subscribe their event handlers here when they register
    secret: bytes  # signs cookies and CSRF tokens
    directory: ServiceDirectory = field(default_factory=ServiceDirectory)
    scheduler: Scheduler = field(default_factory=Scheduler)
    # Path prefixes of protocol APIs whose clients authenticate by signature, never by a
    # cookie: the CSRF check of forms does not apply under them (a block adds its own).
    signed_api_prefixes: list[str] = field(default_factory=list)


def node_context(connection: HTTPConnection) -> NodeContext:
    """The node's context from a request; the composition root puts it on `app.state`."""
    return cast(NodeContext, connection.app.state.node)
