"""RFC 9457 ``application/problem+json`` for every error the API returns.

* ``type`` is ``<PUBLIC_URL or the request's host URL>/problems/<slug>``: an
  absolute URI a person can open (``GET /problems/<slug>``, no token needed;
  ``settlement.api.problem_pages``). The slug is the stable, machine part.
* ``title`` is the HTTP status's, one style per language: Chinese (请求无效,
  未认证, 无权操作, 未找到, 冲突, 无法处理的内容…) by default, the RFC 9110
  reason phrase ("Unprocessable Content") for ``Accept-Language: en``.
* ``detail`` and every message in ``errors`` are in the request's language
  (``settlement.api.locale``): a :class:`settlement.i18n.Text` is rendered; a
  plain ``str`` is shown as it is; marshmallow's own messages ("Missing data for
  required field.", "Not a valid integer."…) are translated here. A message
  about a field names it: ``{field}`` is filled in with the field's label
  (``付款日期`` in Chinese, the path ``paid_on`` in English).
* Field paths in ``errors`` (``tranches.0.amount``), ``type``, ``status`` and
  any figures in extra members stay English and stable.
"""
from __future__ import annotations

import functools
import json
import logging
import re

import marshmallow as ma
from apispec import BasePlugin
from flask import Response, current_app, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed, UnsupportedMediaType

from settlement.api.locale import content_language, request_locale
from settlement.errors import Problem
from settlement.i18n import Text, _

log = logging.getLogger(__name__)

PROBLEMS_PATH = "/problems/"

# One slug per status for problems that have no more specific type.
TYPE_BY_STATUS = {
    400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
    405: "method-not-allowed", 406: "not-acceptable", 409: "conflict", 413: "payload-too-large",
    415: "unsupported-media-type", 422: "validation-error", 429: "too-many-requests",
    500: "server-error", 503: "unavailable",
}

# The title of every problem is its status's: English RFC 9110 reason phrases, Chinese in messages.po.
TITLES = {
    400: _("Bad Request"), 401: _("Unauthorized"), 403: _("Forbidden"), 404: _("Not Found"),
    405: _("Method Not Allowed"), 406: _("Not Acceptable"), 408: _("Request Timeout"),
    409: _("Conflict"), 410: _("Gone"), 411: _("Length Required"), 412: _("Precondition Failed"),
    413: _("Content Too Large"), 414: _("URI Too Long"), 415: _("Unsupported Media Type"),
    416: _("Range Not Satisfiable"), 422: _("Unprocessable Content"), 428: _("Precondition Required"),
    429: _("Too Many Requests"), 431: _("Request Header Fields Too Large"),
    500: _("Internal Server Error"), 501: _("Not Implemented"), 502: _("Bad Gateway"),
    503: _("Service Unavailable"), 504: _("Gateway Timeout"),
}


def title_for(status: int) -> Text:
    return TITLES.get(status) or (_("Client Error") if status < 500 else _("Server Error"))


# -- marshmallow's own messages, translated ---------------------------------------------------

# Exact messages → the same English, a Chinese translation that names the field.
_MA_FIXED = {
    "Missing data for required field.": _("Missing data for required field."),
    "Field may not be null.": _("Field may not be null."),
    "Invalid value.": _("Invalid value."),
    "Invalid input.": _("Invalid input."),
    "Invalid type.": _("Invalid type."),
    "Invalid input type.": _("Invalid input type."),
    "Unknown field.": _("Unknown field."),
    "Not a valid string.": _("Not a valid string."),
    "Not a valid utf-8 string.": _("Not a valid utf-8 string."),
    "Not a valid integer.": _("Not a valid integer."),
    "Not a valid number.": _("Not a valid number."),
    "Number too large.": _("Number too large."),
    "Special numeric values (nan or infinity) are not permitted.":
        _("Special numeric values (nan or infinity) are not permitted."),
    "Not a valid boolean.": _("Not a valid boolean."),
    "Not a valid date.": _("Not a valid date."),
    "Not a valid datetime.": _("Not a valid datetime."),
    "Not a valid list.": _("Not a valid list."),
    "Not a valid tuple.": _("Not a valid tuple."),
    "Not a valid mapping type.": _("Not a valid mapping type."),
    "Not a valid UUID.": _("Not a valid UUID."),
    "String does not match expected pattern.": _("String does not match expected pattern."),
}

