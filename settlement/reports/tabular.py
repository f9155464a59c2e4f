"""CSV (UTF-8 with BOM, so Excel opens it right) and XLSX (openpyxl) writers.

Both take the report in its JSON form (amounts as two-decimal strings, dates ISO:
``settlement.services.reconciliation.to_jsonable``) and lay it out in the same
sections: the summary (a row per contract and a totals row), tranches, deadlines
in the next 30 days, alerts, the month's output VAT and, when the report has
them, the unreconciled bank lines (未达账项) and probable duplicate payments.

- Labels, statuses, alerts and kinds are in Chinese (:mod:`settlement.reports.labels`);
  codes stay in their own columns at the end of a row.
- A figure that changes sign is written as its absolute value beside its direction
  (预收/应收, 已应计未开票/超开票): never a minus under a positive label; a tranche paid
  beyond its amount shows its 应退金额 (refund due), not a negative outstanding.
  Invoiced and paid are net of red-letter invoices and refunds: their headings say
  净额, and the XLSX shows a negative one in red.
- Every text cell is neutralised against formula injection (OWASP "CSV injection"):
  text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
  leading ``'``; XLSX text cells are strings, never formulas. Amounts are numbers
  (formatted by this module from ``Decimal``), dates are dates, so neither can carry one.
- The CSV is deterministic: the same report gives the same bytes.
"""
from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from settlement.reports import labels as L

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")     # characters a workbook cannot hold
EXCEL_ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))
MAX_CELL_TEXT = 32767                  # Excel's limit for one cell
MONEY_FORMAT = "#,##0.00"
NET_FORMAT = "#,##0.00;[Red]-#,##0.00"  # net figures whose heading says negatives are reversals
DATE_FORMAT = "yyyy-mm-dd"
TEXT_WIDTH_CAP = 40                     # wider text wraps (money, dates and codes are never capped)
HEADER_WIDTH_CAP = 10                   # a long heading wraps onto more lines instead
LINE_HEIGHT = 15                        # points per line of 11-point text


def neutralise(value) -> str:
    """Text safe to put in a spreadsheet cell: control characters a workbook cannot hold are
    replaced, and text that a spreadsheet would read as a formula gets a leading ``'``."""
    text = "" if value is None else str(value)
    if _CONTROL.search(text):
        text = _CONTROL.sub("\ufffd", text)
    if text.startswith(FORMULA_TRIGGERS) or text in EXCEL_ERROR_CODES:
        text = "'" + text
    return text[:MAX_CELL_TEXT]


def display_width(text: str) -> int:
    """Columns ``text`` takes on screen: East Asian wide and full-width characters count double."""
    if text.isascii():
        return max(map(len, text.split("\n"))) if "\n" in text else len(text)
    longest = 0
    for line in text.split("\n"):
        longest = max(longest, sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line))
    return longest


# -- the sections, shared by both writers ---------------------------------------------------

@dataclass(frozen=True)
class Col:
    msgid: str                 # heading (English id → Chinese through the reports catalogue)
    kind: str = "text"         # text / money / net / date / int
    cap: int | None = TEXT_WIDTH_CAP


@dataclass
class Section:
    key: str
    title: str                 # sheet name / CSV section title
    cols: list[Col]
    rows: Callable[[], Iterator[list]]     # called once per pass (widths, then rows)
    body_rows: Callable[[], int]           # rows the autofilter covers (totals rows excluded)


def _get(row: dict, key: str):
    for part in key.split("."):
        row = row.get(part) if isinstance(row, dict) else None
    return row


def _penalty(c: dict, key: str):
    p = c.get("penalties")
    return p.get(key) if isinstance(p, dict) else None


SUMMARY = [
    Col("Contract code", cap=None), Col("Contract title", cap=24), Col("Buyer", cap=16), Col("Vendor", cap=16),
    Col("Contract total", "money"), Col("Earned in the month", "money"), Col("Earned to date", "money"),
    Col("Invoiced in the month, net", "net"), Col("Invoiced in the month, tax", "net"),
    Col("Invoiced in the month, total", "net"), Col("Invoiced to date, total", "net"),
    Col("Paid in the month", "net"), Col("Paid to date", "net"),
    Col("Balance (paid vs earned)", "money"), Col("Balance direction"),
    Col("Earned vs invoiced", "money"), Col("Earned vs invoiced direction"),
    Col("Settlement status"), Col("Value in force", "money"), Col("Value basis"),
    Col("Penalty claimed", "money"), Col("Penalty set off", "money"), Col("Penalty outstanding", "money"),
    Col("Alerts", cap=20), Col("Settlement status code", cap=None),
]


