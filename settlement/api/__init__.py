"""The HTTP layer: flask-smorest blueprints under /api/v1, problem+json errors."""
from __future__ import annotations

import os
from importlib.metadata import entry_points

from flask import Flask

from settlement.api import context, problem_pages
from settlement.api import limits, throttle
from settlement.api import problems
from settlement.api.problems import ProblemApi

API_PREFIX = "/api/v1"


def register_api(app: Flask) -> None:
    # PUBLIC_URL (e.g. https://settlement.example.gov.cn): where clients reach the service; it is the
    # OpenAPI server and the base of problem type URIs. Unset: "/" in the document, and the served
    # /openapi.json and problem types use the request's own host URL.
    app.config.setdefault("PUBLIC_URL", os.environ.get("PUBLIC_URL") or None)
    app.config.setdefault("API_SPEC_OPTIONS", {
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                      "description": "a token from the administrator (`settlement tokens create`)"}}},
        "security": [{"bearer": []}],
        "servers": [{"url": (app.config["PUBLIC_URL"] or "/").rstrip("/") or "/"}],
        "info": {"description": "Runs a government service contract's money from signature to "
                                "audited final settlement. All amounts are strings in yuan with two "
                                "decimals; dates are Asia/Shanghai business dates (YYYY-MM-DD). Errors are "
                                "RFC 9457 problem+json in Chinese (`Accept-Language: en` for English); "
                                "every `type` is a page that explains it. Send `Idempotency-Key` on POSTs."},
    })
    api = ProblemApi(app)
    throttle.register(app)  # too many failed authentications from an address: 429, before anything else
    app.before_request(problems.refuse_non_json_body)  # 415 before anything reads the body
    app.before_request(limits.refuse_deep_json)  # JSON nested deeper than 64: 400 before anything parses it
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
    problem_pages.register(app)  # GET /problems/<slug>: what each problem type means (no token)
    app.extensions["settlement"]["api"] = api
