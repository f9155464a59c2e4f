"""The invoice as one A4 PDF page, laid out like a VAT electronic invoice (数电发票).

Public API: :class:`FontUnavailable`, :func:`find_font`, :func:`register_font`,
:func:`render_invoice_pdf`.

The CJK font is a TrueType font embedded in the file (``/FontFile2``; reportlab's
CID fonts such as STSong-Light are not embedded and show as blank boxes in
common viewers). It comes from the ``INVOICE_FONT`` setting, else the usual
Debian locations; it is registered once per process. Amounts print as
``format_amount`` writes them (978282.00, no separators), as on 数电发票.
"""
from __future__ import annotations

import io
import os
import threading
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from settlement.domain.money import format_amount

__all__ = ["FontUnavailable", "find_font", "register_font", "render_invoice_pdf", "FONT_CANDIDATES", "TITLES"]

FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
]
TITLES = {"ordinary": "电子发票（普通发票）", "special": "电子发票（增值税专用发票）"}
INK = colors.HexColor("#8B4513")  # the brown of printed 数电发票

_registered: dict[str, str] = {}
_lock = threading.Lock()


class FontUnavailable(RuntimeError):
    """No CJK TrueType font: set INVOICE_FONT to a .ttf/.ttc file (or install fonts-wqy-zenhei)."""


def find_font(setting: str | None, candidates: list[str] | None = None) -> str:
    """The path of the CJK TrueType font to embed.

    ``setting`` is the INVOICE_FONT setting: when given it must name an
    existing file (a misconfigured font is reported, not silently replaced);
    when empty, the first existing file of ``candidates`` (default
    :data:`FONT_CANDIDATES`). Raises :class:`FontUnavailable` naming INVOICE_FONT.
    """
    if setting:
        if os.path.isfile(setting):
            return setting
        raise FontUnavailable(f"INVOICE_FONT={setting} does not exist")
    for path in FONT_CANDIDATES if candidates is None else candidates:
        if os.path.isfile(path):
            return path
    raise FontUnavailable("no CJK TrueType font found: set INVOICE_FONT to a .ttf/.ttc file "
                          "(Debian: apt-get install fonts-wqy-zenhei)")


def register_font(path: str) -> str:
    """Register the TrueType font at ``path`` with reportlab once per process; returns its name.

    A .ttc collection uses its first face (subfontIndex=0). Thread-safe; later
    calls with the same path return the cached name without reading the file.
    """
    name = _registered.get(path)
    if name is not None:
        return name
    with _lock:
        name = _registered.get(path)
        if name is None:
            name = f"InvoiceCJK{len(_registered)}"
            kwargs = {"subfontIndex": 0} if path.lower().endswith(".ttc") else {}
            pdfmetrics.registerFont(TTFont(name, path, **kwargs))
            _registered[path] = name
        return name


def _rate_text(rate) -> str:
    """Decimal("0.06") → "6%", Decimal("0.065") → "6.5%", 0 → "0%"."""
    pct = (Decimal(rate) * 100).normalize()
    return f"{pct.quantize(Decimal(1)) if pct == pct.to_integral_value() else pct:f}%"


