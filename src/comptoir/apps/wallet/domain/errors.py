"""The one error the wallet's rules raise: a stable code and a sentence in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class MoneyText:
    """An amount inside a translated sentence, written in the reader's language when shown."""

    money: Money

    def __format__(self, spec: str) -> str:
        return format_money(self.money, current_locale())

    def __str__(self) -> str:
        return self.__format__("")
