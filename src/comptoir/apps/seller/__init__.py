"""The reference seller platform: a Beckn BPP hosting many micro-businesses."""

from __future__ import annotations

import typer
from fastapi import FastAPI


def register(app: FastAPI | None, cli: typer.Typer | None) -> None:
    """Wire the routes into APP and the commands into CLI."""
