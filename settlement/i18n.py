"""Message catalogues: Chinese for clerks first, English kept (Babel ``.po`` files).

Text meant for people is written in English in the code as a message id with
named parameters, ``_("tranche {seq} is overdue", seq=2)``, and rendered in the
reader's language when it is shown: ``render(text, "zh_CN")``. The catalogues are
``settlement/translations/<locale>/LC_MESSAGES/<domain>.po``, read with Babel;
a message without a translation falls back to its English id. Domains keep the
catalogues apart: ``messages`` (API problems), ``reports`` (report labels).

Field labels live in the ``messages`` catalogue under the context ``field``
(``msgctxt "field"``, ``msgid "paid_on"``, ``msgstr "付款日期"``): :func:`label`.
A message about one field says ``{field}`` where the field is named; the HTTP
layer fills it in from the error's path when it renders the message
(``text.render(locale, field=...)``), so the same message serves every field.

Nothing here knows about Flask: the HTTP layer picks the locale from
``Accept-Language`` and calls :func:`render`.
"""
from __future__ import annotations

import functools
import string
from pathlib import Path

from babel.messages.pofile import read_po

DEFAULT_LOCALE = "zh_CN"
LOCALES = ("zh_CN", "en")
TRANSLATIONS = Path(__file__).with_name("translations")
CONTEXT_SEP = "\x04"  # gettext's separator between a message's context and its id
FIELD_CONTEXT = "field"

_ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
                   "September", "October", "November", "December")


@functools.lru_cache(maxsize=None)
def catalogue(locale: str, domain: str = "messages") -> dict[str, str]:
    """msgid → msgstr for one locale and domain (empty for English, the ids' own language).

    A message with a context (``msgctxt``) is keyed ``context + "\\x04" + msgid``."""
    path = TRANSLATIONS / locale / "LC_MESSAGES" / f"{domain}.po"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        cat = read_po(fh, locale=locale, domain=domain)
    out = {}
    for m in cat:
        if m.id and m.string and not m.fuzzy:
            out[f"{m.context}{CONTEXT_SEP}{m.id}" if m.context else m.id] = m.string
    return out


def normalize_locale(tag: str | None) -> str:
    """A language tag (``zh-CN``, ``zh_Hans``, ``en-US``) → one of :data:`LOCALES`."""
    tag = (tag or "").replace("-", "_").lower()
    if tag == "en" or tag.startswith("en_"):
        return "en"
    return DEFAULT_LOCALE


class _Keep(dict):
    """Formatting parameters that leave an unknown ``{name}`` as it is (never a KeyError)."""

    def __missing__(self, key):
        return "{" + key + "}"


def _format(template: str, params: dict) -> str:
    try:
        return string.Formatter().vformat(template, (), _Keep(params))
    except (ValueError, IndexError, AttributeError):  # a stray brace or a format spec on a missing value
        return template


def template(msgid: str, locale: str = DEFAULT_LOCALE, domain: str = "messages") -> str:
    """The unformatted message for ``locale``: the translation, else the English id."""
    if locale == "en":
        return msgid
    return catalogue(locale, domain).get(msgid, msgid)


def gettext(msgid: str, locale: str = DEFAULT_LOCALE, domain: str = "messages", **params) -> str:
    """``msgid`` translated into ``locale`` (English id when there is no translation), formatted."""
    tmpl = template(msgid, locale, domain)
    return _format(tmpl, params) if params else tmpl


def pgettext(context: str, msgid: str, locale: str = DEFAULT_LOCALE, domain: str = "messages") -> str | None:
    """The translation of ``msgid`` in ``context``, or None when there is none."""
    if locale == "en":
        return None
    return catalogue(locale, domain).get(f"{context}{CONTEXT_SEP}{msgid}")


def label(path: str, locale: str = DEFAULT_LOCALE) -> str:
    """How a message names the field at ``path`` (``paid_on``, ``tranches.1.amount``, ``body``).

    English keeps the path as the client sent it (``tranches.1.amount``); Chinese
    reads it with the catalogue's labels: ``分期第2项的金额``."""
    if locale == "en":
        return path
    parts = [p for p in str(path).split(".") if p != ""]
    if not parts:
        return path
    out = ""
    for part in parts:
        if part.isdigit():
            out += gettext("item {n}", locale, n=int(part) + 1)
            continue
        name = pgettext(FIELD_CONTEXT, part, locale) or part
        out = f"{out}的{name}" if out else name
    return out


def ordinal(n: int) -> str:
    """English ordinal: 1st, 2nd, 3rd, 4th, 11th, 21st, 30th."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return str(n) + {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def month_name(month: int) -> str:
    """English month name (``February``); the Chinese messages write ``2月`` from the number."""
    return _ENGLISH_MONTHS[month - 1] if 1 <= month <= 12 else str(month)


class Text:
    """A message to show a person, rendered in the reader's language when shown.

    ``str()`` gives the English text (logs, CLI, tests that read English)."""

    __slots__ = ("msgid", "params", "domain")

    def __init__(self, msgid: str, domain: str = "messages", **params):
        self.msgid, self.params, self.domain = msgid, params, domain

    def render(self, locale: str = DEFAULT_LOCALE, **context) -> str:
        """The message in ``locale``; ``context`` supplies parameters the message left open
        (``field``: the field's label, filled in by the HTTP layer)."""
        merged = {**context, **self.params}
        params = {k: (v.render(locale, **context) if isinstance(v, Text) else v) for k, v in merged.items()}
        if isinstance(params.get("field"), str):  # a field's name or path, read in the reader's language
            params["field"] = label(params["field"], locale)
        return gettext(self.msgid, locale, self.domain, **params)

    def names(self, param: str, locale: str = DEFAULT_LOCALE) -> bool:
        """Whether the message in ``locale`` mentions ``{param}`` (e.g. names its field itself)."""
        return "{" + param + "}" in template(self.msgid, locale, self.domain)

    def __str__(self) -> str:
        return self.render("en", field="value")

    def __repr__(self) -> str:
        return f"Text({self.msgid!r}, {self.params!r})"

    def __contains__(self, part: str) -> bool:
        return part in str(self)

    def __eq__(self, other) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))


def _(msgid: str, **params) -> Text:
    """Mark a message for translation (domain ``messages``)."""
    return Text(msgid, **params)


def render(value, locale: str = DEFAULT_LOCALE, **context):
    """``value`` with every :class:`Text` inside it rendered (strings, lists and dicts walked)."""
    if isinstance(value, Text):
        return value.render(locale, **context)
    if isinstance(value, dict):
        return {k: render(v, locale, **context) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [render(v, locale, **context) for v in value]
    return value
