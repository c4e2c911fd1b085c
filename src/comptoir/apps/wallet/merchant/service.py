"""The merchant API's use cases: keys, requests to pay by reference, their status, their end.

A key is "cmk_<prefix>_<secret>": the prefix finds the row, the SHA-256 of the whole key is
compared in constant time, and only that digest is stored. A request made through the API is an
ordinary outgoing request to pay (`service.requests.open_request`) plus a row that remembers the
merchant's reference, its callback URL and when it expires, written in the same transaction.

When a request ends (paid, declined, failed or expired), `sweep` records its final status and
publishes the webhook to the kernel outbox in the same transaction; the outbox relay then posts
it, signed, outside any transaction (`webhooks`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.apps.wallet.domain.parties import CustomerKind, PartyType, normalise_alias
from comptoir.apps.wallet.merchant.models import MerchantApiKey, MerchantRequest
from comptoir.apps.wallet.models import Customer, Identifier, TransactionRequest
from comptoir.apps.wallet.service.context import Wallet, get_customer, get_institution
from comptoir.apps.wallet.service.requests import open_request
from comptoir.kernel import audit
from comptoir.kernel.i18n import lazy
from comptoir.kernel.ids import new_id
from comptoir.kernel.money import Money
from comptoir.kernel.outbox import declare, publish

KEY_PREFIX: Final = "cmk_"
WEBHOOK_TOPIC: Final = "wallet.merchant.webhook"
WEBHOOK_HANDLER: Final = "wallet.merchant.webhook-sender"
REQUEST_LIFETIME: Final = timedelta(minutes=15)
LATE_PAYMENT_WATCH: Final = timedelta(days=1)  # how long an expired request is still watched
declare(WEBHOOK_TOPIC, WEBHOOK_HANDLER)

# What the API says of a request, from the wallet's own request states.
PENDING: Final = "pending"
PAID: Final = "paid"
DECLINED: Final = "declined"
EXPIRED: Final = "expired"
FAILED: Final = "failed"
_FINAL_FROM_STATE: Final = {"paid": PAID, "rejected": DECLINED, "failed": FAILED}


@dataclass(frozen=True)
class IssuedKey:
    """A new key, shown once: the key itself and the secret that signs webhooks."""

    id: uuid.UUID
    institution_id: str
    customer_id: uuid.UUID
    api_key: str
    webhook_secret: str


@dataclass(frozen=True)
class Caller:
    """The merchant a valid API key belongs to."""

    key_id: uuid.UUID
    institution_id: str
    customer_id: uuid.UUID


@dataclass(frozen=True)
class RequestStatus:
    id: uuid.UUID
    reference: str
    status: str
    amount: Money
    payer: str
    created_at: datetime
    expires_at: datetime
    ended_at: datetime | None
    error_code: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "reference": self.reference,
            "status": self.status,
            "amount": {"value": self.amount.minor, "currency": self.amount.currency},
            "payer": self.payer,
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "ended_at": None if self.ended_at is None else self.ended_at.isoformat(),
            "error_code": self.error_code,
        }


def digest(api_key: str) -> str:
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


def sign(secret: str, body: bytes) -> str:
    """The webhook signature header's value: "sha256=" and the HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _merchant_by_alias(session: Session, alias: str) -> Customer:
    identifier = session.scalar(
        select(Identifier).where(
            Identifier.party_type == PartyType.ALIAS.value,
            Identifier.party_id == normalise_alias(alias),
        )
    )
    if identifier is None:
        raise WalletError("unknown_alias", lazy("No customer has the alias {alias}.", alias=alias))
    return get_customer(session, identifier.institution_id, identifier.customer_id)


def issue_key(
    wallet: Wallet,
    *,
    alias: str | None = None,
    institution_id: str | None = None,
    customer_id: uuid.UUID | None = None,
    actor: str = "operator:cli",
) -> IssuedKey:
    """A new API key for a merchant, named by its alias or by its institution and id."""
    with wallet.database.transaction() as session:
        if alias is not None:
            merchant = _merchant_by_alias(session, alias)
        elif institution_id is not None and customer_id is not None:
            merchant = get_customer(session, institution_id, customer_id)
        else:
            raise ValueError("name the merchant by its alias or by its institution and id")
        if merchant.kind != CustomerKind.MERCHANT.value:
            raise WalletError("not_merchant", lazy("Only merchant accounts can have an API key."))
        prefix = secrets.token_hex(8)
        api_key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        webhook_secret = secrets.token_hex(32)
        row = MerchantApiKey(
            id=new_id(),
            institution_id=merchant.institution_id,
            customer_id=merchant.id,
            prefix=prefix,
            key_digest=digest(api_key),
            webhook_secret=webhook_secret,
            created_at=wallet.clock.now(),
            revoked_at=None,
        )
        session.add(row)
        audit.record(
            session,
            actor=actor,
            action="wallet.merchant.api_key_issued",
            subject=f"customer:{merchant.id}",
            details={"institution": merchant.institution_id, "key": str(row.id)},
            clock=wallet.clock,
        )
        return IssuedKey(row.id, merchant.institution_id, merchant.id, api_key, webhook_secret)


