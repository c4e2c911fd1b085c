"""Identity: the credentials part."""

from __future__ import annotations

import typer
from fastapi import FastAPI


def register(app: FastAPI | None, cli: typer.Typer | None) -> None:
    """Wire this part's routes into APP and its commands into CLI (the `identity` group)."""
