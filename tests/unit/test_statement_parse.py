"""The bank statement reader on damaged and hostile files (settlement/bank/parse.py).

Each rule is asserted by its exact outcome: the line number, the reason, the amount.
XLSX bombs are built here (a deflate segment repeated), never committed.
"""
from __future__ import annotations

import io
import struct
import time
import zipfile
import zlib
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import Workbook

from settlement.bank import parse
from settlement.bank.parse import RejectedLine, StatementError, StatementLine, read_statement
from settlement.domain.money import AmountError, parse_grouped_amount

FIX = Path(__file__).parent.parent / "fixtures" / "bank"
HEADER = "交易日期,交易流水号,对方户名,对方账号,摘要,贷方发生额,借方发生额\n"
LEGACY_XLS = ("旧版 Excel (.xls) 格式不受支持：请在网银中导出 CSV 或 XLSX 格式的对账单 "
              "(legacy .xls is not supported: export the statement as CSV or XLSX)")


def write(tmp_path: Path, text: str, name: str = "s.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def outcomes(path, **kw) -> list[tuple]:
    """(line, serial, credit, debit) for lines; (line, reason) for rejections."""
    out = []
    for item in read_statement(path, **kw):
        if isinstance(item, RejectedLine):
            out.append((item.line_no, item.reason))
        else:
            out.append((item.line_no, item.serial, item.credit, item.debit))
    return out


# -- amounts: one rule, in money.py ------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("1,956,564.00", D("1956564.00")), ("1956564.00", D("1956564.00")), ("978,282", D("978282.00")),
    ("586969.2", D("586969.20")), ("0.07", D("0.07")), ("999", D("999.00")), ("1,000", D("1000.00")),
    ("¥978,282.00", D("978282.00")), ("￥5,000.00", D("5000.00")), ("1，956，564.00", D("1956564.00")),
    ("999,999,999,999.99", D("999999999999.99")),
])
def test_grouped_amount_accepts(text, expected):
    value = parse_grouped_amount(text)
    assert value == expected and value.as_tuple().exponent == -2


@pytest.mark.parametrize("text, rule, words", [
    ("1,956,5", "bad_format", "amount '1,956,5' is not a well-formed amount"),
    ("19,56,564.00", "bad_format", "not a well-formed amount"),
    ("1956,564.00", "bad_format", "not a well-formed amount"),
    ("1,9565,64.00", "bad_format", "not a well-formed amount"),
    (",956.00", "bad_format", "not a well-formed amount"),
    ("1,956,564.", "bad_format", "not a well-formed amount"),
    (".50", "bad_format", "not a well-formed amount"),
    ("1.2.3", "bad_format", "not a well-formed amount"),
    ("abc", "bad_format", "amount 'abc' is not a number"),
    ("1e3", "bad_format", "amount '1e3' is not a number"),
    ("+5.00", "bad_format", "is not a number"),
    ("(5.00)", "bad_format", "is not a number"),
    ("1 000.00", "bad_format", "is not a number"),
    ("１２", "bad_format", "is not a number"),
    ("1,956,564.001", "too_many_decimals", "amount '1,956,564.001' has more than two decimal places"),
    ("1.000", "too_many_decimals", "more than two decimal places"),
    ("NaN", "not_a_number", "not a finite number"),
    ("-Infinity", "not_a_number", "not a finite number"),
    ("-5.00", "negative", "amount '-5.00' must not be negative"),
    ("1,000,000,000,000.00", "out_of_range", "1万亿"),
])
def test_grouped_amount_refuses_with_the_rule(text, rule, words):
    with pytest.raises(AmountError) as err:
        parse_grouped_amount(text)
    assert err.value.rule == rule and words in str(err.value)


def test_grouped_amount_negative_only_when_asked():
    assert parse_grouped_amount("-1,000.50", allow_negative=True) == D("-1000.50")
    assert str(parse_grouped_amount("-0.00", allow_negative=True)) == "0.00"


