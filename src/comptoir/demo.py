"""The embedded demo: the node's keys and demo data, created once and reused on every start.

The demo runs what a small island's pilot would: the payment switch, two wallet institutions
and a credit union connected to it (each with its own signing key, exactly as an outside bank
would join), funded, with people and merchants holding accounts, so a visitor can pay across
institutions at once. It is the composition root's helper: it calls each block's services as
an operator would through the command line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select

from comptoir.kernel import audit
from comptoir.kernel.clock import system_clock
from comptoir.kernel.crypto import generate_key_file, jwks_document
from comptoir.kernel.db import Database
from comptoir.kernel.i18n import N_
from comptoir.kernel.money import Money
from comptoir.kernel.settings import Settings

DEMO_SEEDED = "demo.seeded"
ACTOR = "operator:demo"
WALLET_PURPOSE = N_("To find your account by your phone number")
SHOP_PURPOSE = N_("To find your shop by your phone number")


@dataclass(frozen=True)
class DemoInstitution:
    id: str
    name: str
    net_debit_cap: str
    liquidity: str


@dataclass(frozen=True)
class DemoCustomer:
    institution: str
    phone: str
    name: str
    balance: str
    merchant: bool = False
    alias: str | None = None


INSTITUTIONS = (
    DemoInstitution("island-wallet", "Island Wallet", "50000.00", "100000.00"),
    DemoInstitution("antilles-bank", "Antilles Bank", "50000.00", "100000.00"),
    DemoInstitution("helen-cu", "Helen Credit Union", "20000.00", "40000.00"),
)
CUSTOMERS = (
    DemoCustomer("island-wallet", "+17585550101", "Marie Joseph", "450.00"),
    DemoCustomer("island-wallet", "+17585550102", "Kwame Charles", "120.00"),
    DemoCustomer("antilles-bank", "+17585550201", "Aline Baptiste", "980.00"),
    DemoCustomer(
        "antilles-bank", "+17585550202", "Castries Market Produce", "0.00",
        merchant=True, alias="market@antilles-bank",
    ),
    DemoCustomer(
        "antilles-bank", "+17585550403", "Marigot Bay Threads", "0.00",
        merchant=True, alias="threads@antilles-bank",
    ),
    DemoCustomer("helen-cu", "+17585550301", "Joseph Felix", "300.00"),
    DemoCustomer(
        "helen-cu", "+17585550302", "Soufriere Spice Co", "0.00",
        merchant=True, alias="spices@helen-cu",
    ),
)  # fmt: skip


def ensure_node_keys(settings: Settings) -> None:
    """The node's Ed25519 signing key, generated on first start."""
    if not settings.signing_key_path.exists():
        generate_key_file(settings.signing_key_path, "ed25519")


def seed(settings: Settings) -> None:
    """Seed the demo data once; a second start finds it and does nothing."""
    database = Database.from_url(settings.resolved_database_url)
    try:
        with database.transaction() as session:
            seeded = session.scalar(
                select(audit.AuditEntry.seq).where(audit.AuditEntry.action == DEMO_SEEDED)
            )
        if seeded is not None:
            return
        _seed_payments(settings, database)
        _seed_identity(database)
        _seed_market(settings, database)
        _seed_sign_in_with_identity(settings, database)
        _seed_wallet_links(settings, database, ACTOR)
        with database.transaction() as session:
            audit.record(session, actor=ACTOR, action=DEMO_SEEDED, subject="node")
    finally:
        database.dispose()


def _seed_payments(settings: Settings, database: Database) -> None:
    from comptoir.apps.wallet.service.context import Wallet
    from comptoir.apps.wallet.service.customers import add_customer
    from comptoir.apps.wallet.service.institutions import create_institution
    from comptoir.payments.domain import nanosecond_clock
    from comptoir.payments.services import participants, registration
    from comptoir.payments.services.ledger_store import LedgerStore
    from comptoir.payments.switch.keys import switch_public_jwks

    wallet = Wallet(database=database, keys_dir=settings.keys_dir, base_url=settings.base_url)
    store = LedgerStore(nanosecond_clock(system_clock))
    switch_jwks = switch_public_jwks(settings)
    for institution in INSTITUTIONS:
        created = create_institution(
            wallet,
            institution_id=institution.id,
            name=institution.name,
            switch_jwks=switch_jwks,
            switch_fsp_id=settings.switch_id,
        )
        jwks = json.loads(created.public_jwks_path.read_text(encoding="utf-8"))
        with database.transaction() as session:
            registration.add_participant(
                session,
                store=store,
                clock=system_clock,
                participant_id=institution.id,
                name=institution.name,
                currency="XCD",
                callback_url=wallet.callback_url(institution.id),
                jwks=jwks,
                net_debit_cap=Money.parse(institution.net_debit_cap, "XCD"),
                actor=ACTOR,
            )
            participants.deposit_liquidity(
                session,
                store=store,
                participant_id=institution.id,
                amount=Money.parse(institution.liquidity, "XCD"),
                actor=ACTOR,
            )
    for customer in CUSTOMERS:
        add_customer(
            wallet,
            institution_id=customer.institution,
            phone=customer.phone,
            name=customer.name,
            merchant=customer.merchant,
            alias=customer.alias,
            opening_balance=Money.parse(customer.balance, "XCD").minor,
        )


