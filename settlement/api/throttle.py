"""Failed authentication throttled per client address (issue 15), with Flask-Limiter.

Every ``/api/`` response 401 (no token, a malformed, unknown, revoked or expired one)
counts against the client's address; once ``AUTH_FAILURE_LIMIT`` failures fall in the
window (default 20 a minute, a moving window), every ``/api/`` request from that
address is answered 429 problem+json with ``Retry-After`` until the window frees a
slot -- a good token included, or a 429/200 difference would tell the guesser when a
guess was right. Successful requests are not counted.

``AUTH_FAILURE_LIMIT``: a number (failures per minute) or a Flask-Limiter limit
(``"100/hour"``, ``"20 per minute"``); ``0`` turns the throttle off. The counts are
kept in memory, per process (each gunicorn worker counts its own); the address is
``request.remote_addr`` (behind a reverse proxy, let the proxy set it, e.g. with
werkzeug's ``ProxyFix``). A test app (``TESTING``) is not throttled unless the limit
is configured.
"""
from __future__ import annotations

import functools
import math
import os
import time

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse

from settlement.errors import Problem
from settlement.i18n import _

DEFAULT_LIMIT = "20/minute"
NAMESPACE = "auth-failure"


class TooManyFailures(Problem):
    status, title, type_slug = 429, "Too Many Requests", "too-many-requests"


@functools.lru_cache(maxsize=32)
def parse_limit(value) -> RateLimitItem | None:
    """``AUTH_FAILURE_LIMIT`` → a limit, or None when off (0). ValueError for a value it cannot use."""
    if value is None:
        return parse(DEFAULT_LIMIT)
    text = str(value).strip()
    if text.isdigit():
        return None if int(text) == 0 else parse(f"{int(text)}/minute")
    try:
        item = parse(text)
    except ValueError:
        raise ValueError(f"AUTH_FAILURE_LIMIT must be a number of failures per minute (0: off) or a limit "
                         f"such as 100/hour, got {value!r}") from None
    return None if item.amount == 0 else item


def register(app: Flask) -> Limiter:
    """Install the throttle: its check runs before authentication, its count after the response."""
    if "AUTH_FAILURE_LIMIT" not in app.config:
        configured = os.environ.get("AUTH_FAILURE_LIMIT")
        if configured is None or not configured.strip():
            configured = "0" if app.testing else None
        app.config["AUTH_FAILURE_LIMIT"] = configured
    try:
        parse_limit(app.config["AUTH_FAILURE_LIMIT"])
    except ValueError as exc:
        from settlement.config import ConfigError
        raise ConfigError(str(exc)) from None
    limiter = Limiter(key_func=get_remote_address, storage_uri="memory://", strategy="moving-window",
                      default_limits=[], headers_enabled=False)
    limiter.init_app(app)
    app.extensions.setdefault("settlement", {})["auth_throttle"] = limiter
    app.before_request(refuse_throttled)
    app.after_request(count_failure)
    return limiter


def _limiter() -> Limiter:
    return current_app.extensions["settlement"]["auth_throttle"]


def _limit() -> RateLimitItem | None:
    return parse_limit(current_app.config.get("AUTH_FAILURE_LIMIT"))


def refuse_throttled():
    """before_request: an address with too many recent failures gets 429 with Retry-After."""
    item = _limit()
    if item is None or not request.path.startswith("/api/"):
        return None
    limiter, address = _limiter().limiter, get_remote_address()
    if limiter.test(item, NAMESPACE, address):
        return None
    reset_at = limiter.get_window_stats(item, NAMESPACE, address).reset_time
    wait = max(1, math.ceil(reset_at - time.time()))
    raise TooManyFailures(_("too many requests ({limit}); wait and retry", limit=f"401 × {item}"),
                          headers={"Retry-After": str(wait)})


def count_failure(response):
    """after_request: a 401 from the API counts against the client's address."""
    if response.status_code == 401 and request.path.startswith("/api/"):
        item = _limit()
        if item is not None:
            _limiter().limiter.hit(item, NAMESPACE, get_remote_address())
    return response


def reset(app: Flask) -> None:
    """Forget every count (tests; an operator after fixing a misconfigured client)."""
    app.extensions["settlement"]["auth_throttle"].reset()