def test_a_malformed_amount_is_rejected_with_its_line_never_regrouped(tmp_path):
    path = write(tmp_path, HEADER
                 + '2026-11-27,S-1,甲,1,m,"1,956,5",\n'         # was read as 19565.00
                 + '2026-11-27,S-2,甲,1,m,"19,56,564.00",\n'    # was read as 1956564.00
                 + '2026-11-27,S-3,甲,1,m,1e3,\n'               # was read as 1000.00
                 + '2026-11-27,S-4,甲,1,m,"1,956,564.00",\n'
                 + '2026-11-27,S-5,甲,1,m,,"5,000.001"\n'
                 + '2026-11-27,S-6,甲,1,m,¥978282,-\n')
    well = ("is not a well-formed amount: digits must be grouped by three (1,956,564.00) or written "
            "without separators (1956564.00), with at most two decimals")
    assert outcomes(path) == [
        (2, f"amount '1,956,5' {well}"),
        (3, f"amount '19,56,564.00' {well}"),
        (4, "amount '1e3' is not a number"),
        (5, "S-4", D("1956564.00"), D("0.00")),
        (6, "amount '5,000.001' has more than two decimal places (never rounded)"),
        (7, "S-6", D("978282.00"), D("0.00")),
    ]


def test_negative_amounts_are_still_refused_by_the_line(tmp_path):
    path = write(tmp_path, HEADER + '2026-11-27,S-1,甲,1,m,"-1,000.00",\n')
    assert outcomes(path) == [(2, "amounts must not be negative")]


# -- quoting, field and line limits --------------------------------------------------------------

def test_an_unbalanced_quote_rejects_its_line_only(tmp_path):
    path = write(tmp_path, HEADER
                 + '2026-07-10,S-1,甲,1,"memo,"978,282.00",\n'   # the open quote used to swallow S-2
                 + '2026-07-11,S-2,甲,1,m,"5,000.00",\n'
                 + '2026-07-12,S-3,甲,1,"x"y,"1.00",\n'
                 + '2026-07-13,S-4,甲,1,"a ""quoted"" memo","2.00",\n')
    assert outcomes(path) == [
        (2, 'unbalanced quote: a quoted field (") is not closed on this line (a field must not span lines)'),
        (3, "S-2", D("5000.00"), D("0.00")),
        (4, "malformed quoting: ',' expected after '\"'"),
        (5, "S-4", D("2.00"), D("0.00")),
    ]


def test_an_even_count_of_quotes_that_leaves_one_open_is_rejected(tmp_path):
    path = write(tmp_path, HEADER + '2026-07-10,S-1,a"b,1,"m\n' + "2026-07-11,S-2,甲,1,m,3.00,\n")
    assert outcomes(path) == [
        (2, 'unbalanced quote: a quoted field (") is not closed on this line (a field must not span lines)'),
        (3, "S-2", D("3.00"), D("0.00"))]


def test_a_field_over_the_csv_limit_is_a_rejected_line_not_a_traceback(tmp_path):
    big = "x" * (parse.MAX_FIELD_CHARS + 1)
    path = write(tmp_path, HEADER
                 + f'2026-07-10,S-1,甲,1,"{big}","1.00",\n'        # raised _csv.Error before
                 + f'2026-07-10,S-2,甲,1,{big},"1.00",\n'          # was stored as a 131,073-character memo
                 + f'2026-07-10,S-3,甲,1,{big},1.00,\n'
                 + "2026-07-11,S-4,甲,1,m,3.00,\n")
    assert outcomes(path) == [
        (2, "a field is longer than 131,072 characters (the csv field size limit)"),
        (3, "a field is longer than 131,072 characters (the csv field size limit)"),
        (4, "a field is longer than 131,072 characters (the csv field size limit)"),
        (5, "S-4", D("3.00"), D("0.00")),
    ]