def _seed_identity(database: Database) -> None:
    """People in the identity registry (one enrolled by an agent), an agent, and two
    businesses: Marigot Market (verified) and Soufriere Spice Co (waiting for the operator)."""
    from comptoir.identity.registry.service import (
        enrol_person,
        make_agent,
        register_business,
        verify_business,
    )

    with database.transaction() as session:
        people = {
            phone: enrol_person(
                session,
                name=name,
                phone=phone,
                birthdate=born,
                national_id=national_id,
                locale=locale,
                actor=ACTOR,
                clock=system_clock,
            )
            for name, phone, born, national_id, locale in (
                ("Marie Joseph", "+17585550101", "1988-03-14", "LC-1988-0314", "en"),
                ("Kwame Charles", "+17585550102", "1992-09-21", "LC-1992-0921", "en"),
                ("Aline Baptiste", "+17585550201", "1979-11-30", None, "fr"),
                ("Celestine Auguste", "+17585550302", "1984-06-02", "LC-1984-0602", "fr"),
            )
        }
        agent = make_agent(session, phone="+17585550102", actor=ACTOR, clock=system_clock)
        enrol_person(
            session,
            name="Joseph Felix",
            phone="+17585550301",
            birthdate="1951-01-17",
            locale="fr",
            actor=f"person:{agent.id}",
            clock=system_clock,
        )
        for owner, name, number, address, sector, women in (
            ("+17585550101", "Marigot Market", "LC-BN-2019-0117", "Marigot Bay Road, Castries",
             "Food retail", True),
            # Celestine Auguste writes in French: what an owner types stays as she wrote it.
            ("+17585550302", "Soufriere Spice Co", "LC-BN-2023-0042", "Bay Street, Soufriere",
             "Épices et condiments", True),
        ):  # fmt: skip
            register_business(
                session,
                owner_id=people[owner].id,
                name=name,
                registration_number=number,
                address=address,
                sector=sector,
                women_owned=women,
                youth_owned=False,
                actor=ACTOR,
                clock=system_clock,
            )
        verify_business(
            session, registration_number="LC-BN-2019-0117", actor=ACTOR, clock=system_clock
        )


def _seed_market(settings: Settings, database: Database) -> None:
    """Three seller platforms of Caribbean micro-businesses and one buyer app, each with its
    own Beckn subscriber id and key, registered in this node's network registry as its
    operator would (`comptoir network subscriber add` then `approve`)."""
    from comptoir.apps.buyer.service.context import Buyer, create_app
    from comptoir.apps.seller import demo_catalogue
    from comptoir.apps.seller.service.context import Seller
    from comptoir.network.registry import service as registry

    base = settings.base_url.rstrip("/")
    registry_url, gateway_url = f"{base}/registry", f"{base}/gateway"
    seller = Seller(database=database, keys_dir=settings.keys_dir, base_url=settings.base_url)
    joining = [
        ("BPP", created.subscriber_id, created.bpp_uri, created.unique_key_id,
         created.signing_public_key, created.encryption_public_key)
        for created in demo_catalogue.seed(
            seller, registry_url=registry_url, gateway_url=gateway_url
        )
    ]  # fmt: skip
    buyer = Buyer(database=database, keys_dir=settings.keys_dir, base_url=settings.base_url)
    shop = create_app(
        buyer,
        app_id="shop",
        name="Island Shop",
        subscriber_id="shop.comptoir.example",
        registry_url=registry_url,
        gateway_url=gateway_url,
        actor=ACTOR,
    )
    joining.append(
        ("BAP", shop.view.subscriber_id, shop.url, shop.view.unique_key_id,
         shop.signing_public_key, shop.encryption_public_key)
    )  # fmt: skip
    for kind, subscriber_id, url, key_id, signing, encryption in joining:
        with database.transaction() as session:
            registry.add_subscriber(
                session,
                clock=system_clock,
                subscriber_id=subscriber_id,
                type_=kind,
                url=url,
                domain="retail",
                key=registry.NewKey(key_id, signing, encryption),
                actor=ACTOR,
            )
            registry.approve(session, clock=system_clock, subscriber_id=subscriber_id, actor=ACTOR)


