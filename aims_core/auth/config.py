"""How people sign in, read from ``.streamlit/secrets.toml`` (see the README, "Team mode").

Personal mode: no sign-in section at all. Team mode: ``[auth]`` (OIDC through Streamlit's
``st.login``: Entra ID, Google, Okta, Keycloak …) and/or ``[aims] local_accounts = true``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from aims_core.auth.sessions import DEFAULT_IDLE, DEFAULT_LIFETIME


class ConfigError(ValueError):
    """A sign-in setting that cannot work; the message says which and why."""


@dataclass(frozen=True)
class SignInConfig:
    oidc_providers: tuple[str | None, ...] = ()  # None: the one provider set in [auth] itself
    local_accounts: bool = False
    lifetime: timedelta = DEFAULT_LIFETIME
    idle: timedelta = DEFAULT_IDLE

    @property
    def team(self) -> bool:
        """Sign-in is configured: every page needs it."""
        return bool(self.oidc_providers) or self.local_accounts


def _number(section: Mapping[str, Any], key: str, default: float) -> float:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"[aims] {key} must be a positive number, got {value!r}")
    return float(value)


def from_secrets(secrets: Mapping[str, Any]) -> SignInConfig:
    """The sign-in configuration from the secrets' ``[auth]`` and ``[aims]`` sections."""
    auth = secrets.get("auth") or {}
    aims = secrets.get("aims") or {}
    providers: list[str | None] = [name for name, value in auth.items()
                                   if isinstance(value, Mapping)]
    if "client_id" in auth or "server_metadata_url" in auth:
        providers.insert(0, None)
    if auth and not providers:
        raise ConfigError("[auth] has no identity provider: set client_id, client_secret and "
                          "server_metadata_url (or one [auth.<name>] section per provider)")
    local = aims.get("local_accounts", False)
    if not isinstance(local, bool):
        raise ConfigError(f"[aims] local_accounts must be true or false, got {local!r}")
    return SignInConfig(
        oidc_providers=tuple(providers), local_accounts=local,
        lifetime=timedelta(hours=_number(aims, "session_hours",
                                         DEFAULT_LIFETIME.total_seconds() / 3600)),
        idle=timedelta(minutes=_number(aims, "idle_minutes", DEFAULT_IDLE.total_seconds() / 60)))


def secrets_files(project: Path) -> list[Path]:
    """Where Streamlit reads secrets from, later files overriding earlier ones."""
    return [Path.home() / ".streamlit" / "secrets.toml", project / ".streamlit" / "secrets.toml"]


def read_secrets(project: Path) -> dict[str, Any]:
    """The merged secrets files (for the command line; the app reads ``st.secrets``)."""
    merged: dict[str, Any] = {}
    for path in secrets_files(project):
        if path.is_file():
            try:
                merged.update(tomllib.loads(path.read_text(encoding="utf-8")))
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    return merged
