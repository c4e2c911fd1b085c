"""The payee side's quotes and transfers, driven by signed requests forwarded from "dfsp-x",
and the switch's notifications that follow."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from comptoir.apps.wallet.service.history import book_balances
from comptoir.kernel.clock import utc_iso
from comptoir.kernel.fspiop.ilp import fulfils
from tests.apps.wallet.conftest import KeyPair, Node
from tests.apps.wallet.peer import (
    PEER,
    bob_balance,
    from_peer,
    quote_request,
    quoted,
    transfer_for,
)


def test_a_quote_states_the_fee_the_ilp_packet_and_the_condition(
    bank: Node, stranger_key: KeyPair
) -> None:
    request = quote_request(
        "100",
        payee={
            "partyIdInfo": {
                "partyIdType": "ALIAS",
                "partyIdentifier": "shop@wallet-b",
                "fspId": "wallet-b",
            }
        },
        transactionType={"scenario": "PAYMENT", "initiator": "PAYER", "initiatorType": "CONSUMER"},
    )
    from_peer(bank, stranger_key, "POST", "/quotes", request)
    bank.pump()
    put = bank.switch.last("PUT", f"/quotes/{request['quoteId']}")
    assert put.headers["fspiop-destination"] == PEER
    assert put.body is not None
    assert put.body["transferAmount"] == {"currency": "XCD", "amount": "100"}
    assert put.body["payeeFspFee"] == {"currency": "XCD", "amount": "1"}
    assert put.body["payeeReceiveAmount"] == {"currency": "XCD", "amount": "99"}
    assert put.body["expiration"] == utc_iso(bank.clock.now() + timedelta(minutes=5))
    assert len(put.body["condition"]) == 43


def test_a_resent_quote_gets_the_same_answer_and_a_changed_one_gets_3106(
    bank: Node, stranger_key: KeyPair
) -> None:
    request, first = quoted(bank, stranger_key)
    from_peer(bank, stranger_key, "POST", "/quotes", request)
    bank.pump()
    assert bank.switch.last("PUT", f"/quotes/{request['quoteId']}").body == first

    changed = {**request, "amount": {"currency": "XCD", "amount": "11"}}
    from_peer(bank, stranger_key, "POST", "/quotes", changed)
    bank.pump()
    error = bank.switch.last("PUT", f"/quotes/{request['quoteId']}/error").body
    assert error is not None and error["errorInformation"]["errorCode"] == "3106"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"amount": {"currency": "XCD", "amount": "10.001"}}, "3100"),
        ({"amount": {"currency": "USD", "amount": "10"}}, "5106"),
        (
            {
                "transactionType": {
                    "scenario": "DEPOSIT",
                    "initiator": "PAYER",
                    "initiatorType": "CONSUMER",
                }
            },
            "5102",
        ),
    ],
)
def test_a_quote_it_cannot_give_gets_an_error_callback(
    bank: Node, stranger_key: KeyPair, changes: dict[str, Any], code: str
) -> None:
    request = quote_request(**changes)
    assert from_peer(bank, stranger_key, "POST", "/quotes", request).status_code == 202
    bank.pump()
    error = bank.switch.last("PUT", f"/quotes/{request['quoteId']}/error").body
    assert error is not None and error["errorInformation"]["errorCode"] == code


def test_a_transfer_matching_its_quote_is_fulfilled_and_credited_once(
    bank: Node, stranger_key: KeyPair
) -> None:
    _request, answer = quoted(bank, stranger_key, "10")
    transfer = transfer_for(answer, bank)
    assert from_peer(bank, stranger_key, "POST", "/transfers", transfer).status_code == 202
    bank.pump()

    put = bank.switch.last("PUT", f"/transfers/{transfer['transferId']}")
    assert put.body is not None
    assert put.body["transferState"] == "COMMITTED"
    assert put.body["completedTimestamp"] == utc_iso(bank.clock.now())
    assert fulfils(put.body["fulfilment"], answer["condition"])
    assert bob_balance(bank) == 1000

    from_peer(bank, stranger_key, "POST", "/transfers", transfer)
    bank.pump()
    assert bank.switch.last("PUT", f"/transfers/{transfer['transferId']}").body == put.body
    assert bob_balance(bank) == 1000


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"amount": {"currency": "XCD", "amount": "11"}}, "3100"),
        ({"condition": "A" * 43}, "3100"),
        ({"payeeFsp": "wallet-c"}, "3100"),
        ({"ilpPacket": "AAAA"}, "3100"),
    ],
)
def test_a_transfer_that_does_not_match_its_quote_is_refused_and_moves_nothing(
    bank: Node, stranger_key: KeyPair, changes: dict[str, Any], code: str
) -> None:
    _request, answer = quoted(bank, stranger_key)
    transfer = transfer_for(answer, bank, **changes)
    from_peer(bank, stranger_key, "POST", "/transfers", transfer)
    bank.pump()
    error = bank.switch.last("PUT", f"/transfers/{transfer['transferId']}/error").body
    assert error is not None and error["errorInformation"]["errorCode"] == code
    assert bob_balance(bank) == 0


def test_an_expired_transfer_gets_3303(bank: Node, stranger_key: KeyPair) -> None:
    _request, answer = quoted(bank, stranger_key)
    transfer = transfer_for(answer, bank, expiration=utc_iso(bank.clock.now()))
    from_peer(bank, stranger_key, "POST", "/transfers", transfer)
    bank.pump()
    error = bank.switch.last("PUT", f"/transfers/{transfer['transferId']}/error").body
    assert error is not None and error["errorInformation"]["errorCode"] == "3303"


def test_a_transfer_after_its_quote_expired_gets_3302(bank: Node, stranger_key: KeyPair) -> None:
    _request, answer = quoted(bank, stranger_key)
    bank.clock.advance(timedelta(minutes=6))
    transfer = transfer_for(answer, bank)
    from_peer(bank, stranger_key, "POST", "/transfers", transfer)
    bank.pump()
    error = bank.switch.last("PUT", f"/transfers/{transfer['transferId']}/error").body
    assert error is not None and error["errorInformation"]["errorCode"] == "3302"


def test_a_second_transfer_for_the_same_quote_is_refused(bank: Node, stranger_key: KeyPair) -> None:
    _request, answer = quoted(bank, stranger_key)
    from_peer(bank, stranger_key, "POST", "/transfers", transfer_for(answer, bank))
    again = transfer_for(answer, bank)
    from_peer(bank, stranger_key, "POST", "/transfers", again)
    bank.pump()
    error = bank.switch.last("PUT", f"/transfers/{again['transferId']}/error").body
    assert error is not None and error["errorInformation"]["errorCode"] == "5105"
    assert bob_balance(bank) == 1000


def test_the_switch_aborting_after_the_credit_reverses_it(
    bank: Node, stranger_key: KeyPair
) -> None:
    _request, answer = quoted(bank, stranger_key)
    transfer = transfer_for(answer, bank)
    from_peer(bank, stranger_key, "POST", "/transfers", transfer)
    bank.pump()
    assert bob_balance(bank) == 1000

    notice = {"completedTimestamp": utc_iso(bank.clock.now()), "transferState": "ABORTED"}
    answer_patch = bank.switch.originate(
        "PATCH", f"/transfers/{transfer['transferId']}", notice, "wallet-b"
    )

    assert answer_patch.status_code == 200
    assert bob_balance(bank) == 0
    assert sum(book_balances(bank.wallet, institution_id="wallet-b").values()) == 0
    again = bank.switch.originate(
        "PATCH", f"/transfers/{transfer['transferId']}", notice, "wallet-b"
    )
    assert again.status_code == 200 and bob_balance(bank) == 0


def test_an_error_callback_after_the_credit_reverses_it(bank: Node, stranger_key: KeyPair) -> None:
    _request, answer = quoted(bank, stranger_key)
    transfer = transfer_for(answer, bank)
    from_peer(bank, stranger_key, "POST", "/transfers", transfer)
    bank.pump()
    error = {"errorInformation": {"errorCode": "3303", "errorDescription": "Transfer expired"}}
    bank.switch.originate("PUT", f"/transfers/{transfer['transferId']}/error", error, "wallet-b")
    assert bob_balance(bank) == 0


def test_only_the_switch_may_send_a_patch(bank: Node, stranger_key: KeyPair) -> None:
    _request, answer = quoted(bank, stranger_key)
    transfer = transfer_for(answer, bank)
    from_peer(bank, stranger_key, "POST", "/transfers", transfer)
    bank.pump()
    notice = {"completedTimestamp": utc_iso(bank.clock.now()), "transferState": "ABORTED"}
    refused = from_peer(bank, stranger_key, "PATCH", f"/transfers/{transfer['transferId']}", notice)
    assert refused.status_code == 400
    assert bob_balance(bank) == 1000
