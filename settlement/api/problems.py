"""RFC 9457 ``application/problem+json`` for every error the API returns."""
from __future__ import annotations

import http
import json
import logging

import marshmallow as ma
from flask import Response, current_app
from apispec import BasePlugin
from flask_smorest import Api
from werkzeug.exceptions import HTTPException, InternalServerError

from settlement.errors import Problem

PROBLEM_BASE = "https://settlement.example/problems/"
log = logging.getLogger(__name__)

TYPE_BY_STATUS = {
    400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
    405: "method-not-allowed", 409: "conflict", 413: "payload-too-large",
    415: "unsupported-media-type", 422: "validation-error", 429: "too-many-requests",
    503: "unavailable",
}


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details (documentation only); some problems add figures (e.g. paid_total)."""

    class Meta:
        unknown = ma.INCLUDE

    type = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String(required=True)
    errors = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()),
                            metadata={"description": "messages per field path, e.g. tranches.0.amount"})


def flatten_errors(messages, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow/webargs nested messages -> {"tranches.0.amount": ["..."]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key in ("json", "query", "form", "headers", "files", "view_args") and not prefix:
                flat.update(flatten_errors(value, ""))
                continue
            path = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                path = prefix or "body"
            flat.update(flatten_errors(value, path))
    elif isinstance(messages, (list, tuple)):
        if all(isinstance(m, str) for m in messages):
            flat.setdefault(prefix or "body", []).extend(messages)
        else:
            for m in messages:
                for k, v in flatten_errors(m, prefix).items():
                    flat.setdefault(k, []).extend(v)
    else:
        flat.setdefault(prefix or "body", []).append(str(messages))
    return flat


def problem_response(status: int, title: str, detail: str, errors=None, type_slug=None,
                     headers=None, extra=None) -> Response:
    body = {
        "type": PROBLEM_BASE + (type_slug or TYPE_BY_STATUS.get(status, "error")),
        "title": title,
        "status": status,
        "detail": detail,
        "errors": errors or {},
    }
    if extra:
        body.update(extra)
    resp = Response(json.dumps(body, ensure_ascii=False), status=status,
                    mimetype="application/problem+json")
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def handle_problem(exc: Problem) -> Response:
    return problem_response(exc.status, exc.title, exc.detail, exc.errors, exc.type_slug,
                            exc.headers, exc.extra)


PROBLEM_TYPE = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


class ProblemDocPlugin(BasePlugin):
    """Documents what every operation may answer: problem+json errors, 401, and the
    Idempotency-Key header and 400/413 on writes."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for method, op in (operations or {}).items():
            responses = op.setdefault("responses", {})
            for code, resp in list(responses.items()):
                if isinstance(resp, dict) and str(code)[0] in "45" and "content" not in resp and "schema" not in resp:
                    resp["content"] = {PROBLEM_TYPE: {"schema": PROBLEM_REF}}
            responses.setdefault("401", "UNAUTHORIZED")
            if method in ("post", "patch"):
                responses.setdefault("400", "BAD_REQUEST")
                responses.setdefault("413", "REQUEST_ENTITY_TOO_LARGE")
            if method == "post":
                op.setdefault("parameters", []).append({
                    "in": "header", "name": "Idempotency-Key", "required": False,
                    "description": "1-255 characters; required for the vendor role. Same key + same request "
                                   "replays the first response; another request with the key → 422.",
                    "schema": {"type": "string", "minLength": 1, "maxLength": 255}})


class ProblemApi(Api):
    """flask-smorest's Api with every error rendered as problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def __init__(self, app=None, *, spec_kwargs=None):
        spec_kwargs = dict(spec_kwargs or {})
        spec_kwargs.setdefault("extra_plugins", [ProblemDocPlugin()])
        super().__init__(app, spec_kwargs=spec_kwargs)

    def _register_responses(self):
        """The shared error responses (one per status, and the default), as problem+json."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["content"] = {PROBLEM_TYPE: {"schema": self.ERROR_SCHEMA}}
            self.spec.components.response(status.name, response, lazy=True)
        self.spec.components.response("DEFAULT_ERROR", {
            "description": "Default error response",
            "content": {PROBLEM_TYPE: {"schema": self.ERROR_SCHEMA}}}, lazy=True)

    def _register_error_handlers(self):
        super()._register_error_handlers()
        self._app.register_error_handler(Problem, handle_problem)
        self._app.register_error_handler(Exception, self.handle_unexpected)

    def handle_http_exception(self, error: HTTPException):
        data = getattr(error, "data", None) or {}
        errors = {}
        if "errors" in data:
            errors = flatten_errors(data["errors"])
        elif "messages" in data:
            errors = flatten_errors(data["messages"])
        status = error.code or 500
        detail = data.get("message") or error.description or error.name
        if status == 422 and errors:
            detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in list(errors.items())[:5])
        if status == 400 and ("JSON" in str(detail) or "JSON" in str(errors)):
            detail, errors = "the request body is not valid JSON", {"body": ["not valid JSON"]}
        if status >= 500:
            log.error("server error: %s", error)
            detail = "an unexpected error occurred; it has been logged"
        return problem_response(status, error.name, detail, errors, headers=data.get("headers"))

    def handle_unexpected(self, error: Exception):
        if isinstance(error, HTTPException):
            return self.handle_http_exception(error)
        current_app.logger.exception("unhandled error")
        return self.handle_http_exception(InternalServerError())