def _fit(c: canvas.Canvas, font: str, size: float, text: str, width: float, minimum: float = 5) -> float:
    """The font size at most ``size`` at which ``text`` fits in ``width`` (never below ``minimum``)."""
    while size > minimum and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _draw(c: canvas.Canvas, font: str, size: float, x: float, y: float, text: str, width: float) -> None:
    c.setFont(font, _fit(c, font, size, text, width))
    c.drawString(x, y, text)


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Split ``text`` into lines no wider than ``width`` (character by character: CJK has no spaces)."""
    lines, line = [], ""
    for ch in text:
        if line and pdfmetrics.stringWidth(line + ch, font, size) > width:
            lines.append(line)
            line = ""
        line += ch
    return lines + [line] if line else lines


def render_invoice_pdf(invoice: dict, font_path: str) -> bytes:
    """One A4 page for ``invoice`` (a plain dict: see ``invoices.service.invoice_dict``).

    Keys used: number, type ("ordinary"|"special"), issued_on (date), tranche_seq,
    total, net, tax, rate (Decimals; negative amounts for a red-letter invoice),
    amount_in_words, buyer/seller ({name, taxpayer_id, bank_account}), item,
    contract_code, reverses (number of the original or None), reason (or None).
    """
    inv = invoice
    font = register_font(font_path)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    title = TITLES[inv["type"]]
    c.setTitle(f"{title} {inv['number']}")
    width, height = A4
    left, right = 15 * mm, width - 15 * mm
    red = Decimal(inv["total"]) < 0

    # Title, number and date.
    c.setFillColor(INK)
    c.setFont(font, 18)
    c.drawCentredString(width / 2, height - 18 * mm, title)
    c.setLineWidth(0.8)
    c.setStrokeColor(INK)
    c.line(width / 2 - 45 * mm, height - 20 * mm, width / 2 + 45 * mm, height - 20 * mm)
    c.setFont(font, 9)
    c.drawString(right - 62 * mm, height - 27 * mm, f"发票号码：{inv['number']}")
    c.drawString(right - 62 * mm, height - 32 * mm, f"开票日期：{inv['issued_on']:%Y年%m月%d日}")
    if red:
        c.setFillColor(colors.red)
        c.setStrokeColor(colors.red)
        c.setLineWidth(1.5)
        c.rect(left, height - 33 * mm, 34 * mm, 13 * mm)
        c.setFont(font, 16)
        c.drawCentredString(left + 17 * mm, height - 29 * mm, "红字发票")
        c.setFillColor(INK)
        c.setStrokeColor(INK)
    c.setLineWidth(0.8)

    # Buyer and seller.
    top, box_h = height - 37 * mm, 34 * mm
    c.rect(left, top - box_h, right - left, box_h)
    mid = (left + right) / 2
    c.line(mid, top, mid, top - box_h)
    inner = mid - left - 6 * mm
    for x0, heading, party in ((left, "购买方信息", inv["buyer"]), (mid, "销售方信息", inv["seller"])):
        c.setFont(font, 10)
        c.drawString(x0 + 3 * mm, top - 7 * mm, heading)
        _draw(c, font, 9, x0 + 3 * mm, top - 14 * mm, f"名称：{party.get('name') or ''}", inner)
        _draw(c, font, 9, x0 + 3 * mm, top - 20 * mm,
              f"统一社会信用代码/纳税人识别号：{party.get('taxpayer_id') or ''}", inner)
        if party.get("bank_account"):
            _draw(c, font, 9, x0 + 3 * mm, top - 26 * mm, f"开户行及账号：{party['bank_account']}", inner)

    # Item table and 合计.
    table_top = top - box_h
    rows_h = 40 * mm
    c.rect(left, table_top - rows_h, right - left, rows_h)
    cols = [left + 3 * mm, left + 85 * mm, left + 125 * mm, left + 150 * mm]
    c.setFont(font, 9)
    for x, head in zip(cols, ("项目名称", "金额", "税率/征收率", "税额")):
        c.drawString(x, table_top - 6 * mm, head)
    _draw(c, font, 9, cols[0], table_top - 13 * mm, str(inv["item"]), cols[1] - cols[0] - 3 * mm)
    c.setFont(font, 9)
    c.drawString(cols[1], table_top - 13 * mm, format_amount(inv["net"]))
    c.drawString(cols[2], table_top - 13 * mm, _rate_text(inv["rate"]))
    c.drawString(cols[3], table_top - 13 * mm, format_amount(inv["tax"]))
    c.line(left, table_top - rows_h + 8 * mm, right, table_top - rows_h + 8 * mm)
    c.drawString(cols[0], table_top - rows_h + 2.5 * mm, "合计")
    c.drawString(cols[1], table_top - rows_h + 2.5 * mm, f"¥{format_amount(inv['net'])}")
    c.drawString(cols[3], table_top - rows_h + 2.5 * mm, f"¥{format_amount(inv['tax'])}")

    # 价税合计.
    total_top = table_top - rows_h
    c.rect(left, total_top - 10 * mm, right - left, 10 * mm)
    small = f"（小写）¥{format_amount(inv['total'])}"
    _draw(c, font, 10, left + 3 * mm, total_top - 6.5 * mm, f"价税合计（大写）  {inv['amount_in_words']}",
          right - left - 70 * mm)
    c.setFont(font, 10)
    c.drawString(right - 62 * mm, total_top - 6.5 * mm, small)

    # 备注.
    notes_top, notes_h = total_top - 10 * mm, 30 * mm
    c.rect(left, notes_top - notes_h, right - left, notes_h)
    c.setFont(font, 9)
    c.drawString(left + 3 * mm, notes_top - 6 * mm, "备注")
    notes = [f"合同编号：{inv.get('contract_code') or ''}；第{inv['tranche_seq']}笔服务费"]
    if inv["seller"].get("bank_account"):
        notes.append(f"收款账户：{inv['seller']['bank_account']}")
    if inv.get("reverses"):
        notes.append(f"红字发票，对应蓝字发票号码：{inv['reverses']}")
    if inv.get("reason"):
        notes.append(f"红冲原因：{inv['reason']}")
    text_x, text_w = left + 15 * mm, right - left - 18 * mm
    lines = [line for note in notes for line in _wrap(note, font, 9, text_w)]
    size = 9 if len(lines) <= 4 else 7
    if size != 9:
        lines = [line for note in notes for line in _wrap(note, font, size, text_w)]
    c.setFont(font, size)
    for i, line in enumerate(lines):
        c.drawString(text_x, notes_top - 6 * mm - i * (size + 3), line)
    c.showPage()
    c.save()
    return buf.getvalue()
