"""``Idempotency-Key`` on every POST (issue 5).

Same key + same method, path and body → the first response replayed exactly,
with ``Idempotent-Replayed: true``; same key + another body → 422; a retry
while the first is still running → 409 with ``Retry-After``. The key is stored
in the same transaction as the write it guards, and only for a successful
(2xx) response: validation failures and refusals are not stored. Keys are
scoped per party and role (per token for the party-less admin): another role
of the same party never gets a stored response replayed (issue 15). The body
counts by its meaning: a JSON body is hashed in canonical form (keys sorted,
no insignificant whitespace), so the same object with its keys in another
order or spaced differently is the same request.

In-flight detection: a per-process set, plus on PostgreSQL a transaction-scoped
advisory lock on the key (so two workers or machines see each other).
"""
from __future__ import annotations

import hashlib
import json
import threading
from datetime import datetime, timezone

from flask import Response, g, request
from sqlalchemy import select, text

from settlement.db import is_postgres
from settlement.errors import Conflict, Invalid, Problem
from settlement.models import IdempotencyKey

HEADER = "Idempotency-Key"
_in_flight: set[tuple[str, str]] = set()
_lock = threading.Lock()


class MissingKey(Problem):
    status, title, type_slug = 400, "Bad request", "idempotency-key-required"


def _scope(actor) -> str:
    """Whose keys: a party's in one role (``desheng:buyer``), or one admin token's (``admin:<id>``)."""
    return f"{actor.party_code}:{actor.role}" if actor.party_code else f"{actor.role}:{actor.token_id}"


def canonical_body(raw: bytes, is_json: bool) -> bytes:
    """The body as it is hashed: a JSON body in canonical form (sorted keys, no insignificant
    whitespace, the values as the view will read them); anything else byte for byte."""
    if not is_json or not raw:
        return raw
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):   # the view refuses it; hash what was sent
        return raw
    # ASCII escapes: "中" and "\u4e2d" are the same text, and a lone surrogate still encodes
    return json.dumps(value, sort_keys=True, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def _hash() -> str:
    h = hashlib.sha256()
    h.update(request.method.encode())
    h.update(b"\0" + request.path.encode() + b"\0")
    h.update(canonical_body(request.get_data(cache=True), request.is_json))
    return h.hexdigest()


def begin(session, actor) -> Response | None:
    """Before a POST runs: replay, refuse, or register the key. Returns a response to send instead, or None."""
    if request.method != "POST":
        return None
    key = request.headers.get(HEADER)
    if key is None:
        if actor.role == "vendor":
            raise MissingKey("the vendor role must send an Idempotency-Key header on every POST",
                             errors={HEADER: ["required for the vendor role"]})
        return None
    if not 1 <= len(key) <= 255 or not key.isprintable():
        raise Invalid("Idempotency-Key must be 1-255 printable characters", errors={HEADER: ["1-255 characters"]})
    scope, digest = _scope(actor), _hash()
    busy = Conflict("a request with this Idempotency-Key is still being processed; retry later",
                    headers={"Retry-After": "1"}, type_slug="idempotency-in-flight")
    with _lock:
        if (scope, key) in _in_flight:
            raise busy
        _in_flight.add((scope, key))
    g.idempotency_key = (scope, key)
    if is_postgres(session):
        got = session.execute(text("SELECT pg_try_advisory_xact_lock(hashtextextended(:k, 0))"),
                              {"k": f"{scope}\x1f{key}"}).scalar()
        if not got:
            raise busy
    stored = session.scalar(select(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key))
    if stored is None:
        g.idempotency = (scope, key, digest)
        return None
    if stored.request_hash != digest:
        raise Invalid("this Idempotency-Key was used with a different request (method, path or body)",
                      errors={HEADER: ["already used with a different request"]}, type_slug="idempotency-mismatch")
    resp = Response(stored.body, status=stored.status, content_type=stored.content_type)
    resp.headers["Idempotent-Replayed"] = "true"
    return resp


def record(session, response: Response) -> None:
    """After a successful POST, before commit: store the response under its key."""
    entry = g.get("idempotency")
    if not entry or not 200 <= response.status_code < 300:
        return
    scope, key, digest = entry
    session.add(IdempotencyKey(scope=scope, key=key, request_hash=digest, status=response.status_code,
                               content_type=response.content_type, body=response.get_data(as_text=True),
                               created_at=datetime.now(timezone.utc)))
    session.flush()


def release() -> None:
    """At teardown: the key is no longer in flight in this process."""
    g.pop("idempotency", None)
    registered = g.pop("idempotency_key", None)
    if registered:
        with _lock:
            _in_flight.discard(registered)


