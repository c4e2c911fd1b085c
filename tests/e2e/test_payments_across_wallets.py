"""Paying across institutions, end to end.

Three `comptoir serve` processes, each with its own data folder and SQLite database: the switch,
wallet node A (institution wallet-a) and wallet node B (institution wallet-b). They are set up
exactly as operators would, with the `comptoir` commands only, and talk to each other over
real HTTP with signed FSPIOP messages. A customer and a merchant then use the wallets' web pages,
as people would: sign in with the one-time code from the server's console, pay, refund, ask to
pay and approve.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from tests.support.servers import COMPTOIR, RunningServer, comptoir_server
from tests.support.texts import codes_sent, new_code, texts_sent

pytestmark = pytest.mark.slow

MARIE = "+17585550101"
MARIE_NAME = "Marie Joseph"
SHOP_PHONE = "+17585550202"
SHOP_ALIAS = "shop@wallet-b"
SHOP_NAME = "Coconut Corner"
WALLET_A = "Wallet A"
WALLET_B = "Wallet B"
SEND_FEE = Decimal("0.50")  # wallet-a's own fee on every payment its customers send
MERCHANT_FEE_BPS = 100  # wallet-b's fee on payments its merchants receive: 1 %
WAIT_SECONDS = 20.0

Found = TypeVar("Found")


def wait_until(check: Callable[[], Found | None], what: str) -> Found:
    """Poll `check` until it returns something, or fail saying what never happened."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        found = check()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {WAIT_SECONDS:.0f} s for {what}")
        time.sleep(0.1)


def money(text: str) -> Decimal:
    """'XCD 1,234.50' or '-XCD 25.00' (as the pages and commands show amounts) as a Decimal."""
    match = re.fullmatch(r"\s*(-?)XCD\s*([\d,]+\.\d\d)\s*", text)
    assert match, f"not an amount in XCD: {text!r}"
    return Decimal(match.group(1) + match.group(2).replace(",", ""))


def fee_of(amount: Decimal, bps: int) -> Decimal:
    return (amount * bps / 10_000).quantize(Decimal("0.01"))


# The nodes and the operators' commands


