"""The invoice request as one A4 PDF page: 开票信息确认单, never an invoice.

Only the tax platform (电子发票服务平台) issues an invoice. This page carries what the lead
vendor should issue there (amounts, rate, uppercase words, buyer and seller, item, remarks)
and says in so many words 「本单据不是发票，发票以电子发票服务平台开具的为准」. It carries no
invoice number and is not titled 发票.

The CJK font is a TrueType font embedded in the file (reportlab's CID fonts such as
STSong-Light are not embedded and show as blank boxes in common viewers); it is the
canvas's initial font too, so no unembedded standard font is referenced: see
:mod:`settlement.reports.fonts`.
"""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

# The font finder lives with the reports (settlement never imports invoices); re-exported here.
from settlement.reports.fonts import FONT_CANDIDATES, FontUnavailable, find_font, register_font  # noqa: F401

TITLE = "开票信息确认单"
NOT_AN_INVOICE = "本单据不是发票，发票以电子发票服务平台开具的为准"
TYPE_NAMES = {"ordinary": "普通发票", "special": "增值税专用发票"}
RATE_RULES = {
    "issue_date": "开票日适用的税率",
    "paid_in_full": "该期款项全额收讫之日适用的税率（纳税义务发生时间早于开票日）",
    "replacement": "被红冲原发票的税率（重新开具，纳税义务发生时间不变）",
    "original": "被红冲原发票的税率",
}


ROLES = {"buyer": "购买方", "seller": "销售方"}
FIELDS = {"taxpayer_id": "统一社会信用代码", "general_taxpayer": "一般纳税人资格"}


def _money(d) -> str:
    return f"{Decimal(d):,.2f}"


def _day(d) -> str:
    if isinstance(d, date):
        return f"{d:%Y年%m月%d日}"
    return str(d or "")


