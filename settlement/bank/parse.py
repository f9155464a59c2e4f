"""Reading bank statement exports (CSV or XLSX) into plain statement lines.

Chinese corporate online banking exports put a title block above the header
row, name columns in Chinese (交易日期, 对方户名, 对方账号, 收入金额 or 贷方发生额,
…), write amounts with thousands separators and use UTF-8 (with or without
BOM) or GB18030/GBK. Another bank's names are a mapping file away
(``--mapping FILE``: JSON of field → list of column names). Lines are read
lazily so a statement of a million lines is never held in memory.
"""
from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

#: field -> the column names banks use for it (first match wins; memo columns are joined)
DEFAULT_COLUMNS: dict[str, list[str]] = {
    "date": ["交易日期", "交易时间", "记账日期", "入账日期", "日期"],
    "counterparty_name": ["对方户名", "对方账户名称", "对方单位", "对方名称", "付款人名称"],
    "counterparty_account": ["对方账号", "对方账户", "付款人账号", "对方卡号"],
    "credit": ["收入金额", "贷方发生额", "贷方金额", "收入"],
    "debit": ["支出金额", "借方发生额", "借方金额", "支出"],
    "memo": ["摘要", "用途", "附言", "备注", "交易附言"],
    "serial": ["交易流水号", "流水号", "银行流水号", "交易序号", "凭证号"],
}
REQUIRED = ("date", "serial")
HEADER_SCAN_ROWS = 30
ZERO = Decimal("0.00")  # one shared value for the empty side of every line (Decimal is immutable)


class StatementError(ValueError):
    """The file itself cannot be read as a statement (not a single line's problem)."""


@dataclass(frozen=True)
class StatementLine:
    line_no: int
    serial: str
    txn_date: date
    counterparty_name: str | None
    counterparty_account: str | None
    credit: Decimal
    debit: Decimal
    memo: str | None


@dataclass(frozen=True)
class RejectedLine:
    line_no: int
    reason: str


def load_mapping(path: str | None) -> dict[str, list[str]]:
    """The column names to look for: the defaults, with a mapping file's names tried first."""
    columns = {k: list(v) for k, v in DEFAULT_COLUMNS.items()}
    if not path:
        return columns
    try:
        extra = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StatementError(f"mapping file {path}: {exc}") from None
    if not isinstance(extra, dict):
        raise StatementError(f"mapping file {path}: must be a JSON object of field -> column names")
    for field, names in extra.items():
        if field not in columns:
            raise StatementError(f"mapping file {path}: unknown field {field!r} "
                                 f"(known: {', '.join(columns)})")
        names = [names] if isinstance(names, str) else names
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise StatementError(f"mapping file {path}: {field} must be a column name or a list of them")
        columns[field] = names + [n for n in columns[field] if n not in names]
    return columns