def test_a_line_over_the_line_limit_is_rejected_without_losing_count(tmp_path):
    long = "x," * (parse.MAX_LINE_CHARS // 2 + 1)
    for crlf in ("\n", "\r\n"):
        path = write(tmp_path, (HEADER + "2026-07-10,S-1,甲,1,m,1.00,\n" + long + "\n"
                                + "2026-07-11,S-2,甲,1,m,3.00,\n").replace("\n", crlf))
        assert outcomes(path) == [
            (2, "S-1", D("1.00"), D("0.00")),
            (3, "line is longer than 1,048,576 characters (MAX_LINE_CHARS)"),
            (4, "S-2", D("3.00"), D("0.00"))]


def test_a_serial_over_64_characters_is_rejected_not_cut(tmp_path):
    path = write(tmp_path, HEADER + f"2026-07-10,{'S' * 64},甲,1,m,1.00,\n"
                 + f"2026-07-10,{'T' * 65},甲,1,m,1.00,\n")
    assert outcomes(path) == [
        (2, "S" * 64, D("1.00"), D("0.00")),
        (3, "serial number (交易流水号) is 65 characters long, more than 64")]


def test_line_numbers_are_physical_lines_after_a_title_block(tmp_path):
    path = write(tmp_path, "中国工商银行 账户明细\n账号：0200\n\n" + HEADER.replace(",", "\t")
                 + "2026-07-10\tS-1\t甲\t1\tm\t\"1,000.00\"\t\n\n2026-07-11\tS-2\t甲\t1\tm\tabc\t\n"
                 + "合计\t\t\t\t\t1,000.00\t\n", encoding="gb18030")
    assert outcomes(path) == [(5, "S-1", D("1000.00"), D("0.00")), (7, "amount 'abc' is not a number")]


def test_the_gb18030_sample_reads_as_before():
    sample = Path(__file__).parent.parent.parent / "samples" / "bank-statement-2026-icbc.csv"
    items = list(read_statement(sample))
    assert [(i.line_no, i.serial, i.credit, i.debit) for i in items if isinstance(i, StatementLine)] == [
        (6, "ICBC202607100001", D("978282.00"), D("0.00")), (7, "ICBC202608030007", D("5000.00"), D("0.00")),
        (8, "ICBC202609150002", D("0.00"), D("1000000.00")), (9, "ICBC202611270003", D("586969.20"), D("0.00"))]
    assert [(i.line_no, i.reason) for i in items if isinstance(i, RejectedLine)] == [
        (10, "amount 'abc' is not a number")]


def test_bytes_the_encoding_cannot_read_refuse_the_file_naming_the_line(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes("\ufeff".encode() + HEADER.encode() + "2026-07-10,S-1,甲,1,m,1.00,\n".encode()
                     + "2026-07-10,S-2,乙,1,m,1.00,\n".encode("gbk"))
    with pytest.raises(StatementError) as err:
        list(read_statement(path))
    assert str(err.value) == ("line 3: the file is not valid utf-8-sig text (invalid continuation byte at byte 0xd2): "
                              "the whole file is refused")


def test_bytes_past_the_sniffed_head_refuse_the_file_before_any_line(tmp_path):
    good = "".join(f"2026-07-10,S-{n:06d},甲,1,memo memo memo memo,1.00,\n" for n in range(25_000))
    assert len(good.encode()) > (1 << 20)  # past the MiB the encoding is guessed from
    path = tmp_path / "s.csv"
    path.write_bytes(HEADER.encode() + good.encode() + "2026-07-10,S-x,乙,1,m,1.00,\n".encode("gbk")
                     + "2026-07-10,S-y,甲,1,m,1.00,\n".encode())
    lines = read_statement(path)
    with pytest.raises(StatementError) as err:
        next(lines)  # nothing returned, so an importer committing chunk by chunk writes nothing
    assert str(err.value) == ("line 25002: the file is not valid utf-8 text (invalid continuation byte at byte "
                              "0xd2): the whole file is refused")


# -- a file that ends mid-record -----------------------------------------------------------------

TRUNCATED = ("第 4 行在记录中途结束，文件疑似下载不完整：整个文件未导入，请重新下载对账单 (line 4: the file ends in "
             "the middle of a record ({why}) with no line break; it looks truncated, so nothing was imported: "
             "download the statement again)")


def test_a_download_cut_inside_a_quoted_amount_is_refused_whole(tmp_path):
    path = write(tmp_path, HEADER + '2026-07-10,S-1,甲,1,m,"978,282.00",\n'
                 + '2026-07-11,S-2,甲,1,m,"5,000.00",\n' + '2026-11-27,S-3,甲,1,m,"1,956,5')
    lines = read_statement(path)
    with pytest.raises(StatementError) as err:
        next(lines)  # refused before the first line: nothing to import
    assert str(err.value) == TRUNCATED.format(why="a quoted field is not closed")


def test_a_download_cut_short_of_the_header_columns_is_refused_whole(tmp_path):
    path = write(tmp_path, HEADER + "2026-07-10,S-1,甲,1,m,1.00,\n2026-07-11,S-2,甲,1,m,2.00,\n"
                 + "2026-11-27,S-3,甲,1,m,1956")
    with pytest.raises(StatementError) as err:
        next(read_statement(path))
    assert str(err.value) == TRUNCATED.format(why="6 of the header's 7 columns")


def test_the_committed_truncated_gb18030_export_is_refused():
    with pytest.raises(StatementError, match=r"^第 9 行在记录中途结束.*\(line 9: the file ends in the middle"):
        next(read_statement(FIX / "truncated-download-gb18030.csv"))


def test_a_long_truncated_file_is_refused_before_any_line(tmp_path):
    body = "".join(f"2026-07-10,S-{n},甲,1,m,1.00,\n" for n in range(5000))
    path = write(tmp_path, HEADER + body + '2026-07-10,S-x,甲,1,"m')
    with pytest.raises(StatementError, match=r"^第 5002 行.*a quoted field is not closed"):
        next(read_statement(path))


def test_a_long_last_line_cut_mid_record_is_refused_before_any_line(tmp_path):
    path = write(tmp_path, HEADER + "2026-07-10,S-1,甲,1,m,1.00,\n" + '2026-07-10,S-2,甲,1,"' + "备注" * 40_000)
    with pytest.raises(StatementError, match=r"^第 3 行.*\(line 3: .*a quoted field is not closed"):
        next(read_statement(path))


def test_a_complete_last_line_without_a_line_break_is_read(tmp_path):
    path = write(tmp_path, HEADER + '2026-07-10,S-1,甲,1,m,"978,282.00",\n2026-07-11,S-2,甲,1,m,,2.00')
    assert outcomes(path) == [(2, "S-1", D("978282.00"), D("0.00")), (3, "S-2", D("0.00"), D("2.00"))]
    footer = write(tmp_path, HEADER + "2026-07-10,S-1,甲,1,m,1.00,\n共1笔", name="f.csv")
    assert outcomes(footer) == [(2, "S-1", D("1.00"), D("0.00"))]


def test_an_open_quote_on_a_last_line_with_its_line_break_is_only_that_line(tmp_path):
    path = write(tmp_path, HEADER + "2026-07-10,S-1,甲,1,m,1.00,\n" + '2026-07-11,S-2,甲,1,m,"2.00,\n')
    assert outcomes(path) == [
        (2, "S-1", D("1.00"), D("0.00")),
        (3, 'unbalanced quote: a quoted field (") is not closed on this line (a field must not span lines)')]


# -- formats that are not CSV or XLSX -----------------------------------------------------------------

def test_a_legacy_xls_is_refused_with_the_fix_in_chinese_and_english(tmp_path):
    path = tmp_path / "对账单.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 24 + b"\x3e\x00\x03\x00\xfe\xff"
                     + bytes(range(256)) * 8)
    with pytest.raises(StatementError) as err:
        next(read_statement(path))
    assert str(err.value) == f"对账单.xls: {LEGACY_XLS}"
    renamed = tmp_path / "s.xlsx"  # the name does not matter, the content does
    renamed.write_bytes(path.read_bytes())
    with pytest.raises(StatementError, match=r"legacy \.xls is not supported"):
        next(read_statement(renamed))


@pytest.mark.parametrize("content, words", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + "EncryptedPackage".encode("utf-16-le"),
     "加密（设有密码）的 Excel 文件格式不受支持：请去掉密码后另存为 XLSX，或在网银中导出 CSV 或 XLSX 格式的对账单 "
     "(a password-protected Excel file is not supported: remove the password and save it as XLSX, "
     "or export the statement as CSV or XLSX)"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
     "PDF 格式不受支持：请在网银中导出 CSV 或 XLSX 格式的对账单 (PDF is not supported: export the statement as "
     "CSV or XLSX)"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
     "无法识别的二进制文件（不是 CSV 或 XLSX），该格式不受支持：请在网银中导出 CSV 或 XLSX 格式的对账单 "
     "(a binary file that is neither CSV nor XLSX is not supported: export the statement as CSV or XLSX)"),
    ("\r\n<html><body><table><tr><td>交易日期</td></tr></table>".encode("gb18030"),
     "网页 (HTML) 或 XML 表格格式不受支持：请在网银中导出 CSV 或 XLSX 格式的对账单 (an HTML or XML page saved "
     "as a spreadsheet is not supported: export the statement as CSV or XLSX)"),
    (HEADER.encode("utf-16"),
     "UTF-16 编码的文本格式不受支持：请另存为 UTF-8 或 GBK 编码的 CSV，或在网银中导出 CSV 或 XLSX 格式的对账单 "
     "(UTF-16 text is not supported: save it as UTF-8 or GBK CSV, or export the statement as CSV or XLSX)"),
])
def test_other_formats_are_named_and_refused(tmp_path, content, words):
    path = tmp_path / "s.xls"
    path.write_bytes(content)
    with pytest.raises(StatementError) as err:
        next(read_statement(path))
    assert str(err.value) == f"s.xls: {words}"


