"""Reading bank statement exports (CSV or XLSX) into plain statement lines.

Chinese corporate online banking exports put a title block above the header
row, name columns in Chinese (交易日期, 对方户名, 对方账号, 收入金额 or 贷方发生额,
…), write amounts with thousands separators and use UTF-8 (with or without
BOM) or GB18030/GBK. Another bank's names are a mapping file away
(``--mapping FILE``: JSON of field → list of column names). Lines are read
lazily so a statement of a million lines is never held in memory.

The rules, each the reader's answer to a damaged or hostile file:

* **The format is read from the content**, not the name: a ZIP is read as XLSX
  (so is a ``.xlsx``/``.xlsm`` name, which must then be a ZIP); an OLE2 compound
  document (old ``.xls``, or an Excel file with a password), a PDF, an HTML/XML
  page saved as ``.xls``, UTF-16 text or any other binary (a NUL byte in the
  first MiB) is refused with a :class:`StatementError` that names the format and
  says, in Chinese and English, how to get a CSV or XLSX export instead.
* **CSV is read one physical line at a time**, and line numbers are physical line
  numbers. A quoted field must close on its own line: a line with an unbalanced
  quote, malformed quoting, a field over :data:`MAX_FIELD_CHARS` (the csv
  module's default field size limit) or more than :data:`MAX_LINE_CHARS`
  characters is a :class:`RejectedLine` with its number and the reason, and the
  next line is read normally (an open quote never swallows the lines after it).
* **A file that ends mid-record is refused whole** (:class:`StatementError`
  naming the line): its last line has no line break and either leaves a quote
  open or has fewer columns than the header. A complete last line without a
  final line break is accepted; a blank or a 合计/总计 footer is never "cut".
  Bytes the encoding cannot read refuse the file too, naming the first such
  line. Both are found by one pass over the bytes before any line is returned,
  so an importer that commits chunk by chunk has written nothing.
* **Amounts** follow :func:`settlement.domain.money.parse_grouped_amount`:
  ``1,956,564.00`` or ``1956564.00`` (optional ¥, at most two decimals, never
  rounded); a cut group such as ``1,956,5`` is refused, never read as 19565.
* **Serial numbers** longer than :data:`MAX_SERIAL_CHARS` (the column's width)
  are refused, never cut.
* **XLSX is measured before openpyxl parses it**: the ZIP's declared sizes
  (:data:`MAX_XLSX_UNCOMPRESSED_BYTES` in all, :data:`MAX_XLSX_SHARED_STRINGS_BYTES`
  for the shared strings, :data:`MAX_XLSX_COMPRESSION_RATIO` for any entry over
  :data:`XLSX_RATIO_MIN_BYTES`; :mod:`zipfile` never inflates an entry beyond its
  declared size) and the first worksheet's declared dimension
  (:data:`MAX_XLSX_ROWS`, :data:`MAX_XLSX_COLUMNS`). The same row and column limits
  hold while the rows are read, whatever the dimension said (openpyxl would
  otherwise cut the sheet at a wrong dimension silently). Over a limit →
  :class:`StatementError` naming the limit and its value.
"""
from __future__ import annotations

import codecs
import csv
import json
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from pathlib import Path

from settlement.domain.money import parse_amount, parse_grouped_amount

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

# -- limits -----------------------------------------------------------------------------------
#: a serial number is stored in a String(64) column and is the import's dedupe key: longer is refused
MAX_SERIAL_CHARS = 64
#: a CSV field longer than this is refused (the csv module's default ``field_size_limit``)
MAX_FIELD_CHARS = 131_072
#: a CSV line (without its line break) longer than this is refused without being held whole
MAX_LINE_CHARS = 1_048_576
#: XLSX: the ZIP's entries together, decompressed (200 MiB)
MAX_XLSX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
#: XLSX: xl/sharedStrings.xml decompressed (50 MiB); openpyxl holds every shared string in memory
MAX_XLSX_SHARED_STRINGS_BYTES = 50 * 1024 * 1024
#: XLSX: decompressed / compressed size of one entry (real statements: about 10 to 20)
MAX_XLSX_COMPRESSION_RATIO = 100
#: XLSX: entries smaller than this (decompressed) are not held to the ratio
XLSX_RATIO_MIN_BYTES = 1024 * 1024
#: XLSX: rows and columns of the first worksheet, declared (dimension) and read
MAX_XLSX_ROWS = 2_000_000
MAX_XLSX_COLUMNS = 200

