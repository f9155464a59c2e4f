"""Domain and service errors that map to RFC 9457 problems (no Flask here)."""
from __future__ import annotations


class Problem(Exception):
    """An error meant for the API client: HTTP status, a short title, a detail, per-field errors."""

    status = 400
    title = "Bad request"
    type_slug = "bad-request"

    def __init__(self, detail: str, *, errors: dict[str, list[str]] | None = None,
                 status: int | None = None, title: str | None = None, type_slug: str | None = None,
                 headers: dict[str, str] | None = None, extra: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or {}
        self.headers = headers or {}
        self.extra = extra or {}
        if status is not None:
            self.status = status
        if title is not None:
            self.title = title
        if type_slug is not None:
            self.type_slug = type_slug


class NotFound(Problem):
    status, title, type_slug = 404, "Not found", "not-found"


class Forbidden(Problem):
    status, title, type_slug = 403, "Forbidden", "forbidden"


class Conflict(Problem):
    status, title, type_slug = 409, "Conflict", "conflict"


class Invalid(Problem):
    status, title, type_slug = 422, "Unprocessable content", "validation-error"


class Unavailable(Problem):
    status, title, type_slug = 503, "Service unavailable", "unavailable"
