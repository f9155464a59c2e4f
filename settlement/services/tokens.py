"""API tokens: random secrets, stored as SHA-256, compared in constant time.

A token belongs to a person or a system (``holder``, e.g. "张会计"), a party and
a role, and may carry an expiry: ``expires_on`` is the last Asia/Shanghai
calendar day on which it is accepted (``--expires 2027-06-30`` works through
that day; ``--days 90`` through today + 90 days). From the next day it is
refused with a 401 that says when it expired.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from settlement import clock
from settlement.models import ApiToken, Party
from settlement.services import journal
from settlement.services.actors import Actor

ROLES = ("buyer", "vendor", "auditor", "admin")
PREFIX = "st_"
UNKNOWN_HOLDER = "(unknown)"
HOLDER_MAX = 100
# Who creates and revokes tokens when no actor is named: the operator at the CLI.
OPERATOR = Actor(role="admin", party_code=None, token_id="cli")


class TokenExpired(Exception):
    """The presented token is genuine and not revoked, but its last day has passed."""

    def __init__(self, public_id: str, expires_on: date):
        super().__init__(f"token {public_id} expired after {expires_on.isoformat()}")
        self.public_id = public_id
        self.expires_on = expires_on


def shanghai_today() -> date:
    """Today in Asia/Shanghai (settlement.clock: the one place that reads the date)."""
    return clock.today()


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def clean_holder(holder: str) -> str:
    """The holder's name trimmed; 1-100 printable characters."""
    name = " ".join((holder or "").split())
    if not name:
        raise ValueError("the holder (who uses the token) must not be empty")
    if len(name) > HOLDER_MAX:
        raise ValueError(f"the holder must be at most {HOLDER_MAX} characters")
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise ValueError("the holder must not contain control characters")
    return name


def create_token(session: Session, role: str, party_code: str | None, *, holder: str = UNKNOWN_HOLDER,
                 expires_on: date | None = None, today: date | None = None,
                 actor: Actor | None = None) -> tuple[ApiToken, str]:
    """Create a token; returns the row and the only copy of the plain token.

    ``expires_on``: the last day it is accepted (None: no expiry); it may not be before ``today``.
    Journaled as ``token.created`` (:func:`journal_payload`: never the secret or its hash)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    holder = clean_holder(holder)
    if expires_on is not None and expires_on < (today or shanghai_today()):
        raise ValueError(f"the expiry date {expires_on.isoformat()} is already past")
    party = None
    if party_code:
        party = session.scalar(select(Party).where(Party.code == party_code))
        if party is None:
            raise ValueError(f"no party with code {party_code!r}")
    elif role != "admin":
        raise ValueError(f"a {role} token needs --party")
    public_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    row = ApiToken(public_id=public_id, secret_hash=_digest(secret), party=party, role=role, holder=holder,
                   expires_on=expires_on, created_at=datetime.now(timezone.utc))
    session.add(row)
    session.flush()
    journal.append(session, actor or OPERATOR, "token.created", "token", public_id,
                   {"after": journal_payload(row)})
    return row, f"{PREFIX}{public_id}_{secret}"


def token_payload(public_id: str, holder: str, party_code: str | None, role: str, expires_on: date | None,
                  revoked: bool, secret_hash: str) -> dict:
    """A token as the journal records it (and ``journal verify`` rebuilds it from the table)."""
    return {"public_id": public_id, "holder": holder, "party": party_code, "role": role,
            "expires_on": expires_on.isoformat() if expires_on is not None else None, "revoked": bool(revoked),
            "secret_hash_sha256": hashlib.sha256(secret_hash.encode("utf-8")).hexdigest()}


def journal_payload(row: ApiToken) -> dict:
    """What the journal keeps of a token (issue 15): public id, holder, party, role, expiry, revoked,
    and the SHA-256 of the stored secret hash -- enough for ``journal verify`` to catch a token made
    admin, moved to another party, un-revoked or given another secret, nothing that authenticates."""
    return token_payload(row.public_id, row.holder, row.party.code if row.party is not None else None, row.role,
                         row.expires_on, row.revoked_at is not None, row.secret_hash)


# One row, no ORM objects, built once: this runs on every request.
_TOKEN_ROW = (select(ApiToken.public_id, ApiToken.secret_hash, ApiToken.role, ApiToken.party_id,
                     ApiToken.revoked_at, ApiToken.expires_on, Party.code.label("party_code"))
              .outerjoin(Party, Party.id == ApiToken.party_id)
              .where(ApiToken.public_id == bindparam("public_id")))


def authenticate(session: Session, presented: str, *, today: date | None = None) -> Actor | None:
    """The actor behind a presented token, or None (unknown, malformed or revoked).

    Raises :class:`TokenExpired` for a genuine, unrevoked token whose last day is
    before ``today`` (Asia/Shanghai; default: now). One query."""
    if not presented.startswith(PREFIX) or presented.count("_") < 2:
        return None
    public_id, _, secret = presented[len(PREFIX):].partition("_")
    row = session.execute(_TOKEN_ROW, {"public_id": public_id}).first()
    candidate = row.secret_hash if row is not None else _digest("")
    ok = hmac.compare_digest(candidate, _digest(secret))
    if row is None or not ok or row.revoked_at is not None:
        return None
    if row.expires_on is not None and row.expires_on < (today or shanghai_today()):
        raise TokenExpired(row.public_id, row.expires_on)
    return Actor(role=row.role, party_id=row.party_id, party_code=row.party_code, token_id=row.public_id)


def revoke(session: Session, public_id: str, *, actor: Actor | None = None) -> bool:
    """Revoke a token (journaled as ``token.revoked``); False when there is no active one."""
    row = session.scalar(select(ApiToken).where(ApiToken.public_id == public_id))
    if row is None or row.revoked_at is not None:
        return False
    before = journal_payload(row)
    row.revoked_at = datetime.now(timezone.utc)
    session.flush()
    journal.append(session, actor or OPERATOR, "token.revoked", "token", public_id,
                   {"before": before, "after": journal_payload(row)})
    return True


@dataclass(frozen=True)
class TokenInfo:
    """What ``flask tokens list`` shows: never the secret or its hash."""

    public_id: str
    holder: str
    party_code: str | None
    role: str
    created_at: datetime
    expires_on: date | None
    revoked_at: datetime | None

    def status(self, today: date) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_on is not None and self.expires_on < today:
            return "expired"
        return "active"


def list_tokens(session: Session) -> list[TokenInfo]:
    """Every token, oldest first."""
    rows = session.execute(
        select(ApiToken.public_id, ApiToken.holder, Party.code, ApiToken.role, ApiToken.created_at,
               ApiToken.expires_on, ApiToken.revoked_at)
        .outerjoin(Party, Party.id == ApiToken.party_id)
        .order_by(ApiToken.id)).all()
    return [TokenInfo(*r) for r in rows]
