"""The person's "My credentials" page (list, offer to a wallet, download, revoke) and the
operator's list of issued credentials with revocation.

Download: the page issues a credential bound to a public key the person pastes as a JWK (from
their wallet), and never makes a key pair itself. A key the server made would be a key the
server (and anyone who saw the download) also held, so the key binding would prove nothing;
a page without JavaScript cannot make a key in the browser either. Wallets that speak
OpenID4VCI use the offer instead, which proves possession of the key.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from comptoir.identity.credentials import catalogue, service
from comptoir.identity.credentials.errors import CredentialError
from comptoir.identity.credentials.vci import issuer_of
from comptoir.identity.registry.session import signed_in_person
from comptoir.kernel.crypto import JoseError, Jwk, import_jwk
from comptoir.kernel.errors import CONFLICT, NOT_FOUND, Problem
from comptoir.kernel.i18n import _, lazy, local_moment
from comptoir.kernel.qr_svg import render_svg
from comptoir.kernel.web.context import node_context
from comptoir.kernel.web.operator import require_operator

router = APIRouter(include_in_schema=False)
MINE = "/identity/me/credentials"
MAX_JWK_LENGTH = 2_000
# The form field a refusal is about, where there is one, to show it beside that field.
_FIELD_OF = {"holder_key": "holder_jwk"}


def _login() -> RedirectResponse:
    return RedirectResponse(f"/identity/login?next={MINE}", status_code=303)


def _mine(
    request: Request,
    person_id: uuid.UUID,
    *,
    error: CredentialError | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The page; after a refused form, with the form's choice and pasted key kept (`form`,
    its `name` saying which form) and the problem beside the field it is about."""
    node = node_context(request)
    with node.database.reading() as session:
        allowed = service.eligibility(session, person_id=person_id, clock=node.clock)
        held = service.credentials_of(session, person_id=person_id)
    names = {
        item.id: item.name for item in allowed.verified_businesses + allowed.waiting_businesses
    }
    choices: list[dict[str, str]] = []
    if allowed.adult:
        choices.append({"value": catalogue.AGE_OVER_18, "label": _("Age over 18")})
    for business in allowed.verified_businesses:
        label = _("Registered business: {name}", name=business.name)
        choices.append({"value": f"{catalogue.BUSINESS}:{business.id}", "label": label})
    rows = [
        {
            "id": item.id,
            "title": _(catalogue.KINDS[item.kind].title),
            "business": names.get(item.business_id) if item.business_id else None,
            "issued": local_moment(item.issued_at),
            "expires": local_moment(item.expires_at),
            "revoked": local_moment(item.revoked_at) if item.revoked_at else None,
            "device": item.holder_thumbprint[:8],
            "channel": item.channel,
        }
        for item in held
    ]
    return node.templates.render(
        request,
        "identity_credentials/mine.html",
        {
            "signed_in": True,
            "error": str(error) if error else None,
            "error_field": _FIELD_OF.get(error.code) if error else None,
            "form": form or {},
            "choices": choices,
            "adult": allowed.adult,
            "waiting": allowed.waiting_businesses,
            "credentials": rows,
        },
        status_code=status,
    )


def _choice(value: str) -> tuple[str, uuid.UUID | None]:
    kind, _sep, business = value.partition(":")
    service.kind_of(kind)
    if kind != catalogue.BUSINESS:
        return kind, None
    try:
        return kind, uuid.UUID(business)
    except ValueError:
        return kind, uuid.UUID(int=0)


@router.get(MINE, response_class=HTMLResponse)
def my_credentials(request: Request) -> Response:
    person = signed_in_person(request)
    if person is None:
        return _login()
    return _mine(request, person.person_id)


@router.get(f"{MINE}/offer")
def offer_address() -> RedirectResponse:
    """The offer's address opened again (a reload, the history, a language switch): an offer
    is made by a POST and shown once, its transaction code kept nowhere, so the way on is the
    list, where a new one is a press away."""
    return RedirectResponse(MINE, status_code=303)