def _summary_row(c: dict) -> list:
    bal_word, bal = L.balance(c["balance"])
    inv_word, inv = L.invoicing(c["uninvoiced_earned"])
    kinds = []
    for a in c.get("alerts") or ():
        word = L.alert_label(a.get("kind"))
        if word not in kinds:
            kinds.append(word)
    return [c["code"], c.get("title"), L.party(c, "buyer"), L.party(c, "vendor"),
            c["total_amount"], c["earned_month"], c["earned_to_date"],
            _get(c, "invoiced_month.net"), _get(c, "invoiced_month.tax"), _get(c, "invoiced_month.total"),
            _get(c, "invoiced_to_date.total"), c["paid_month"], c["paid_to_date"],
            bal, bal_word, inv, inv_word,
            L.status_label(c.get("settlement_status")), c.get("value"), L.basis_label(c.get("value_basis")),
            _penalty(c, "claimed"), _penalty(c, "set_off"), _penalty(c, "outstanding"),
            "；".join(kinds), c.get("settlement_status") or ""]


def _totals_row(report: dict) -> list:
    t = report["totals"]
    bal_word, bal = L.balance(t["balance"])
    inv_word, inv = L.invoicing(t["uninvoiced_earned"])
    pens = {}
    for key in ("claimed", "set_off", "outstanding"):
        values = [_penalty(c, key) for c in report["contracts"] if _penalty(c, key) is not None]
        pens[key] = _penalty(t, key) if isinstance(t.get("penalties"), dict) else \
            sum((Decimal(v) for v in values), Decimal("0.00")) if values else None
    return [L.t("Total"), L.t("{n} contract(s)", n=t["contracts"]), "", "", report["contract_total"],
            t["earned_month"], t["earned_to_date"], _get(t, "invoiced_month.net"), _get(t, "invoiced_month.tax"),
            _get(t, "invoiced_month.total"), _get(t, "invoiced_to_date.total"), t["paid_month"], t["paid_to_date"],
            bal, bal_word, inv, inv_word, "", _value_total(report), "", pens["claimed"], pens["set_off"],
            pens["outstanding"], "", ""]


def _value_total(report: dict):
    """The contracts' values in force added up, when every contract has one."""
    values = [c.get("value") for c in report["contracts"]]
    if not values or any(v in (None, "") for v in values):
        return None
    return sum((Decimal(v) for v in values), Decimal("0.00"))


TRANCHES = [
    Col("Contract code", cap=None), Col("Tranche", "int"), Col("Amount", "money"), Col("Payment due", "date"),
    Col("Invoice due", "date"), Col("Invoiced", "money"), Col("Paid", "money"), Col("Outstanding", "money"),
    Col("Refund due", "money"), Col("Status"), Col("Days overdue", "int"), Col("Provisional date"),
    Col("Status code", cap=None),
]


def _tranche_rows(report: dict) -> Iterator[list]:
    for c in report["contracts"]:
        for tr in c.get("tranches") or ():
            refund = L.refund_due(tr)
            yield [c["code"], tr["seq"], tr["amount"], tr.get("due_date"), tr.get("invoice_due_date"),
                   tr.get("invoiced"), tr.get("paid"), tr.get("outstanding"), refund or None,
                   L.status_label(tr.get("status")), tr.get("days_overdue"),
                   L.t("Yes") if tr.get("provisional") else "", tr.get("status") or ""]


DEADLINES = [Col("Contract code", cap=None), Col("Date", "date"), Col("Deadline"), Col("Tranche", "int"),
             Col("Provisional date"), Col("Deadline code", cap=None)]


def _deadline_rows(report: dict) -> Iterator[list]:
    for c in report["contracts"]:
        for d in c.get("deadlines") or ():
            yield [c["code"], d["date"], L.deadline_label(d["kind"]), d.get("tranche_seq"),
                   L.t("Yes") if d.get("provisional") else "", d["kind"]]