_OPS = {
    "greater than or equal to": _("greater than or equal to"), "greater than": _("greater than"),
    "less than or equal to": _("less than or equal to"), "less than": _("less than"),
}
_OP = "(greater than or equal to|greater than|less than or equal to|less than)"

# Messages with values → a Text with the values as parameters.
_MA_PATTERNS = [
    (re.compile(r"Must be one of: (?P<choices>.*)\.", re.S),
     lambda m: _("Must be one of: {choices}.", choices=m["choices"])),
    (re.compile(r"Length must be between (?P<min>\d+) and (?P<max>\d+)\."),
     lambda m: _("Length must be between {min} and {max}.", min=m["min"], max=m["max"])),
    (re.compile(r"Shorter than minimum length (?P<min>\d+)\."),
     lambda m: _("Shorter than minimum length {min}.", min=m["min"])),
    (re.compile(r"Longer than maximum length (?P<max>\d+)\."),
     lambda m: _("Longer than maximum length {max}.", max=m["max"])),
    (re.compile(r"Length must be (?P<equal>\d+)\."),
     lambda m: _("Length must be {equal}.", equal=m["equal"])),
    (re.compile(rf"Must be {_OP} (?P<min>.+?) and {_OP} (?P<max>.+)\.", re.S),
     lambda m: _("Must be {min_op} {min} and {max_op} {max}.", min_op=_OPS[m[1]], min=m["min"],
                 max_op=_OPS[m[3]], max=m["max"])),
    (re.compile(rf"Must be {_OP} (?P<value>.+)\.", re.S),
     lambda m: _("Must be {op} {value}.", op=_OPS[m[1]], value=m["value"])),
]


def translatable(message):
    """A message as it can be rendered: marshmallow's English defaults become a :class:`Text`;
    a ``Text`` stays; any other ``str`` (a service's message not yet marked) is kept as it is."""
    if not isinstance(message, str):
        return message
    fixed = _MA_FIXED.get(message)
    if fixed is not None:
        return fixed
    for pattern, make in _MA_PATTERNS:
        m = pattern.fullmatch(message)
        if m:
            return make(m)
    return message


# -- rendering ------------------------------------------------------------------------------------

def flatten_errors(messages, prefix: str = "") -> dict[str, list]:
    """marshmallow/webargs nested messages -> {"tranches.0.amount": [...]} (strings or Texts)."""
    flat: dict[str, list] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key in ("json", "query", "form", "headers", "files", "view_args") and not prefix:
                flat.update(flatten_errors(value, ""))
                continue
            path = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                path = prefix or "body"
            for k, v in flatten_errors(value, path).items():
                flat.setdefault(k, []).extend(v)
    elif isinstance(messages, (list, tuple)):
        if all(isinstance(m, (str, Text)) for m in messages):
            flat.setdefault(prefix or "body", []).extend(messages)
        else:
            for m in messages:
                for k, v in flatten_errors(m, prefix).items():
                    flat.setdefault(k, []).extend(v)
    elif isinstance(messages, Text):
        flat.setdefault(prefix or "body", []).append(messages)
    else:
        flat.setdefault(prefix or "body", []).append(str(messages))
    return flat


def _messages(value) -> list:
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def localize_errors(errors, locale: str) -> dict[str, list[str]]:
    """Per-field messages rendered in ``locale``, each naming its field by its label."""
    out: dict[str, list[str]] = {}
    for path, msgs in (errors or {}).items():
        out[str(path)] = [_render_one(translatable(m), locale, str(path)) for m in _messages(msgs)]
    return out


