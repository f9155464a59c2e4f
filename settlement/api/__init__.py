"""The HTTP layer: flask-smorest blueprints under /api/v1, problem+json errors."""
from __future__ import annotations

from importlib.metadata import entry_points

from flask import Flask

from settlement.api import context
from settlement.api.problems import ProblemApi

API_PREFIX = "/api/v1"


def register_api(app: Flask) -> None:
    app.config.setdefault("API_SPEC_OPTIONS", {
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "info": {"description": "Runs a government service contract's money from signature to "
                                "audited final settlement. All amounts are strings in yuan with two "
                                "decimals; dates are Asia/Shanghai business dates."},
    })
    api = ProblemApi(app)
    app.before_request(context.authenticate_request)
    app.teardown_request(context.close_session)

    app.after_request(context.finish_request)

    @app.after_request
    def _headers(resp):
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        if context.request.path.startswith("/api/"):
            resp.headers["Cache-Control"] = "no-store"
        return resp

    from settlement.api import contracts, parties, settlement
    api.register_blueprint(parties.blp, url_prefix=API_PREFIX + "/parties")
    api.register_blueprint(contracts.blp, url_prefix=API_PREFIX + "/contracts")
    api.register_blueprint(settlement.blp, url_prefix=API_PREFIX + "/contracts")

    # Packages built on settlement (invoices) add their blueprints through the
    # `settlement.extensions` entry point: settlement never imports them.
    for ext in sorted(entry_points(group="settlement.extensions"), key=lambda e: e.name):
        ext.load()(api, API_PREFIX)

    from settlement.api import docs, feed, health, reports
    health.register(api)  # /healthz, /readyz (no token) and /api/v1/version
    api.register_blueprint(feed.blp, url_prefix=API_PREFIX)
    api.register_blueprint(reports.blp, url_prefix=API_PREFIX)
    docs.register(app)
    app.extensions["settlement"]["api"] = api
