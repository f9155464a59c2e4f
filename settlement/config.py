"""Configuration from the environment (Flask tutorial style).

``DATABASE_URL`` comes first; without it the service uses a SQLite file under
the Flask instance folder.
"""
from __future__ import annotations

import os


def from_environment(instance_path: str) -> dict:
    """The app's settings, read from environment variables once at start-up."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{os.path.join(instance_path, 'settlement.db')}"
    if url.startswith("postgres://"):  # Heroku-style scheme SQLAlchemy does not accept
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return {
        "DATABASE_URL": url,
        "INVOICE_FONT": os.environ.get("INVOICE_FONT"),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_BODY_BYTES", 1024 * 1024)),
        # Computed schedule/earned/settlement responses kept per process (api/cached.py); 0 = off.
        "READ_CACHE_ENTRIES": int(os.environ.get("READ_CACHE_ENTRIES", 4096)),
        "API_TITLE": "Contract settlement and invoicing",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "/docs",
        "OPENAPI_SWAGGER_UI_URL": "/docs-assets/",
    }