def _render_one(message, locale: str, path: str) -> str:
    """A message in ``locale``; ``{field}`` becomes the label of ``path`` (i18n.Text.render)."""
    if isinstance(message, Text):
        return message.render(locale, field=path)
    return str(message)


def summarize(errors, locale: str, limit: int = 5) -> str:
    """A 422's detail: the field messages in one sentence (the first ``limit``)."""
    parts = []
    for path, msgs in (errors or {}).items():
        for m in _messages(msgs):
            m = translatable(m)
            text = _render_one(m, locale, str(path))
            if isinstance(m, Text) and m.names("field", locale):
                parts.append(text)
            else:
                parts.append(_("{field}: {message}", field=str(path), message=text).render(locale))
    shown = parts[:limit]
    sep = "。" if locale != "en" else "; "
    detail = sep.join(shown)
    if len(parts) > limit:
        detail += _(" (and {n} more)", n=len(parts) - limit).render(locale)
    return detail


def problem_base() -> str:
    """Where problem pages live: ``PUBLIC_URL`` when configured, else the request's own host URL."""
    public = current_app.config.get("PUBLIC_URL")
    base = public or request.host_url
    return base.rstrip("/") + PROBLEMS_PATH


def problem_response(status: int, title=None, detail="", errors=None, type_slug=None,
                     headers=None, extra=None) -> Response:
    """A problem+json response in the request's language.

    ``title``: only a :class:`Text` is used (a plain string gives way to the status's
    title, so that every problem has one title style); ``detail`` and the messages in
    ``errors``: a ``Text`` is rendered, a ``str`` shown as it is."""
    locale = request_locale()
    shown_title = title if isinstance(title, Text) else title_for(status)
    slug = type_slug or TYPE_BY_STATUS.get(status)
    body = {
        "type": problem_base() + slug if slug else "about:blank",
        "title": shown_title.render(locale),
        "status": status,
        "detail": _render_one(translatable(detail), locale, "body") if detail is not None else "",
        "errors": localize_errors(errors, locale),
    }
    if extra:
        from settlement.i18n import render
        body.update(render(extra, locale))
    resp = Response(json.dumps(body, ensure_ascii=False), status=status,
                    mimetype="application/problem+json")
    resp.headers["Content-Language"] = content_language(locale)
    resp.vary.add("Accept-Language")
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def handle_problem(exc: Problem) -> Response:
    return problem_response(exc.status, exc.title, exc.detail, exc.errors, exc.type_slug,
                            exc.headers, exc.extra)


# -- 415 for a JSON operation sent something else ------------------------------------------------

@functools.lru_cache(maxsize=None)
def _takes_json(view, method: str) -> bool:
    """Whether the view's ``method`` reads a JSON body (flask-smorest ``@blp.arguments`` in json)."""
    cls = getattr(view, "view_class", None)
    func = getattr(cls, method.lower(), None) if cls is not None else view
    params = (getattr(func, "_apidoc", None) or {}).get("arguments", {}).get("parameters", [])
    return any(p.get("location", "json") == "json" for p in params)


def refuse_non_json_body():
    """before_request: a write to an operation that reads JSON must send JSON (else 415).

    A body-less request without a Content-Type passes (the schema decides: an
    operation whose fields are all optional accepts it)."""
    if request.method not in ("POST", "PUT", "PATCH") or not request.path.startswith("/api/"):
        return None
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if view is None or not _takes_json(view, request.method):
        return None
    if request.is_json:
        return None
    has_body = bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "")
    if not request.headers.get("Content-Type") and not has_body:
        return None
    got = request.mimetype or _("no Content-Type header")
    raise Problem(_("the request body must be JSON: send it with the header Content-Type: application/json "
                    "(this request has {content_type})", content_type=got),
                  errors={"Content-Type": [_("must be application/json")]},
                  status=415, type_slug="unsupported-media-type",
                  headers={"Accept-Post": "application/json"} if request.method == "POST" else
                  {"Accept-Patch": "application/json"} if request.method == "PATCH" else None)


