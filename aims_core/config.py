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


def settings_files() -> list[Path]:
    """``$AIMS_SETTINGS`` if set, else where Streamlit reads secrets (later files win)."""
    configured = os.environ.get("AIMS_SETTINGS", "").strip()
    if configured:
        return [Path(configured).expanduser()]
    return [Path.home() / ".streamlit" / "secrets.toml", SECRETS_FILE]


def settings_section(name: str) -> dict[str, Any]:
    """One ``[name]`` section of the settings files; empty when no file has it."""
    section: dict[str, Any] = {}
    for path in settings_files():
        if not path.is_file():
            continue
        try:
            found = tomllib.loads(path.read_text(encoding="utf-8")).get(name, {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(f"{path} cannot be read: {exc}") from None
        if not isinstance(found, dict):
            raise SettingsError(f"{path}: [{name}] must be a section")
        section = {**section, **found}
    return section