_HEAD_BYTES = 1 << 20         # sniffed for the format and the encoding
_XLSX_INDEX_BYTES = 1 << 20   # workbook.xml and its relationships, read to find the first sheet
_XLSX_DIMENSION_SCAN = 1 << 16  # decompressed head of the sheet searched for <dimension ref=…>

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_MARKUP_STARTS = (b"<!doctype", b"<html", b"<?xml", b"<table", b"<head", b"<meta")
_EXPORT_AGAIN = "请在网银中导出 CSV 或 XLSX 格式的对账单"
_EXPORT_AGAIN_EN = "export the statement as CSV or XLSX"
_FOOTERS = ("合计", "总计", "本页合计", "共")
_BLANK_AMOUNTS = frozenset(("", "-", "--"))
_WHITESPACE = re.compile(r"\s+")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*?\sref\s*=\s*[\"']([^\"'>]{0,200})[\"']")
_CELL_REF = re.compile(r"\$?([A-Za-z]*)\$?([0-9]*)")


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
    return (cell if type(cell) is str else str(cell)).strip().strip("\ufeff").strip('"').strip()


def parse_amount_cell(cell) -> Decimal:
    """An amount cell, at the fen; a negative amount is returned (the line refuses it).

    Text: blank, "-" or "--" is zero; otherwise the grouped-amount rule of
    :func:`~settlement.domain.money.parse_grouped_amount` ("1,956,564.00" or
    "1956564.00", an optional ¥/￥, at most two decimals; "1,956,5" is refused).
    Numbers (XLSX cells) are read exactly from their shortest repr and held to the
    same rules (at most two decimals, finite, below 1万亿). Raises ``ValueError``
    (an ``AmountError``) naming the rule.
    """
    if cell is None:
        return ZERO
    if isinstance(cell, (int, float, Decimal)) and not isinstance(cell, bool):
        return parse_amount(Decimal(repr(cell)) if isinstance(cell, float) else Decimal(cell),
                            allow_negative=True)
    text = _clean(cell)
    if text in _BLANK_AMOUNTS:
        return ZERO
    return parse_grouped_amount(text, allow_negative=True)


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


def _locate_header(rows: list, columns: dict[str, list[str]]) -> tuple[int, dict[str, list[int]]]:
    """The header row among the first rows: the one naming the most known columns."""
    best: tuple[int, int, dict] | None = None
    for index, row in enumerate(rows):
        names = [] if type(row) is _Unreadable else [_clean(c) for c in row]
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


def _skipped(row) -> bool:
    """A blank line or a 合计/总计 footer (in the first column): not a statement line."""
    first = _clean(row[0]) if row else ""
    if first:
        return first.startswith(_FOOTERS)
    return not any(_clean(c) for c in row)


def _width(row) -> int:
    """The header's width: up to its last named column."""
    names = [_clean(c) for c in row]
    while names and not names[-1]:
        names.pop()
    return len(names)


# -- the file's format --------------------------------------------------------------------------

def _refuse_format(name: str, what_cn: str, what_en: str, fix_cn: str = _EXPORT_AGAIN,
                   fix_en: str = _EXPORT_AGAIN_EN) -> StatementError:
    return StatementError(f"{name}: {what_cn}格式不受支持：{fix_cn} ({what_en} is not supported: {fix_en})")


