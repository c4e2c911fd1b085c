"""The one error the credential issuer's rules raise: a stable code and a translated sentence.

`oauth_error` is the error code OpenID4VCI and OAuth 2.0 define for it, so that the protocol
endpoints answer a wallet in the words it expects.
"""

from __future__ import annotations

from comptoir.kernel.i18n import LazyText


class CredentialError(Exception):
    def __init__(
        self, code: str, text: LazyText, *, oauth_error: str = "invalid_request", status: int = 400
    ) -> None:
        super().__init__(f"{code}: {text.render('en')}")
        self.code = code
        self.text = text
        self.oauth_error = oauth_error
        self.status = status

    def __str__(self) -> str:
        return self.text.render()
