"""`Error` and the synchronous answers: `Ack` (with its counter-signature) and the NACKs."""

from __future__ import annotations

from typing import Literal

from comptoir.kernel.beckn.models.base import BecknModel, OpenBecknModel


class Error(OpenBecknModel):
    error_code: str | None = None
    error_message: str | None = None


class Ack(BecknModel):
    """The body of every synchronous answer. `error` is present on a NACK and on an
    AckNoCallback; `signature` is the receiver's counter-signature."""

    status: Literal["ACK", "NACK"]
    signature: str
    error: Error | None = None