# -- OpenAPI -------------------------------------------------------------------------------------

class ProblemSchema(ma.Schema):
    """RFC 9457 problem details (documentation only); some problems add figures (e.g. paid_total)."""

    class Meta:
        unknown = ma.INCLUDE

    type = ma.fields.String(required=True, metadata={
        "description": "an absolute URI: GET it for a page that explains the problem (no token needed)",
        "example": "http://127.0.0.1:8000/problems/validation-error"})
    title = ma.fields.String(required=True, metadata={
        "description": "the HTTP status in words, in the request's language", "example": "无法处理的内容"})
    status = ma.fields.Integer(required=True, metadata={"example": 422})
    detail = ma.fields.String(required=True, metadata={
        "description": "what went wrong, in the request's language (Accept-Language; Chinese by default)",
        "example": "付款日期应为 YYYY-MM-DD；2027年2月没有30日"})
    errors = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()), metadata={
        "description": "messages per field path (paths stay English, e.g. tranches.0.amount)",
        "example": {"paid_on": ["付款日期应为 YYYY-MM-DD；2027年2月没有30日"]}})


PROBLEM_TYPE = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
# apispec resolves a parameter given as a string to "#/components/parameters/<name>"
IDEMPOTENCY_KEY_REF = "IdempotencyKey"
ACCEPT_LANGUAGE_REF = "AcceptLanguage"

IDEMPOTENCY_KEY = {
    "in": "header", "name": "Idempotency-Key", "required": False,
    "description": "1-255 printable characters; required for the vendor role. The same key with the same "
                   "request replays the first response (with `Idempotent-Replayed: true`); the key with "
                   "another request → 422; a retry while the first is still running → 409 with Retry-After.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    "example": "0b6f8a52-6d1c-4c43-9d1e-3a2f1c7e9b10",
}
ACCEPT_LANGUAGE = {
    "in": "header", "name": "Accept-Language", "required": False,
    "description": "the language of problem messages (title, detail, errors): Chinese (zh-CN) by default, "
                   "`en` for English. Codes, field paths and `type` do not change.",
    "schema": {"type": "string", "default": "zh-CN"},
    "example": "zh-CN",
}


class ProblemDocPlugin(BasePlugin):
    """Documents what every operation may answer: problem+json errors, 401, the language of
    the messages, and on writes the Idempotency-Key header, 400, 413 and 415."""

    def init_spec(self, spec):
        super().init_spec(spec)
        spec.components.parameter("IdempotencyKey", "header", dict(IDEMPOTENCY_KEY))
        spec.components.parameter("AcceptLanguage", "header", dict(ACCEPT_LANGUAGE))

    def operation_helper(self, path=None, operations=None, **kwargs):
        for method, op in (operations or {}).items():
            responses = op.setdefault("responses", {})
            for code, resp in list(responses.items()):
                if isinstance(resp, dict) and str(code)[0] in "45" and "content" not in resp and "schema" not in resp:
                    resp["content"] = {PROBLEM_TYPE: {"schema": PROBLEM_REF}}
            responses.setdefault("401", "UNAUTHORIZED")
            params = op.setdefault("parameters", [])
            params.append(ACCEPT_LANGUAGE_REF)
            if method in ("post", "patch", "put"):
                responses.setdefault("400", "BAD_REQUEST")
                responses.setdefault("413", "REQUEST_ENTITY_TOO_LARGE")
                if "requestBody" in op:
                    responses.setdefault("415", "UNSUPPORTED_MEDIA_TYPE")
            if method == "post":
                params.append(IDEMPOTENCY_KEY_REF)


