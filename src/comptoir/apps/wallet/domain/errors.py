"""The error the wallet's rules raise (a stable code and a sentence in the reader's language),
and the several a form's fields raise at once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from comptoir.kernel.i18n import LazyText, current_locale
from comptoir.kernel.money import Money, format_money


class WalletError(Exception):
    """A rule said no. `code` is stable (tests and logs switch on it); `text` is translated
    when shown, so a page renders it in the visitor's language."""

    def __init__(self, code: str, text: LazyText) -> None:
        super().__init__(f"{code}: {text.render('en')}")
        self.code = code
        self.text = text

    def __str__(self) -> str:
        return self.text.render()


class FieldsError(WalletError):
    """Several fields of one form refused at once, each with its own `WalletError`, in the
    form's order. A person on a slow, dear connection corrects them all in one go, rather than
    learning of each in turn. As a `WalletError` it is the first of them."""

    def __init__(self, problems: Sequence[WalletError]) -> None:
        if len(problems) < 2:
            raise ValueError("FieldsError holds two problems or more")
        super().__init__(problems[0].code, problems[0].text)
        self.problems = tuple(problems)


def each_problem(error: WalletError) -> tuple[WalletError, ...]:
    """The refusals an error stands for: those of a `FieldsError`, or itself."""
    return error.problems if isinstance(error, FieldsError) else (error,)


Checked = TypeVar("Checked")


class FieldChecks:
    """The refusals of a form's fields, each field checked on its own: `check` what one field
    says, then `raise_any` once all are checked."""

    def __init__(self) -> None:
        self._problems: list[WalletError] = []

    def check(self, reading: Callable[[], Checked]) -> Checked | None:
        """What `reading` returns, or None when it refused (the refusal is kept)."""
        try:
            return reading()
        except WalletError as error:
            self._problems.extend(each_problem(error))
            return None

    def raise_any(self) -> None:
        if len(self._problems) == 1:
            raise self._problems[0]
        if self._problems:
            raise FieldsError(self._problems)


@dataclass(frozen=True)
class MoneyText:
    """An amount inside a translated sentence, written in the reader's language when shown."""

    money: Money

    def __format__(self, spec: str) -> str:
        return format_money(self.money, current_locale())

    def __str__(self) -> str:
        return self.__format__("")
