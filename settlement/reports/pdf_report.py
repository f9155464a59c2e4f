"""The reconciliation as a PDF for clerks: summary table and a chart of cumulative earned,
invoiced and paid by month against the contract total (same embedded CJK font as invoices)."""
from __future__ import annotations

import io
from decimal import Decimal

from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from invoices.pdf import register_font

MAX_ROWS = 200
POSITION = {"prepaid": "预收", "receivable": "应收", "even": "持平"}


def _m(d) -> str:
    return f"{Decimal(d):,.2f}"


def chart(report: dict, font: str, width: float, height: float) -> Drawing:
    series = report["series"]
    d = Drawing(width, height)
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
    legend.fontName, legend.fontSize = font, 8
    legend.colorNamePairs = list(zip(palette, ["累计应计", "累计开票", "累计收款", "合同总价"]))
    d.add(legend)
    d.add(String(60, height - 15, "累计应计、开票、收款（按月）", fontName=font, fontSize=10))
    return d


def to_pdf(report: dict, font_path: str) -> bytes:
    font = register_font(font_path)
    buf = io.BytesIO()
    page = landscape(A4)
    doc = SimpleDocTemplate(buf, pagesize=page, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm,
                            bottomMargin=12 * mm, title=f"对账报告 {report['month']}")
    h1 = ParagraphStyle("h1", fontName=font, fontSize=16, leading=20)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12)
    t = report["totals"]
    story = [Paragraph(f"月度对账报告 {report['month']}（截至 {report['as_of']}）", h1), Spacer(1, 4 * mm),
             Paragraph(f"合同 {t['contracts']} 个；合同总价 {_m(report['contract_total'])}；累计应计 "
                       f"{_m(t['earned_to_date'])}；累计开票 {_m(t['invoiced_to_date']['total'])}；累计收款 "
                       f"{_m(t['paid_to_date'])}；余额 {_m(t['balance'])}（{POSITION[t['position']]}）", body),
             Spacer(1, 4 * mm)]
    head = ["合同编号", "本月应计", "累计应计", "本月开票", "累计开票", "本月收款", "累计收款", "余额", "已应计未开票",
            "提醒"]
    rows = [head]
    for c in report["contracts"][:MAX_ROWS]:
        rows.append([c["code"], _m(c["earned_month"]), _m(c["earned_to_date"]), _m(c["invoiced_month"]["total"]),
                     _m(c["invoiced_to_date"]["total"]), _m(c["paid_month"]), _m(c["paid_to_date"]),
                     _m(c["balance"]), _m(c["uninvoiced_earned"]), str(len(c["alerts"]))])
    rows.append(["合计", _m(t["earned_month"]), _m(t["earned_to_date"]), _m(t["invoiced_month"]["total"]),
                 _m(t["invoiced_to_date"]["total"]), _m(t["paid_month"]), _m(t["paid_to_date"]),
                 _m(t["balance"]), _m(t["uninvoiced_earned"]), ""])
    table = Table(rows, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"), ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f5f5f5"))]))
    story += [table]
    if len(report["contracts"]) > MAX_ROWS:
        story.append(Paragraph(f"（仅列出前 {MAX_ROWS} 个合同；完整数据见 XLSX/CSV/JSON）", body))
    story += [Spacer(1, 6 * mm), chart(report, font, page[0] - 24 * mm, 75 * mm)]
    vat = t["vat_by_rate"]
    if vat:
        story += [Spacer(1, 4 * mm), Paragraph("本月销项税：" + "；".join(
            f"{(Decimal(v['rate']) * 100).normalize():f}%：金额 {_m(v['net'])}，税额 {_m(v['tax'])}，价税合计 {_m(v['total'])}"
            for v in vat), body)]
    doc.build(story)
    return buf.getvalue()
