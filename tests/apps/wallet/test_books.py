"""The wallet's books: whatever happens, they balance, and a released reservation gives the
payer back exactly what it took."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comptoir.apps.wallet.domain import books

CUSTOMERS = [books.customer_account(uuid.UUID(int=n)) for n in range(1, 4)]
amounts = st.integers(min_value=1, max_value=10**9)
fees = st.integers(min_value=0, max_value=10**6)


def apply(totals: dict[str, int], entry: books.EntryDraft) -> None:
    for posting in entry.postings:
        totals[posting.account] = totals.get(posting.account, 0) + posting.amount


@st.composite
def histories(draw: st.DrawFn) -> list[tuple[str, int, int, str]]:
    steps = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["deposit", "pay", "receive", "on_us"]),
                st.integers(min_value=0, max_value=2),
                amounts,
                st.sampled_from(["commit", "release"]),
            ),
            max_size=40,
        )
    )
    return [(kind, customer, amount, outcome) for kind, customer, amount, outcome in steps]


@settings(max_examples=200, deadline=None)
@given(histories(), fees)
def test_the_books_always_balance_and_customers_never_go_below_zero(
    history: list[tuple[str, int, int, str]], fee: int
) -> None:
    totals: dict[str, int] = {}
    written: list[books.EntryDraft] = []
    for kind, index, amount, outcome in history:
        customer = CUSTOMERS[index]
        if kind == "deposit":
            entries = [books.deposit(customer, amount)]
        elif kind == "receive":
            entries = [books.receive(customer, amount + fee, fee)]
        elif totals.get(customer, 0) < amount + fee:
            continue  # the service refuses a payment the balance cannot cover
        elif kind == "on_us":
            payee = CUSTOMERS[(index + 1) % len(CUSTOMERS)]
            entries = [books.on_us(customer, payee, amount, fee, 0)]
        else:
            settle = (
                books.commit(amount, fee)
                if outcome == "commit"
                else books.release(customer, amount, fee)
            )
            entries = [books.reserve(customer, amount, fee), settle]
        for entry in entries:
            apply(totals, entry)
            written.append(entry)
            assert books.is_balanced(totals)
        assert all(totals.get(c, 0) >= 0 for c in CUSTOMERS)
    assert totals.get(books.HOLDING, 0) == 0  # every reservation was settled one way or the other
    assert books.balances(p for e in written for p in e.postings) == totals


@given(amounts, fees, st.integers(min_value=0, max_value=10**12))
def test_a_reservation_released_on_error_restores_the_balance(
    amount: int, fee: int, extra: int
) -> None:
    customer = CUSTOMERS[0]
    totals: dict[str, int] = {}
    apply(totals, books.deposit(customer, amount + fee + extra))
    before = dict(totals)

    apply(totals, books.reserve(customer, amount, fee))
    assert totals[customer] == before[customer] - amount - fee
    apply(totals, books.release(customer, amount, fee))

    assert totals[customer] == before[customer]
    assert totals[books.HOLDING] == 0


@given(st.lists(st.tuples(st.sampled_from(CUSTOMERS), amounts), min_size=1, max_size=5))
def test_a_reversal_undoes_its_entry_exactly(lines: list[tuple[str, int]]) -> None:
    entry = books.deposit(lines[0][0], lines[0][1])
    undo = books.reversal(entry.postings)
    totals: dict[str, int] = {}
    apply(totals, entry)
    apply(totals, undo)
    assert all(value == 0 for value in totals.values())
    assert books.reversal(undo.postings).postings == entry.postings


def test_an_entry_that_does_not_sum_to_zero_is_refused() -> None:
    with pytest.raises(ValueError, match="sum to zero"):
        books.EntryDraft(books.EntryKind.DEPOSIT, (books.Posting(CUSTOMERS[0], 5),))
    with pytest.raises(ValueError, match="zero says nothing"):
        books.EntryDraft(
            books.EntryKind.DEPOSIT,
            (books.Posting(CUSTOMERS[0], 0), books.Posting(books.FUNDING, 0)),
        )
    with pytest.raises(TypeError):
        books.EntryDraft(
            books.EntryKind.DEPOSIT,
            (books.Posting(CUSTOMERS[0], 1.5), books.Posting(books.FUNDING, -1.5)),  # type: ignore[arg-type]
        )


def test_amounts_in_an_entry_are_never_negative() -> None:
    with pytest.raises(ValueError, match="never negative"):
        books.reserve(CUSTOMERS[0], -1)
    with pytest.raises(ValueError, match="more than the amount"):
        books.receive(CUSTOMERS[0], 10, 11)


def test_a_commit_splits_the_payers_fee_into_income() -> None:
    entry = books.commit(1000, 25)
    assert books.balances(entry.postings) == {
        books.HOLDING: -1025,
        books.SETTLEMENT: 1000,
        books.FEES: 25,
    }
