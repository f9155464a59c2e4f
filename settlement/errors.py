"""Domain and service errors that map to RFC 9457 problems (no Flask here).

``detail`` (and the messages in ``errors``) may be a plain ``str``, shown as it
is, or an :class:`settlement.i18n.Text` from ``settlement.i18n._``, rendered in
the reader's language (``Accept-Language``; Chinese by default)::

    raise Conflict(_("invoice {number} was already reversed", number=inv.number))

Every msgid needs a Chinese translation in
``settlement/translations/zh_CN/LC_MESSAGES/messages.po`` (a test checks).
The ``title`` shown is the HTTP status's, in one style for every problem
(``settlement.api.problems.TITLES``); ``type`` is ``/problems/<type_slug>``,
a page that explains the problem (``settlement.api.problem_pages``).
"""
from __future__ import annotations

from typing import Union

from settlement.i18n import Text

Message = Union[str, Text]


class Problem(Exception):
    """An error meant for the API client: HTTP status, a short title, a detail, per-field errors."""

    status = 400
    title = "Bad Request"
    type_slug = "bad-request"

    def __init__(self, detail: Message, *, errors: dict[str, list[Message]] | None = None,
                 status: int | None = None, title: Message | None = None, type_slug: str | None = None,
                 headers: dict[str, str] | None = None, extra: dict | None = None):
        super().__init__(str(detail))
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
    status, title, type_slug = 404, "Not Found", "not-found"


class Forbidden(Problem):
    status, title, type_slug = 403, "Forbidden", "forbidden"


class Conflict(Problem):
    status, title, type_slug = 409, "Conflict", "conflict"


class Invalid(Problem):
    status, title, type_slug = 422, "Unprocessable Content", "validation-error"


class Unavailable(Problem):
    status, title, type_slug = 503, "Service Unavailable", "unavailable"
