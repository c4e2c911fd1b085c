"""The one error the registry's rules raise: a stable code and a sentence for the reader."""

from __future__ import annotations

from comptoir.kernel.i18n import LazyText


class RegistryError(Exception):
    """A rule said no. `code` is stable (tests, the CLI and logs switch on it); `text` is
    translated when shown, so a page renders it in the visitor's language. `field` names the
    form field at fault, when there is one."""

    def __init__(self, code: str, text: LazyText, *, field: str | None = None) -> None:
        super().__init__(f"{code}: {text.render('en')}")
        self.code = code
        self.text = text
        self.field = field

    def __str__(self) -> str:
        return self.text.render()