def _sniff(path: Path, head: bytes) -> str:
    """``"xlsx"`` or ``"csv"`` from the file's first bytes; a StatementError for any other format."""
    name = path.name
    if head.startswith(_OLE2_MAGIC):
        if _ENCRYPTED_PACKAGE in head:
            raise _refuse_format(name, "加密（设有密码）的 Excel 文件", "a password-protected Excel file",
                                 "请去掉密码后另存为 XLSX，或在网银中导出 CSV 或 XLSX 格式的对账单",
                                 "remove the password and save it as XLSX, or " + _EXPORT_AGAIN_EN)
        raise _refuse_format(name, "旧版 Excel (.xls) ", "legacy .xls")
    if head.startswith(_ZIP_MAGIC):
        return "xlsx"
    if head.startswith(b"%PDF"):
        raise _refuse_format(name, "PDF ", "PDF")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _refuse_format(name, "UTF-16 编码的文本", "UTF-16 text",
                             "请另存为 UTF-8 或 GBK 编码的 CSV，或在网银中导出 CSV 或 XLSX 格式的对账单",
                             "save it as UTF-8 or GBK CSV, or " + _EXPORT_AGAIN_EN)
    if head.removeprefix(codecs.BOM_UTF8).lstrip()[:16].lower().startswith(_MARKUP_STARTS):
        raise _refuse_format(name, "网页 (HTML) 或 XML 表格", "an HTML or XML page saved as a spreadsheet")
    if b"\0" in head:
        raise _refuse_format(name, "无法识别的二进制文件（不是 CSV 或 XLSX），该",
                             "a binary file that is neither CSV nor XLSX")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return "xlsx"  # not a ZIP: refused with the reason when opened
    return "csv"


# -- CSV --------------------------------------------------------------------------------------

class _Unreadable:
    """A physical line that cannot be split into fields; ``quoting`` when a quote is left open."""

    __slots__ = ("reason", "quoting")

    def __init__(self, reason: str, quoting: bool = False):
        self.reason = reason
        self.quoting = quoting


_OPEN_QUOTE = ('unbalanced quote: a quoted field (") is not closed on this line '
               "(a field must not span lines)")


class _OneLine:
    """The csv reader's input: the one line put here, then the end (so a quote never reads on)."""

    __slots__ = ("line",)

    def __init__(self):
        self.line: str | None = None

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.line
        if line is None:
            raise StopIteration
        self.line = None
        return line


