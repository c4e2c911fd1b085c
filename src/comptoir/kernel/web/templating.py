"""Server-rendered HTML: one Jinja environment, translated with gettext, templates per block."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from comptoir.kernel import i18n
from comptoir.kernel.phones import shown_phone
from comptoir.kernel.web import csrf

KERNEL_TEMPLATES = Path(__file__).parent / "templates"


def return_path(request: Request) -> str:
    """Where the language switch brings the visitor back: this page, query included, or, when
    this page answers a form (a refusal shown at a URL only a POST reaches), the page that
    held the form, from the Referer when it is this site's."""
    if request.method in ("GET", "HEAD"):
        query = request.url.query
        return request.url.path + (f"?{query}" if query else "")
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc == request.url.netloc and referer.path.startswith("/"):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return "/"


class Templates:
    """The Jinja environment; each block adds its own `templates/` folder when it registers."""

    def __init__(self) -> None:
        self._loaders: list[FileSystemLoader] = [FileSystemLoader(KERNEL_TEMPLATES)]
        self.environment = Environment(
            loader=ChoiceLoader(self._loaders),
            autoescape=select_autoescape(default=True),
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        # The callables read the current request's locale from a context variable, so one
        # environment serves every language at once.
        self.environment.install_gettext_callables(  # type: ignore[attr-defined]
            # Jinja fills template placeholders itself, %-style: `_("Hi %(name)s", name=x)`.
            gettext=i18n._,
            ngettext=i18n.ngettext,
            newstyle=True,
        )

        # "Label:" in English, "Libellé :" in French (a no-break space before the colon).
        self.environment.globals["colon"] = lambda: (
            "\u00a0:" if i18n.current_locale() == "fr" else ":"
        )
        # A stored (UTC) moment on the reader's clock, in the reader's language.
        self.environment.globals["when"] = i18n.local_moment
        self.environment.globals["local_zone"] = i18n.local_zone
        # A stored (E.164) phone number grouped as its country writes it.
        self.environment.globals["shown_phone"] = shown_phone

    def add_directory(self, directory: Path) -> None:
        self._loaders.append(FileSystemLoader(directory))

    def render(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any] | None = None,
        *,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        locale = i18n.current_locale()
        values: dict[str, Any] = {
            "request": request,
            "locale": locale,
            "languages": i18n.LANGUAGE_NAMES,
            "csrf_token": csrf.form_token(request),
            "current_path": request.url.path,
            "return_path": return_path(request),
        }
        values.update(context or {})
        html = self.environment.get_template(template).render(values)
        response = HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
        response.headers["Content-Language"] = locale
        csrf.attach_cookie(request, response)
        return response
