"""Settings: one class, read from `COMPTOIR_*` environment variables.

Any setting can also come from a file named by `COMPTOIR_<NAME>_FILE` (for secrets mounted by an
orchestrator), so a secret never has to sit in the environment or a shell history.
"""

from __future__ import annotations

import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from comptoir.kernel.errors import ConfigurationError
from comptoir.kernel.i18n import AVAILABLE_LOCALES
from comptoir.kernel.phones import known_region

ENV_PREFIX = "COMPTOIR_"


class _FileSettingsSource(PydanticBaseSettingsSource):
    """Reads `COMPTOIR_<NAME>_FILE`: the setting's value is the file's content, trimmed."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        variable = f"{ENV_PREFIX}{field_name.upper()}_FILE"
        path = os.environ.get(variable)
        if not path:
            return None, field_name, False
        try:
            return Path(path).read_text(encoding="utf-8").strip(), field_name, False
        except OSError as exc:
            raise ConfigurationError(
                variable, f"cannot read the file {path} ({exc.strerror or exc})."
            ) from exc

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, field in self.settings_cls.model_fields.items():
            value, key, _ = self.get_field_value(field, name)
            if value is not None:
                values[key] = value
        return values


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    data_dir: Path = Field(default=Path("var"), description="Database, keys and uploads.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; SQLite under data_dir when unset."
    )
    base_url: str = Field(default="http://127.0.0.1:8000", description="Public URL of this node.")
    default_locale: str = Field(default="en", description="Language when the visitor has none.")
    secret_key: SecretStr | None = Field(
        default=None, description="Signs cookies and CSRF tokens; generated into data_dir if unset."
    )
    cookie_secure: bool | None = Field(
        default=None, description="Mark cookies Secure; on by default when base_url is https."
    )
    blocks: str = Field(default="", description="Comma-separated blocks to serve; all when empty.")
    signing_key_file: Path | None = Field(
        default=None, description="This node's Ed25519 signing key (PEM); under data_dir if unset."
    )
    switch_id: str = Field(
        default="comptoir-switch",
        description="The payment switch's own FSP id (FSPIOP-Source of what it originates).",
    )
    sms_gateway_url: str | None = Field(
        default=None,
        description="Where text messages are POSTed; without it they stay in the SMS console.",
    )
    identity_issuer: str | None = Field(
        default=None,
        description=(
            "The OpenID provider apps sign people in with (its issuer URL); this node when unset."
        ),
    )
    credential_issuer: str | None = Field(
        default=None,
        description=(
            "The verifiable-credential issuer apps trust (SD-JWT VC `iss`); the identity "
            "issuer's /identity/vci when unset."
        ),
    )
    time_zone: str = Field(
        default="America/St_Lucia",
        description=(
            "The IANA time zone the node's people live in: the pages show times on their clock."
        ),
    )
    phone_region: str | None = Field(
        default="LC",
        description=(
            "The country (ISO 3166 code) whose phone numbers people may write without their "
            "country code, as they dial them there; empty for none (then only international "
            "numbers are read)."
        ),
    )
    outbox_poll_seconds: float = Field(default=0.5, gt=0)
    log_level: str = "info"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        assert isinstance(env_settings, EnvSettingsSource)
        return (init_settings, env_settings, _FileSettingsSource(settings_cls))

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in AVAILABLE_LOCALES:
            raise ValueError(
                f"'{value}' is not an available language (choose one of "
                f"{', '.join(AVAILABLE_LOCALES)})"
            )
        return value

    @field_validator("phone_region", mode="before")
    @classmethod
    def _known_phone_region(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str) or not known_region(value.strip().upper()):
            raise ValueError(
                f"'{value}' is not a country whose phone numbers are known (an ISO 3166 code, "
                "for example LC)"
            )
        return value.strip().upper()

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"'{value}' is not a known time zone (an IANA name, for example America/St_Lucia)"
            ) from None
        return value

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'comptoir.db').as_posix()}"

    @property
    def resolved_identity_issuer(self) -> str:
        """The provider's issuer identifier, as it names itself: no trailing slash."""
        return (self.identity_issuer or self.base_url).rstrip("/")

    @property
    def resolved_credential_issuer(self) -> str:
        """The credential issuer's identifier, as its credentials name it."""
        if self.credential_issuer:
            return self.credential_issuer.rstrip("/")
        return f"{self.resolved_identity_issuer}/identity/vci"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def signing_key_path(self) -> Path:
        return self.signing_key_file or self.keys_dir / "signing.ed25519.pem"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.base_url.startswith("https://")

    @property
    def enabled_blocks(self) -> tuple[str, ...]:
        return tuple(name.strip() for name in self.blocks.split(",") if name.strip())

    def signing_secret(self) -> bytes:
        """The secret for cookies and CSRF: the setting, else a random one kept in data_dir."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        return path.read_text(encoding="utf-8").strip().encode()


def load_settings(**overrides: Any) -> Settings:
    """Build the settings; a bad value stops with one sentence naming the variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "settings"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise ConfigurationError(f"{ENV_PREFIX}{field.upper()}", message + ".") from exc
