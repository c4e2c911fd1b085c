"""The building blocks pacs.008 and pacs.002 share: elements, amounts, agents, parties.

Built with the standard library's ElementTree: we only ever write XML, never parse it, so the
parser hardening that makes lxml or defusedxml worth their weight is not needed here, and the
switch's runtime stays free of a compiled dependency. ElementTree escapes &, <, > and quotes;
`fields.clean_text` removes the characters XML 1.0 cannot carry at all.
"""

from __future__ import annotations

import hashlib
import re
from typing import Final
from xml.etree import ElementTree as ET

from comptoir.kernel.money import Money
from comptoir.payments.settlement_exports.fields import Party, fit
from comptoir.payments.settlement_exports.report import ExportError, SettlementWindowReport

# ActiveCurrencyAndAmount and DecimalNumber allow 18 digits in all; FSPIOP amounts may have
# more, and such an amount is refused rather than rounded.
MAX_AMOUNT_DIGITS: Final = 18
MAX_FREE_TEXT: Final = 140  # Max140Text: Nm of a party or agent, Ustrd
MAX_PARTY_ID: Final = 35  # Max35Text: Othr/Id of a person or organisation
MAX_ACCOUNT_ID: Final = 34  # Max34Text: account Othr/Id
_IBAN: Final = re.compile(r"[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{1,30}")  # IBAN2007Identifier

# FSPIOP PartyIdType to the ISO external code list ExternalProxyAccountType1Code. ALIAS is a
# scheme-issued proxy (like India's VPA), hence SHID; types without a fitting code keep their
# FSPIOP name as a proprietary type.
_PROXY_TYPE_CODES: Final = {"MSISDN": "MBNO", "EMAIL": "EMAL", "ALIAS": "SHID"}
# Types that name an account rather than a proxy for one.
_ACCOUNT_TYPES: Final = frozenset({"ACCOUNT_ID", "IBAN"})


class Builder:
    """Makes the elements of one message, in its namespace.

    Elements carry plain names and the root declares the namespace as the default (xmlns),
    which is what ISO 20022 documents conventionally look like; ElementTree's own
    `default_namespace` option cannot be used, since it refuses unqualified attributes (Ccy).
    """

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace

    def root(self, tag: str) -> ET.Element:
        return ET.Element(tag, {"xmlns": self.namespace})

    def sub(
        self,
        parent: ET.Element,
        tag: str,
        text: str | None = None,
        attributes: dict[str, str] | None = None,
    ) -> ET.Element:
        child = ET.SubElement(parent, tag, attributes or {})
        if text is not None:
            child.text = text
        return child

    def serialise(self, root: ET.Element) -> str:
        """The document as text: an XML declaration, then the elements indented by two
        spaces."""
        ET.indent(root, space="  ")
        body = ET.tostring(root, encoding="unicode")
        return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def decimal_text(amount: Money) -> str:
    """The amount as ISO 20022 writes it: a plain decimal with the currency's digits."""
    if amount.is_negative():
        raise ExportError(f"ISO 20022 amounts cannot be negative ({amount.to_fixed()}).")
    text = amount.to_fixed()
    whole, _, fraction = text.partition(".")
    if len(whole.lstrip("0")) + len(fraction) > MAX_AMOUNT_DIGITS:
        raise ExportError(
            f"{text} {amount.currency} has more than the {MAX_AMOUNT_DIGITS} digits an "
            "ISO 20022 amount allows."
        )
    return text


def amount(b: Builder, parent: ET.Element, tag: str, money: Money) -> ET.Element:
    """An ActiveCurrencyAndAmount: the decimal, with the currency in the Ccy attribute."""
    return b.sub(parent, tag, decimal_text(money), {"Ccy": money.currency})


def agent(
    b: Builder, parent: ET.Element, tag: str, fsp_id: str, report: SettlementWindowReport
) -> ET.Element:
    """A participant as a financial institution: a member of our clearing system, identified
    by its FSP id (ClrSysMmbId/MmbId) in the switch's proprietary clearing system id, with its
    display name when the report has one."""
    element = b.sub(parent, tag)
    institution = b.sub(element, "FinInstnId")
    member = b.sub(institution, "ClrSysMmbId")
    b.sub(b.sub(member, "ClrSysId"), "Prtry", report.switch_id)
    b.sub(member, "MmbId", fsp_id)
    name = fit(report.participant_names.get(fsp_id), MAX_FREE_TEXT)
    if name is not None:
        b.sub(institution, "Nm", name)
    return element


def party(b: Builder, parent: ET.Element, tag: str, name: str | None, who: Party | None) -> None:
    """A debtor or creditor: its name, and its party id as a private (or, for BUSINESS, an
    organisation) identification with the FSPIOP type as the scheme. Account ids and ids too
    long for Max35Text stay out of it; the account element carries them. Everything in a
    PartyIdentification135 is optional, so an unknown party is an empty element."""
    element = b.sub(parent, tag)
    shown = fit(name, MAX_FREE_TEXT)
    if shown is not None:
        b.sub(element, "Nm", shown)
    if who is None or who.kind in _ACCOUNT_TYPES or len(who.identifier) > MAX_PARTY_ID:
        return
    scheme = b.sub(b.sub(element, "Id"), "OrgId" if who.kind == "BUSINESS" else "PrvtId")
    other = b.sub(scheme, "Othr")
    b.sub(other, "Id", who.identifier)
    if who.kind is not None:
        b.sub(b.sub(other, "SchmeNm"), "Prtry", who.kind)


def account(b: Builder, parent: ET.Element, tag: str, who: Party | None) -> None:
    """A debtor's or creditor's account, named by its party id, since the switch never sees
    the DFSP's own account numbers.

    An IBAN goes in Id/IBAN. Any other id goes in Id/Othr/Id with its FSPIOP type as the
    scheme when it fits Max34Text; one that does not (a long e-mail address) is replaced
    there by the first 32 hex digits of its SHA-256, scheme "<TYPE>-SHA256", never cut. The
    whole id, whatever its length, is also given as the account's proxy (Prxy, Max2048Text)
    with its ISO proxy type (MBNO, EMAL, SHID, or the FSPIOP type) - except for account ids
    and IBANs, which are accounts, not proxies, unless they had to be hashed.
    """
    if who is None:
        return
    element = b.sub(parent, tag)
    identification = b.sub(element, "Id")
    hashed = False
    if who.kind == "IBAN" and _IBAN.fullmatch(who.identifier):
        b.sub(identification, "IBAN", who.identifier)
    else:
        other = b.sub(identification, "Othr")
        scheme = who.kind
        if len(who.identifier) <= MAX_ACCOUNT_ID:
            b.sub(other, "Id", who.identifier)
        else:
            hashed = True
            digest = hashlib.sha256(who.identifier.encode())
            b.sub(other, "Id", digest.hexdigest()[:32])
            scheme = f"{who.kind or 'PARTY'}-SHA256"[:MAX_PARTY_ID]
        if scheme is not None:
            b.sub(b.sub(other, "SchmeNm"), "Prtry", scheme)
    if who.kind in _ACCOUNT_TYPES and not hashed:
        return
    proxy = b.sub(element, "Prxy")
    if who.kind is not None:
        kind = b.sub(proxy, "Tp")
        code = _PROXY_TYPE_CODES.get(who.kind)
        b.sub(kind, "Cd" if code else "Prtry", code or who.kind)
    b.sub(proxy, "Id", who.identifier)
