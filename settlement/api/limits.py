"""Limits on request bodies that must hold before anything parses them (issue 15).

JSON nested deeper than :data:`MAX_JSON_DEPTH` is refused with a 400 problem: Python's
JSON decoder recurses once per level, so a body of 1,000 ``[`` ended in a
RecursionError (a 500) before. The check is a scan of the raw body (bounded by
``MAX_CONTENT_LENGTH``): strings are skipped, brackets counted, and the scan stops
at the first level too deep.
"""
from __future__ import annotations

import re

from flask import current_app, request

from settlement.errors import Problem
from settlement.i18n import _

MAX_JSON_DEPTH = 64
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# A JSON string (escapes included) as bytes; the unrolled form runs in linear time.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_OPEN = frozenset(b"[{")


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text ``body`` nests arrays and objects more than ``limit`` deep."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for c in _STRING.sub(b"", body).translate(None, _NOT_BRACKETS):
        if c in _OPEN:
            depth += 1
            if depth > limit:
                return True
        elif depth:
            depth -= 1
    return False


def refuse_deep_json():
    """before_request: a JSON body nested deeper than ``MAX_JSON_DEPTH`` (config; default 64) is
    a 400 problem, before the body is parsed by anyone (the idempotency hash, the view)."""
    if request.method not in BODY_METHODS or not request.path.startswith("/api/") or not request.is_json:
        return None
    limit = current_app.config.get("MAX_JSON_DEPTH", MAX_JSON_DEPTH)
    if json_depth_exceeds(request.get_data(cache=True), limit):
        message = _("the JSON body is nested deeper than {limit} levels", limit=limit)
        raise Problem(message, errors={"body": [message]}, status=400, type_slug="bad-request")
    return None
