"""The wallet's pure rules: fees, amounts, phone numbers and aliases, states, sign-in locks,
refund limits and fulfilments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.apps.wallet.domain import signin
from comptoir.apps.wallet.domain.amounts import from_wire, parse_amount, to_wire
from comptoir.apps.wallet.domain.conditions import derive_fulfilment, fulfilment_secret
from comptoir.apps.wallet.domain.errors import WalletError
from comptoir.apps.wallet.domain.fees import (
    AmountType,
    FeeSchedule,
    QuoteTerms,
    Scenario,
    payee_fee,
    payer_fee,
    quote_terms,
)
from comptoir.apps.wallet.domain.parties import (
    PartyKey,
    PartyType,
    check_institution_id,
    ilp_address,
    normalise_phone,
    parse_recipient,
)
from comptoir.apps.wallet.domain.refunds import check_refund, refundable
from comptoir.apps.wallet.domain.states import PaymentState, can_move, move
from comptoir.kernel.fspiop.ilp import condition_of, fulfils
from comptoir.kernel.i18n import set_current_locale
from comptoir.kernel.phones import set_current_phone_region

SCHEDULE = FeeSchedule(
    currency="XCD", merchant_fee_bps=150, merchant_fee_min=10, merchant_fee_max=500
)


@given(
    amount=st.integers(min_value=1, max_value=10**12),
    merchant=st.booleans(),
    scenario=st.sampled_from(list(Scenario)),
)
def test_a_send_quote_keeps_the_amount_and_takes_the_fee_from_it(
    amount: int, merchant: bool, scenario: Scenario
) -> None:
    def quote() -> QuoteTerms:
        return quote_terms(
            SCHEDULE,
            amount_type=AmountType.SEND,
            amount=amount,
            scenario=scenario,
            payee_is_merchant=merchant,
        )

    fee = payee_fee(SCHEDULE, scenario=scenario, payee_is_merchant=merchant, amount=amount)
    if fee >= amount:
        with pytest.raises(WalletError, match="too small to cover"):
            quote()
        return
    terms = quote()
    assert terms.transfer_amount == amount
    assert terms.payee_receive_amount + terms.payee_fee == amount
    assert 0 <= terms.payee_fee < amount
    if scenario is Scenario.REFUND or not merchant:
        assert terms.payee_fee == 0
    else:
        assert 10 <= terms.payee_fee <= 500


@given(amount=st.integers(min_value=1, max_value=10**12), merchant=st.booleans())
def test_a_receive_quote_adds_the_fee_on_top(amount: int, merchant: bool) -> None:
    terms = quote_terms(
        SCHEDULE,
        amount_type=AmountType.RECEIVE,
        amount=amount,
        scenario=Scenario.PAYMENT,
        payee_is_merchant=merchant,
    )
    assert terms.payee_receive_amount == amount
    assert terms.transfer_amount == amount + terms.payee_fee


def test_a_merchant_fee_is_rounded_half_up_to_the_cent() -> None:
    schedule = FeeSchedule(currency="XCD", merchant_fee_bps=100)
    terms = quote_terms(
        schedule,
        amount_type=AmountType.SEND,
        amount=1250,
        scenario=Scenario.PAYMENT,
        payee_is_merchant=True,
    )
    assert (terms.payee_fee, terms.payee_receive_amount) == (13, 1237)


def test_the_payers_fee_is_never_charged_on_a_refund() -> None:
    schedule = FeeSchedule(currency="XCD", send_fee=25)
    assert payer_fee(schedule, scenario=Scenario.TRANSFER) == 25
    assert payer_fee(schedule, scenario=Scenario.REFUND) == 0


def test_a_fee_schedule_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="negative"):
        FeeSchedule(currency="XCD", send_fee=-1)
    with pytest.raises(ValueError, match="10000"):
        FeeSchedule(currency="XCD", merchant_fee_bps=10_001)
    with pytest.raises(ValueError, match="cap"):
        FeeSchedule(currency="XCD", merchant_fee_min=100, merchant_fee_max=50)


def test_an_amount_is_read_in_the_language_of_its_reader() -> None:
    assert parse_amount("1 234,50 XCD", "XCD", locale="fr") == 123_450
    assert parse_amount("EC$1,234", "XCD", locale="en") == 123_400
    with pytest.raises(WalletError) as refused:
        parse_amount("1,234", "XCD", locale="fr")
    assert refused.value.code == "amount_too_precise"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "amount_missing"),
        ("abc", "amount_malformed"),
        ("-5", "amount_not_positive"),
        ("1e3", "amount_malformed"),
        ("1.001", "amount_too_precise"),
        ("0", "amount_not_positive"),
        ("0.00", "amount_not_positive"),
        ("-XCD 5.00", "amount_not_positive"),
        ("1000000000000", "amount_too_large"),
        ("9" * 65, "amount_too_large"),
        ("XCD", "amount_missing"),
    ],
)
def test_bad_amounts_are_refused_with_a_reason(text: str, code: str) -> None:
    with pytest.raises(WalletError) as refused:
        parse_amount(text, "XCD", locale="en")
    assert refused.value.code == code


@given(st.integers(min_value=0, max_value=10**15))
def test_wire_amounts_round_trip(minor: int) -> None:
    assert from_wire(to_wire(minor, "XCD")["amount"], "XCD") == minor


def test_a_french_reader_gets_the_error_in_french_style_amounts() -> None:
    with pytest.raises(WalletError) as refused:
        check_refund(2000, original=1500, refunds=[], currency="XCD")
    set_current_locale("fr")
    try:
        assert "15,00\xa0XCD" in str(refused.value)
    finally:
        set_current_locale("en")
    assert "XCD\xa015.00" in str(refused.value)


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("+1 (758) 555-0101", "+17585550101"),
        ("17585550101", "+17585550101"),
        ("0017585550101", "+17585550101"),
        ("+33 6 12 34 56 78", "+33612345678"),
    ],
)
def test_phone_numbers_are_kept_in_e164(text: str, phone: str) -> None:
    assert normalise_phone(text) == phone
    assert normalise_phone(phone) == phone


@pytest.mark.parametrize("text", ["", "555", "+0758555", "+1758555010199999", "phone"])
def test_what_is_not_a_phone_number_is_refused(text: str) -> None:
    with pytest.raises(WalletError) as refused:
        normalise_phone(text)
    assert refused.value.code == "bad_phone"


@pytest.mark.parametrize("text", ["758 555 0101", "7585550201", "(758) 555-0101"])
def test_on_a_node_with_no_country_a_local_number_is_refused_not_read_as_another_countrys(
    text: str,
) -> None:
    with pytest.raises(WalletError) as refused:
        normalise_phone(text)
    assert refused.value.code == "bad_phone"
    assert "country code" in str(refused.value)


@pytest.mark.parametrize("text", ["758 555 0101", "7585550101", "(758) 555-0101", "555 0101"])
def test_on_a_node_in_saint_lucia_a_local_number_is_read_as_saint_lucias(text: str) -> None:
    set_current_phone_region("LC")
    try:
        assert normalise_phone(text) == "+17585550101"
        assert parse_recipient(text) == PartyKey(PartyType.MSISDN, "17585550101")
    finally:
        set_current_phone_region(None)


def test_a_recipient_is_an_alias_when_it_has_an_at_sign() -> None:
    assert parse_recipient(" Shop@Wallet-B ") == PartyKey(PartyType.ALIAS, "shop@wallet-b")
    assert parse_recipient("+1 758 555 0101") == PartyKey(PartyType.MSISDN, "17585550101")
    with pytest.raises(WalletError):
        parse_recipient("not an alias@")


def test_an_ilp_address_keeps_only_what_ilp_allows() -> None:
    party = PartyKey(PartyType.ALIAS, "shop@wallet-b")
    assert ilp_address("wallet-b", party) == "g.comptoir.wallet-b.alias.shop_wallet-b"


def test_institution_ids_fit_an_fsp_id() -> None:
    assert check_institution_id("wallet-a") == "wallet-a"
    for bad in ("", "Wallet", "-a", "a" * 33, "a b"):
        with pytest.raises(WalletError):
            check_institution_id(bad)


def test_a_payment_moves_only_forward() -> None:
    assert can_move(PaymentState.QUOTED, PaymentState.SENDING)
    assert not can_move(PaymentState.SENDING, PaymentState.CANCELLED)
    with pytest.raises(WalletError):
        move(PaymentState.COMMITTED, PaymentState.FAILED)


NOW = datetime(2026, 1, 1, tzinfo=UTC)


def fresh(code: str = "123456") -> signin.Attempt:
    return signin.Attempt(
        signin.code_digest("wallet-a", "+17585550101", code), NOW + timedelta(minutes=5), 0, None
    )


def digest(code: str) -> str:
    return signin.code_digest("wallet-a", "+17585550101", code)


def test_the_right_code_signs_in_once() -> None:
    verdict = signin.check_code(fresh(), digest=digest("123456"), now=NOW)
    assert verdict.accepted and verdict.after.code_digest is None
    again = signin.check_code(verdict.after, digest=digest("123456"), now=NOW)
    assert not again.accepted


def test_three_wrong_codes_lock_for_ten_minutes_even_against_the_right_one() -> None:
    attempt = fresh()
    for _ in range(2):
        verdict = signin.check_code(attempt, digest=digest("000000"), now=NOW)
        assert not verdict.accepted and verdict.locked_until is None
        attempt = verdict.after
    third = signin.check_code(attempt, digest=digest("000000"), now=NOW)
    assert third.locked_until == NOW + timedelta(minutes=10)
    locked = signin.check_code(third.after, digest=digest("123456"), now=NOW + timedelta(minutes=9))
    assert not locked.accepted and locked.locked_until == third.locked_until
    assert not signin.is_locked(third.after, NOW + timedelta(minutes=10))


def test_an_expired_code_is_wrong() -> None:
    verdict = signin.check_code(fresh(), digest=digest("123456"), now=NOW + timedelta(minutes=6))
    assert not verdict.accepted


def test_codes_are_six_digits() -> None:
    assert all(len(code) == 6 and code.isdigit() for code in (signin.new_code() for _ in range(50)))


@given(
    original=st.integers(min_value=1, max_value=10**9),
    refunds=st.lists(st.integers(min_value=1, max_value=10**8), max_size=5),
    amount=st.integers(min_value=1, max_value=10**9),
)
def test_refunds_never_pass_the_original(original: int, refunds: list[int], amount: int) -> None:
    left = refundable(original, refunds)
    if amount <= left:
        check_refund(amount, original=original, refunds=refunds, currency="XCD")
        assert sum(refunds) + amount <= original
    else:
        with pytest.raises(WalletError):
            check_refund(amount, original=original, refunds=refunds, currency="XCD")


@given(st.binary(min_size=1, max_size=300))
def test_a_derived_fulfilment_meets_its_condition_and_only_its_own(data: bytes) -> None:
    secret = fulfilment_secret("c2VjcmV0LWV4cG9uZW50")
    fulfilment = derive_fulfilment(secret, data)
    assert fulfils(fulfilment, condition_of(fulfilment))
    assert derive_fulfilment(secret, data) == fulfilment
    other = derive_fulfilment(fulfilment_secret("b3RoZXI"), data)
    assert not fulfils(other, condition_of(fulfilment))
