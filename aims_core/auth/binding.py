"""Which network address the app may serve on: safe by default.

Without sign-in the app serves only this computer (127.0.0.1). Serving on any other address
needs team mode (sign-in) or an explicit override, and with the override the app shows a
permanent warning.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass

OVERRIDE_ENV = "AIMS_ALLOW_NETWORK_WITHOUT_SIGN_IN"
LOCAL_ADDRESS = "127.0.0.1"


def is_local(address: str | None) -> bool:
    """Loopback only. An empty address means every interface, as Streamlit reads it."""
    text = (address or "").strip().strip("[]")
    if text == "localhost":
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def override_given(environ: dict[str, str] | None = None) -> bool:
    value = (environ if environ is not None else os.environ).get(OVERRIDE_ENV, "")
    return value.strip().lower() in {"1", "yes", "true"}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    message: str | None = None  # why it is refused, or the warning to show while allowed

    @property
    def warning(self) -> str | None:
        return self.message if self.allowed else None


def decide(address: str | None, team: bool, override: bool) -> Decision:
    shown = address or "every network interface"
    if is_local(address) or team:
        return Decision(True)
    if override:
        return Decision(True, f"This app is reachable from the network ({shown}) without "
                              "sign-in: anyone who reaches it can change every register under "
                              "any name. Configure sign-in (README, Team mode).")
    return Decision(False, f"Refusing to serve on {shown} without sign-in: configure sign-in "
                           f"in .streamlit/secrets.toml (README, Team mode), serve on "
                           f"{LOCAL_ADDRESS}, or set {OVERRIDE_ENV}=1 to accept the risk.")
