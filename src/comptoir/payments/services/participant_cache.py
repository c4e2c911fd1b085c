"""What the switch reads about a participant on every message, kept a few seconds per process.

Each transfer used to load the payer's record (to check its signature), the payee's record and
both sides' accounts (to reserve), and the destination's callback URL for each message it
sent: seven primary-key reads through the ORM, a sixth of the switch's CPU. They change only
when an operator changes the participant, so each process keeps them for `CACHE_SECONDS`.

A change made through this process's own services forgets the participant at once (and again
when its transaction commits). One made from another process (`comptoir switch` on the same
database, another API process) applies here within `CACHE_SECONDS`. Nothing absent is kept:
a participant or a currency added elsewhere is found at its first use.
"""

from __future__ import annotations

import threading
import time
import uuid
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

from comptoir.kernel.fspiop import RsaJwk, import_rsa_jwks
from comptoir.kernel.fspiop.rsa_keys import RsaKeyError
from comptoir.payments.models import ParticipantCurrencyRow, ParticipantRow

# How long an entry is trusted. An operator's change from another process (the CLI
# deactivating a participant, a key rotation, a new callback URL) takes effect within it, as
# with Mojaloop's central-ledger, which caches participants too; short enough that an
# operator never waits long, long enough that a busy switch reads each participant about
# once per this many seconds instead of several times per transfer.
CACHE_SECONDS = 5.0


@dataclass(frozen=True)
class Accounts:
    """A participant's three ledger accounts in one currency."""

    position: uuid.UUID
    liquidity: uuid.UUID
    ndc: uuid.UUID


@dataclass(frozen=True)
class Participant:
    """A participant as the switch's message path needs it."""

    id: str
    active: bool
    callback_url: str
    keys: tuple[RsaJwk, ...] | None  # None: its registered JWKS holds no usable key
    accounts: Mapping[str, Accounts]  # by currency


class ParticipantCache:
    """Participants by id, each trusted for `lifetime` seconds after it was read."""

    def __init__(
        self,
        *,
        lifetime: float = CACHE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.lifetime = lifetime
        self.monotonic = monotonic
        self._entries: dict[str, tuple[float, Participant]] = {}
        # Bumped by every `forget`: a read that began before it does not store what it read.
        self._generation = 0
        self._lock = threading.Lock()

    def peek(self, participant_id: str) -> Participant | None:
        """The participant if a fresh entry holds it, without touching the database."""
        entry = self._entries.get(participant_id)
        if entry is None or entry[0] <= self.monotonic():
            return None
        return entry[1]

    def get(self, session: Session, participant_id: str) -> Participant | None:
        """The participant (None if there is none), from the cache or read in `session`."""
        return self.peek(participant_id) or self.load(session, participant_id)

    def accounts(self, session: Session, participant_id: str, currency: str) -> Accounts | None:
        """Its accounts in `currency` (None if it holds none, or is unknown)."""
        participant = self.get(session, participant_id)
        if participant is not None and currency not in participant.accounts:
            participant = self.load(session, participant_id)  # a currency opened since?
        return None if participant is None else participant.accounts.get(currency)

    def load(self, session: Session, participant_id: str) -> Participant | None:
        """Read the participant in `session` and keep it (nothing is kept if it is absent)."""
        generation = self._generation
        row = session.get(ParticipantRow, participant_id)
        if row is None:
            return None
        currencies = session.scalars(
            select(ParticipantCurrencyRow).where(
                ParticipantCurrencyRow.participant_id == participant_id
            )
        ).all()
        try:
            keys: tuple[RsaJwk, ...] | None = import_rsa_jwks(row.jwks)
        except RsaKeyError:
            keys = None
        participant = Participant(
            id=row.id,
            active=row.active,
            callback_url=row.callback_url,
            keys=keys,
            accounts={
                found.currency: Accounts(
                    found.position_account_id, found.liquidity_account_id, found.ndc_account_id
                )
                for found in currencies
            },
        )
        with self._lock:
            if generation == self._generation:
                self._entries[participant_id] = (self.monotonic() + self.lifetime, participant)
        return participant

    def forget(self, participant_id: str) -> None:
        with self._lock:
            self._generation += 1
            self._entries.pop(participant_id, None)


_caches: weakref.WeakKeyDictionary[Pool, ParticipantCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def participant_cache(bind: Session | Engine) -> ParticipantCache:
    """The cache of the database that `bind` (a session or an engine) works on."""
    if isinstance(bind, Session):
        connectable = bind.get_bind()
        engine = connectable if isinstance(connectable, Engine) else connectable.engine
    else:
        engine = bind
    # Keyed by the connection pool, which an engine and its variants with other execution
    # options share: one cache per database per process.
    pool = engine.pool
    cache = _caches.get(pool)
    if cache is None:
        with _caches_lock:
            cache = _caches.get(pool)
            if cache is None:
                cache = _caches[pool] = ParticipantCache()
    return cache


def forget_participant(session: Session, participant_id: str) -> None:
    """A change to the participant is being made in `session`: forget it now, and again once
    the change commits (a read in between may have kept the state before it)."""
    cache = participant_cache(session)
    cache.forget(participant_id)
    event.listen(session, "after_commit", lambda _session: cache.forget(participant_id), once=True)