ALERTS = [Col("Contract code", cap=None), Col("Alert"), Col("Tranche", "int"), Col("Detail", cap=50),
          Col("Detail (as computed)", cap=50), Col("Alert code", cap=None)]


def _alert_rows(report: dict) -> Iterator[list]:
    for c in report["contracts"]:
        for a in c.get("alerts") or ():
            sentence, detail = L.alert_text(a, c), a.get("detail") or ""
            yield [c["code"], L.alert_label(a.get("kind")), a.get("tranche_seq"), sentence,
                   detail if detail != sentence else "", a.get("kind") or ""]


VAT = [Col("Contract code", cap=None), Col("VAT rate"), Col("Net amount", "net"), Col("Tax", "net"),
       Col("Total incl. tax", "net")]


def _vat_rows(report: dict) -> Iterator[list]:
    for c in report["contracts"]:
        for v in c.get("vat_by_rate") or ():
            yield [c["code"], L.rate_text(v["rate"]), v["net"], v["tax"], v["total"]]
    for v in report["totals"].get("vat_by_rate") or ():
        yield [L.t("Total"), L.rate_text(v["rate"]), v["net"], v["tax"], v["total"]]


BANK = [Col("Category"), Col("Bank serial", cap=None), Col("Transaction date", "date"), Col("Counterparty", cap=30),
        Col("Counterparty account", cap=None), Col("Credit", "money"), Col("Debit", "money"), Col("Memo", cap=40),
        Col("Reason", cap=40)]


def bank_total_row(category: str, lines: list[dict], total) -> tuple[str, Decimal | None, Decimal | None]:
    """The category's total row: (label, credit total, debit total). The report's own total goes in
    the column it adds up (credits or debits); when it adds up neither, both columns are summed."""
    credits = sum((Decimal(ln.get("credit") or 0) for ln in lines), Decimal("0.00"))
    debits = sum((Decimal(ln.get("debit") or 0) for ln in lines), Decimal("0.00"))
    word = L.t("{category} total ({n} line(s))", category=L.label(category), n=len(lines))
    if total not in (None, ""):
        total = Decimal(total)
        if total == credits and (debits == 0 or total != debits):
            return word, total, None
        if total == debits:
            return word, None, total
    return word, credits, debits


def _bank_rows(report: dict) -> Iterator[list]:
    bank = report.get("bank_lines") or {}
    for category in ("unmatched", "ignored"):
        for ln in bank.get(category) or ():
            yield [L.label(category), ln.get("serial"), ln.get("txn_date"), ln.get("counterparty_name"),
                   ln.get("counterparty_account"), ln.get("credit"), ln.get("debit"), ln.get("memo"),
                   L.reason_label(ln.get("reason"))]
    for category in ("unmatched", "ignored"):
        word, credit, debit = bank_total_row(category, bank.get(category) or [], bank.get(f"{category}_total"))
        yield [word, "", None, "", "", credit, debit, "", ""]


DUPLICATES = [Col("Contract code", cap=None), Col("Bank serial", cap=None), Col("Payment record", "int"),
              Col("Amount", "money"), Col("Bank date", "date"), Col("Payment date", "date")]


def _duplicate_rows(report: dict) -> Iterator[list]:
    for d in report.get("probable_duplicates") or ():
        yield [d.get("contract_code"), d.get("bank_line_serial"), d.get("payment_id"), d.get("amount"),
               d.get("bank_date"), d.get("payment_date")]


def sections(report: dict) -> list[Section]:
    """The report's sections in order; the bank ones only when the report carries them."""
    n = len(report["contracts"])
    out = [
        Section("summary", L.t("Summary {month}", month=report["month"]), SUMMARY,
                lambda: iter([*map(_summary_row, report["contracts"]), _totals_row(report)]), lambda: n),
        Section("tranches", L.t("Tranches"), TRANCHES, lambda: _tranche_rows(report),
                lambda: sum(len(c.get("tranches") or ()) for c in report["contracts"])),
        Section("deadlines", L.t("Deadlines in 30 days"), DEADLINES, lambda: _deadline_rows(report),
                lambda: sum(len(c.get("deadlines") or ()) for c in report["contracts"])),
        Section("alerts", L.t("Alerts"), ALERTS, lambda: _alert_rows(report),
                lambda: sum(len(c.get("alerts") or ()) for c in report["contracts"])),
        Section("vat", L.t("Output VAT of the month"), VAT, lambda: _vat_rows(report),
                lambda: sum(len(c.get("vat_by_rate") or ()) for c in report["contracts"])),
    ]
    if "bank_lines" in report:
        bank = report.get("bank_lines") or {}
        out.append(Section("bank_lines", L.t("Unreconciled bank lines"), BANK, lambda: _bank_rows(report),
                           lambda: len(bank.get("unmatched") or ()) + len(bank.get("ignored") or ())))
    if "probable_duplicates" in report:
        out.append(Section("duplicates", L.t("Probable duplicate payments"), DUPLICATES,
                           lambda: _duplicate_rows(report), lambda: len(report.get("probable_duplicates") or ())))
    return out


