"""The one error the registry's rules raise: a stable code and a sentence for the reader."""

from __future__ import annotations

from comptoir.kernel.i18n import LazyText


class RegistryError(Exception):
    """A rule said no. `code` is stable (tests, the CLI and logs switch on it); `text` is
    translated when shown, so a page renders it in the visitor's language. `field` names the
    form field at fault, when there is one."""

    def __init__(
        self,
        code: str,
        text: LazyText,
        *,
        field: str | None = None,
        also: tuple[RegistryError, ...] = (),
    ) -> None:
        super().__init__(f"{code}: {text.render('en')}")
        self.code = code
        self.text = text
        self.field = field
        # Further problems found in the same form, so that a page names them all at once.
        self.also = also

    @property
    def problems(self) -> tuple[RegistryError, ...]:
        """This problem and the others found with it, in the form's order."""
        return (self, *self.also)

    @classmethod
    def raise_all(cls, problems: list[RegistryError]) -> None:
        """Raise the first of these problems carrying the rest; nothing when there is none."""
        if problems:
            first = problems[0]
            raise cls(first.code, first.text, field=first.field, also=tuple(problems[1:]))

    def __str__(self) -> str:
        return self.text.render()