def _seed_sign_in_with_identity(settings: Settings, database: Database) -> None:
    """Each wallet institution and seller platform becomes a client of the identity provider,
    as a real bank or platform would: it makes its key (`comptoir wallet institution
    oidc-register`, `comptoir seller platform oidc-register`), the provider's operator
    registers its public JWKS (`comptoir identity client add`), and it records the client_id
    it was given."""
    from comptoir.apps.seller.demo_catalogue import PLATFORMS
    from comptoir.apps.seller.service import identity as seller_identity
    from comptoir.apps.seller.service.context import Seller
    from comptoir.apps.wallet.service import identity as wallet_identity
    from comptoir.apps.wallet.service.context import Wallet
    from comptoir.identity.oidc.service import clients
    from comptoir.kernel.oidc.browser import ClientFile

    wallet = Wallet(database=database, keys_dir=settings.keys_dir, base_url=settings.base_url)
    seller = Seller(database=database, keys_dir=settings.keys_dir, base_url=settings.base_url)
    # A client's purpose is one text; these are in the catalogue, so the consent screen
    # shows them in the reader's language (an operator's own words are shown as written).
    wallet_purpose, shop_purpose = WALLET_PURPOSE, SHOP_PURPOSE
    relying_parties: list[tuple[ClientFile, str, str, str, str]] = [
        (wallet_identity.client_file(wallet, institution.id), institution.name,
         wallet_identity.redirect_uri(wallet, institution.id), wallet_identity.SCOPE,
         wallet_purpose)
        for institution in INSTITUTIONS
    ] + [
        (seller_identity.client_file(seller, platform.id), platform.name,
         seller_identity.redirect_uri(seller, platform.id), seller_identity.SCOPE,
         shop_purpose)
        for platform in PLATFORMS
    ]  # fmt: skip
    for files, name, redirect_uri, scope, purpose in relying_parties:
        key = files.ensure_key()
        with database.transaction() as session:
            added = clients.add_client(
                session,
                name=name,
                redirect_uris=[redirect_uri],
                jwks=jwks_document([key.public()]),
                scopes=scope,
                purpose=purpose,
                # The apps check the provider's signature on what it says of people.
                userinfo_signed_response_alg="ES256",
                actor=ACTOR,
                clock=system_clock,
            )
        files.record_client_id(added.client_id)


def _seed_wallet_links(settings: Settings, database: Database, actor: str) -> int:
    """The demo's businesses whose payment alias is a merchant customer of a wallet on this
    node get paid by request to pay: the wallet issues an API key (as `comptoir wallet merchant
    api-key ALIAS` would) and the business is linked to its wallet's merchant API with it (as
    its owner would on the shop's settings page)."""
    from comptoir.apps.seller.demo_catalogue.platforms import PLATFORMS
    from comptoir.apps.seller.models import Business
    from comptoir.apps.seller.service.context import Seller
    from comptoir.apps.seller.wallet_pay.service import link_wallet
    from comptoir.apps.wallet.domain.errors import WalletError
    from comptoir.apps.wallet.merchant.service import issue_key
    from comptoir.apps.wallet.service.context import Wallet

    paid_by_qr = {
        business.name
        for platform in PLATFORMS
        for business in platform.businesses
        if not business.request_to_pay
    }
    base = settings.base_url.rstrip("/")
    wallet = Wallet(database=database, keys_dir=settings.keys_dir, base_url=settings.base_url)
    seller = Seller(database=database, keys_dir=settings.keys_dir, base_url=settings.base_url)
    with database.transaction() as session:
        businesses = [
            (business.platform_id, business.id, business.payment_alias)
            for business in session.scalars(
                select(Business).where(Business.payment_alias.is_not(None))
            )
            if business.name not in paid_by_qr
        ]
    linked = 0
    for platform_id, business_id, alias in businesses:
        assert alias is not None
        try:
            issued = issue_key(wallet, alias=alias, actor=actor)
        except WalletError:
            continue  # an alias of a wallet that is not on this node
        link_wallet(
            seller,
            platform_id=platform_id,
            business_id=business_id,
            api_url=f"{base}/wallets/{issued.institution_id}/api/v1",
            api_key=issued.api_key,
            webhook_secret=issued.webhook_secret,
            actor=actor,
        )
        linked += 1
    return linked