class ProblemApi(Api):
    """flask-smorest's Api with every error rendered as problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def __init__(self, app=None, *, spec_kwargs=None):
        from settlement.api.examples import ClientDocPlugin
        self.client_doc = ClientDocPlugin()
        spec_kwargs = dict(spec_kwargs or {})
        spec_kwargs.setdefault("extra_plugins", [ProblemDocPlugin(), self.client_doc])
        super().__init__(app, spec_kwargs=spec_kwargs)

    def init_app(self, app, *args, **kwargs):
        self.client_doc.app = app  # reads the views' declared response content types
        super().init_app(app, *args, **kwargs)

    def _register_responses(self):
        """The shared error responses (one per status, and the default), as problem+json."""
        import http
        for status in http.HTTPStatus:
            response = {"description": str(TITLES.get(status.value) or status.phrase)}
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

    def _openapi_json(self):
        """The document with an absolute server URL (PUBLIC_URL, else this request's host), so that a
        REST client importing it by link sends requests to the right place as it is."""
        doc = dict(self.spec.to_dict())  # a copy: apispec's to_dict returns its own options dict
        public = current_app.config.get("PUBLIC_URL") or request.host_url
        doc["servers"] = [{"url": public.rstrip("/"), "description": "this service"}]
        return current_app.response_class(json.dumps(doc, indent=2, ensure_ascii=False),
                                          mimetype="application/json")

    def handle_http_exception(self, error: HTTPException):
        data = getattr(error, "data", None) or {}
        errors = {}
        if "errors" in data:
            errors = flatten_errors(data["errors"])
        elif "messages" in data:
            errors = flatten_errors(data["messages"])
        status = error.code or 500
        locale = request_locale()
        headers = dict(data.get("headers") or {})
        detail = data.get("message") or _default_detail(error, status)
        if status == 400 and any("JSON" in str(x) for x in (data.get("message"), error.description, errors)):
            detail, errors = _("the request body is not valid JSON"), {"body": [_("not valid JSON")]}
        elif status == 422 and errors:
            detail = summarize(errors, locale)
        if status >= 500:
            log.error("server error: %s", error)
            detail, errors = _("an unexpected error occurred; it has been logged"), {}
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            headers.setdefault("Allow", ", ".join(sorted(error.valid_methods)))
        for key, value in _limiter_headers(error).items():
            headers.setdefault(key, value)
        return problem_response(status, None, detail, errors, headers=headers)

    def handle_unexpected(self, error: Exception):
        if isinstance(error, HTTPException):
            return self.handle_http_exception(error)
        from settlement.services.uow import Busy, is_retryable
        if is_retryable(error):
            # a deadlock, a serialization failure or a busy SQLite database: the client retries
            current_app.logger.warning("write lost a race: %s", type(error).__name__)
            return handle_problem(Busy())
        current_app.logger.exception("unhandled error")
        return self.handle_http_exception(InternalServerError())


def _default_detail(error: HTTPException, status: int):
    """werkzeug's long English descriptions, replaced by short messages in the reader's language."""
    if status == 404:
        return _("there is nothing at {path}", path=request.path)
    if status == 405:
        return _("{method} is not allowed on {path}; allowed: {allowed}", method=request.method,
                 path=request.path, allowed=", ".join(sorted(getattr(error, "valid_methods", None) or [])))
    if status == 413:
        return _("the request body is larger than the {limit} bytes allowed",
                 limit=current_app.config.get("MAX_CONTENT_LENGTH") or "?")
    if status == 415 or isinstance(error, UnsupportedMediaType):
        return _("the request body must be JSON: send it with the header Content-Type: application/json "
                 "(this request has {content_type})",
                 content_type=request.mimetype or _("no Content-Type header"))
    if status == 429:
        return _("too many requests ({limit}); wait and retry", limit=error.description or "")
    if status == 401:
        return _("an Authorization: Bearer <token> header is required")
    if status == 403:
        return _("this token may not do that")
    return error.description or str(title_for(status))


def _limiter_headers(error: HTTPException) -> dict:
    """Retry-After and friends that an HTTPException carries (Flask-Limiter's 429)."""
    try:
        hdrs = error.get_headers()
    except Exception:  # noqa: BLE001 - headers are a courtesy
        return {}
    return {k: v for k, v in hdrs if k.lower() in ("retry-after", "www-authenticate", "allow")}
