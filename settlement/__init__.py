"""Contract settlement and invoicing service: the Flask application factory."""
from __future__ import annotations

import atexit
import os

from flask import Flask

from settlement import config as config_module
from settlement.db import make_engine, make_session_factory


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app: configuration from the environment, then ``overrides`` (tests)."""
    app = Flask(__name__, instance_relative_config=True)
    app.instance_path = os.environ.get("INSTANCE_PATH", app.instance_path)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(config_module.from_environment(app.instance_path))
    app.config.update(overrides or {})
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    from settlement import logs  # JSON log lines and the request id: installed before the API's hooks
    logs.install(app)

    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["settlement"] = {"engine": engine, "sessions": make_session_factory(engine)}
    # Close pooled connections before the interpreter tears down the driver's C objects (the
    # CLI never closes its pool; a connection finalised during shutdown is a crash risk).
    atexit.register(engine.dispose)

    from settlement.api import register_api
    register_api(app)

    from settlement.cli import register_cli
    register_cli(app)
    return app