def _rate(r) -> str:
    return f"{(Decimal(r) * 100).normalize():f}%"


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` cut into lines no wider than ``width`` (CJK text breaks anywhere)."""
    lines, current = [], ""
    for ch in text:
        if current and pdfmetrics.stringWidth(current + ch, font, size) > width:
            lines.append(current)
            current = "    " + ch if ch != " " else "    "
        else:
            current += ch
    return lines + [current] if current.strip() else lines


def render_request_pdf(req: dict, font_path: str) -> bytes:
    """One A4 page for the invoice request ``req`` (see ``invoices.request.compute``)."""
    font = register_font(font_path)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=1, initialFontName=font, initialFontSize=10)
    red = Decimal(req["amount"] if "amount" in req else req.get("total", 0)) < 0
    title = TITLE + ("（红字）" if red else "")
    c.setTitle(f"{title} {req.get('contract_code') or ''} 第{req.get('tranche_seq')}期")
    c.setAuthor("合同结算系统")
    c.setSubject(NOT_AN_INVOICE)
    width, height = A4
    left, right = 15 * mm, width - 15 * mm
    ink = colors.HexColor("#1F3A5F")

    c.setFillColor(ink)
    c.setFont(font, 18)
    c.drawCentredString(width / 2, height - 18 * mm, title)
    c.setFillColor(colors.HexColor("#B00020"))
    c.setFont(font, 11)
    c.drawCentredString(width / 2, height - 26 * mm, f"「{NOT_AN_INVOICE}」")
    c.setFillColor(ink)

    c.setFont(font, 9)
    type_name = req.get("type_name") or TYPE_NAMES.get(req.get("type"), "")
    meta = [f"合同编号：{req.get('contract_code') or ''}", f"期次：第{req.get('tranche_seq')}期",
            f"申请开具的票种：数电票（{type_name}）"]
    c.drawString(left, height - 35 * mm, "    ".join(meta))
    when = [f"拟开票日期：{_day(req.get('issued_on'))}"]
    if req.get("invoice_due_date"):
        when.append(f"合同第5.2条开票截止日：{_day(req['invoice_due_date'])}"
                    + ("（暂定）" if req.get("invoice_due_provisional") else ""))
    c.drawString(left, height - 40 * mm, "    ".join(when))

    top, box_h = height - 44 * mm, 34 * mm
    c.setStrokeColor(ink)
    c.rect(left, top - box_h, right - left, box_h)
    mid = (left + right) / 2
    c.line(mid, top, mid, top - box_h)
    for x0, heading, party in ((left, "购买方", req["buyer"]), (mid, "销售方", req["seller"])):
        c.setFont(font, 10)
        c.drawString(x0 + 3 * mm, top - 7 * mm, heading)
        c.setFont(font, 9)
        c.drawString(x0 + 3 * mm, top - 14 * mm, f"名称：{party.get('name') or ''}")
        c.drawString(x0 + 3 * mm, top - 20 * mm,
                     f"统一社会信用代码/纳税人识别号：{party.get('taxpayer_id') or '（未登记）'}")
        if party.get("bank_account"):
            bank, _sep, account = party["bank_account"].rpartition(" ")
            c.drawString(x0 + 3 * mm, top - 26 * mm, f"开户行：{bank or account}")
            if bank:
                c.drawString(x0 + 3 * mm, top - 31 * mm, f"账号：{account}")

    table_top = top - box_h
    rows_h = 30 * mm
    c.rect(left, table_top - rows_h, right - left, rows_h)
    cols = [left + 3 * mm, left + 85 * mm, left + 125 * mm, left + 150 * mm]
    c.setFont(font, 9)
    for x, head in zip(cols, ("项目名称", "金额（不含税）", "税率/征收率", "税额")):
        c.drawString(x, table_top - 6 * mm, head)
    item = req.get("item_name") or f"{req.get('tax_category') or ''}{req.get('item') or ''}"
    c.drawString(cols[0], table_top - 13 * mm, item[:40])
    c.drawString(cols[1], table_top - 13 * mm, _money(req["net"]))
    c.drawString(cols[2], table_top - 13 * mm, _rate(req["rate"]))
    c.drawString(cols[3], table_top - 13 * mm, _money(req["tax"]))
    c.line(left, table_top - rows_h + 8 * mm, right, table_top - rows_h + 8 * mm)
    c.drawString(cols[0], table_top - rows_h + 2.5 * mm, "合计")
    c.drawString(cols[1], table_top - rows_h + 2.5 * mm, f"¥{_money(req['net'])}")
    c.drawString(cols[3], table_top - rows_h + 2.5 * mm, f"¥{_money(req['tax'])}")

    total = req["amount"] if "amount" in req else req["total"]
    total_top = table_top - rows_h
    c.rect(left, total_top - 10 * mm, right - left, 10 * mm)
    c.setFont(font, 10)
    c.drawString(left + 3 * mm, total_top - 6.5 * mm, f"价税合计（大写）  {req.get('amount_in_words') or ''}")
    c.drawString(right - 55 * mm, total_top - 6.5 * mm, f"（小写）¥{_money(total)}")

    notes_top = total_top - 10 * mm
    c.setFont(font, 9)
    notes = [f"备注：{req.get('remarks') or ''}"]
    basis = req.get("rate_basis") or {}
    if basis.get("rule") in RATE_RULES:
        notes.append(f"税率依据：{RATE_RULES[basis['rule']]}（{_day(basis.get('date'))}）"
                     + (f"，原发票 {basis['replaces']}" if basis.get("replaces") else ""))
    if red and req.get("reverses"):
        notes.append(f"红冲对应的蓝字发票：{req['reverses']}"
                     + (f"；冲红原因：{req['reason']}" if req.get("reason") else ""))
    if req.get("seller", {}).get("bank_account"):
        notes.append(f"收款账户：{req['seller']['bank_account']}")
    for m in req.get("missing") or ():
        notes.append(f"尚缺：{ROLES.get(m.get('role'), '')} {m.get('party')} 的{FIELDS.get(m.get('field'), m.get('field'))}"
                     f"（登记后方可登记平台开具的发票：PATCH {m.get('patch')}）")
    lines = [piece for note in notes for piece in _wrap(str(note), font, 9, right - left - 6 * mm)]
    box = max(25 * mm, (len(lines) + 1) * 5.5 * mm)
    c.rect(left, notes_top - box, right - left, box)
    for i, line in enumerate(lines):
        c.drawString(left + 3 * mm, notes_top - (6 + 5.5 * i) * mm, line)

    c.setFont(font, 8)
    c.setFillColor(colors.grey)
    c.drawString(left, notes_top - box - 7 * mm,
                 "本单据由合同结算系统按合同和已登记的收付款计算，供销售方在电子发票服务平台开具时核对；"
                 "开具后请登记平台开具的发票。")
    c.showPage()
    c.save()
    return buf.getvalue()


# bench/run.py renders with the old name: the same request form.
render_invoice_pdf = render_request_pdf