def test_a_csv_named_xls_is_read_as_csv(tmp_path):
    path = write(tmp_path, HEADER + "2026-07-10,S-1,甲,1,m,1.00,\n", name="export.xls", encoding="gb18030")
    assert outcomes(path) == [(2, "S-1", D("1.00"), D("0.00"))]


# -- XLSX limits, before openpyxl -----------------------------------------------------------------------

def _base_parts(rows=None, cell=None) -> dict[str, bytes]:
    wb = Workbook()
    ws = wb.active
    ws.append(["记账日期", "交易流水号", "对方户名", "对方账号", "贷方金额", "借方金额", "摘要"])
    for row in rows or [["2026-07-10", "CMB-1", "德胜街道办事处", "0109", 978282.0, None, "DS-12345-2026"]]:
        ws.append(row)
    if cell:
        ws.cell(*cell, value="x")
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def _repeat(unit: bytes, times: int) -> tuple[bytes, int, int]:
    """A raw deflate stream of ``unit`` repeated, built from one compressed segment (no big buffer)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = c.compress(unit) + c.flush(zlib.Z_FULL_FLUSH)  # byte-aligned, history reset
    crc = 0
    for _ in range(times):
        crc = zlib.crc32(unit, crc)
    return segment * times + zlib.compressobj(9, zlib.DEFLATED, -15).flush(), crc, len(unit) * times


def _xlsx(path: Path, parts: dict[str, bytes], big: dict[str, tuple[bytes, int]] | None = None) -> Path:
    """A ZIP written by hand (so a bomb's deflate data is repeated, not compressed again)."""
    entries = []
    for name, data in parts.items():
        if name in (big or {}):
            continue
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        entries.append((name, c.compress(data) + c.flush(), zlib.crc32(data), len(data)))
    for name, (unit, times) in (big or {}).items():
        entries.append((name, *_repeat(unit, times)))
    out, central = bytearray(), bytearray()
    for name, data, crc, size in entries:
        raw_name, offset = name.encode(), len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), size, len(raw_name), 0)
        out += raw_name + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(data), size,
                               len(raw_name), 0, 0, 0, 0, 0, offset) + raw_name
    out += central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central),
                                 len(out), 0)
    path.write_bytes(bytes(out))
    return path


