"""The reader's language, from ``Accept-Language`` (Chinese unless the client asks for English).

``Accept-Language: en`` (or ``en-US``, ``en-GB;q=0.8``…) gives English; anything
else, or no header, gives Simplified Chinese (``zh-CN``): the people who read
these messages are the buyer's finance clerks. Machine fields (``type``,
``status``, field paths, codes) never change with the language.
"""
from __future__ import annotations

from flask import g, has_request_context, request

from settlement.i18n import DEFAULT_LOCALE, normalize_locale

# Language tags offered, in order of preference; the first is the default.
OFFERED = ("zh-CN", "en")
TAG = {"zh_CN": "zh-CN", "en": "en"}


def request_locale() -> str:
    """The locale (``zh_CN`` or ``en``) for this request's messages."""
    if not has_request_context():
        return DEFAULT_LOCALE
    cached = g.get("locale")
    if cached is None:
        cached = g.locale = normalize_locale(request.accept_languages.best_match(OFFERED, default=OFFERED[0]))
    return cached


def content_language(locale: str) -> str:
    """The ``Content-Language`` value for ``locale``."""
    return TAG.get(locale, OFFERED[0])