def detect_encoding(head: bytes) -> str:
    """UTF-8 with BOM, UTF-8, else GB18030 (a superset of GBK and GB2312)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a character cut at the end of the sample
            return "utf-8"
        return "gb18030"


def _clean(cell) -> str:
    if cell is None:
        return ""
    return str(cell).strip().strip("\ufeff").strip('"').strip()


def parse_amount_cell(cell) -> Decimal:
    """An amount cell: thousands separators, blanks and "-" allowed; at most two decimals."""
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        value = Decimal(repr(cell))
    else:
        text = _clean(cell).replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
        if text in ("", "-", "--"):
            return ZERO
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"amount {_clean(cell)!r} is not a number") from None
    if not value.is_finite():
        raise ValueError("amount is not a finite number")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"amount {value} has more than two decimal places")
    if abs(value) >= Decimal("1000000000000"):
        raise ValueError("amount is out of range")
    return value.quantize(Decimal("0.01"))


_DATE_PATTERNS = [
    (re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"), None),
    (re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日"), None),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})(?:\D|$)"), None),
]


def parse_date_cell(cell) -> date:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = _clean(cell)
    for pattern, _ in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                break
    raise ValueError(f"date {text!r} is not a date")


def _locate_header(rows: list[list], columns: dict[str, list[str]]) -> tuple[int, dict[str, list[int]]]:
    """The header row among the first rows: the one naming the most known columns."""
    best: tuple[int, int, dict] | None = None
    for index, row in enumerate(rows):
        names = [_clean(c) for c in row]
        found: dict[str, list[int]] = {}
        for field, aliases in columns.items():
            hits = [i for i, n in enumerate(names) if n in aliases]
            if field != "memo":
                hits = sorted(hits, key=lambda i: aliases.index(names[i]))[:1]
            if hits:
                found[field] = hits
        score = len(found)
        if all(f in found for f in REQUIRED) and ("credit" in found or "debit" in found):
            if best is None or score > best[1]:
                best = (index, score, found)
    if best is None:
        raise StatementError("no header row found in the first lines: need columns for the date (交易日期), "
                             "the serial number (交易流水号) and an amount (收入金额/贷方发生额)")
    return best[0], best[2]


def _rows_csv(path: Path) -> Iterator[list[str]]:
    with open(path, "rb") as raw:
        head = raw.read(1 << 20)
    encoding = detect_encoding(head)
    try:
        sample = head[:65536].decode(encoding, errors="ignore")
    except LookupError:  # pragma: no cover
        raise StatementError(f"unknown encoding {encoding}") from None
    lines = sample.splitlines()[:HEADER_SCAN_ROWS]
    delimiter = max(",\t;|", key=lambda d: max((ln.count(d) for ln in lines), default=0))
    with open(path, "r", encoding=encoding, newline="", errors="strict") as fh:
        try:
            yield from csv.reader(fh, delimiter=delimiter)
        except UnicodeDecodeError as exc:
            raise StatementError(f"the file is not valid {encoding} text: {exc}") from None


def _rows_xlsx(path: Path) -> Iterator[list]:
    from openpyxl import load_workbook
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise StatementError(f"cannot open {path.name} as XLSX: {exc}") from None
    try:
        for row in wb.worksheets[0].iter_rows(values_only=True):
            yield list(row)
    finally:
        wb.close()


def read_statement(path: str | Path, columns: dict[str, list[str]] | None = None
                   ) -> Iterator[StatementLine | RejectedLine]:
    """Statement lines (or rejections, with line numbers) from a CSV or XLSX export, lazily."""
    path = Path(path)
    if not path.is_file():
        raise StatementError(f"{path}: no such file")
    columns = columns or DEFAULT_COLUMNS
    rows = _rows_xlsx(path) if path.suffix.lower() in (".xlsx", ".xlsm") else _rows_csv(path)
    head: list[list] = []
    for row in rows:
        head.append(row)
        if len(head) >= HEADER_SCAN_ROWS:
            break
    if not head:
        raise StatementError(f"{path.name} is empty")
    header_index, where = _locate_header(head, columns)

    def cell(row, field):
        idx = where.get(field)
        if not idx:
            return None
        return row[idx[0]] if idx[0] < len(row) else None

    def convert(line_no: int, row: list):
        if not any(_clean(c) for c in row):
            return None
        first = _clean(row[0]) if row else ""
        if first.startswith(("合计", "总计", "本页合计", "共")):
            return None
        try:
            serial = _clean(cell(row, "serial"))
            if not serial:
                raise ValueError("no serial number (交易流水号)")
            credit = parse_amount_cell(cell(row, "credit"))
            debit = parse_amount_cell(cell(row, "debit"))
            if credit < 0 or debit < 0:
                raise ValueError("amounts must not be negative")
            memo = " ".join(_clean(row[i]) for i in where.get("memo", []) if i < len(row) and _clean(row[i]))
            return StatementLine(line_no, serial[:64], parse_date_cell(cell(row, "date")),
                                 _clean(cell(row, "counterparty_name"))[:200] or None,
                                 re.sub(r"\s", "", _clean(cell(row, "counterparty_account")))[:64] or None,
                                 credit, debit, memo or None)
        except ValueError as exc:
            return RejectedLine(line_no, str(exc))

    line_no = header_index + 1
    for row in head[header_index + 1:]:
        line_no += 1
        item = convert(line_no, row)
        if item is not None:
            yield item
    for row in rows:
        line_no += 1
        item = convert(line_no, row)
        if item is not None:
            yield item
