"""Per-request plumbing: the database session, the authenticated actor, today's date."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, g, request

from settlement.db import write_intent
from settlement.errors import Problem
from settlement.services.actors import Actor
from settlement.services.tokens import authenticate

SHANGHAI = ZoneInfo("Asia/Shanghai")
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class Unauthorized(Problem):
    status, title, type_slug = 401, "Unauthorized", "unauthorized"


def session():
    """The request's SQLAlchemy session, opened on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["settlement"]["sessions"]()
    return g.db_session


def actor() -> Actor:
    return g.actor


def today() -> date:
    """Today's business date in Asia/Shanghai: the default ``as_of`` at the HTTP edge only."""
    return datetime.now(SHANGHAI).date()


def authenticate_request() -> None:
    """Resolve ``Authorization: Bearer <token>`` for every /api/ request (401 without a valid one)."""
    if not request.path.startswith("/api/"):
        return
    if request.method in WRITE_METHODS:
        g.write_intent = write_intent()
        g.write_intent.__enter__()
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise Unauthorized("an Authorization: Bearer <token> header is required",
                           headers={"WWW-Authenticate": 'Bearer realm="settlement"'})
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("the Authorization header must be 'Bearer <token>'",
                           headers={"WWW-Authenticate": 'Bearer error="invalid_request"'})
    found = authenticate(session(), token.strip())
    if found is None:
        raise Unauthorized("the token is unknown, malformed or revoked",
                           headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    g.actor = found


def close_session(exc=None) -> None:
    s = g.pop("db_session", None)
    if s is not None:
        s.rollback()
        s.close()
    wi = g.pop("write_intent", None)
    if wi is not None:
        wi.__exit__(None, None, None)
