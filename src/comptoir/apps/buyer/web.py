"""The buyer app's objects on the app: its context and its protocol parts."""

from __future__ import annotations

from typing import cast

from starlette.requests import HTTPConnection

from comptoir.apps.buyer.beckn_io import Protocol
from comptoir.apps.buyer.service.context import Buyer


def buyer_of(connection: HTTPConnection) -> Buyer:
    return cast(Buyer, connection.app.state.buyer)


def protocol_of(connection: HTTPConnection) -> Protocol:
    return cast(Protocol, connection.app.state.buyer_protocol)
