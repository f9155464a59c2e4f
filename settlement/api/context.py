"""Per-request plumbing: the database session, the authenticated actor, today's date."""
from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app, g, request

from settlement import clock
from settlement.db import write_intent
from settlement.errors import Problem
from settlement.i18n import _
from settlement.services.actors import Actor
from settlement.services.tokens import TokenExpired, authenticate

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
    return clock.today()


def write(contract_id: int, *roles: str):
    """Begin the request's write on a contract through the one write path (services/uow.py)."""
    from settlement.services.uow import write_contract
    return write_contract(session(), actor(), contract_id, *roles, today=today())


def authenticate_request() -> None:
    """Resolve ``Authorization: Bearer <token>`` for every /api/ request (401 without a valid one)."""
    if not request.path.startswith("/api/"):
        return
    if request.method in WRITE_METHODS:
        g.write_intent = write_intent()
        g.write_intent.__enter__()
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if not header:
        raise Unauthorized(_("an Authorization: Bearer <token> header is required"),
                           headers={"WWW-Authenticate": 'Bearer realm="settlement"'})
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(_("the Authorization header must be 'Bearer <token>'"),
                           headers={"WWW-Authenticate": 'Bearer error="invalid_request"'})
    try:
        found = authenticate(session(), token.strip(), today=today())
    except TokenExpired as exc:
        raise Unauthorized(_("the token expired at the end of {day} (Asia/Shanghai), its last valid day; "
                             "ask an administrator for a new one", day=exc.expires_on.isoformat()),
                           headers={"WWW-Authenticate": 'Bearer error="invalid_token", '
                                                        'error_description="token expired"'}) from None
    if found is None:
        raise Unauthorized(_("the token is unknown, malformed or revoked"),
                           headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    g.actor = found
    from settlement.api import idempotency
    return idempotency.begin(session(), found)


def finish_request(response):
    """Commit a successful write (with its idempotency key) in one transaction; roll back anything else."""
    s = g.get("db_session")
    if s is None:
        return response
    if request.method in WRITE_METHODS and 200 <= response.status_code < 300:
        from settlement.api import idempotency
        from settlement.services.uow import Busy, commit
        try:
            idempotency.record(s, response)
            commit(s)
        except Exception as exc:  # noqa: BLE001 - a failed commit must never look like a success
            s.rollback()
            if not isinstance(exc, Busy):
                current_app.logger.exception("commit failed")
            from settlement.api.problems import handle_problem
            return handle_problem(exc if isinstance(exc, Busy) else Busy())
    else:
        s.rollback()
    return response


def close_session(exc=None) -> None:
    from settlement.api import idempotency
    idempotency.release()
    s = g.pop("db_session", None)
    if s is not None:
        s.rollback()
        s.close()
    wi = g.pop("write_intent", None)
    if wi is not None:
        wi.__exit__(None, None, None)