@dataclass
class Node:
    """A `comptoir serve` process and an operator's shell on the same data folder."""

    server: RunningServer
    data_dir: Path

    @property
    def url(self) -> str:
        return self.server.url

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("COMPTOIR_")}
        env = {**clean, "COMPTOIR_DATA_DIR": str(self.data_dir), "COMPTOIR_BASE_URL": self.url}
        done = subprocess.run(
            [COMPTOIR, *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        if check:
            assert done.returncode == 0, (
                f"comptoir {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
            )
        return done

    def log(self) -> str:
        return self.server.log()


@dataclass
class Network:
    switch: Node
    node_a: Node
    node_b: Node

    def positions(self, *, check_books: bool = False) -> tuple[Decimal, Decimal]:
        """wallet-a's and wallet-b's positions at the switch; with `check_books`, both
        wallets' `comptoir wallet books` must balance too (the commands run side by side)."""
        with ThreadPoolExecutor(max_workers=3) as pool:
            listing = pool.submit(self.switch.run, "switch", "positions")
            books = (
                [
                    pool.submit(assert_books_balance, self.node_a, "wallet-a"),
                    pool.submit(assert_books_balance, self.node_b, "wallet-b"),
                ]
                if check_books
                else []
            )
        for done in books:
            done.result()
        found: dict[str, Decimal] = {}
        for line in listing.result().stdout.splitlines():
            fields = line.split("\t")
            found[fields[0]] = money(fields[2].removeprefix("position "))
        return found["wallet-a"], found["wallet-b"]


def customer_lines(node: Node, institution_id: str) -> dict[str, list[str]]:
    """`comptoir wallet customers INSTITUTION`, one row of fields per phone number."""
    listing = node.run("wallet", "customers", institution_id).stdout
    return {line.split("\t")[0]: line.split("\t") for line in listing.splitlines() if line}


def balance_at(node: Node, institution_id: str, phone: str) -> Decimal:
    amount, currency = customer_lines(node, institution_id)[phone][3].split()
    assert currency == "XCD"
    return Decimal(amount)


def assert_books_balance(node: Node, institution_id: str) -> None:
    books = node.run("wallet", "books", institution_id, check=False)
    assert books.returncode == 0, f"{institution_id}'s books:\n{books.stdout}{books.stderr}"
    assert books.stdout.splitlines()[-1].endswith("\tbalanced"), books.stdout


def side_by_side(*calls: Callable[[], object]) -> None:
    """Run independent operator commands at the same time, as two operators would; each
    `comptoir` command spends most of its time starting up."""
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
    for future in futures:
        future.result()


def start_nodes(stack: ExitStack, *nodes: tuple[Path, str]) -> list[Node]:
    """Start a `comptoir serve` per (data folder, blocks), all at once."""
    # No COMPTOIR_BASE_URL for the servers: `serve` then uses where it listens, so the
    # callback addresses it hands out reach it.
    managers = [
        comptoir_server(
            folder,
            command="serve",
            extra_env={"COMPTOIR_BLOCKS": blocks, "COMPTOIR_OUTBOX_POLL_SECONDS": "0.05"},
        )
        for folder, blocks in nodes
    ]
    with ThreadPoolExecutor(max_workers=len(managers)) as pool:
        futures = [pool.submit(manager.__enter__) for manager in managers]
    for manager, future in zip(managers, futures, strict=True):
        if future.exception() is None:
            stack.push(manager.__exit__)
    return [
        Node(future.result(), folder) for future, (folder, _) in zip(futures, nodes, strict=True)
    ]


def create_institution(
    node: Node, institution_id: str, name: str, switch: Node, switch_jwks: Path, *fees: str
) -> Path:
    """`comptoir wallet institution add`; returns the path of its public JWK Set."""
    created = node.run(
        "wallet",
        "institution",
        "add",
        institution_id,
        "--name",
        name,
        "--switch-jwks",
        str(switch_jwks),
        "--switch-url",
        f"{switch.url}/switch",
        *fees,
    )
    public_jwks = Path(created.stdout.splitlines()[-1])
    assert public_jwks.is_file(), created.stdout
    return public_jwks


def register_participant(
    switch: Node, node: Node, institution_id: str, name: str, jwks: Path
) -> None:
    """`comptoir switch participant add` on the switch's node, with the wallet's key."""
    switch.run(
        "switch",
        "participant",
        "add",
        institution_id,
        "--name",
        name,
        "--currency",
        "XCD",
        "--callback-url",
        f"{node.url}/wallets/{institution_id}/fspiop",
        "--jwks",
        str(jwks),
        "--ndc",
        "1000.00",
    )


def all_registered(node: Node, institution_id: str) -> bool | None:
    """True once the switch's directory has every identifier of the institution's customers."""
    lines = customer_lines(node, institution_id).values()
    states = re.findall(r"\((\w+)\)", " ".join(fields[4] for fields in lines))
    assert "failed" not in states, f"a registration failed: {list(lines)}"
    return True if states and all(state == "registered" for state in states) else None


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    with ExitStack() as stack:
        switch, node_a, node_b = start_nodes(
            stack,
            (tmp_path_factory.mktemp("switch"), "home,payments"),
            (tmp_path_factory.mktemp("node-a"), "home,apps.wallet,channels.sms"),
            (tmp_path_factory.mktemp("node-b"), "home,apps.wallet,channels.sms"),
        )
        switch_jwks = tmp_path_factory.mktemp("operator") / "switch.jwks.json"
        switch_jwks.write_text(switch.run("switch", "jwks").stdout)

        jwks: dict[str, Path] = {}

        def institution(node: Node, institution_id: str, name: str, *fees: str) -> None:
            jwks[institution_id] = create_institution(
                node, institution_id, name, switch, switch_jwks, *fees
            )

        side_by_side(
            lambda: institution(node_a, "wallet-a", WALLET_A, "--send-fee", str(SEND_FEE)),
            lambda: institution(
                node_b, "wallet-b", WALLET_B, "--merchant-fee-bps", str(MERCHANT_FEE_BPS)
            ),
        )
        # The switch relays each message with its sender's signature, so each wallet must
        # know the other's key, besides the switch knowing both.
        side_by_side(
            lambda: register_participant(switch, node_a, "wallet-a", WALLET_A, jwks["wallet-a"]),
            lambda: register_participant(switch, node_b, "wallet-b", WALLET_B, jwks["wallet-b"]),
            lambda: node_a.run(
                "wallet", "peer", "add", "wallet-a", "wallet-b", "--jwks", str(jwks["wallet-b"])
            ),
            lambda: node_b.run(
                "wallet", "peer", "add", "wallet-b", "wallet-a", "--jwks", str(jwks["wallet-a"])
            ),
        )
        marie = ("--phone", MARIE, "--name", MARIE_NAME, "--balance", "200.00")
        merchant = ("--phone", SHOP_PHONE, "--name", SHOP_NAME, "--merchant", "--alias", SHOP_ALIAS)
        side_by_side(
            lambda: switch.run("switch", "liquidity", "wallet-a", "1000.00"),
            lambda: switch.run("switch", "liquidity", "wallet-b", "1000.00"),
            lambda: node_a.run("wallet", "customer", "add", "wallet-a", *marie),
            lambda: node_b.run("wallet", "customer", "add", "wallet-b", *merchant),
        )
        side_by_side(
            lambda: wait_until(lambda: all_registered(node_a, "wallet-a"), "Marie's phone"),
            lambda: wait_until(lambda: all_registered(node_b, "wallet-b"), "the shop's alias"),
        )
        yield Network(switch, node_a, node_b)


# A person's browser


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no CSRF field"
    return match.group(1)


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


@dataclass
class PaymentPage:
    status: str
    details: dict[str, str]  # the <dl>: quote and receipt, label → text
    page: httpx.Response

    @property
    def text(self) -> str:
        return text_of(self.page.text)


def error_on(page: httpx.Response) -> str:
    match = re.search(r'<div class="errors" role="alert"[^>]*>(.*?)</div>', page.text, re.S)
    assert match, f"the page shows no error:\n{text_of(page.text)}"
    return text_of(match.group(1))


class Browser:
    """A customer's browser on one institution's pages: a cookie jar, and forms posted with
    the CSRF token of the page that holds them."""

    def __init__(self, node: Node, institution_id: str) -> None:
        self.node = node
        self.root = f"/wallets/{institution_id}"
        self.client = httpx.Client(base_url=node.url, headers={"accept": "text/html"}, timeout=10.0)

    def get(self, path: str) -> httpx.Response:
        page = self.client.get(self.root + path)
        assert page.status_code == 200, f"GET {self.root}{path}: {page.status_code}\n{page.text}"
        return page

    def submit(self, page: httpx.Response, action: str, **fields: str) -> httpx.Response:
        """Post the form of `page` whose action is `action`, as its button would."""
        assert f'action="{action}"' in page.text, f"no form for {action} on {page.url}"
        return self.client.post(action, data={"csrf_token": csrf_token(page.text), **fields})

    def sign_in(self, institution_name: str, phone: str) -> None:
        form = self.get("/signin")
        before = codes_sent(self.node.server, phone)
        asked = self.submit(form, f"{self.root}/signin", phone=phone)
        # The code step has its own address, so that a reload asks for no second code.
        assert asked.status_code == 303, text_of(asked.text)
        assert asked.headers["location"] == f"{self.root}/signin?step=code"
        sent = self.client.get(asked.headers["location"])
        assert sent.status_code == 200, text_of(sent.text)
        code = new_code(self.node.server, phone, before)
        # The text names the institution that sent it.
        assert texts_sent(self.node.server, phone)[0].startswith(f"{institution_name}: ")
        signed_in = self.submit(sent, f"{self.root}/signin/code", phone=phone, code=code)
        assert signed_in.status_code == 303, text_of(signed_in.text)
        assert signed_in.headers["location"] == f"{self.root}/home"

    def balance(self) -> Decimal:
        home = self.get("/home")
        match = re.search(r"Balance: <strong>([^<]+)</strong>", home.text)
        assert match, text_of(home.text)
        return money(html.unescape(match.group(1)))

    def payment(self, path: str) -> PaymentPage:
        page = self.client.get(path)
        assert page.status_code == 200, f"GET {path}: {page.status_code}\n{page.text}"
        status = re.search(r'<p role="status">[^<]*<strong>([^<]+)</strong>', page.text)
        assert status, text_of(page.text)
        pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", page.text, re.S)
        details = {text_of(label): text_of(value) for label, value in pairs}
        return PaymentPage(html.unescape(status.group(1)), details, page)

    def wait_for_payment(self, path: str, *states: str) -> PaymentPage:
        """Reload the payment's page, as its "Check again" button does, until it is in one
        of `states`."""

        def settled() -> PaymentPage | None:
            shown = self.payment(path)
            return shown if shown.status in states else None

        return wait_until(settled, f"{path} to show {' or '.join(states)}")

    def pay(self, recipient: str, amount: str) -> httpx.Response:
        form = self.get("/pay")
        return self.submit(form, f"{self.root}/pay", recipient=recipient, amount=amount)

    def quote(self, recipient: str, amount: str) -> tuple[str, PaymentPage]:
        """Start paying and wait for the page showing the payee, the fees and the total."""
        started = self.pay(recipient, amount)
        assert started.status_code == 303, text_of(started.text)
        path = started.headers["location"]
        return path, self.wait_for_payment(path, "Waiting for your agreement", "Failed")

    def confirm(self, path: str, quoted: PaymentPage) -> PaymentPage:
        agreed = self.submit(quoted.page, f"{path}/confirm")
        assert agreed.status_code == 303, text_of(agreed.text)
        assert agreed.headers["location"] == path
        return self.wait_for_payment(path, "Paid", "Failed")


@pytest.fixture(scope="module")
def marie(network: Network) -> Iterator[Browser]:
    browser = Browser(network.node_a, "wallet-a")
    browser.sign_in(WALLET_A, MARIE)
    yield browser
    browser.client.close()


@pytest.fixture(scope="module")
def shop(network: Network) -> Iterator[Browser]:
    browser = Browser(network.node_b, "wallet-b")
    browser.sign_in(WALLET_B, SHOP_PHONE)
    yield browser
    browser.client.close()


def shop_balance(network: Network) -> Decimal:
    """The merchant's balance as wallet-b's operator sees it."""
    return balance_at(network.node_b, "wallet-b", SHOP_PHONE)


def received_item(page: httpx.Response, transfer_id: str) -> str | None:
    """The text of one payment on the merchant's "Sales and refunds" page."""
    for item in re.findall(r"<li>(.*?)</li>", page.text, re.S):
        if f"/received/{transfer_id}/refund" in item:
            return text_of(item)
    return None


# The tests


def test_a_customer_pays_a_merchant_at_another_wallet_after_seeing_the_payee_the_fees_and_the_total(
    network: Network, marie: Browser, shop: Browser
) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        merchant_balance = pool.submit(shop_balance, network)
        a_before, b_before = network.positions()
    shop_before = merchant_balance.result()
    marie_before = marie.balance()
    amount = Decimal("25.00")
    payee_fee = fee_of(amount, MERCHANT_FEE_BPS)

    path, quoted = marie.quote(SHOP_ALIAS, "25.00")

    assert quoted.status == "Waiting for your agreement", quoted.text
    assert quoted.details["Payee"] == f"{SHOP_NAME} ({SHOP_ALIAS})"
    assert money(quoted.details["Amount you send"]) == amount
    assert money(quoted.details["Fee of the payee's bank, paid from the amount"]) == payee_fee
    assert money(quoted.details["The payee receives"]) == amount - payee_fee
    assert money(quoted.details["Fee of your bank"]) == SEND_FEE
    total = money(quoted.details["Total taken from your account"])
    assert total == amount + SEND_FEE
    assert f"Pay XCD {total}" in quoted.text, "the button names the total"
    assert marie.balance() == marie_before, "nothing moves before the customer agrees"
    assert shop.balance() == shop_before

    receipt = marie.confirm(path, quoted)

    assert receipt.status == "Paid", receipt.text
    assert "Receipt" in receipt.text and receipt.details["Transfer"]
    assert marie.balance() == marie_before - total
    wait_until(
        lambda: True if shop_balance(network) == shop_before + amount - payee_fee else None,
        f"`comptoir wallet customers wallet-b` to show {shop_before + amount - payee_fee}",
    )
    assert network.positions(check_books=True) == (a_before + amount, b_before - amount)


def test_paying_an_unknown_phone_number_says_no_account_was_found_and_moves_nothing(
    network: Network, marie: Browser
) -> None:
    marie_before = marie.balance()
    positions_before = network.positions()

    path, shown = marie.quote("+1 758 555 9999", "10.00")

    assert shown.status == "Failed", shown.text
    assert "No account was found for this phone number or alias." in shown.text
    assert "Nothing was taken from your account." in shown.text
    assert f'action="{path}/confirm"' not in shown.page.text, "nothing is left to agree to"
    assert marie.balance() == marie_before
    assert network.positions(check_books=True) == positions_before


def test_paying_more_than_the_balance_is_refused_with_a_clear_message_and_moves_nothing(
    network: Network, marie: Browser, shop: Browser
) -> None:
    marie_before = marie.balance()
    shop_before = shop.balance()
    positions_before = network.positions()

    refused = marie.pay(SHOP_ALIAS, f"{marie_before + 1}")

    assert refused.status_code == 400
    assert error_on(refused) == (
        f"There is a problem: Your balance (XCD {marie_before}) is not enough for "
        f"XCD {marie_before + 1 + SEND_FEE}."
    )
    assert re.search(r'<input id="amount"[^>]*aria-invalid="true"', refused.text)
    assert marie.balance() == marie_before
    assert shop.balance() == shop_before
    assert network.positions() == positions_before


def _refund_limit(left: Decimal, balance: Decimal) -> str:
    """What the sales page offers to refund: all that is left, or, when the shop's balance
    (its sales less their fees) holds less, that balance now."""
    if balance >= left:
        return f"up to XCD {left:.2f}; empty for all of it"
    return f"up to XCD {balance:.2f} now; empty for XCD {balance:.2f}"


def test_a_merchant_refunds_part_of_a_payment_and_cannot_refund_more_than_is_left(
    network: Network, marie: Browser, shop: Browser
) -> None:
    path, quoted = marie.quote(SHOP_ALIAS, "40.00")
    paid = marie.confirm(path, quoted)
    assert paid.status == "Paid", paid.text
    transfer_id = paid.details["Transfer"]
    sale = wait_until(
        lambda: received_item(shop.get("/received"), transfer_id),
        "the payment on the merchant's sales page",
    )
    assert f"XCD 40.00 from {MARIE_NAME}" in sale
    assert _refund_limit(Decimal("40.00"), shop.balance()) in sale
    marie_before, shop_before = marie.balance(), shop.balance()
    a_before, b_before = network.positions()
    refund = Decimal("15.00")

    sales = shop.get("/received")
    action = f"{shop.root}/received/{transfer_id}/refund"
    started = shop.submit(sales, action, amount="15.00", reason="one item was missing")
    assert started.status_code == 303, text_of(started.text)
    refund_path = started.headers["location"]
    refund_quote = shop.wait_for_payment(refund_path, "Waiting for your agreement", "Failed")
    assert refund_quote.status == "Waiting for your agreement", refund_quote.text
    assert f"Refund to {MARIE_NAME}" in refund_quote.text
    assert money(refund_quote.details["Total taken from your account"]) == refund
    refunded = shop.confirm(refund_path, refund_quote)

    assert refunded.status == "Paid", refunded.text
    assert shop.balance() == shop_before - refund
    wait_until(
        lambda: True if marie.balance() == marie_before + refund else None,
        "the refund in the customer's balance",
    )
    assert network.positions() == (a_before - refund, b_before + refund)
    sales = shop.get("/received")
    assert _refund_limit(Decimal("25.00"), shop.balance()) in (
        received_item(sales, transfer_id) or ""
    )

    too_much = shop.submit(sales, action, amount="30.00", reason="")

    assert too_much.status_code == 400
    assert error_on(too_much) == (
        "There is a problem: You can refund at most XCD 25.00, what is left of this payment."
    )
    assert shop.balance() == shop_before - refund
    assert marie.balance() == marie_before + refund
    assert network.positions(check_books=True) == (a_before - refund, b_before + refund)


def test_a_request_to_pay_from_the_merchant_approved_by_the_customer_completes(
    network: Network, marie: Browser, shop: Browser
) -> None:
    marie_before, shop_before = marie.balance(), shop.balance()
    a_before, b_before = network.positions()
    amount = Decimal("12.00")

    form = shop.get("/requests")
    asked = shop.submit(
        form, f"{shop.root}/requests", payer=MARIE, amount="12.00", note="order 1042"
    )
    assert asked.status_code == 303, text_of(asked.text)

    def request_on_marie_page() -> tuple[httpx.Response, str] | None:
        page = marie.get("/requests")
        approve = re.search(rf'action="({marie.root}/requests/[^"]+/approve)"', page.text)
        return (page, approve.group(1)) if approve else None

    page, approve_action = wait_until(request_on_marie_page, "the request on Marie's page")
    assert f"{SHOP_NAME} asks you to pay XCD 12.00. Note: order 1042" in text_of(page.text)
    approved = marie.submit(page, approve_action)
    assert approved.status_code == 303, text_of(approved.text)
    path = approved.headers["location"]
    quoted = marie.wait_for_payment(path, "Waiting for your agreement", "Failed")
    assert quoted.status == "Waiting for your agreement", quoted.text
    assert quoted.details["Payee"].startswith(SHOP_NAME)
    payee_fee = money(quoted.details["Fee of the payee's bank, paid from the amount"])
    assert payee_fee == fee_of(amount, MERCHANT_FEE_BPS)
    total = money(quoted.details["Total taken from your account"])
    assert total == amount + money(quoted.details["Fee of your bank"])

    paid = marie.confirm(path, quoted)

    assert paid.status == "Paid", paid.text
    assert marie.balance() == marie_before - total
    wait_until(
        lambda: True if shop.balance() == shop_before + amount - payee_fee else None,
        "the payment in the merchant's balance",
    )

    def merchant_sees_it_paid() -> str | None:
        rows = re.findall(r"<tr>(.*?)</tr>", shop.get("/requests").text, re.S)
        texts = [text_of(row) for row in rows if MARIE_NAME in row]
        return texts[0] if texts and "Paid" in texts[0] else None

    assert "XCD 12.00" in wait_until(merchant_sees_it_paid, "the request shown paid")
    assert network.positions(check_books=True) == (a_before + amount, b_before - amount)