@pytest.fixture
def no_openpyxl(monkeypatch):
    """openpyxl must not be reached: the limits are checked before it parses anything."""
    import openpyxl

    def refuse(*a, **kw):
        raise AssertionError("openpyxl.load_workbook was called")
    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def test_the_hand_built_xlsx_reads(tmp_path):
    path = _xlsx(tmp_path / "ok.xlsx", _base_parts())
    assert outcomes(path) == [(2, "CMB-1", D("978282.00"), D("0.00"))]


def test_a_shared_strings_bomb_is_refused_before_openpyxl(tmp_path, no_openpyxl):
    unit = b"<si><t>" + b"A" * 1000 + b"</t></si>"
    path = _xlsx(tmp_path / "b.xlsx", _base_parts(), {"xl/sharedStrings.xml": (unit, 52_000)})
    started = time.perf_counter()
    with pytest.raises(StatementError) as err:
        next(read_statement(path))
    assert time.perf_counter() - started < 0.5
    assert str(err.value) == ("b.xlsx: xl/sharedStrings.xml is 52,832,000 bytes decompressed, over the limit of "
                              "52,428,800 bytes (MAX_XLSX_SHARED_STRINGS_BYTES)")


def test_a_package_over_the_total_is_refused(tmp_path, no_openpyxl):
    unit = b"<row/>" * 1000
    big = {f"xl/media/image{n}.xml": (unit, 8_750) for n in range(4)}  # 4 x 52.5 MB
    path = _xlsx(tmp_path / "t.xlsx", _base_parts(), big)
    with pytest.raises(StatementError) as err:
        next(read_statement(path))
    assert str(err.value).startswith("t.xlsx: the XLSX package is 210,0")
    assert str(err.value).endswith(" bytes decompressed, over the limit of 209,715,200 bytes "
                                   "(MAX_XLSX_UNCOMPRESSED_BYTES)")