@router.post(f"{MINE}/offer", response_class=HTMLResponse)
def offer(request: Request, credential: str = Form(""), tx_code: str = Form("")) -> Response:
    person = signed_in_person(request)
    if person is None:
        return _login()
    node = node_context(request)
    try:
        kind, business_id = _choice(credential)
        with node.database.transaction() as session:
            made = service.create_offer(
                session,
                issuer=issuer_of(request),
                person_id=person.person_id,
                kind=kind,
                business_id=business_id,
                with_tx_code=tx_code != "no",
            )
    except CredentialError as error:
        kept = {"name": "offer", "credential": credential}
        return _mine(request, person.person_id, error=error, form=kept, status=error.status)
    title = _(catalogue.KINDS[made.kind].title)
    return node.templates.render(
        request,
        "identity_credentials/offer.html",
        {
            "signed_in": True,
            "title": title,
            "link": made.link,
            "qr": _qr_svg(made.link, title=_("Credential offer: {title}", title=title)),
            "tx_code": made.tx_code,
            "minutes": int(service.offers.OFFER_LIFETIME.total_seconds() // 60),
        },
        headers={"Cache-Control": "no-store"},
    )


@router.post(f"{MINE}/download", response_class=HTMLResponse)
def download(request: Request, credential: str = Form(""), holder_jwk: str = Form("")) -> Response:
    person = signed_in_person(request)
    if person is None:
        return _login()
    node = node_context(request)
    try:
        kind, business_id = _choice(credential)
        holder_key = _public_key(holder_jwk)
        with node.database.transaction() as session:
            issued = service.issue(
                session,
                issuer=issuer_of(request),
                person_id=person.person_id,
                kind=kind,
                business_id=business_id,
                holder_key=holder_key,
                channel="download",
            )
    except CredentialError as error:
        kept = {"name": "download", "credential": credential, "holder_jwk": holder_jwk}
        return _mine(request, person.person_id, error=error, form=kept, status=error.status)
    return Response(
        issued.sd_jwt,
        media_type="application/dc+sd-jwt",
        headers={
            "Content-Disposition": f'attachment; filename="{issued.kind}.sd-jwt"',
            "Cache-Control": "no-store",
        },
    )


def _public_key(text: str) -> Jwk:
    if not text.strip():
        raise CredentialError("holder_key", lazy("Paste your wallet's public key (a JWK)."))
    if len(text) > MAX_JWK_LENGTH:
        raise CredentialError(
            "holder_key",
            lazy(
                "This is too long to be a public key ({limit} characters at most). Paste only "
                "the key your wallet shows.",
                limit=MAX_JWK_LENGTH,
            ),
        )
    try:
        key = import_jwk(text.strip())
    except JoseError:
        raise CredentialError(
            "holder_key",
            lazy("This is not a P-256 or Ed25519 public key in JWK form."),
        ) from None
    if key.is_private:
        raise CredentialError(
            "holder_key",
            lazy(
                "This key includes its private part (d). Never paste a private key anywhere: "
                "make a new key in your wallet and paste only its public part."
            ),
        )
    return key


@router.post(f"{MINE}/{{credential_id}}/revoke", response_class=HTMLResponse)
def revoke_mine(request: Request, credential_id: uuid.UUID) -> Response:
    person = signed_in_person(request)
    if person is None:
        return _login()
    node = node_context(request)
    try:
        with node.database.transaction() as session:
            service.revoke(
                session,
                credential_id=credential_id,
                actor=f"person:{person.person_id}",
                holder_id=person.person_id,
                clock=node.clock,
            )
    except CredentialError as error:
        return _mine(request, person.person_id, error=error, status=error.status)
    return RedirectResponse(MINE, status_code=303)


OPERATOR_PAGE = "/operator/identity/credentials"


@router.get(OPERATOR_PAGE, response_class=HTMLResponse, dependencies=[Depends(require_operator)])
def operator_credentials(request: Request, error: str | None = None) -> HTMLResponse:
    node = node_context(request)
    with node.database.reading() as session:
        rows = [
            {
                "id": item.id,
                "title": _(catalogue.KINDS[item.kind].title),
                "person": item.person_id,
                "issued": local_moment(item.issued_at),
                "revoked": local_moment(item.revoked_at) if item.revoked_at else None,
                "revoked_by": item.revoked_by,
            }
            for item in service.recent_credentials(session)
        ]
    return node.templates.render(
        request, "identity_credentials/operator.html", {"credentials": rows}
    )


@router.post(
    f"{OPERATOR_PAGE}/{{credential_id}}/revoke",
    response_class=HTMLResponse,
    dependencies=[Depends(require_operator)],
)
def operator_revoke(request: Request, credential_id: uuid.UUID) -> Response:
    node = node_context(request)
    try:
        with node.database.transaction() as session:
            service.revoke(
                session, credential_id=credential_id, actor="operator:web", clock=node.clock
            )
    except CredentialError as error:
        raise Problem(CONFLICT if error.status == 409 else NOT_FOUND, error.text) from None
    return RedirectResponse(OPERATOR_PAGE, status_code=303)


def _qr_svg(payload: str, *, title: str) -> str:
    """The offer link as an inline SVG QR code: no script, no font, no external reference."""
    return render_svg(payload, scale=3, title=title, error="l")