# -- values by kind ---------------------------------------------------------------------------

def _money(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(value).quantize(Decimal("0.01"))


def _date(value) -> date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, date) else date.fromisoformat(value)


def _int(value) -> int | None:
    return None if value is None or value == "" else int(value)


def _csv_money(value) -> str:
    return "" if value is None or value == "" else f"{Decimal(value):.2f}"


def _csv_date(value) -> str:
    d = _date(value)
    return "" if d is None else d.isoformat()


def _csv_int(value) -> str:
    i = _int(value)
    return "" if i is None else str(i)


_CSV = {"money": _csv_money, "net": _csv_money, "date": _csv_date, "int": _csv_int, "text": neutralise}


def csv_value(kind: str, value) -> str:
    """A cell's CSV text: amounts as plain two-decimal numbers, dates ISO, text neutralised."""
    return _CSV[kind](value)


def headings(cols: list[Col]) -> list[str]:
    return [L.t(c.msgid) for c in cols]


# -- CSV -------------------------------------------------------------------------------------

def to_csv(report: dict) -> bytes:
    """Every section, one after the other: the summary first (its heading is the file's first
    line), then a blank line, the section's title in 【】, its headings and rows."""
    buf = io.BytesIO()
    text = io.TextIOWrapper(buf, encoding="utf-8", newline="", write_through=False)
    text.write("\ufeff")
    writer = csv.writer(text, lineterminator="\r\n")
    for i, section in enumerate(sections(report)):
        if i:
            writer.writerow([])
            writer.writerow([neutralise(f"【{section.title}】")])
        writer.writerow([neutralise(h) for h in headings(section.cols)])
        convert = [_CSV[c.kind] for c in section.cols]
        writer.writerows([f(v) for f, v in zip(convert, row)] for row in section.rows())
    text.flush()        # encoded a buffer at a time: no second copy of the whole file as text
    data = buf.getvalue()
    text.detach()
    return data


# -- XLSX ------------------------------------------------------------------------------------

def _cell_width(kind: str, value) -> int:
    if value is None or value == "":
        return 0
    if kind in ("money", "net"):
        return len(f"{_money(value):,.2f}")
    if kind == "date":
        return 10
    if kind == "int":
        return len(str(_int(value)))
    return display_width(neutralise(value))


def wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes in a wrapping column ``width`` wide (a character never splits)."""
    room = max(1, int(width) - 2)
    total = 0
    for line in text.split("\n"):
        used, n = 0, 1
        for ch in line:
            w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
            if used + w > room:
                n, used = n + 1, 0
            used += w
        total += n
    return total


def column_widths(section: Section) -> tuple[list[int], list[bool], int]:
    """(width per column, whether the column's long text wraps, header lines): fitted to the
    content; amounts and dates are never narrower than their longest value (no ``###``)."""
    cols = section.cols
    longest = [0] * len(cols)
    for row in section.rows():
        for i, (col, value) in enumerate(zip(cols, row)):
            w = _cell_width(col.kind, value)
            if w > longest[i]:
                longest[i] = w
    widths, wraps, lines = [], [], 1
    for col, head, data in zip(cols, headings(cols), longest):
        wrap = col.kind == "text" and col.cap is not None and data > col.cap
        data = min(data, col.cap) if wrap else data
        if col.kind in ("money", "net"):
            data += 1                                   # room for a minus sign
        head_w = display_width(head)
        room = max(data, HEADER_WIDTH_CAP)
        if head_w > room:                       # the heading wraps: as many lines as it needs, evenly filled
            head_w = math.ceil(head_w / math.ceil(head_w / room)) + 1
        width = max(data, head_w, 4) + 2
        lines = max(lines, wrapped_lines(head, width))
        widths.append(width)   # characters (a layout width, not money)
        wraps.append(wrap)
    return widths, wraps, lines


def _title(report: dict) -> str:
    return L.t("Monthly reconciliation report {month} (as of {as_of})", month=report["month"],
               as_of=report["as_of"])


def to_xlsx(report: dict) -> bytes:
    """A sheet per section: Chinese headings (bold, wrapped when long, repeated on every printed
    page), frozen header row, autofilter over the rows (not the totals), column widths fitted to
    the content, ``#,##0.00`` amounts as numbers, ``yyyy-mm-dd`` dates, landscape A4 one page
    wide, page numbers in the footer, title, creator and creation date (``as_of``) set.

    Written in openpyxl's write-only mode: rows stream to the file instead of building a cell
    object per value (10,000 contracts are ~500,000 cells: 4× faster, a fraction of the memory).
    Everything that must precede the rows (widths, header height) is computed first in a pass over
    the report that keeps nothing but the widths."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    wb = Workbook(write_only=True)
    as_of = _date(report["as_of"])
    wb.properties.title = _title(report)
    wb.properties.subject = L.t("Reconciliation {month}", month=report["month"])
    wb.properties.creator = "contract-settlement"
    wb.properties.created = datetime.combine(as_of, time())
    wb.properties.language = "zh-CN"

    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="EEEEEE")
    thin = Side(style="thin", color="999999")
    head_border = Border(bottom=thin)
    head_align = Alignment(wrap_text=True, vertical="center", horizontal="center")
    wrap_align = Alignment(wrap_text=True)
    formats = {"money": MONEY_FORMAT, "net": NET_FORMAT, "date": DATE_FORMAT}
    footer_title = neutralise(_title(report)).replace("&", "&&")

    for section in sections(report):
        ws = wb.create_sheet(section.title[:31])
        widths, wraps, head_lines = column_widths(section)
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.row_dimensions[1].height = LINE_HEIGHT * head_lines + 3
        ws.freeze_panes = "A2"
        ws.print_title_rows = "1:1"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = 9  # A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.gridLines = True
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.8      # inches; header and footer sit in 0.3
        ws.page_margins.header = ws.page_margins.footer = 0.3
        ws.oddHeader.left.text = footer_title
        ws.oddHeader.right.text = "&A"
        ws.oddFooter.center.text = "第 &P 页 共 &N 页"

        head = []
        for h in headings(section.cols):
            cell = WriteOnlyCell(ws, value=neutralise(h))
            cell.data_type = "s"
            cell.font, cell.fill, cell.border, cell.alignment = bold, head_fill, head_border, head_align
            head.append(cell)
        ws.append(head)

        kinds = [c.kind for c in section.cols]
        rows = 1
        for row in section.rows():
            out = []
            lines = 1
            for i, (kind, value) in enumerate(zip(kinds, row)):
                if value is None or value == "":
                    out.append(None)
                elif kind in formats:
                    cell = WriteOnlyCell(ws, value=_money(value) if kind != "date" else _date(value))
                    cell.number_format = formats[kind]
                    out.append(cell)
                elif kind == "int":
                    out.append(_int(value))
                else:
                    text = neutralise(value)
                    if wraps[i] and display_width(text) > widths[i] - 2:
                        cell = WriteOnlyCell(ws, value=text)
                        cell.data_type = "s"
                        cell.alignment = wrap_align
                        lines = max(lines, wrapped_lines(text, widths[i]))
                        out.append(cell)
                    else:
                        out.append(text)    # neutralised: openpyxl types it "s" (no "=", no error code)
            rows += 1
            if lines > 1:   # spreadsheet programs keep a row's height on opening: give wrapped rows theirs
                ws.row_dimensions[rows].height = LINE_HEIGHT * lines + 2
            ws.append(out)
            ws.row_dimensions.pop(rows, None)     # written: keep nothing per row (write-only mode)
        last_col = get_column_letter(len(section.cols))
        ws.auto_filter.ref = f"A1:{last_col}{1 + section.body_rows()}"
        ws.print_area = f"A1:{last_col}{rows}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