def test_an_entry_that_expands_too_much_is_refused(tmp_path, no_openpyxl):
    parts = _base_parts()
    path = _xlsx(tmp_path / "r.xlsx", parts, {"xl/worksheets/sheet1.xml": (b"<row/>" * 1000, 400)})
    with pytest.raises(StatementError) as err:
        next(read_statement(path))
    message = str(err.value)
    assert message.startswith("r.xlsx: xl/worksheets/sheet1.xml expands ")
    assert message.endswith(" to 2,400,000 bytes), over the limit of 100 (MAX_XLSX_COMPRESSION_RATIO)")


@pytest.mark.parametrize("ref, words", [
    ("A1:G2000001", "declares the dimension A1:G2000001 (2,000,001 rows), over the limit of 2,000,000 rows "
                    "(MAX_XLSX_ROWS)"),
    ("A1:GS3", "declares the dimension A1:GS3 (201 columns), over the limit of 200 columns (MAX_XLSX_COLUMNS)"),
    ("A1:XFD1048576", "(16,384 columns), over the limit of 200 columns"),
])
def test_a_sheet_dimension_over_the_limits_is_refused(tmp_path, no_openpyxl, ref, words):
    parts = _base_parts()
    sheet = parts["xl/worksheets/sheet1.xml"]
    assert b'<dimension ref="A1:G2"/>' in sheet
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b'<dimension ref="A1:G2"/>', f'<dimension ref="{ref}"/>'.encode())
    path = _xlsx(tmp_path / "d.xlsx", parts)
    with pytest.raises(StatementError) as err:
        next(read_statement(path))
    assert str(err.value).startswith("d.xlsx: xl/worksheets/sheet1.xml ") and words in str(err.value)


def test_a_wrong_dimension_does_not_cut_the_sheet(tmp_path):
    rows = [["2026-07-10", f"CMB-{n}", "甲", "0109", 1.0 + n, None, "m"] for n in range(1, 4)]
    parts = _base_parts(rows)
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b'<dimension ref="A1:G4"/>', b'<dimension ref="A1:G2"/>')
    path = _xlsx(tmp_path / "w.xlsx", parts)
    assert outcomes(path) == [(2, "CMB-1", D("2.00"), D("0.00")), (3, "CMB-2", D("3.00"), D("0.00")),
                              (4, "CMB-3", D("4.00"), D("0.00"))]


def test_the_limits_hold_while_reading_a_sheet_without_dimension(tmp_path, monkeypatch):
    parts = _base_parts(cell=(3, 201))
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b'<dimension ref="A1:GS3"/>', b"")
    path = _xlsx(tmp_path / "c.xlsx", parts)
    with pytest.raises(StatementError) as err:
        list(read_statement(path))
    assert str(err.value) == "c.xlsx: row 3 has 201 columns, over the limit of 200 (MAX_XLSX_COLUMNS)"
    monkeypatch.setattr(parse, "MAX_XLSX_ROWS", 2)
    rows = _xlsx(tmp_path / "n.xlsx", {**parts, "xl/worksheets/sheet1.xml": _base_parts(
        [["2026-07-10", "CMB-1", "甲", "0109", 1.0, None, "m"]] * 2)["xl/worksheets/sheet1.xml"].replace(
        b'<dimension ref="A1:G3"/>', b"")})
    with pytest.raises(StatementError) as err:
        list(read_statement(rows))
    assert str(err.value) == "n.xlsx: the sheet has more than 2 rows (MAX_XLSX_ROWS)"


def test_a_file_named_xlsx_that_is_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_text("not a workbook")
    with pytest.raises(StatementError, match="^cannot open x.xlsx as XLSX: File is not a zip file$"):
        next(read_statement(path))


def test_an_xlsx_named_csv_is_read_as_xlsx(tmp_path):
    path = _xlsx(tmp_path / "export.csv", _base_parts())
    assert outcomes(path) == [(2, "CMB-1", D("978282.00"), D("0.00"))]
