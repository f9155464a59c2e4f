"""The reconciliation as a PDF a section chief (科长) can read and sign.

Landscape A4, every character in one embedded CJK TrueType font
(:mod:`settlement.reports.fonts`; the canvas starts in it too, so no
non-embedded Helvetica is referenced). In order:

1. title, generation time (Asia/Shanghai), the totals in words and figures;
2. the contracts' summary table and a chart of cumulative earned, invoiced and
   paid by month against the contract total, and the month's output VAT;
3. the deadlines of the next 30 days;
4. per contract: parties by name, settlement status, penalties, the tranche table
   (amount, due, invoice due, invoiced, paid, outstanding, status, days overdue)
   and every alert in words;
5. the unreconciled bank lines (未达账项: unmatched and ignored, with totals) and the
   probable duplicate payments, when the report carries them;
6. the signature block 编制人 / 复核人 / 日期.

Every page has 第 N 页 共 M 页 and the generation time at its foot. Signed figures are
shown by direction (预收/应收, 已应计未开票/超开票, 应退), never as a minus under a
positive label. Text from the data goes into paragraphs escaped, never as markup.
"""
from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from settlement.reports import labels as L
from settlement.reports.fonts import register_font
from settlement.reports.tabular import bank_total_row

MAX_ROWS = 200              # contracts listed (summary and detail); the files for machines hold all
SHANGHAI = ZoneInfo("Asia/Shanghai")
GREY = colors.HexColor("#eeeeee")
LIGHT = colors.HexColor("#f5f5f5")

_m = L.money


def _mo(value) -> str:
    return "" if value in (None, "") else L.money(value)


def _nz(value) -> str:
    """An amount, blank when zero (a bank line is a credit or a debit)."""
    return "" if value in (None, "") or Decimal(value) == 0 else L.money(value)


def chart(report: dict, font: str, width: float, height: float) -> Drawing:
    series = report["series"]
    d = Drawing(width, height)
    d.initialFontName = font          # the drawing's starting state; reportlab's default is Helvetica
    lc = HorizontalLineChart()
    lc.x, lc.y, lc.width, lc.height = 60, 40, width - 200, height - 70
    total = int(Decimal(report["contract_total"])) if series else 0  # drawing coordinates (whole yuan)
    lc.data = [[int(Decimal(p[k])) for p in series] for k in ("earned", "invoiced", "paid")] + \
              [[total] * len(series)]
    lc.categoryAxis.categoryNames = [p["month"][2:] for p in series]
    lc.categoryAxis.labels.fontName = font
    lc.categoryAxis.labels.fontSize = 7
    lc.valueAxis.valueMin = 0
    lc.valueAxis.labels.fontName = font
    lc.valueAxis.labels.fontSize = 7
    lc.valueAxis.labelTextFormat = lambda v: f"{v / 10000:,.0f}万"
    palette = [colors.HexColor("#1f77b4"), colors.HexColor("#ff7f0e"), colors.HexColor("#2ca02c"),
               colors.HexColor("#999999")]
    for i, c in enumerate(palette):
        lc.lines[i].strokeColor = c
        lc.lines[i].strokeWidth = 2 if i < 3 else 1
    lc.lines[1].strokeWidth = 4  # under the paid line, so that equal series both show
    lc.lines[3].strokeDashArray = [4, 3]
    d.add(lc)
    legend = Legend()
    legend.x, legend.y = width - 130, height - 40
    legend.fontName, legend.fontSize, legend.columnMaximum = font, 8, 4
    legend.colorNamePairs = list(zip(palette, ["累计应计", "累计开票", "累计收款", L.t("Contract total")]))
    d.add(legend)
    d.add(String(60, height - 15, L.t("Cumulative earned, invoiced and paid by month"), fontName=font, fontSize=10))
    return d


