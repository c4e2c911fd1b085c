"""The seller platform's objects on the app: its context and its Beckn receivers."""

from __future__ import annotations

from typing import cast

from starlette.requests import HTTPConnection

from comptoir.apps.seller.beckn_io import Receivers
from comptoir.apps.seller.service.context import Seller


def seller_of(connection: HTTPConnection) -> Seller:
    return cast(Seller, connection.app.state.seller)


def receivers_of(connection: HTTPConnection) -> Receivers:
    return cast(Receivers, connection.app.state.seller_receivers)
