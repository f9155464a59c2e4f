"""API tokens: random secrets, stored as SHA-256, compared in constant time."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timezone

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from settlement.models import ApiToken, Party
from settlement.services.actors import Actor

ROLES = ("buyer", "vendor", "auditor", "admin")
PREFIX = "st_"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(session: Session, role: str, party_code: str | None) -> tuple[ApiToken, str]:
    """Create a token; returns the row and the only copy of the plain token."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    party = None
    if party_code:
        party = session.scalar(select(Party).where(Party.code == party_code))
        if party is None:
            raise ValueError(f"no party with code {party_code!r}")
    elif role != "admin":
        raise ValueError(f"a {role} token needs --party")
    public_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    row = ApiToken(public_id=public_id, secret_hash=_digest(secret), party=party, role=role,
                   created_at=datetime.now(timezone.utc))
    session.add(row)
    session.flush()
    return row, f"{PREFIX}{public_id}_{secret}"


# One row, no ORM objects, built once: this runs on every request.
_TOKEN_ROW = (select(ApiToken.public_id, ApiToken.secret_hash, ApiToken.role, ApiToken.party_id,
                     ApiToken.revoked_at, Party.code.label("party_code"))
              .outerjoin(Party, Party.id == ApiToken.party_id)
              .where(ApiToken.public_id == bindparam("public_id")))


def authenticate(session: Session, presented: str) -> Actor | None:
    """The actor behind a presented token, or None (unknown, malformed or revoked)."""
    if not presented.startswith(PREFIX) or presented.count("_") < 2:
        return None
    public_id, _, secret = presented[len(PREFIX):].partition("_")
    row = session.execute(_TOKEN_ROW, {"public_id": public_id}).first()
    candidate = row.secret_hash if row is not None else _digest("")
    ok = hmac.compare_digest(candidate, _digest(secret))
    if row is None or not ok or row.revoked_at is not None:
        return None
    return Actor(role=row.role, party_id=row.party_id, party_code=row.party_code, token_id=row.public_id)


def revoke(session: Session, public_id: str) -> bool:
    row = session.scalar(select(ApiToken).where(ApiToken.public_id == public_id))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = datetime.now(timezone.utc)
    return True