def _canvas_class(font: str, footer_left: str, footer_right: str):
    """A canvas that starts in the embedded font and, once every page is laid out, writes
    第 N 页 共 M 页 (and the generation time and title) at the foot of each page."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            kwargs["initialFontName"] = kwargs.get("initialFontName") or font  # the doc template passes None
            kwargs["initialFontSize"] = kwargs.get("initialFontSize") or 9
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._foot(number, total)
                super().showPage()
            super().save()

        def _foot(self, number: int, total: int):
            width, _ = self._pagesize
            self.saveState()
            self.setFont(font, 8)
            self.setFillColor(colors.HexColor("#555555"))
            self.drawString(12 * mm, 7 * mm, footer_left)
            self.drawCentredString(width / 2, 7 * mm, L.t("Page {page} of {pages}", page=number, pages=total))
            self.drawRightString(width - 12 * mm, 7 * mm, footer_right)
            self.restoreState()

    return NumberedCanvas


def _shanghai(generated_at: datetime | None) -> datetime:
    if generated_at is None:
        return datetime.now(SHANGHAI)
    if generated_at.tzinfo is None:
        return generated_at.replace(tzinfo=SHANGHAI)
    return generated_at.astimezone(SHANGHAI)


def _grid(font: str, size: float = 8, money_from: int | None = None, money_to: int = -1,
          total_rows: int = 0) -> TableStyle:
    style = [("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), size),
             ("LEADING", (0, 0), (-1, -1), size + 2),
             ("GRID", (0, 0), (-1, -1), 0.3, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), GREY),
             ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    if money_from is not None:
        style.append(("ALIGN", (money_from, 1), (money_to, -1), "RIGHT"))
    if total_rows:
        style.append(("BACKGROUND", (0, -total_rows), (-1, -1), LIGHT))
    return TableStyle(style)


def to_pdf(report: dict, font_path: str, generated_at: datetime | None = None) -> bytes:
    """The report as a PDF (bytes). ``generated_at``: when it was made (default: now), printed in
    Beijing time on every page."""
    font = register_font(font_path)
    when = _shanghai(generated_at).strftime("%Y-%m-%d %H:%M")
    title = L.t("Monthly reconciliation report {month} (as of {as_of})", month=report["month"],
                as_of=report["as_of"])
    generated = L.t("Generated at {time} (Beijing time)", time=when)
    buf = io.BytesIO()
    page = landscape(A4)
    doc = SimpleDocTemplate(buf, pagesize=page, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm,
                            bottomMargin=14 * mm, title=L.t("Reconciliation {month}", month=report["month"]),
                            author="contract-settlement", creator="contract-settlement",
                            subject=title, initialFontName=font, initialFontSize=9)
    width = page[0] - 24 * mm
    h1 = ParagraphStyle("h1", fontName=font, fontSize=16, leading=20)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=12, leading=16, spaceBefore=4 * mm, spaceAfter=2 * mm)
    h3 = ParagraphStyle("h3", fontName=font, fontSize=10.5, leading=14, spaceBefore=3 * mm, spaceAfter=1 * mm)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13)
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10)
    cell_right = ParagraphStyle("cell_right", parent=cell, alignment=TA_RIGHT)
    item = ParagraphStyle("item", parent=body, leftIndent=4 * mm)
    note = ParagraphStyle("note", parent=body, fontSize=8, leading=11, textColor=colors.HexColor("#555555"))
    sign = ParagraphStyle("sign", fontName=font, fontSize=11, leading=16)

    def p(text: str, style=body) -> Paragraph:
        return Paragraph(escape(str(text)), style)

    def c(text) -> Paragraph:
        return Paragraph(escape("" if text is None else str(text)), cell)

    def r(text) -> Paragraph:
        return Paragraph(escape(str(text)), cell_right)

    t = report["totals"]
    contracts = report["contracts"]
    shown = contracts[:MAX_ROWS]
    story = [p(title, h1), p(generated), Spacer(1, 3 * mm)]
    story.append(p(L.t("Contracts {n}; contract total {total}; earned to date {earned}; invoiced to date {invoiced}; "
                       "paid to date {paid}; balance {balance}; earned vs invoiced {uninvoiced}",
                       n=t["contracts"], total=_m(report["contract_total"]), earned=_m(t["earned_to_date"]),
                       invoiced=_m(t["invoiced_to_date"]["total"]), paid=_m(t["paid_to_date"]),
                       balance=L.directed_text(L.balance(t["balance"])),
                       uninvoiced=L.directed_text(L.invoicing(t["uninvoiced_earned"])))))
    story.append(p(L.t("In the month: earned {earned}; invoiced {invoiced}; paid {paid}",
                       earned=_m(t["earned_month"]), invoiced=_m(t["invoiced_month"]["total"]),
                       paid=_m(t["paid_month"]))))
    story.append(Spacer(1, 3 * mm))

    # -- summary table
    head = [L.t(h) for h in ("Contract code", "Buyer", "Vendor", "Settlement status", "Earned in the month",
                             "Earned to date", "Invoiced to date, total", "Paid to date",
                             "Balance (paid vs earned)", "Earned vs invoiced", "Alert count")]
    rows = [[c(h) for h in head]]
    for k in shown:
        rows.append([c(k["code"]), c(L.party(k, "buyer")), c(L.party(k, "vendor")),
                     c(L.status_label(k.get("settlement_status"))), _m(k["earned_month"]), _m(k["earned_to_date"]),
                     _m(k["invoiced_to_date"]["total"]), _m(k["paid_to_date"]),
                     r(L.directed_text(L.balance(k["balance"]))),
                     r(L.directed_text(L.invoicing(k["uninvoiced_earned"]))), str(len(k.get("alerts") or ()))])
    rows.append([L.t("Total"), L.t("{n} contract(s)", n=t["contracts"]), "", "", _m(t["earned_month"]),
                 _m(t["earned_to_date"]), _m(t["invoiced_to_date"]["total"]), _m(t["paid_to_date"]),
                 r(L.directed_text(L.balance(t["balance"]))), r(L.directed_text(L.invoicing(t["uninvoiced_earned"]))),
                 ""])
    fractions = [0.10, 0.095, 0.11, 0.08, 0.075, 0.075, 0.08, 0.08, 0.115, 0.14, 0.05]
    table = Table(rows, colWidths=[f * width for f in fractions], repeatRows=1)
    table.setStyle(_grid(font, money_from=4, total_rows=1))
    story.append(table)
    story += [Spacer(1, 1.5 * mm),
              p(L.t("Net of red-letter invoices and refunds; a negative figure is a net reversal."), note)]
    if len(contracts) > MAX_ROWS:
        story.append(p(L.t("Only the first {n} contracts are listed; the XLSX, CSV and JSON files hold them all.",
                           n=MAX_ROWS)))
    story += [Spacer(1, 4 * mm), chart(report, font, width, 70 * mm)]
    vat = t.get("vat_by_rate") or []
    if vat:
        story += [Spacer(1, 2 * mm), p(L.t("Output VAT of the month: ") + "；".join(
            L.t("{rate}: net {net}, tax {tax}, total {total}", rate=L.rate_text(v["rate"]), net=_m(v["net"]),
                tax=_m(v["tax"]), total=_m(v["total"])) for v in vat))]

    # -- deadlines in the next 30 days
    story.append(p(L.t("Deadlines in the next 30 days"), h2))
    deadlines = sorted(((d["date"], k["code"], d) for k in shown for d in k.get("deadlines") or ()),
                       key=lambda x: (x[0], x[1], x[2]["kind"], x[2].get("tranche_seq") or 0))
    if deadlines:
        rows = [[L.t("Date"), L.t("Contract code"), L.t("Deadline"), L.t("Tranche")]]
        for day, code, d in deadlines:
            rows.append([day + (L.t("(provisional)") if d.get("provisional") else ""), code,
                         L.deadline_label(d["kind"]),
                         L.t("Tranche {seq}", seq=d["tranche_seq"]) if d.get("tranche_seq") else ""])
        table = Table(rows, colWidths=[0.2 * width, 0.3 * width, 0.3 * width, 0.2 * width], repeatRows=1)
        table.setStyle(_grid(font))
        story.append(table)
    else:
        story.append(p(L.t("No deadlines in the next 30 days.")))

    # -- each contract
    story.append(p(L.t("Contracts"), h2))
    tr_head = [L.t(h) for h in ("Tranche", "Amount", "Payment due", "Invoice due", "Invoiced", "Paid", "Outstanding",
                                "Status", "Days overdue")]
    for k in shown:
        block = [p(f"{k['code']}　{k.get('title') or ''}", h3),
                 p(L.t("Buyer: {buyer}; vendor: {vendor}; contract total: {total}; settlement: {status}",
                       buyer=L.party(k, "buyer"), vendor=L.party(k, "vendor"), total=_m(k["total_amount"]),
                       status=L.status_label(k.get("settlement_status")) or "—"))]
        extra = []
        if k.get("value") not in (None, "") and k.get("value_basis") not in (None, "", "contract"):
            extra.append(L.t("{basis}: {amount}", basis=L.basis_label(k["value_basis"]), amount=_m(k["value"])))
        pen = k.get("penalties")
        if isinstance(pen, dict):
            extra.append(L.t("Penalty: claimed {claimed}, set off {set_off}, outstanding {outstanding}",
                             claimed=_mo(pen.get("claimed")), set_off=_mo(pen.get("set_off")),
                             outstanding=_mo(pen.get("outstanding"))))
        if extra:
            block.append(p("；".join(extra)))
        rows = [tr_head]
        for tr in k.get("tranches") or ():
            refund = L.refund_due(tr)

            def day(value, provisional=tr.get("provisional")):
                if not value:
                    return ""
                return value + (L.t("(provisional)") if provisional else "")

            # paid beyond the amount: the open figure is what the vendor owes back (应退), not a negative
            open_figure = f"{L.label('refund')} {_m(refund)}" if refund else _mo(tr.get("outstanding"))
            rows.append([str(tr["seq"]), _mo(tr["amount"]), day(tr.get("due_date")), day(tr.get("invoice_due_date")),
                         _mo(tr.get("invoiced")), _mo(tr.get("paid")), open_figure,
                         L.status_label(tr.get("status")), str(tr.get("days_overdue") or 0)])
        table = Table(rows, colWidths=[f * width for f in (0.06, 0.13, 0.13, 0.13, 0.12, 0.12, 0.12, 0.12, 0.07)],
                      repeatRows=1)
        style = _grid(font, money_from=1, money_to=1)
        for col in (4, 5, 6, 8):
            style.add("ALIGN", (col, 1), (col, -1), "RIGHT")
        table.setStyle(style)
        block += [table, Spacer(1, 1.5 * mm)]
        alerts = k.get("alerts") or []
        if alerts:      # numbered: the embedded font has no bullet glyph
            block += [p(f"{i}. {L.alert_line(a, k)}", item) for i, a in enumerate(alerts, start=1)]
        else:
            block.append(p(L.t("No alerts.")))
        story += [CondPageBreak(40 * mm), KeepTogether(block[:3]), *block[3:]]

    # -- unreconciled bank lines and probable duplicates
    if "bank_lines" in report:
        bank = report.get("bank_lines") or {}
        unmatched, ignored = bank.get("unmatched") or [], bank.get("ignored") or []
        story.append(p(L.t("Unreconciled bank lines"), h2))
        story.append(p(L.t("Unmatched {n} line(s), total {total}; ignored {m} line(s), total {ignored}",
                           n=len(unmatched), m=len(ignored),
                           total=_mo(bank.get("unmatched_total")) or _m(sum(
                               (Decimal(x.get("credit") or 0) for x in unmatched), Decimal(0))),
                           ignored=_mo(bank.get("ignored_total")) or _m(sum(
                               (Decimal(x.get("debit") or 0) for x in ignored), Decimal(0))))))
        head = [L.t(h) for h in ("Category", "Bank serial", "Transaction date", "Counterparty", "Counterparty account",
                                 "Credit", "Debit", "Memo", "Reason")]
        rows = [[c(h) for h in head]]
        for category, lines in (("unmatched", unmatched), ("ignored", ignored)):
            for ln in lines:
                rows.append([L.label(category), c(ln.get("serial")), ln.get("txn_date") or "",
                             c(ln.get("counterparty_name")), c(ln.get("counterparty_account")),
                             _nz(ln.get("credit")), _nz(ln.get("debit")), c(ln.get("memo")),
                             c(L.reason_label(ln.get("reason")))])
        totals = 0
        for category, lines in (("unmatched", unmatched), ("ignored", ignored)):
            word, credit, debit = bank_total_row(category, lines, bank.get(f"{category}_total"))
            rows.append([c(word), "", "", "", "", _mo(credit), _mo(debit), "", ""])
            totals += 1
        table = Table(rows, colWidths=[f * width for f in (0.11, 0.12, 0.08, 0.13, 0.14, 0.08, 0.08, 0.12, 0.14)],
                      repeatRows=1)
        table.setStyle(_grid(font, money_from=5, money_to=6, total_rows=totals))
        story.append(table)
    if "probable_duplicates" in report:
        dups = report.get("probable_duplicates") or []
        story.append(p(L.t("Probable duplicate payments"), h2))
        if dups:
            head = [L.t(h) for h in ("Contract code", "Bank serial", "Payment record", "Amount", "Bank date",
                                     "Payment date")]
            rows = [head] + [[c(d.get("contract_code")), c(d.get("bank_line_serial")), str(d.get("payment_id") or ""),
                              _mo(d.get("amount")), d.get("bank_date") or "", d.get("payment_date") or ""]
                             for d in dups]
            table = Table(rows, colWidths=[f * width for f in (0.22, 0.22, 0.12, 0.14, 0.15, 0.15)], repeatRows=1)
            table.setStyle(_grid(font, money_from=3, money_to=3))
            story.append(table)
        else:
            story.append(p(L.t("None.")))

    # -- signature
    blank = "_" * 14
    signatures = Table([[Paragraph(escape(L.t(msgid, blank=blank)), sign) for msgid in
                         ("Prepared by: {blank}", "Reviewed by: {blank}", "Signed on: {blank}")]],
                       colWidths=[width / 3] * 3, hAlign="LEFT")
    signatures.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    story.append(KeepTogether([Spacer(1, 14 * mm), signatures]))
    doc.build(story, canvasmaker=_canvas_class(font, generated, title))
    return buf.getvalue()
