"""The CJK TrueType font embedded in every PDF the service writes (invoice requests, reports).

A TrueType font embedded in the file, not one of reportlab's CID fonts such as
STSong-Light: those are not embedded and show as blank boxes in common viewers.
It comes from the ``INVOICE_FONT`` setting, else the usual Debian locations; it
is registered with reportlab once per process.
"""
from __future__ import annotations

import os
import threading

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
    "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
]

_registered: dict[str, str] = {}
_lock = threading.Lock()


class FontUnavailable(RuntimeError):
    """No CJK TrueType font: set INVOICE_FONT to a .ttf/.ttc file (or install fonts-wqy-zenhei)."""


def find_font(setting: str | None, candidates: list[str] | None = None) -> str:
    """The CJK font to embed: INVOICE_FONT if set (it must exist), else the first system font found."""
    if setting:
        if os.path.isfile(setting):
            return setting
        raise FontUnavailable(f"INVOICE_FONT={setting} does not exist")
    for path in candidates if candidates is not None else FONT_CANDIDATES:
        if os.path.isfile(path):
            return path
    raise FontUnavailable("no CJK TrueType font found: set INVOICE_FONT to a .ttf/.ttc file "
                          "(Debian: apt-get install fonts-wqy-zenhei)")


def register_font(path: str) -> str:
    """Register ``path`` with reportlab once per process; returns the font name."""
    with _lock:
        name = _registered.get(path)
        if name is None:
            name = f"CJK{len(_registered)}"
            kwargs = {"subfontIndex": 0} if path.lower().endswith(".ttc") else {}
            pdfmetrics.registerFont(TTFont(name, path, **kwargs))
            _registered[path] = name
        return name
