"""Network: the open commerce network on Beckn v2.0 (registry and gateway)."""

from __future__ import annotations

import typer
from fastapi import FastAPI


def register(app: FastAPI | None, cli: typer.Typer | None) -> None:
    """Wire the routes into APP and the commands into CLI."""