class _CsvLines:
    """The physical lines of a delimited text file, each split into fields on its own."""

    def __init__(self, path: Path, head: bytes):
        self.path = path
        self.encoding = detect_encoding(head)
        sample = head[:65536].decode(self.encoding, errors="ignore")
        lines = sample.splitlines()[:HEADER_SCAN_ROWS]
        self.delimiter = max(",\t;|", key=lambda d: max((ln.count(d) for ln in lines), default=0))
        self.cr_only = b"\n" not in head and b"\r" in head  # classic Mac line breaks
        self.cut_line = 0  # the last line's number once read, when it has no line break
        self._feed = _OneLine()
        self._reader = csv.reader(self._feed, delimiter=self.delimiter, strict=True)

    def split(self, line: str):
        """The fields of one physical line (its line break included), or an :class:`_Unreadable`."""
        if '"' not in line:
            fields = line.rstrip("\r\n").split(self.delimiter)
        elif line.count('"') % 2:
            return _Unreadable(_OPEN_QUOTE, quoting=True)
        else:
            self._feed.line = line
            try:
                fields = next(self._reader)
            except csv.Error as exc:
                self._feed.line = None
                message = str(exc)
                if "unexpected end of data" in message:
                    return _Unreadable(_OPEN_QUOTE, quoting=True)
                if "field limit" in message:
                    return _Unreadable(f"a field is longer than {csv.field_size_limit():,} characters "
                                       "(the csv field size limit)")
                return _Unreadable(f"malformed quoting: {message}")
            except StopIteration:  # pragma: no cover - a non-empty line always gives a row
                fields = []
        if len(line) > MAX_FIELD_CHARS:
            for field in fields:
                if len(field) > MAX_FIELD_CHARS:
                    return _Unreadable(f"a field is longer than {MAX_FIELD_CHARS:,} characters "
                                       "(the csv field size limit)")
        return fields

    def _open(self):
        try:
            return open(self.path, "r", encoding=self.encoding, newline="", errors="strict")
        except OSError as exc:
            raise StatementError(f"{self.path.name}: {exc.strerror or exc}") from None

    def _lines(self) -> Iterator[str | None]:
        """Each physical line with its line break; ``None`` for a line over MAX_LINE_CHARS."""
        limit = MAX_LINE_CHARS + 2  # the longest line allowed, with a two-character break
        number = 0
        with self._open() as fh:
            readline = fh.readline
            while True:
                try:
                    line = readline(limit)
                except UnicodeDecodeError as exc:
                    raise StatementError(self._decode_error(exc)) from None
                if not line:
                    return
                number += 1
                if len(line) > MAX_LINE_CHARS:
                    if len(line) == limit and line[-1] != "\n" and not (line[-1] == "\r" and self.cr_only):
                        self._skip_rest(readline, limit)
                    if len(line.rstrip("\r\n")) > MAX_LINE_CHARS:
                        yield None
                        continue
                if line[-1] not in "\r\n":
                    self.cut_line = number
                yield line

    def _skip_rest(self, readline, limit: int) -> None:
        """Read past the rest of an over-long line, without holding it."""
        ends = "\r\n" if self.cr_only else "\n"
        while True:
            try:
                part = readline(limit)
            except UnicodeDecodeError as exc:
                raise StatementError(self._decode_error(exc)) from None
            if not part or part[-1] in ends:
                return

    def __iter__(self):
        split = self.split
        too_long = _Unreadable(f"line is longer than {MAX_LINE_CHARS:,} characters (MAX_LINE_CHARS)")
        for line in self._lines():
            yield too_long if line is None else split(line)

    def _decode_error(self, exc: UnicodeDecodeError) -> str:
        """The whole file is refused for bytes the encoding cannot read; name the first such line."""
        decoder = codecs.getincrementaldecoder(self.encoding)()
        number = 1
        try:
            with open(self.path, "rb") as fh:
                for part in iter(lambda: fh.readline(1 << 16), b""):
                    decoder.decode(part)
                    number += part.endswith(b"\n")
                decoder.decode(b"", final=True)  # a character cut at the end of the file
        except UnicodeDecodeError as again:
            exc = again
        except OSError:  # pragma: no cover
            pass
        return (f"line {number}: the file is not valid {self.encoding} text ({exc.reason} at byte "
                f"0x{exc.object[exc.start]:02x}): the whole file is refused")

    def check_file(self, width: int) -> None:
        """Refuse the file before any line is returned: bytes the encoding cannot read, or a cut last line.

        One pass over the bytes (a MiB at a time, nothing kept): every byte must decode,
        and a last line without a line break must not end mid-record (:func:`_cut_mid_record`).
        """
        decoder = codecs.getincrementaldecoder(self.encoding)()
        size, last_break = 0, -1
        try:
            with open(self.path, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    decoder.decode(chunk)
                    cut = max(chunk.rfind(b"\n"), chunk.rfind(b"\r"))
                    if cut >= 0:
                        last_break = size + cut
                    size += len(chunk)
                decoder.decode(b"", final=True)
                if last_break == size - 1:
                    return
                fh.seek(last_break + 1)
                raw = fh.read(4 * MAX_LINE_CHARS + 4)
        except UnicodeDecodeError as exc:
            raise StatementError(self._decode_error(exc)) from None
        except OSError as exc:
            raise StatementError(f"{self.path.name}: {exc.strerror or exc}") from None
        line = raw.decode(self.encoding, errors="replace")
        if len(line) > MAX_LINE_CHARS:
            return  # rejected as too long when it is read
        row = self.split(line)
        if _cut_mid_record(row, width):
            number = sum(1 for _ in self._lines())
            raise StatementError(_cut_message(number, row, width))


def _cut_mid_record(row, width: int) -> bool:
    """The last line, without a line break: is it a record cut short?"""
    if type(row) is _Unreadable:
        return row.quoting
    return not _skipped(row) and len(row) < width


def _cut_message(line_no: int, row, width: int) -> str:
    why = ("a quoted field is not closed" if type(row) is _Unreadable
           else f"{len(row)} of the header's {width} columns")
    return (f"第 {line_no} 行在记录中途结束，文件疑似下载不完整：整个文件未导入，请重新下载对账单 "
            f"(line {line_no}: the file ends in the middle of a record ({why}) with no line break; "
            f"it looks truncated, so nothing was imported: download the statement again)")


# -- XLSX -------------------------------------------------------------------------------------

def _xml_part(zf: zipfile.ZipFile, name: str):
    """A small XML part of the package, parsed safely; None when missing, too big or unreadable."""
    from defusedxml.ElementTree import fromstring
    try:
        info = zf.getinfo(name)
        if info.file_size > _XLSX_INDEX_BYTES:
            return None
        return fromstring(zf.read(info))
    except Exception:  # noqa: BLE001 - any failure here is openpyxl's to report
        return None


def _part_path(base_dir: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(base_dir, target))


def _first_worksheet(zf: zipfile.ZipFile) -> str | None:
    """The path of the worksheet openpyxl opens first (``worksheets[0]``), or None if unresolved."""
    workbook = "xl/workbook.xml"
    root = _xml_part(zf, "_rels/.rels")
    if root is not None:
        for rel in root:
            if rel.get("Type", "").endswith("/officeDocument"):
                workbook = _part_path("", rel.get("Target", ""))
                break
    folder, base = posixpath.split(workbook)
    wb = _xml_part(zf, workbook)
    rels = _xml_part(zf, posixpath.join(folder, "_rels", base + ".rels"))
    if wb is None or rels is None:
        return None
    targets = {rel.get("Id"): (rel.get("Type", ""), rel.get("Target", "")) for rel in rels}
    for sheet in wb.iter():
        if not sheet.tag.endswith("}sheet"):
            continue
        rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
        kind, target = targets.get(rid, ("", ""))
        if kind.endswith("/worksheet"):
            return _part_path(folder, target)
    return None


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _check_dimension(name: str, zf: zipfile.ZipFile, sheet: str) -> None:
    """Refuse a sheet whose declared dimension (<dimension ref="A1:G100"/>) is over the limits."""
    try:
        with zf.open(sheet) as fh:
            head = fh.read(_XLSX_DIMENSION_SCAN)
    except Exception:  # noqa: BLE001 - a missing or broken sheet is openpyxl's to report
        return
    m = _DIMENSION.search(head)
    if m is None:
        return  # no dimension: the limits are applied while reading
    ref = m.group(1).decode("ascii", "replace")
    rows = columns = 0
    for part in ref.split(":"):
        cell = _CELL_REF.fullmatch(part)
        if cell is None:
            raise StatementError(f"cannot open {name} as XLSX: {sheet} declares the dimension {ref!r}, "
                                 "which is not a cell range")
        letters, digits = cell.groups()
        columns = max(columns, _column_number(letters) if len(letters) <= 6 else 26 ** 6)
        rows = max(rows, int(digits) if len(digits) <= 12 else 10 ** 12)
    if rows > MAX_XLSX_ROWS:
        raise StatementError(f"{name}: {sheet} declares the dimension {ref} ({rows:,} rows), over the "
                             f"limit of {MAX_XLSX_ROWS:,} rows (MAX_XLSX_ROWS)")
    if columns > MAX_XLSX_COLUMNS:
        raise StatementError(f"{name}: {sheet} declares the dimension {ref} ({columns:,} columns), over "
                             f"the limit of {MAX_XLSX_COLUMNS:,} columns (MAX_XLSX_COLUMNS)")


def check_xlsx_limits(path: Path) -> None:
    """Measure an XLSX package before openpyxl parses anything; StatementError over a limit.

    The sizes are those the ZIP declares: :mod:`zipfile` (which openpyxl reads
    through) never inflates an entry beyond its declared size, so they bound
    what openpyxl can be made to read.
    """
    name = path.name
    try:
        zf = zipfile.ZipFile(path)
    except Exception as exc:  # noqa: BLE001 - BadZipFile, OSError, ValueError, ...
        raise StatementError(f"cannot open {name} as XLSX: {exc}") from None
    with zf:
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        if total > MAX_XLSX_UNCOMPRESSED_BYTES:
            raise StatementError(f"{name}: the XLSX package is {total:,} bytes decompressed, over the limit "
                                 f"of {MAX_XLSX_UNCOMPRESSED_BYTES:,} bytes (MAX_XLSX_UNCOMPRESSED_BYTES)")
        for info in infos:
            if (info.filename.rsplit("/", 1)[-1].lower() == "sharedstrings.xml"
                    and info.file_size > MAX_XLSX_SHARED_STRINGS_BYTES):
                raise StatementError(f"{name}: {info.filename} is {info.file_size:,} bytes decompressed, over "
                                     f"the limit of {MAX_XLSX_SHARED_STRINGS_BYTES:,} bytes "
                                     "(MAX_XLSX_SHARED_STRINGS_BYTES)")
        for info in infos:
            if (info.file_size > XLSX_RATIO_MIN_BYTES
                    and info.file_size > MAX_XLSX_COMPRESSION_RATIO * info.compress_size):
                ratio = info.file_size / max(info.compress_size, 1)
                raise StatementError(f"{name}: {info.filename} expands {ratio:,.0f} times "
                                     f"({info.compress_size:,} to {info.file_size:,} bytes), over the limit "
                                     f"of {MAX_XLSX_COMPRESSION_RATIO} (MAX_XLSX_COMPRESSION_RATIO)")
        sheet = _first_worksheet(zf)
        sheets = [sheet] if sheet else [i.filename for i in infos
                                        if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")]
        for s in sheets:
            _check_dimension(name, zf, s)


class _XlsxRows:
    """The first worksheet's rows (tuples of cell values), after :func:`check_xlsx_limits`."""

    cut_line = 0  # an XLSX cut short is not a ZIP: refused when opened

    def __init__(self, path: Path):
        self.path = path

    def check_file(self, width: int) -> None:
        pass  # the package was measured when opened; the rows are checked as they are read

    def __iter__(self):
        from openpyxl import load_workbook
        name = self.path.name
        check_xlsx_limits(self.path)
        try:
            fh = open(self.path, "rb")  # a file object: openpyxl would refuse a name not ending in .xlsx
        except OSError as exc:
            raise StatementError(f"{name}: {exc.strerror or exc}") from None
        try:
            wb = load_workbook(fh, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
            fh.close()
            raise StatementError(f"cannot open {name} as XLSX: {exc}") from None
        number = 0
        try:
            if not wb.worksheets:
                raise StatementError(f"cannot open {name} as XLSX: the workbook has no worksheet")
            ws = wb.worksheets[0]
            ws.reset_dimensions()  # read every row, not only those a wrong dimension admits
            for row in ws.iter_rows(values_only=True):
                number += 1
                if number > MAX_XLSX_ROWS:
                    raise StatementError(f"{name}: the sheet has more than {MAX_XLSX_ROWS:,} rows "
                                         "(MAX_XLSX_ROWS)")
                if len(row) > MAX_XLSX_COLUMNS:
                    raise StatementError(f"{name}: row {number} has {len(row):,} columns, over the limit of "
                                         f"{MAX_XLSX_COLUMNS:,} (MAX_XLSX_COLUMNS)")
                yield row
        except StatementError:
            raise
        except Exception as exc:  # noqa: BLE001 - a broken sheet (bad XML, CRC) found while reading
            raise StatementError(f"cannot read {name} as XLSX after row {number}: {exc}") from None
        finally:
            wb.close()
            fh.close()


# -- statement lines --------------------------------------------------------------------------

def read_statement(path: str | Path, columns: dict[str, list[str]] | None = None
                   ) -> Iterator[StatementLine | RejectedLine]:
    """Statement lines (or rejections, with line numbers) from a CSV or XLSX export, lazily.

    Raises :class:`StatementError` for a file that cannot be read as a statement
    (see the module's rules), before the first line is returned: an unknown or
    refused format, an XLSX over a limit (ZIP sizes, declared dimension), no header
    row, a CSV whose last line is cut mid-record or whose bytes the encoding cannot
    read. Only an XLSX sheet found over the row/column limits while it is read (no
    or a false dimension) or broken mid-sheet is refused after lines were returned.
    """
    path = Path(path)
    if not path.is_file():
        raise StatementError(f"{path}: no such file")
    columns = columns or DEFAULT_COLUMNS
    try:
        with open(path, "rb") as raw:
            head_bytes = raw.read(_HEAD_BYTES)
    except OSError as exc:
        raise StatementError(f"{path.name}: {exc.strerror or exc}") from None
    if not head_bytes:
        raise StatementError(f"{path.name} is empty")
    source = _XlsxRows(path) if _sniff(path, head_bytes) == "xlsx" else _CsvLines(path, head_bytes)
    rows = iter(source)
    head = list(islice(rows, HEADER_SCAN_ROWS))
    if not head:
        raise StatementError(f"{path.name} is empty")
    header_index, where = _locate_header(head, columns)
    width = _width(head[header_index])
    source.check_file(width)
    serial_at = where["serial"][0]
    date_at = where["date"][0]
    credit_at = where["credit"][0] if "credit" in where else None
    debit_at = where["debit"][0] if "debit" in where else None
    name_at = where["counterparty_name"][0] if "counterparty_name" in where else None
    account_at = where["counterparty_account"][0] if "counterparty_account" in where else None
    memo_at = where.get("memo", [])

    def convert(line_no: int, row):
        if type(row) is _Unreadable:
            return RejectedLine(line_no, row.reason)
        if _skipped(row):
            return None
        n = len(row)
        try:
            serial = _clean(row[serial_at]) if serial_at < n else ""
            if not serial:
                raise ValueError("no serial number (交易流水号)")
            if len(serial) > MAX_SERIAL_CHARS:
                raise ValueError(f"serial number (交易流水号) is {len(serial)} characters long, more than "
                                 f"{MAX_SERIAL_CHARS}")
            credit = parse_amount_cell(row[credit_at]) if credit_at is not None and credit_at < n else ZERO
            debit = parse_amount_cell(row[debit_at]) if debit_at is not None and debit_at < n else ZERO
            if credit < 0 or debit < 0:
                raise ValueError("amounts must not be negative")
            memo = " ".join(m for m in (_clean(row[i]) for i in memo_at if i < n) if m)
            name = _clean(row[name_at]) if name_at is not None and name_at < n else ""
            account = _clean(row[account_at]) if account_at is not None and account_at < n else ""
            return StatementLine(line_no, serial, parse_date_cell(row[date_at] if date_at < n else None),
                                 name[:200] or None, _WHITESPACE.sub("", account)[:64] or None,
                                 credit, debit, memo or None)
        except ValueError as exc:
            return RejectedLine(line_no, str(exc))

    line_no = header_index + 1
    for row in head[header_index + 1:]:
        line_no += 1
        if line_no == source.cut_line and _cut_mid_record(row, width):
            raise StatementError(_cut_message(line_no, row, width))
        item = convert(line_no, row)
        if item is not None:
            yield item
    for row in rows:
        line_no += 1
        if line_no == source.cut_line and _cut_mid_record(row, width):
            raise StatementError(_cut_message(line_no, row, width))
        item = convert(line_no, row)
        if item is not None:
            yield item
