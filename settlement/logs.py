"""Structured logs: one JSON object per line, a request id per request.

Every line carries ``ts`` (Asia/Shanghai, ISO 8601 with +08:00), ``level``,
``logger`` and ``message``; a line written while a request is handled also
carries ``request_id``, ``method``, ``path`` and ``remote_addr``. The access line
(gunicorn's, through :class:`GunicornLogger`) adds ``status``, ``duration_ms``
and ``bytes``. The request id is the incoming ``X-Request-Id`` when it is a sane
token (1-128 of ``A-Z a-z 0-9 . _ : + = / -``), else a new one; it is echoed in
the ``X-Request-Id`` response header.

Never logged: request headers (the ``Authorization`` header above all) and
request bodies. As a second line of defence the formatter masks anything that
looks like a bearer token (``st_<id>_<secret>``, ``Bearer ...``).
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, g, has_request_context, request
from gunicorn import glogging

SHANGHAI = ZoneInfo("Asia/Shanghai")
REQUEST_ID_HEADER = "X-Request-Id"
_SANE_ID = re.compile(r"[A-Za-z0-9._:+=/-]{1,128}")
_TOKEN = re.compile(r"st_([0-9A-Za-z]+)_[A-Za-z0-9_\-]+")
_BEARER = re.compile(r"(?i)\b(bearer)\s+[^\s\"',;]+")
_SECRET_QUERY = re.compile(r"(?i)((?:^|&)[^=&]*(?:token|secret|password|key)[^=&]*=)[^&]*")
#: The loggers of this service; each gets one JSON handler on stderr.
SERVICE_LOGGERS = ("settlement", "invoices")

# Attributes every LogRecord has: anything else on a record came from ``extra=`` and is written out.
_STANDARD = set(vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None))) | {
    "message", "asctime", "request_id", "method", "path", "remote_addr", "taskName"}


def mask(text: str) -> str:
    """``text`` with bearer tokens masked (the public id is kept: it names the token, it is no secret)."""
    if "st_" in text:
        text = _TOKEN.sub(r"st_\1_***", text)
    if "earer" in text:
        text = _BEARER.sub(r"\1 ***", text)
    return text


def mask_query(query: str) -> str:
    """A query string with the values of parameters named like a secret removed."""
    return _SECRET_QUERY.sub(r"\1***", query) if query else query


def shanghai_iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, SHANGHAI).isoformat(timespec="milliseconds")


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON (keys in a fixed order, Chinese kept readable)."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": shanghai_iso(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": mask(record.getMessage()),
        }
        for key in ("request_id", "method", "path", "remote_addr"):
            value = getattr(record, key, None)
            if value is not None:
                out[key] = value
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_") and key not in out:
                out[key] = value
        if record.exc_info:
            out["exc"] = mask(self.formatException(record.exc_info))
        elif record.exc_text:
            out["exc"] = mask(record.exc_text)
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class _JsonHandler(logging.StreamHandler):
    """The service's handler (marked, so a second app in the same process adds no second one)."""

    _settlement = True


def _record_factory(previous):
    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        if has_request_context():
            record.request_id = g.get("request_id")
            record.method = request.method
            record.path = request.path
            record.remote_addr = request.remote_addr
        return record
    factory._settlement = True
    return factory


def configure(level: str = "INFO", stream=None) -> None:
    """JSON lines on stderr for the service's loggers, request fields on every record (idempotent)."""
    if not getattr(logging.getLogRecordFactory(), "_settlement", False):
        logging.setLogRecordFactory(_record_factory(logging.getLogRecordFactory()))
    for name in SERVICE_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(level)
        if not any(getattr(h, "_settlement", False) for h in logger.handlers):
            handler = _JsonHandler(stream or sys.stderr)
            handler.setFormatter(JsonFormatter())
            logger.addHandler(handler)


def request_id_from(header: str | None) -> str:
    """The incoming id when it is a sane token of at most 128 characters, else a new one."""
    if header and _SANE_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def install(app: Flask) -> None:
    """Called by ``create_app`` before anything else is registered: its before_request runs
    first (a 401 carries a request id too) and its after_request last."""
    configure(app.config.get("LOG_LEVEL", "INFO"))

    def start():
        g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        g.request_started = time.perf_counter()

    def finish(response):
        rid = g.get("request_id")
        if rid:
            response.headers[REQUEST_ID_HEADER] = rid
        return response

    app.before_request_funcs.setdefault(None, []).insert(0, start)
    app.after_request(finish)


class GunicornLogger(glogging.Logger):
    """gunicorn's error and access logs as JSON lines; the access line has the request's id
    (from the response's X-Request-Id), status and duration, and no request header."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if getattr(handler, "_gunicorn", False):
                    handler.setFormatter(JsonFormatter())

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        try:
            status = resp.status
            status = int(str(status).split(None, 1)[0])
            headers = resp.headers.items() if hasattr(resp.headers, "items") else resp.headers
            request_id = next((v for k, v in headers if k.lower() == "x-request-id"), None)
            method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO") or "/"
            fields = {
                "request_id": request_id,
                "method": method,
                "path": path,
                "query": mask_query(environ.get("QUERY_STRING") or "") or None,
                "status": status,
                "duration_ms": round(request_time.total_seconds() * 1000, 3),
                "remote_addr": environ.get("REMOTE_ADDR"),
                "bytes": getattr(resp, "sent", None),
                "user_agent": environ.get("HTTP_USER_AGENT"),
            }
            self.access_log.info("%s %s %s", method, path, status,
                                 extra={k: v for k, v in fields.items() if v is not None})
        except Exception:  # noqa: BLE001 - a log line must never break a response
            self.error("access log line failed", exc_info=True)
