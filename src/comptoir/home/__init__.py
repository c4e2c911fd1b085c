"""The landing page: what Comptoir is, and the roles a visitor can take."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer
    from fastapi import FastAPI

    from comptoir.kernel.web.context import NodeContext


def register(app: FastAPI | None, cli: typer.Typer | None) -> None:
    if app is not None:
        from comptoir.home import pages

        node: NodeContext = app.state.node
        node.templates.add_directory(Path(__file__).parent / "templates")
        app.include_router(pages.router)
