"""Joining the switch: a DFSP's record, its accounts in each currency it holds, its first cap."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.kernel import audit
from comptoir.kernel.clock import Clock
from comptoir.kernel.errors import Problem
from comptoir.kernel.i18n import lazy
from comptoir.kernel.ids import new_id
from comptoir.kernel.money import Money
from comptoir.kernel.settings import load_settings
from comptoir.payments.domain import Account, AccountCode, AccountFlags
from comptoir.payments.errors import PARTICIPANT_EXISTS, PARTICIPANT_INVALID
from comptoir.payments.models import ParticipantCurrencyRow, ParticipantRow
from comptoir.payments.services.ledger_store import LedgerStore
from comptoir.payments.services.participant_cache import forget_participant
from comptoir.payments.services.participants import (
    currencies_of,
    hub_accounts,
    set_net_debit_cap,
)

# FSPIOP's FspId is a string of 1 to 32 characters; we keep to a safe, URL-friendly subset.
PARTICIPANT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")


def validate_callback_url(url: str) -> str:
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # a port that is not a number raises here
    except ValueError:
        parts, host = urlsplit(""), None
    if len(url) > 500:
        raise Problem(
            PARTICIPANT_INVALID,
            lazy("The callback address must be at most 500 characters long."),
        )
    if parts.scheme not in ("http", "https") or not host or any(c.isspace() for c in url):
        raise Problem(
            PARTICIPANT_INVALID,
            lazy("The callback address {url} is not an http(s) URL.", url=url),
        )
    # The resource's path is appended to the address, so a query or a fragment would swallow it.
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        raise Problem(
            PARTICIPANT_INVALID,
            lazy(
                "The callback address {url} must not have a query or a fragment: the switch "
                "adds the resource's path to it.",
                url=url,
            ),
        )
    return url.rstrip("/")


def add_participant(
    session: Session,
    *,
    store: LedgerStore,
    clock: Clock,
    participant_id: str,
    name: str,
    currency: str,
    callback_url: str,
    jwks: dict[str, Any],
    net_debit_cap: Money,
    actor: str,
) -> ParticipantRow:
    """Connect a DFSP: its record, its three accounts in `currency`, and its net debit cap."""
    if not PARTICIPANT_ID.fullmatch(participant_id):
        raise Problem(
            PARTICIPANT_INVALID,
            lazy(
                "The participant id {id} must be 1 to 32 letters, digits, dots, dashes or "
                "underscores.",
                id=participant_id,
            ),
        )
    if participant_id.casefold() == load_settings().switch_id.casefold():
        # The switch signs what it says itself under this id: a DFSP holding it could pass its
        # own messages off as the switch's.
        raise Problem(
            PARTICIPANT_INVALID,
            lazy("The id {id} is the switch's own: choose another.", id=participant_id),
        )
    if not name.strip() or not name.isprintable() or len(name) > 200:
        raise Problem(
            PARTICIPANT_INVALID,
            lazy("The participant's name must be printable text of 1 to 200 characters."),
        )
    if net_debit_cap.currency != currency or net_debit_cap.is_negative():
        # Said before the participant is recorded, with the other checks of what was typed.
        raise Problem(
            PARTICIPANT_INVALID,
            lazy("The net debit cap must be zero or more, in {currency}.", currency=currency),
        )
    if session.get(ParticipantRow, participant_id) is not None:
        raise Problem(
            PARTICIPANT_EXISTS,
            lazy("The participant {id} is already registered.", id=participant_id),
        )
    # Ids are compared exactly on the wire, but people read "bankA" and "BANKA" as one DFSP.
    lookalike = session.scalar(
        select(ParticipantRow.id).where(func.lower(ParticipantRow.id) == participant_id.lower())
    )
    if lookalike is not None:
        raise Problem(
            PARTICIPANT_EXISTS,
            lazy(
                "The participant {id} differs only in case from {other}, already registered.",
                id=participant_id,
                other=lookalike,
            ),
        )
    participant = ParticipantRow(
        id=participant_id,
        name=name,
        callback_url=validate_callback_url(callback_url),
        jwks=jwks,
        active=True,
        created_at=clock.now(),
    )
    session.add(participant)
    session.flush()
    forget_participant(session, participant_id)
    _open_currency(
        session, store=store, participant_id=participant_id, cap=net_debit_cap, actor=actor
    )
    audit.record(
        session,
        actor=actor,
        action="payments.participant.added",
        subject=f"participant:{participant_id}",
        details={"name": name, "currency": currency, "callback_url": participant.callback_url},
        clock=clock,
    )
    return participant


def add_currency(
    session: Session,
    *,
    store: LedgerStore,
    clock: Clock,
    participant_id: str,
    net_debit_cap: Money,
    actor: str,
) -> None:
    """Open a registered DFSP's accounts in another currency, with their own net debit cap."""
    currency = net_debit_cap.currency
    if currency in currencies_of(session, participant_id):
        raise Problem(
            PARTICIPANT_EXISTS,
            lazy(
                "The participant {id} already holds {currency}.",
                id=participant_id,
                currency=currency,
            ),
        )
    _open_currency(
        session, store=store, participant_id=participant_id, cap=net_debit_cap, actor=actor
    )
    audit.record(
        session,
        actor=actor,
        action="payments.participant.currency_added",
        subject=f"participant:{participant_id}",
        details={"currency": currency},
        clock=clock,
    )


def _open_currency(
    session: Session, *, store: LedgerStore, participant_id: str, cap: Money, actor: str
) -> None:
    """The participant's position, liquidity and cap accounts in `cap`'s currency, the cap
    set on them."""
    currency = cap.currency
    if cap.is_negative():
        raise Problem(
            PARTICIPANT_INVALID,
            lazy("The net debit cap must be zero or more, in {currency}.", currency=currency),
        )
    hub_accounts(session, store, currency)
    position = Account(
        id=new_id(),
        ledger=currency,
        code=int(AccountCode.POSITION),
        flags=int(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS),
    )
    liquidity = Account(id=new_id(), ledger=currency, code=int(AccountCode.LIQUIDITY))
    cap_account = Account(id=new_id(), ledger=currency, code=int(AccountCode.NDC))
    failures = store.create_accounts(session, [position, liquidity, cap_account])
    if failures:
        raise RuntimeError(f"cannot create the accounts of {participant_id}: {failures}")
    row = ParticipantCurrencyRow(
        participant_id=participant_id,
        currency=currency,
        position_account_id=position.id,
        liquidity_account_id=liquidity.id,
        ndc_account_id=cap_account.id,
        net_debit_cap=0,
    )
    session.add(row)
    session.flush()
    forget_participant(session, participant_id)
    set_net_debit_cap(session, store=store, participant_id=participant_id, cap=cap, actor=actor)