def authenticate(wallet: Wallet, *, institution_id: str, api_key: str) -> Caller | None:
    """The merchant this key belongs to at this institution, or None."""
    parts = api_key.removeprefix(KEY_PREFIX).split("_", 1)
    if not api_key.startswith(KEY_PREFIX) or len(parts) != 2:
        return None
    with wallet.database.transaction() as session:
        row = session.scalar(select(MerchantApiKey).where(MerchantApiKey.prefix == parts[0]))
        if (
            row is None
            or row.revoked_at is not None
            or row.institution_id != institution_id
            or not hmac.compare_digest(row.key_digest, digest(api_key))
        ):
            return None
        return Caller(row.id, row.institution_id, row.customer_id)


def _content_hash(payer: str, amount: int, currency: str, callback_url: str | None) -> str:
    document = {"payer": payer, "amount": amount, "currency": currency, "callback": callback_url}
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def create_request(
    wallet: Wallet,
    caller: Caller,
    *,
    payer: str,
    amount: int,
    currency: str,
    reference: str,
    callback_url: str | None,
    note: str | None = None,
) -> tuple[RequestStatus, bool]:
    """Ask `payer` to pay; the same reference again gets the same request (and False)."""
    fingerprint = _content_hash(payer.strip(), amount, currency, callback_url)
    with wallet.database.transaction() as session:
        existing = session.scalar(
            select(MerchantRequest).where(
                MerchantRequest.customer_id == caller.customer_id,
                MerchantRequest.reference == reference,
            )
        )
        if existing is not None:
            if existing.content_hash != fingerprint:
                raise WalletError(
                    "reference_reused",
                    lazy(
                        "The reference {reference} was used for another request.",
                        reference=reference,
                    ),
                )
            return _status(session, wallet, existing), False
        institution_currency = get_institution(session, caller.institution_id).currency
        if currency != institution_currency:
            raise WalletError(
                "wrong_currency",
                lazy("This institution only takes {currency}.", currency=institution_currency),
            )
        now = wallet.clock.now()
        asked = open_request(
            session,
            wallet,
            institution_id=caller.institution_id,
            customer_id=caller.customer_id,
            payer_identifier=payer,
            amount=Money(amount, currency).to_fixed(),
            note=note or reference[:128],
            # The payer's wallet refuses it after this, so that a buyer cannot pay an order the
            # shop already gave up on when it heard "expired".
            expires_at=now + REQUEST_LIFETIME,
        )
        row = MerchantRequest(
            id=new_id(),
            institution_id=caller.institution_id,
            customer_id=caller.customer_id,
            api_key_id=caller.key_id,
            reference=reference,
            content_hash=fingerprint,
            asked_id=asked.id,
            callback_url=callback_url,
            final_status=None,
            expires_at=now + REQUEST_LIFETIME,
            created_at=now,
            ended_at=None,
        )
        session.add(row)
        session.flush()
        return _status(session, wallet, row), True


def request_status(wallet: Wallet, caller: Caller, request_id: uuid.UUID) -> RequestStatus | None:
    with wallet.database.transaction() as session:
        row = session.get(MerchantRequest, request_id)
        if row is None or row.customer_id != caller.customer_id:
            return None
        return _status(session, wallet, row)


def _live_status(row: MerchantRequest, asked: TransactionRequest, now: datetime) -> str:
    final = _FINAL_FROM_STATE.get(asked.state)
    # The payer may still approve in their wallet after we called it expired: the money came,
    # so the merchant must hear "paid" after all.
    if row.final_status is not None and not (row.final_status == EXPIRED and final == PAID):
        return row.final_status
    if final is not None:
        return final
    if now >= row.expires_at:
        return EXPIRED
    return PENDING


def _status(session: Session, wallet: Wallet, row: MerchantRequest) -> RequestStatus:
    asked = session.get(TransactionRequest, row.asked_id)
    assert asked is not None  # a foreign key
    return RequestStatus(
        id=row.id,
        reference=row.reference,
        status=_live_status(row, asked, wallet.clock.now()),
        amount=Money(asked.amount, asked.currency),
        payer=asked.party_id,
        created_at=row.created_at,
        expires_at=row.expires_at,
        ended_at=row.ended_at,
        error_code=asked.error_code,
    )


def sweep(wallet: Wallet, *, batch: int = 100) -> int:
    """Record the end of requests that ended, and queue their webhooks. Safe in several
    processes at once: rows are claimed with FOR UPDATE SKIP LOCKED where the database can."""
    now = wallet.clock.now()
    ended = 0
    with wallet.database.transaction() as session:
        rows = session.scalars(
            select(MerchantRequest)
            .where(
                MerchantRequest.final_status.is_(None)
                | (
                    (MerchantRequest.final_status == EXPIRED)
                    & (MerchantRequest.ended_at > now - LATE_PAYMENT_WATCH)
                )
            )
            .order_by(MerchantRequest.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            asked = session.get(TransactionRequest, row.asked_id)
            assert asked is not None
            status = _live_status(row, asked, now)
            if status in (PENDING, row.final_status):
                continue
            row.final_status, row.ended_at = status, now
            ended += 1
            if row.callback_url:
                body = _status(session, wallet, row).to_json()
                publish(
                    session,
                    topic=WEBHOOK_TOPIC,
                    payload={
                        "key_id": str(row.api_key_id),
                        "url": row.callback_url,
                        "body": {"event": "request_to_pay.ended", "data": body},
                    },
                    key=row.institution_id,
                    clock=wallet.clock,
                )
    return ended


def webhook_secret(wallet: Wallet, key_id: uuid.UUID) -> str | None:
    with wallet.database.transaction() as session:
        row = session.get(MerchantApiKey, key_id)
        return None if row is None else row.webhook_secret
