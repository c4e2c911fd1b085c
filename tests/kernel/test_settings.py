from __future__ import annotations

from pathlib import Path

import pytest

from comptoir.kernel.errors import ConfigurationError
from comptoir.kernel.settings import load_settings


def test_the_database_defaults_to_sqlite_under_the_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COMPTOIR_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("COMPTOIR_DATABASE_URL", raising=False)
    assert load_settings().resolved_database_url == f"sqlite:///{tmp_path}/comptoir.db"


def test_a_setting_can_come_from_a_file_named_by_the_file_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("COMPTOIR_SECRET_KEY_FILE", str(secret))
    settings = load_settings()
    assert settings.secret_key is not None
    assert settings.secret_key.get_secret_value() == "from-a-file"
    assert settings.signing_secret() == b"from-a-file"


def test_an_unreadable_secret_file_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPTOIR_SECRET_KEY_FILE", "/nonexistent/secret")
    with pytest.raises(ConfigurationError) as raised:
        load_settings()
    assert raised.value.setting == "COMPTOIR_SECRET_KEY_FILE"
    assert "/nonexistent/secret" in raised.value.sentence


def test_an_unknown_default_locale_is_refused_with_the_setting_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COMPTOIR_DEFAULT_LOCALE", "xx")
    with pytest.raises(ConfigurationError) as raised:
        load_settings()
    assert raised.value.setting == "COMPTOIR_DEFAULT_LOCALE"
    assert "'xx' is not an available language" in raised.value.sentence


def test_the_generated_secret_is_kept_so_cookies_survive_a_restart(tmp_path: Path) -> None:
    first = load_settings(data_dir=tmp_path).signing_secret()
    second = load_settings(data_dir=tmp_path).signing_secret()
    assert first == second
    assert len(first) >= 48
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_cookies_are_secure_by_default_behind_https() -> None:
    assert load_settings(base_url="https://comptoir.gd").secure_cookies
    assert not load_settings(base_url="http://127.0.0.1:8000").secure_cookies
    assert load_settings(base_url="http://127.0.0.1:8000", cookie_secure=True).secure_cookies


def test_the_phone_country_is_saint_lucia_unless_set_and_empty_means_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert load_settings().phone_region == "LC"
    monkeypatch.setenv("COMPTOIR_PHONE_REGION", "fr")
    assert load_settings().phone_region == "FR"
    monkeypatch.setenv("COMPTOIR_PHONE_REGION", "")
    assert load_settings().phone_region is None


def test_an_unknown_phone_country_is_refused_with_the_setting_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COMPTOIR_PHONE_REGION", "Saint Lucia")
    with pytest.raises(ConfigurationError) as raised:
        load_settings()
    assert raised.value.setting == "COMPTOIR_PHONE_REGION"
    assert "'Saint Lucia' is not a country whose phone numbers are known" in raised.value.sentence
