"""Where the data lives and other settings read from the environment."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DB_PATH = DATA_DIR / "aims.duckdb"
DEMO_SEED_DIR = DATA_DIR / "demo"


def database_path() -> Path:
    """The database file: ``$AIMS_DB`` if set, else ``data/aims.duckdb``."""
    configured = os.environ.get("AIMS_DB", "").strip()
    return Path(configured).expanduser() if configured else DEFAULT_DB_PATH


# Settings of the running app (jobs, backups, reminders, API): sections of the same file
# Streamlit reads its secrets from, so one file configures a deployment.
SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"


class SettingsError(ValueError):
    """The settings file cannot be read; the message names the file and the problem."""


def settings_path() -> Path:
    """``$AIMS_SETTINGS`` if set, else ``.streamlit/secrets.toml``."""
    configured = os.environ.get("AIMS_SETTINGS", "").strip()
    return Path(configured).expanduser() if configured else SECRETS_FILE


def settings_section(name: str) -> dict[str, Any]:
    """One ``[name]`` section of the settings file; empty when the file or section is absent."""
    path = settings_path()
    if not path.is_file():
        return {}
    try:
        section = tomllib.loads(path.read_text(encoding="utf-8")).get(name, {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path} cannot be read: {exc}") from None
    if not isinstance(section, dict):
        raise SettingsError(f"{path}: [{name}] must be a section")
    return section
