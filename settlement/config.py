"""Configuration from the environment (Flask tutorial style).

``DATABASE_URL`` comes first; without it the service uses a SQLite file under
the Flask instance folder. Every variable read here is listed in the README's
"Operations" section; a malformed value stops start-up with one line naming it
(:class:`ConfigError`), never a traceback.
"""
from __future__ import annotations

import os
from collections.abc import Mapping

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(ValueError):
    """An environment variable with a value the service cannot use (exit code 2 in the CLI)."""


def _int(environ: Mapping[str, str], name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise ConfigError(f"{name} must be {bounds}, got {value}")
    return value


def log_level(environ: Mapping[str, str] = os.environ) -> str:
    level = (environ.get("LOG_LEVEL") or "INFO").strip().upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {environ.get('LOG_LEVEL')!r}")
    return level


def database_url(instance_path: str, environ: Mapping[str, str] = os.environ) -> str:
    url = environ.get("DATABASE_URL") or f"sqlite:///{os.path.join(instance_path, 'settlement.db')}"
    if url.startswith("postgres://"):  # Heroku-style scheme SQLAlchemy does not accept
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def from_environment(instance_path: str, environ: Mapping[str, str] = os.environ) -> dict:
    """The app's settings, read from environment variables once at start-up."""
    return {
        "DATABASE_URL": database_url(instance_path, environ),
        "INVOICE_FONT": environ.get("INVOICE_FONT"),
        "MAX_CONTENT_LENGTH": _int(environ, "MAX_BODY_BYTES", 1024 * 1024, minimum=1),
        # The tax platform's invoice file (XML/PDF/OFD) attached to an invoice, at most this size.
        "INVOICE_FILE_MAX_BYTES": _int(environ, "INVOICE_FILE_MAX_BYTES", 1024 * 1024, minimum=1),
        # Computed schedule/earned/settlement responses kept per process (api/cached.py); 0 = off.
        "READ_CACHE_ENTRIES": _int(environ, "READ_CACHE_ENTRIES", 4096),
        "LOG_LEVEL": log_level(environ),
        # The deployed commit, shown by GET /api/v1/version (the Docker build sets it).
        "GIT_COMMIT": (environ.get("GIT_COMMIT") or "").strip() or None,
        "API_TITLE": "Contract settlement and invoicing",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "/docs",
        "OPENAPI_SWAGGER_UI_URL": "/docs-assets/",
    }


def serve_settings(environ: Mapping[str, str] = os.environ) -> dict:
    """``settlement serve`` / ``deploy/gunicorn.conf.py``: where and how gunicorn listens.

    HOST (default 0.0.0.0: every interface, as in a container), PORT (8000),
    WORKERS (2 processes), WORKER_TIMEOUT (120 s: a reconciliation or PDF over
    the API may take a while), LOG_LEVEL. Anything else gunicorn knows can be
    given in ``GUNICORN_CMD_ARGS`` (e.g. ``--threads 4``).
    """
    host = (environ.get("HOST") or "0.0.0.0").strip()
    if any(c.isspace() for c in host) or not host:
        raise ConfigError(f"HOST must be a host name or address, got {environ.get('HOST')!r}")
    port = _int(environ, "PORT", 8000, minimum=1, maximum=65535)
    bind = f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"
    return {
        "bind": [bind],
        "workers": _int(environ, "WORKERS", 2, minimum=1, maximum=64),
        "timeout": _int(environ, "WORKER_TIMEOUT", 120, minimum=1),
        "graceful_timeout": 30,
        "loglevel": log_level(environ).lower(),
        "logger_class": "settlement.logs.GunicornLogger",
        "accesslog": "-",
        "errorlog": "-",
        "proc_name": "settlement",
        # gunicorn >= 25 opens a control socket under $HOME by default: two servers on one
        # machine would share it, and a system user may have no home (ignored by older gunicorn)
        "control_socket_disable": True,
    }
