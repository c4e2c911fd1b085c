"""The composition root: builds the ASGI application from the settings and the enabled blocks."""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from types import ModuleType

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

import comptoir
from comptoir import KNOWN_BLOCKS
from comptoir.kernel.clock import Clock, system_clock
from comptoir.kernel.db import Database
from comptoir.kernel.errors import ConfigurationError
from comptoir.kernel.outbox import OutboxRelay
from comptoir.kernel.settings import Settings, load_settings
from comptoir.kernel.web import csrf
from comptoir.kernel.web.context import NodeContext
from comptoir.kernel.web.middleware import LocaleMiddleware, SecurityHeadersMiddleware
from comptoir.kernel.web.problems import install_problem_handlers
from comptoir.kernel.web.routes import router as shell_router
from comptoir.kernel.web.templating import Templates

STATIC_DIR = Path(__file__).parent / "kernel" / "web" / "static"
# The blocks that sign people in with a code sent by text message, through the SMS channel.
TEXTING_BLOCKS = ("identity", "apps.wallet", "apps.seller")

logger = logging.getLogger(__name__)


def block_modules(enabled: tuple[str, ...]) -> list[ModuleType]:
    names = enabled or KNOWN_BLOCKS
    unknown = [name for name in names if name not in KNOWN_BLOCKS]
    if unknown:
        raise ConfigurationError(
            "COMPTOIR_BLOCKS",
            f"unknown block '{unknown[0]}' (known blocks: {', '.join(KNOWN_BLOCKS)}).",
        )
    return [importlib.import_module(f"comptoir.{name}") for name in names]


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    clock: Clock = system_clock,
) -> FastAPI:
    settings = settings or load_settings()
    database = database or Database.from_url(settings.resolved_database_url)
    node = NodeContext(
        settings=settings,
        database=database,
        clock=clock,
        templates=Templates(),
        # Small batches and a short lease: after a crash, what the dead process had claimed
        # is sent again within half a minute (handlers time out in ten seconds).
        outbox=OutboxRelay(
            database,
            clock=clock,
            poll_seconds=settings.outbox_poll_seconds,
            batch=16,
            lease=timedelta(seconds=30),
            concurrency=8,
        ),
        secret=settings.signing_secret(),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The relay delivers events that earlier runs left undelivered, then keeps polling.
        node.outbox.start()
        node.scheduler.start()
        try:
            yield
        finally:
            node.scheduler.stop()
            node.outbox.stop()
            database.dispose()

    app = FastAPI(
        title="Comptoir",
        version=comptoir.__version__,
        summary="Open digital public infrastructure for inclusive e-commerce.",
        lifespan=lifespan,
        dependencies=[Depends(csrf.verify_csrf)],
        # The interactive docs page would load scripts from a CDN; the document itself is enough.
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.node = node
    install_problem_handlers(app)
    app.add_middleware(
        LocaleMiddleware,
        default_locale=settings.default_locale,
        time_zone=settings.time_zone,
        phone_region=settings.phone_region,
    )
    app.add_middleware(SecurityHeadersMiddleware)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(shell_router)
    for module in block_modules(settings.enabled_blocks):
        module.register(app, None)
    _warn_of_texts_nobody_sends(settings.enabled_blocks or KNOWN_BLOCKS)
    return app


def _warn_of_texts_nobody_sends(served: tuple[str, ...]) -> None:
    """A text is handed to the SMS channel of the process that queues it; a node that serves a
    block sending codes without the channel would keep its texts and send none."""
    texting = [name for name in TEXTING_BLOCKS if name in served]
    if texting and "channels.sms" not in served:
        logger.warning(
            "%s send sign-in codes by text message, but this node does not serve the SMS "
            "channel (add channels.sms to COMPTOIR_BLOCKS): no code will reach a phone",
            ", ".join(texting),
        )


def create_app_from_environment() -> FastAPI:
    """Factory for `uvicorn --factory` and multi-worker serving."""
    return create_app()
