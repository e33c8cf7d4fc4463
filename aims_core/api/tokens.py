"""API tokens: made once and shown once, kept only as a SHA-256, revoked by name.

A token is ``aims_`` followed by 43 random URL-safe characters (256 bits), so a plain
SHA-256 suffices to store it (no password hashing needed for a secret nobody chose).
Creating and revoking go through the one write path, so both are in the change history.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date

import pandas as pd

from aims_core.api.registers import SCOPES
from aims_core.auth.actor import Actor
from aims_core.auth.gate import require_admin
from aims_core.records.writes import RowChange, RowProblem, WriteResult, apply_changes
from aims_core.storage.database import Database

PREFIX = "aims_"


@dataclass(frozen=True)
class TokenHolder:
    """Who called: the token's name (the author of its writes) and what it may do."""

    name: str
    scopes: frozenset[str]

    @property
    def actor(self) -> Actor:
        """The token's writes: its name as the author, its scopes as what it may write."""
        return Actor(self.name, channel="api", scope=self.scopes)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.strip().encode("utf-8")).hexdigest()


def create_token(db: Database, actor: Actor, name: str, scopes: list[str],
                 today: date | None = None) -> tuple[str | None, WriteResult]:
    """A new token; its secret is returned once (None when the write was refused)."""
    require_admin(actor, "create API tokens")
    secret = PREFIX + secrets.token_urlsafe(32)
    result = apply_changes(db, "api_tokens", [RowChange("insert", {
        "name": name, "scopes": " ".join(dict.fromkeys(s.strip() for s in scopes if s.strip())),
        "token_hash": digest(secret), "token_hint": secret[:9], "created_by": actor.name,
        "created_on": today or date.today()}, label=f"Token {name!r}")], actor)
    return (secret if result.ok else None), result


def revoke_token(db: Database, actor: Actor, name: str,
                 today: date | None = None) -> WriteResult:
    """Revoke the active token called ``name``: every later call with it is refused."""
    require_admin(actor, "revoke API tokens")
    found = db.query_rows("SELECT id, version, revoked_on FROM api_tokens WHERE name = ?",
                          [name])
    if not found:
        return WriteResult(errors=[RowProblem(f"Token {name!r}", None, "does not exist")])
    token_id, version, revoked_on = found[0]
    if revoked_on is not None:
        return WriteResult(errors=[RowProblem(f"Token {name!r}", None,
                                              f"was already revoked on {revoked_on:%Y-%m-%d}")])
    return apply_changes(db, "api_tokens", [RowChange(
        "update", {"revoked_on": today or date.today(), "revoked_by": actor.name},
        row_id=token_id, expected_version=version, label=f"Token {name!r}")], actor)


def list_tokens(db: Database) -> pd.DataFrame:
    """Every token without its hash: name, scopes, hint, who created or revoked it and when."""
    return db.query_df("SELECT id, name, scopes, token_hint, created_by, created_on, "
                       "revoked_by, revoked_on, revoked_on IS NULL AS active "
                       "FROM api_tokens ORDER BY revoked_on IS NOT NULL, name")


def authenticate(db: Database, secret: str) -> TokenHolder | None:
    """The active token this secret belongs to, or None (unknown or revoked)."""
    if not secret.startswith(PREFIX):
        return None
    found = db.query_rows("SELECT name, scopes, token_hash FROM api_tokens "
                          "WHERE token_hash = ? AND revoked_on IS NULL", [digest(secret)])
    if not found or not secrets.compare_digest(found[0][2], digest(secret)):
        return None
    return TokenHolder(found[0][0], frozenset(found[0][1].split()) & SCOPES.keys())
