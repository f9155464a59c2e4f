"""The invoice as one A4 PDF page, laid out like a VAT electronic invoice (数电发票).

The CJK font is a TrueType font embedded in the file (reportlab's CID fonts
such as STSong-Light are not embedded and show as blank boxes in common
viewers): see :mod:`settlement.reports.fonts`.
"""
from __future__ import annotations

import io
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

# The font finder lives with the reports (settlement never imports invoices); re-exported here.
from settlement.reports.fonts import FONT_CANDIDATES, FontUnavailable, find_font, register_font  # noqa: F401

TITLES = {"ordinary": "电子发票（普通发票）", "special": "电子发票（增值税专用发票）"}


def _money(d: Decimal) -> str:
    return f"{Decimal(d):,.2f}"


def render_invoice_pdf(inv: dict, font_path: str) -> bytes:
    """One A4 page for the invoice ``inv`` (a plain dict: see ``invoices.service.invoice_dict``)."""
    font = register_font(font_path)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    c.setTitle(f"{TITLES[inv['type']]} {inv['number']}")
    width, height = A4
    left, right = 15 * mm, width - 15 * mm
    red = inv["total"] < 0
    ink = colors.HexColor("#8B4513")

    c.setFillColor(ink)
    c.setFont(font, 18)
    c.drawCentredString(width / 2, height - 16 * mm, TITLES[inv["type"]])
    c.setFont(font, 9)
    c.drawString(right - 62 * mm, height - 28 * mm, f"发票号码：{inv['number']}")
    c.drawString(right - 62 * mm, height - 33 * mm, f"开票日期：{inv['issued_on']:%Y年%m月%d日}")
    if red:
        c.setFillColor(colors.red)
        c.setFont(font, 14)
        c.drawString(left, height - 22 * mm, "红字发票")
        c.setFillColor(ink)

    top, box_h = height - 37 * mm, 34 * mm
    c.setStrokeColor(ink)
    c.rect(left, top - box_h, right - left, box_h)
    mid = (left + right) / 2
    c.line(mid, top, mid, top - box_h)
    for x0, title, party in ((left, "购买方信息", inv["buyer"]), (mid, "销售方信息", inv["seller"])):
        c.setFont(font, 10)
        c.drawString(x0 + 3 * mm, top - 7 * mm, title)
        c.setFont(font, 9)
        c.drawString(x0 + 3 * mm, top - 14 * mm, f"名称：{party['name']}")
        c.drawString(x0 + 3 * mm, top - 20 * mm, f"统一社会信用代码/纳税人识别号：{party.get('taxpayer_id') or ''}")
        if party.get("bank_account"):
            bank, _, account = party["bank_account"].rpartition(" ")
            c.drawString(x0 + 3 * mm, top - 26 * mm, f"开户行：{bank or account}")
            if bank:
                c.drawString(x0 + 3 * mm, top - 31 * mm, f"账号：{account}")

    table_top = top - box_h
    rows_h = 40 * mm
    c.rect(left, table_top - rows_h, right - left, rows_h)
    cols = [left + 3 * mm, left + 80 * mm, left + 120 * mm, left + 145 * mm]
    c.setFont(font, 9)
    for x, head in zip(cols, ("项目名称", "金额", "税率/征收率", "税额")):
        c.drawString(x, table_top - 6 * mm, head)
    rate_text = f"{(Decimal(inv['rate']) * 100).normalize():f}%"
    c.drawString(cols[0], table_top - 13 * mm, f"*信息技术服务*{inv['item']}"[:40])
    c.drawString(cols[1], table_top - 13 * mm, _money(inv["net"]))
    c.drawString(cols[2], table_top - 13 * mm, rate_text)
    c.drawString(cols[3], table_top - 13 * mm, _money(inv["tax"]))
    c.line(left, table_top - rows_h + 8 * mm, right, table_top - rows_h + 8 * mm)
    c.drawString(cols[0], table_top - rows_h + 2.5 * mm, "合计")
    c.drawString(cols[1], table_top - rows_h + 2.5 * mm, f"¥{_money(inv['net'])}")
    c.drawString(cols[3], table_top - rows_h + 2.5 * mm, f"¥{_money(inv['tax'])}")

    total_top = table_top - rows_h
    c.rect(left, total_top - 10 * mm, right - left, 10 * mm)
    c.setFont(font, 10)
    c.drawString(left + 3 * mm, total_top - 6.5 * mm, f"价税合计（大写）  {inv['amount_in_words']}")
    c.drawString(right - 55 * mm, total_top - 6.5 * mm, f"（小写）¥{_money(inv['total'])}")

    notes_top = total_top - 10 * mm
    c.rect(left, notes_top - 25 * mm, right - left, 25 * mm)
    c.setFont(font, 9)
    notes = [f"备注：合同编号 {inv['contract_code']}，第{inv['tranche_seq']}笔服务费"]
    if inv["seller"].get("bank_account"):
        notes.append(f"收款账户：{inv['seller']['bank_account']}")
    if inv.get("reverses"):
        notes.append(f"红字发票，对应蓝字发票号码：{inv['reverses']}" + (f"；原因：{inv['reason']}" if inv.get("reason") else ""))
    for i, line in enumerate(notes):
        c.drawString(left + 3 * mm, notes_top - (6 + 6 * i) * mm, line[:70])
    c.showPage()
    c.save()
    return buf.getvalue()
