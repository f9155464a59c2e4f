"""Message catalogues: Chinese for clerks first, English kept (Babel ``.po`` files).

Text meant for people is written in English in the code as a message id with
named parameters, ``_("tranche {seq} is overdue", seq=2)``, and rendered in the
reader's language when it is shown: ``render(text, "zh_CN")``. The catalogues are
``settlement/translations/<locale>/LC_MESSAGES/<domain>.po``, read with Babel;
a message without a translation falls back to its English id. Domains keep the
catalogues apart: ``messages`` (API problems), ``reports`` (report labels).

Nothing here knows about Flask: the HTTP layer picks the locale from
``Accept-Language`` and calls :func:`render`.
"""
from __future__ import annotations

import functools
from pathlib import Path

from babel.messages.pofile import read_po

DEFAULT_LOCALE = "zh_CN"
LOCALES = ("zh_CN", "en")
TRANSLATIONS = Path(__file__).with_name("translations")


@functools.lru_cache(maxsize=None)
def catalogue(locale: str, domain: str = "messages") -> dict[str, str]:
    """msgid → msgstr for one locale and domain (empty for English, the ids' own language)."""
    path = TRANSLATIONS / locale / "LC_MESSAGES" / f"{domain}.po"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        cat = read_po(fh, locale=locale, domain=domain)
    return {m.id: m.string for m in cat if m.id and m.string and not m.fuzzy}


def gettext(msgid: str, locale: str = DEFAULT_LOCALE, domain: str = "messages", **params) -> str:
    """``msgid`` translated into ``locale`` (English id when there is no translation), formatted."""
    template = catalogue(locale, domain).get(msgid, msgid) if locale != "en" else msgid
    return template.format(**params) if params else template


class Text:
    """A message to show a person, rendered in the reader's language when shown.

    ``str()`` gives the English text (logs, CLI, tests that read English)."""

    __slots__ = ("msgid", "params", "domain")

    def __init__(self, msgid: str, domain: str = "messages", **params):
        self.msgid, self.params, self.domain = msgid, params, domain

    def render(self, locale: str = DEFAULT_LOCALE) -> str:
        params = {k: (v.render(locale) if isinstance(v, Text) else v) for k, v in self.params.items()}
        return gettext(self.msgid, locale, self.domain, **params)

    def __str__(self) -> str:
        return self.render("en")

    def __repr__(self) -> str:
        return f"Text({self.msgid!r}, {self.params!r})"

    def __eq__(self, other) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))


def _(msgid: str, **params) -> Text:
    """Mark a message for translation (domain ``messages``)."""
    return Text(msgid, **params)


def render(value, locale: str = DEFAULT_LOCALE):
    """``value`` with every :class:`Text` inside it rendered (strings, lists and dicts walked)."""
    if isinstance(value, Text):
        return value.render(locale)
    if isinstance(value, dict):
        return {k: render(v, locale) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [render(v, locale) for v in value]
    return value
