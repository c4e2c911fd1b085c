"""Where routes and pages find the wallet: `register` puts it on the application's state."""

from __future__ import annotations

from typing import cast

from starlette.requests import HTTPConnection

from comptoir.apps.wallet.service.context import Wallet


def wallet_of(connection: HTTPConnection) -> Wallet:
    return cast(Wallet, connection.app.state.wallet)
