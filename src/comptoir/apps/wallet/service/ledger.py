"""The books in the database: accounts, entries and postings, and balances as their sums."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comptoir.apps.wallet.domain import books
from comptoir.apps.wallet.models import Account, Entry, Posting
from comptoir.kernel.ids import new_id


def account(
    session: Session,
    *,
    institution_id: str,
    code: str,
    currency: str,
    now: datetime,
    customer_id: uuid.UUID | None = None,
) -> Account:
    """The account with `code`, opened on first use."""
    found = session.scalar(
        select(Account).where(Account.institution_id == institution_id, Account.code == code)
    )
    if found is not None:
        return found
    opened = Account(
        id=new_id(),
        institution_id=institution_id,
        code=code,
        currency=currency,
        customer_id=customer_id,
        created_at=now,
    )
    session.add(opened)
    session.flush()
    return opened


def lock_customer_account(
    session: Session, *, institution_id: str, customer_id: uuid.UUID, currency: str, now: datetime
) -> Account:
    """The customer's account, locked until the transaction ends, so that two payments from
    it are decided one after the other (PostgreSQL row lock; SQLite has one writer anyway)."""
    opened = account(
        session,
        institution_id=institution_id,
        code=books.customer_account(customer_id),
        currency=currency,
        customer_id=customer_id,
        now=now,
    )
    locked = session.scalar(select(Account).where(Account.id == opened.id).with_for_update())
    assert locked is not None
    return locked


def post(
    session: Session,
    *,
    institution_id: str,
    currency: str,
    draft: books.EntryDraft,
    now: datetime,
    reference: str | None = None,
    memo: str | None = None,
    reverses_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """Write an entry and its postings; returns the entry's id."""
    entry_id = new_id()
    session.add(
        Entry(
            id=entry_id,
            institution_id=institution_id,
            kind=draft.kind.value,
            reference=reference,
            memo=memo,
            reverses_id=reverses_id,
            created_at=now,
        )
    )
    for line in draft.postings:
        target = account(
            session, institution_id=institution_id, code=line.account, currency=currency, now=now
        )
        session.add(
            Posting(id=new_id(), entry_id=entry_id, account_id=target.id, amount=line.amount)
        )
    session.flush()
    return entry_id


def reverse(
    session: Session, *, institution_id: str, currency: str, entry_id: uuid.UUID, now: datetime
) -> uuid.UUID:
    """A new entry that undoes `entry_id`, linked to it."""
    rows = session.execute(
        select(Account.code, Posting.amount)
        .join(Account, Account.id == Posting.account_id)
        .where(Posting.entry_id == entry_id)
    ).all()
    original = session.get(Entry, entry_id)
    assert original is not None
    draft = books.reversal(books.Posting(code, amount) for code, amount in rows)
    return post(
        session,
        institution_id=institution_id,
        currency=currency,
        draft=draft,
        now=now,
        reference=original.reference,
        memo=original.memo,
        reverses_id=entry_id,
    )


def balance(session: Session, *, institution_id: str, code: str) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(Posting.amount), 0))
        .join(Account, Account.id == Posting.account_id)
        .where(Account.institution_id == institution_id, Account.code == code)
    )
    return int(total or 0)


def account_balances(session: Session, *, institution_id: str) -> dict[str, int]:
    """Every account's balance; they sum to zero."""
    rows = session.execute(
        select(Account.code, func.coalesce(func.sum(Posting.amount), 0))
        .outerjoin(Posting, Posting.account_id == Account.id)
        .where(Account.institution_id == institution_id)
        .group_by(Account.code)
    ).all()
    return {code: int(total) for code, total in rows}


def last_entry(session: Session, *, institution_id: str, reference: str, kind: str) -> Entry | None:
    return session.scalar(
        select(Entry)
        .where(
            Entry.institution_id == institution_id,
            Entry.reference == reference,
            Entry.kind == kind,
        )
        .order_by(Entry.id.desc())
        .limit(1)
    )
