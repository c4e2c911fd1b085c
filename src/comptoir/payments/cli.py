"""The payments block's commands. `qr_cli` is mounted as `comptoir qr`.

Other tools script these commands, so their names, flags, output and exit codes are stable:

`comptoir qr encode --alias ALIAS --name NAME --city CITY [--country LC] [--mcc 5999]
[--currency XCD] [--amount 12.50] [--reference REF] [--bill BILL] [--terminal LABEL]
[--purpose TEXT] [--postal-code CODE] [--svg FILE]` prints the EMVCo payload alone on stdout: a
dynamic QR when --amount is given, a static one otherwise. --svg also writes the QR as SVG.

`comptoir qr decode PAYLOAD` (PAYLOAD "-" reads it from stdin) prints the fields as one JSON
object (see `comptoir.payments.qr_fields` for its shape).

Exit codes: 0 done; 1 the payload to decode is wrong (bad CRC, malformed, invalid field) or
the SVG file cannot be written; 2 bad input to encode (and command-line usage errors). An error
is one line on stderr: "comptoir qr <command>: <code>: <one sentence>", where <code> is the
codec's stable `QrError.code` (crc_mismatch, malformed_tlv, missing_field, misplaced_tag,
duplicate_tag, invalid_field, unsupported_currency, payload_too_long) or "cannot_write".
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

__all__ = ["qr_cli"]

qr_cli = typer.Typer(
    name="qr",
    help="Merchant QR codes (EMVCo merchant-presented mode): encode and decode payloads.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _fail(command: str, code: str, sentence: str, exit_code: int) -> NoReturn:
    typer.echo(f"comptoir qr {command}: {code}: {sentence}", err=True)
    raise typer.Exit(exit_code)


@qr_cli.command("encode")
def encode_command(
    *,
    alias: Annotated[str, typer.Option(help="The payee's alias, such as shop@dfsp.")],
    name: Annotated[str, typer.Option(help="The merchant's name (at most 25 characters).")],
    city: Annotated[str, typer.Option(help="The merchant's city (at most 15 characters).")],
    country: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2 country code.")] = "LC",
    mcc: Annotated[str, typer.Option(help="ISO 18245 merchant category code.")] = "5999",
    currency: Annotated[str, typer.Option(help="ISO 4217 currency code.")] = "XCD",
    amount: Annotated[
        str | None,
        typer.Option(
            help="Amount in currency units (12.50); makes a dynamic QR.", show_default=False
        ),
    ] = None,
    reference: Annotated[
        str | None, typer.Option(help="Reference label (tag 62, sub-tag 05).", show_default=False)
    ] = None,
    bill: Annotated[
        str | None, typer.Option(help="Bill number (tag 62, sub-tag 01).", show_default=False)
    ] = None,
    terminal: Annotated[
        str | None, typer.Option(help="Terminal label (tag 62, sub-tag 07).", show_default=False)
    ] = None,
    purpose: Annotated[
        str | None, typer.Option(help="Purpose (tag 62, sub-tag 08).", show_default=False)
    ] = None,
    postal_code: Annotated[
        str | None, typer.Option(help="Postal code (tag 61).", show_default=False)
    ] = None,
    svg: Annotated[
        Path | None,
        typer.Option(help="Also write the QR code as SVG to this file.", show_default=False),
    ] = None,
) -> None:
    """Print the EMVCo payload for a merchant (static, or dynamic with --amount)."""
    from comptoir.kernel.emvco_qr import (
        AdditionalData,
        MerchantAccount,
        MerchantQr,
        PointOfInitiation,
        QrError,
        encode,
        parse_amount,
    )

    currency = currency.upper()
    try:
        qr = MerchantQr(
            account=MerchantAccount(alias=alias),
            merchant_name=name,
            merchant_city=city,
            country=country.upper(),
            currency=currency,
            amount=None if amount is None else parse_amount(amount, currency),
            point_of_initiation=PointOfInitiation.STATIC
            if amount is None
            else PointOfInitiation.DYNAMIC,
            merchant_category_code=mcc,
            postal_code=postal_code,
            additional_data=AdditionalData(
                bill_number=bill,
                reference_label=reference,
                terminal_label=terminal,
                purpose=purpose,
            ),
        )
        payload = encode(qr)
    except QrError as exc:
        _fail("encode", exc.code, exc.sentence, 2)
    if svg is not None:
        from comptoir.kernel.qr_svg import render_svg

        try:
            svg.write_text(render_svg(payload, title=f"QR code to pay {name}"), encoding="utf-8")
        except OSError as exc:
            _fail("encode", "cannot_write", f"Cannot write {svg}: {exc.strerror or exc}.", 1)
    typer.echo(payload)


@qr_cli.command("decode")
def decode_command(
    payload: Annotated[str, typer.Argument(help='The payload, or "-" to read it from stdin.')],
) -> None:
    """Check a payload (CRC, structure, every field) and print its fields as JSON."""
    from comptoir.kernel.emvco_qr import QrError, decode

    if payload == "-":
        payload = sys.stdin.read()
    # A payload starts with "00" and ends with hex digits, so surrounding blanks are never part
    # of it (a pasted line brings its newline).
    payload = payload.strip()
    try:
        qr = decode(payload)
    except QrError as exc:
        _fail("decode", exc.code, exc.sentence, 1)
    from comptoir.payments.qr_fields import qr_fields

    # Names in other scripts (tag 64) are printed as they are written, not as \u escapes.
    typer.echo(json.dumps(qr_fields(qr, payload[-4:]), indent=2, ensure_ascii=False))
