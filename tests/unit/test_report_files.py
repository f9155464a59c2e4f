"""The month-end report files a section chief can sign: CSV, XLSX and PDF (no database).

The reports are built by hand in their plain JSON form (what
``settlement.services.reconciliation.to_jsonable`` gives): the seed contract in
2026-11, with the fields the reconciliation adds (party names, penalties, bank
lines, probable duplicates) and without them (an older stored report).
"""
from __future__ import annotations

import copy
import csv
import io
import shutil
import subprocess
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from openpyxl import load_workbook

from settlement.reports import labels as L
from settlement.reports import tabular
from settlement.reports.fonts import FontUnavailable, find_font

ROOT = Path(__file__).parent.parent.parent
PO = ROOT / "settlement" / "translations" / "zh_CN" / "LC_MESSAGES" / "reports.po"

BUYER_NAME = "北京市西城区人民政府德胜街道办事处"
VENDOR_NAME = "中国联合网络通信有限公司北京市分公司"


def seed_contract(**changes) -> dict:
    """The seed contract on 2026-11-30: tranches 1 and 2 invoiced and paid, tranche 3 awaiting the audit."""
    c = {
        "contract_id": 1, "code": "DS-12345-2026", "title": "德胜街道接诉即办（座席外包）项目服务协议",
        "buyer": "desheng", "vendor": "unicom-bj", "buyer_name": BUYER_NAME, "vendor_name": VENDOR_NAME,
        "total_amount": "1956564.00", "earned_month": "163047.00", "earned_to_date": "815235.00",
        "invoiced_month": {"net": "553744.53", "tax": "33224.67", "total": "586969.20"},
        "invoiced_to_date": {"net": "1476652.08", "tax": "88599.12", "total": "1565251.20"},
        "paid_month": "586969.20", "paid_to_date": "1565251.20", "balance": "750016.20", "position": "prepaid",
        "uninvoiced_earned": "-750016.20", "settlement_status": "awaiting_opinion",
        "value": "1956564.00", "value_basis": "contract",
        "penalties": {"claimed": "0.00", "set_off": "0.00", "outstanding": "0.00"},
        "tranches": [
            {"seq": 1, "amount": "978282.00", "due_date": "2026-07-13", "invoice_due_date": "2026-07-08",
             "paid": "978282.00", "outstanding": "0.00", "invoiced": "978282.00", "status": "paid",
             "days_overdue": 0, "provisional": False},
            {"seq": 2, "amount": "586969.20", "due_date": "2026-11-30", "invoice_due_date": "2026-11-25",
             "paid": "586969.20", "outstanding": "0.00", "invoiced": "586969.20", "status": "paid",
             "days_overdue": 0, "provisional": False},
            {"seq": 3, "amount": "391312.80", "due_date": None, "invoice_due_date": None, "paid": "0.00",
             "outstanding": "391312.80", "invoiced": "0.00", "status": "not_due", "days_overdue": 0,
             "provisional": False}],
        "deadlines": [],
        "alerts": [{"kind": "vat_rounding_difference", "tranche_seq": None,
                    "detail": "contract-level VAT differs from the per-tranche VAT by 0.01"}],
        "vat_by_rate": [{"rate": "0.06", "net": "553744.53", "tax": "33224.67", "total": "586969.20"}],
    }
    c.update(changes)
    return c


def totals_of(contracts: list[dict]) -> dict:
    def s(key):
        return f"{sum(Decimal(tabular._get(c, key)) for c in contracts):.2f}"
    t = {k: s(k) for k in ("earned_month", "earned_to_date", "paid_month", "paid_to_date", "balance",
                           "uninvoiced_earned")}
    for key in ("invoiced_month", "invoiced_to_date"):
        t[key] = {k: s(f"{key}.{k}") for k in ("net", "tax", "total")}
    t["vat_by_rate"] = [{"rate": "0.06", "net": s("invoiced_month.net"), "tax": s("invoiced_month.tax"),
                         "total": s("invoiced_month.total")}]
    t["contracts"] = len(contracts)
    t["position"] = "prepaid" if Decimal(t["balance"]) > 0 else "receivable" if Decimal(t["balance"]) < 0 else "even"
    return t


def bank_lines() -> dict:
    """The sample statement's lines that are not matched: a stranger's credit and an outgoing transfer."""
    return {
        "unmatched": [{"serial": "ICBC202608030007", "txn_date": "2026-08-03", "counterparty_name": "北京某科技有限公司",
                       "counterparty_account": "6222020200112233", "credit": "5000.00", "debit": "0.00",
                       "memo": "货款", "reason": "no contract code in the memo, unknown payer account, and no "
                                                "tranche has this amount outstanding"}],
        "ignored": [{"serial": "ICBC202609150002", "txn_date": "2026-09-15", "counterparty_name": VENDOR_NAME,
                     "counterparty_account": "0200003319210012727", "credit": "0.00", "debit": "1000000.00",
                     "memo": "内部划转", "reason": "outgoing payment (支出)"}],
        "unmatched_total": "5000.00", "ignored_total": "1000000.00",
    }


def seed_report(contracts: list[dict] | None = None, *, bank: bool = True) -> dict:
    contracts = contracts if contracts is not None else [seed_contract()]
    report = {
        "month": "2026-11", "as_of": "2026-11-30", "contracts": contracts, "totals": totals_of(contracts),
        "contract_total": f"{sum(Decimal(c['total_amount']) for c in contracts):.2f}",
        "series": [{"month": m, "earned": e, "invoiced": i, "paid": p} for m, e, i, p in (
            ("2026-07", "163047.00", "978282.00", "978282.00"), ("2026-08", "326094.00", "978282.00", "978282.00"),
            ("2026-09", "489141.00", "978282.00", "978282.00"), ("2026-10", "652188.00", "978282.00", "978282.00"),
            ("2026-11", "815235.00", "1565251.20", "1565251.20"))],
    }
    if bank:
        report["bank_lines"] = bank_lines()
        report["probable_duplicates"] = [
            {"bank_line_serial": "ICBC202611270003", "payment_id": 2, "contract_code": "DS-12345-2026",
             "amount": "586969.20", "bank_date": "2026-11-27", "payment_date": "2026-11-27"}]
    return report


def troubled_contract() -> dict:
    """A second contract that shows every tranche status, alert and deadline kind in one place."""
    return seed_contract(
        contract_id=2, code="XC-2026-007", title="西城区12345热线质检服务", buyer="xicheng", vendor="v1",
        buyer_name=None, vendor_name=None, total_amount="120000.00", earned_month="10000.00",
        earned_to_date="110000.00", invoiced_month={"net": "-9433.96", "tax": "-566.04", "total": "-10000.00"},
        invoiced_to_date={"net": "84905.66", "tax": "5094.34", "total": "90000.00"}, paid_month="-2000.00",
        paid_to_date="60000.00", balance="-50000.00", position="receivable", uninvoiced_earned="20000.00",
        settlement_status="deemed_accepted", value="108000.00", value_basis="audit",
        penalties={"claimed": "1200.00", "set_off": "200.00", "outstanding": "1000.00"},
        tranches=[
            {"seq": 1, "amount": "30000.00", "due_date": "2026-10-12", "invoice_due_date": "2026-10-07",
             "paid": "10000.00", "outstanding": "20000.00", "invoiced": "30000.00", "status": "overdue",
             "days_overdue": 49, "provisional": False},
            {"seq": 2, "amount": "30000.00", "due_date": "2026-12-15", "invoice_due_date": "2026-12-10",
             "paid": "10000.00", "outstanding": "20000.00", "invoiced": "0.00", "status": "partially_paid",
             "days_overdue": 0, "provisional": False},
            {"seq": 3, "amount": "30000.00", "due_date": "2026-11-20", "invoice_due_date": "2026-11-17",
             "paid": "0.00", "outstanding": "30000.00", "invoiced": "0.00", "status": "due",
             "days_overdue": 0, "provisional": False},
            {"seq": 4, "amount": "0.00", "due_date": "2027-01-05", "invoice_due_date": "2026-12-29",
             "paid": "0.00", "outstanding": "0.00", "invoiced": "0.00", "status": "cut",
             "days_overdue": 0, "provisional": True},
            {"seq": 5, "amount": "18000.00", "due_date": "2026-11-02", "invoice_due_date": "2026-10-28",
             "paid": "20000.00", "outstanding": "0.00", "invoiced": "20000.00", "status": "refund_due",
             "days_overdue": 0, "provisional": False}],
        deadlines=[
            {"date": "2026-12-10", "kind": "invoice_due", "tranche_seq": 2, "provisional": False},
            {"date": "2026-12-15", "kind": "payment_due", "tranche_seq": 2, "provisional": False},
            {"date": "2026-12-29", "kind": "objection_window_closes", "tranche_seq": None, "provisional": True}],
        alerts=[
            {"kind": "invoice_late", "tranche_seq": 1,
             "detail": "tranche 1: invoiced after its invoice due date 2026-10-07"},
            {"kind": "invoice_overdue", "tranche_seq": 3, "detail": "tranche 3: 30000.00 not invoiced by 2026-11-17"},
            {"kind": "payment_overdue", "tranche_seq": 1, "detail": "tranche 1: 20000.00 overdue 49 days"},
            {"kind": "provisional_date", "tranche_seq": 4,
             "detail": "tranche 4: a date depends on a year without an official calendar"},
            {"kind": "right_arose", "tranche_seq": 1,
             "detail": "vendor may vendor_suspend_service since 2026-10-13"},
            {"kind": "deemed_acceptance", "tranche_seq": None,
             "detail": "the audit opinion was deemed accepted (no response in the window)"},
            {"kind": "refund_due", "tranche_seq": 5,
             "detail": "tranche 5: 2000.00 paid beyond its amount is to be refunded by the vendor"},
            {"kind": "penalty_outstanding", "tranche_seq": None,
             "detail": "1000.00 of penalties is neither set off nor paid"}],
        vat_by_rate=[{"rate": "0.06", "net": "-9433.96", "tax": "-566.04", "total": "-10000.00"}])


def two_contract_report() -> dict:
    return seed_report([seed_contract(), troubled_contract()])


# -- the catalogue ------------------------------------------------------------------------------

def test_the_catalogue_translates_every_code_and_heading():
    with PO.open("rb") as fh:
        cat = read_po(fh, locale="zh_CN", domain="reports")
    translated = {m.id: m.string for m in cat if m.id and m.string and not m.fuzzy}
    codes = ["not_due", "due", "partially_paid", "paid", "overdue", "cut", "refund_due",
             "awaiting_opinion", "awaiting_vendor", "accepted", "deemed_accepted", "disputed", "completed",
             "settled", "terminated",
             "invoice_late", "invoice_overdue", "payment_overdue", "provisional_date", "right_arose",
             "deemed_acceptance", "vat_rounding_difference", "refund_due", "penalty_outstanding",
             "vendor_suspend_service", "vendor_terminate", "buyer_terminate_for_cause",
             "invoice_due", "payment_due", "objection_window_closes"]
    assert set(codes) <= set(L.CODES)
    missing = [c for c in L.CODES if c not in translated]
    assert missing == []
    headings = {c.msgid for s in tabular.sections(two_contract_report()) for c in s.cols}
    assert [h for h in sorted(headings) if h not in translated] == []
    for msgid, text in translated.items():    # every translation is Chinese (or Chinese punctuation), not the id
        assert text != msgid and any("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text), text
    assert (translated["partially_paid"], translated["invoice_overdue"], translated["Contract total"],
            translated["Total incl. tax"], translated["audit"]) == \
        ("部分支付", "发票逾期未开", "合同总价", "价税合计", "审定金额")


def test_labels_are_chinese_and_fall_back_to_the_code():
    assert L.status_label("partially_paid") == "部分支付"
    assert L.status_label("deemed_accepted") == "视为认可审计意见"
    assert L.alert_label("invoice_overdue") == "发票逾期未开"
    assert L.right_label("vendor_suspend_service") == "乙方可暂停服务"
    assert L.deadline_label("objection_window_closes") == "审计异议期届满"
    assert L.status_label("something_new") == "something_new" and L.status_label(None) == ""
    assert L.party({"buyer": "desheng", "buyer_name": BUYER_NAME}, "buyer") == BUYER_NAME
    assert L.party({"buyer": "desheng", "buyer_name": None}, "buyer") == "desheng"


def test_signed_figures_are_labelled_by_direction():
    assert L.balance("750016.20") == ("预收", Decimal("750016.20"))
    assert L.balance("-12.30") == ("应收", Decimal("12.30"))
    assert L.balance("0.00") == ("持平", Decimal("0.00"))
    assert L.invoicing("-750016.20") == ("超开票", Decimal("750016.20"))
    assert L.invoicing("163047.00") == ("已应计未开票", Decimal("163047.00"))
    assert L.directed_text(L.invoicing("-750016.20")) == "超开票 750,016.20"
    assert L.directed_text(L.balance("0.00")) == "持平"
    assert L.refund_due({"amount": "18000.00", "paid": "20000.00"}) == Decimal("2000.00")
    assert L.refund_due({"amount": "18000.00", "paid": "10000.00"}) == Decimal("0.00")


def test_alerts_in_words_from_the_reports_own_figures():
    c = troubled_contract()
    lines = [L.alert_line(a, c) for a in c["alerts"]]
    assert lines == [
        "发票迟开：第1笔：开票晚于发票期限 2026-10-07",
        "发票逾期未开：第3笔：30,000.00 元未在 2026-11-17 前开票",
        "付款逾期：第1笔：20,000.00 元逾期未付 49 天",
        "日期暂定：第4笔：日期依赖尚无官方节假日安排的年份，为暂定日期",
        "合同权利已产生：自 2026-10-13 起乙方可暂停服务",
        "审计意见视为认可：乙方未在异议期内答复，审计意见视为认可",
        "应退款：第5笔：超付 2,000.00 元，应由乙方退还",
        "违约金未收回：违约金未收回 1,000.00 元（已主张 1,200.00 元，已抵扣 200.00 元）"]
    vat = seed_contract()["alerts"][0]
    assert L.alert_line(vat) == "增值税尾差：按合同总价计算的税额比各笔税额之和多 0.01 元"
    unknown = {"kind": "new_kind", "tranche_seq": None, "detail": "something the report did not foresee"}
    assert L.alert_line(unknown) == "new_kind：something the report did not foresee"


def test_bank_reasons_in_words():
    assert L.reason_label("outgoing payment (支出)") == "支出（付款）"
    assert L.reason_label("ambiguous: 2 tranches of 2 contract(s) have 586969.20 outstanding") == \
        "无法确定：2 个合同的 2 笔款项未收金额均为 586969.20"
    assert L.reason_label("contract code in the memo, but refused: month 2026-11 is closed") == \
        "摘要中有合同编号，但入账被拒绝：month 2026-11 is closed"
    assert L.reason_label("a reason nobody translated") == "a reason nobody translated"


# -- CSV --------------------------------------------------------------------------------------

def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_summary_row_and_totals_exactly():
    report = seed_report()
    data = tabular.to_csv(report)
    assert data == tabular.to_csv(copy.deepcopy(report))          # deterministic, byte for byte
    assert data.startswith("\ufeff合同编号,合同名称,甲方,乙方,合同总价".encode("utf-8"))
    rows = read_csv(data)
    assert rows[0] == ["合同编号", "合同名称", "甲方", "乙方", "合同总价", "本月应计服务费", "累计应计服务费",
                       "本月开票金额（不含税，净额）", "本月开票税额（净额）", "本月开票价税合计（净额）", "累计开票价税合计（净额）", "本月收款（净额）",
                       "累计收款（净额）", "收款与应计差额", "差额性质", "应计与开票差额", "开票差额性质", "结算状态",
                       "现行合同价值", "价值依据", "违约金（已主张）", "违约金（已抵扣）", "违约金（未收回）", "提醒",
                       "结算状态代码"]
    assert rows[1] == ["DS-12345-2026", "德胜街道接诉即办（座席外包）项目服务协议", BUYER_NAME, VENDOR_NAME,
                       "1956564.00", "163047.00", "815235.00", "553744.53", "33224.67", "586969.20", "1565251.20",
                       "586969.20", "1565251.20", "750016.20", "预收", "750016.20", "超开票", "待出具审计意见",
                       "1956564.00", "合同总价", "0.00", "0.00", "0.00", "增值税尾差", "awaiting_opinion"]
    assert rows[2][:5] == ["合计", "1 个合同", "", "", "1956564.00"]
    assert rows[2][13:17] == ["750016.20", "预收", "750016.20", "超开票"]
    # no minus sign under a positive label anywhere in the file
    assert not any(v.startswith("-") for row in rows for v in row)


def test_csv_sections_in_chinese():
    rows = read_csv(tabular.to_csv(two_contract_report()))
    titles = [r[0] for r in rows if len(r) == 1 and r[0].startswith("【")]
    assert titles == ["【分笔付款】", "【30日内期限】", "【提醒】", "【本月销项税】", "【未达账项】", "【疑似重复收款】"]

    def section(title):
        i = rows.index([title])
        out = []
        for r in rows[i + 1:]:
            if not r:
                break
            out.append(r)
        return out

    tranches = section("【分笔付款】")
    assert tranches[0] == ["合同编号", "笔次", "金额", "付款期限", "发票期限", "已开票", "已收款", "未收款", "应退金额",
                           "状态", "逾期天数", "暂定日期", "状态代码"]
    assert [r[9] for r in tranches[1:]] == ["已付清", "已付清", "未到期", "逾期未付", "部分支付", "已到期待付",
                                            "已核减（合同解除）", "应退款"]
    assert tranches[-1] == ["XC-2026-007", "5", "18000.00", "2026-11-02", "2026-10-28", "20000.00", "20000.00",
                            "0.00", "2000.00", "应退款", "0", "", "refund_due"]
    assert tranches[-2][11] == "是" and tranches[-3][8] == ""
    deadlines = section("【30日内期限】")
    assert [r[2] for r in deadlines[1:]] == ["开票期限", "付款期限", "审计异议期届满"]
    alerts = section("【提醒】")
    assert alerts[0] == ["合同编号", "提醒", "笔次", "说明", "原文", "提醒代码"]
    assert [r[1] for r in alerts[1:]] == ["增值税尾差", "发票迟开", "发票逾期未开", "付款逾期", "日期暂定",
                                          "合同权利已产生", "审计意见视为认可", "应退款", "违约金未收回"]
    assert alerts[3][3] == "第3笔：30,000.00 元未在 2026-11-17 前开票"
    vat = section("【本月销项税】")
    assert vat[1:] == [["DS-12345-2026", "6%", "553744.53", "33224.67", "586969.20"],
                       ["XC-2026-007", "6%", "-9433.96", "-566.04", "-10000.00"],
                       ["合计", "6%", "544310.57", "32658.63", "576969.20"]]
    bank = section("【未达账项】")
    assert bank[0] == ["类别", "银行流水号", "交易日期", "对方户名", "对方账号", "收入金额", "支出金额", "摘要", "原因"]
    assert bank[1] == ["未匹配", "ICBC202608030007", "2026-08-03", "北京某科技有限公司", "6222020200112233", "5000.00",
                       "0.00", "货款", "摘要无合同编号，付款账号未登记，且无任何一笔款项的未收金额与之相等"]
    assert bank[2][0] == "已忽略" and bank[2][8] == "支出（付款）"
    assert bank[3] == ["未匹配合计（1 笔）", "", "", "", "", "5000.00", "", "", ""]
    assert bank[4] == ["已忽略合计（1 笔）", "", "", "", "", "", "1000000.00", "", ""]
    dups = section("【疑似重复收款】")
    assert dups[1] == ["DS-12345-2026", "ICBC202611270003", "2", "586969.20", "2026-11-27", "2026-11-27"]
    summary = rows[2]
    assert summary[2:4] == ["xicheng", "v1"]                         # no names on file: the codes
    assert summary[13:20] == ["50000.00", "应收", "20000.00", "已应计未开票", "视为认可审计意见", "108000.00", "审定金额"]
    assert summary[20:23] == ["1200.00", "200.00", "1000.00"]
    assert rows[3][17:23] == ["", "2064564.00", "", "1200.00", "200.00", "1000.00"]   # totals


def test_a_report_without_the_new_fields_still_writes():
    old = seed_report([seed_contract()], bank=False)
    for key in ("buyer_name", "vendor_name", "penalties", "settlement_status", "value", "value_basis"):
        del old["contracts"][0][key]
    rows = read_csv(tabular.to_csv(old))
    assert rows[1][2:4] == ["desheng", "unicom-bj"] and rows[1][17:25] == ["", "", "", "", "", "", "增值税尾差", ""]
    assert [r[0] for r in rows if len(r) == 1] == ["【分笔付款】", "【30日内期限】", "【提醒】", "【本月销项税】"]
    wb = load_workbook(io.BytesIO(tabular.to_xlsx(old)))
    assert wb.sheetnames == ["汇总 2026-11", "分笔付款", "30日内期限", "提醒", "本月销项税"]


# -- formula injection ------------------------------------------------------------------------

NASTY = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1)", "-1+1", "\t=1", "\r=1+1"]


def injected_report() -> dict:
    c = seed_contract(title=NASTY[0], buyer_name=NASTY[2], vendor_name=NASTY[3],
                      alerts=[{"kind": "new_kind", "tranche_seq": None, "detail": NASTY[4]}])
    report = seed_report([c])
    report["bank_lines"]["unmatched"][0].update(memo=NASTY[1], counterparty_name=NASTY[5], reason="#N/A")
    return report


def test_neutralise():
    assert [tabular.neutralise(v) for v in NASTY] == ["'" + v for v in NASTY]
    assert tabular.neutralise("德胜=1") == "德胜=1" and tabular.neutralise("") == ""
    assert tabular.neutralise("#DIV/0!") == "'#DIV/0!"
    assert tabular.neutralise("a\x00b\x1fc") == "a\ufffdb\ufffdc"


def test_formula_injection_is_neutralised_in_the_csv():
    rows = read_csv(tabular.to_csv(injected_report()))
    cells = [v for row in rows for v in row]
    for nasty in NASTY:
        assert nasty not in cells
        assert "'" + nasty in cells, nasty
    risky = [v for v in cells if v[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert risky == []


def test_formula_injection_is_neutralised_in_the_xlsx():
    wb = load_workbook(io.BytesIO(tabular.to_xlsx(injected_report())))
    found = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    pytest.fail(f"formula in {ws.title}!{cell.coordinate}: {cell.value}")
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), cell.value
                    if cell.value.lstrip("'") in NASTY + ["#N/A"]:
                        found[cell.value] = cell.data_type
    assert found == {"'" + v: "s" for v in NASTY + ["#N/A"]}
    ws = wb["汇总 2026-11"]
    assert ws["B2"].value == "'" + NASTY[0] and ws["B2"].data_type == "s"
    assert isinstance(ws["E2"].value, (int, float)) and ws["E2"].data_type == "n"    # amounts stay numbers


# -- XLSX -------------------------------------------------------------------------------------

def num(cell) -> Decimal:
    """A number cell's value as the decimal it shows (openpyxl reads numbers back as floats)."""
    return Decimal(str(cell.value))


def test_xlsx_layout_print_setup_and_properties():
    report = two_contract_report()
    wb = load_workbook(io.BytesIO(tabular.to_xlsx(report)))
    assert wb.sheetnames == ["汇总 2026-11", "分笔付款", "30日内期限", "提醒", "本月销项税", "未达账项", "疑似重复收款"]
    assert wb.properties.title == "月度对账报告 2026-11（截至 2026-11-30）"
    assert wb.properties.creator == "contract-settlement"
    assert wb.properties.created == datetime(2026, 11, 30)
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.paperSize == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
        assert ws.print_title_rows == "$1:$1"
        assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
        assert ws.oddHeader.left.text == "月度对账报告 2026-11（截至 2026-11-30）"
        assert ws.auto_filter.ref.startswith("A1:")
        assert ws["A1"].font.bold
    summary = wb["汇总 2026-11"]
    assert summary.auto_filter.ref == "A1:Y3"                  # the two contracts, not the totals row
    assert summary["A4"].value == "合计"
    assert summary["G2"].value == 815235 and summary["G2"].number_format == "#,##0.00"
    assert num(summary["N2"]) == Decimal("750016.20") and summary["O2"].value == "预收"
    assert num(summary["P2"]) == Decimal("750016.20") and summary["Q2"].value == "超开票"
    assert summary["N3"].value == 50000 and summary["O3"].value == "应收"
    assert summary["J3"].value == -10000 and summary["J3"].number_format == "#,##0.00;[Red]-#,##0.00"
    assert summary["R2"].value == "待出具审计意见" and summary["Y2"].value == "awaiting_opinion"
    assert (num(summary["S3"]), summary["T3"].value) == (Decimal("108000.00"), "审定金额")
    tranches = wb["分笔付款"]
    assert tranches["D2"].value.date() == date(2026, 7, 13) and tranches["D2"].number_format == "yyyy-mm-dd"
    assert num(tranches["C3"]) == Decimal("586969.20") and tranches["C3"].number_format == "#,##0.00"
    assert [tranches.cell(r, 10).value for r in range(2, 10)] == [
        "已付清", "已付清", "未到期", "逾期未付", "部分支付", "已到期待付", "已核减（合同解除）", "应退款"]
    assert (tranches["H9"].value, tranches["I9"].value, tranches["I8"].value) == (0, 2000, None)
    assert wb["提醒"]["B2"].value == "增值税尾差"
    bank = wb["未达账项"]
    assert bank.auto_filter.ref == "A1:I3"
    assert (bank["A4"].value, bank["F4"].value) == ("未匹配合计（1 笔）", 5000)
    assert (bank["A5"].value, bank["G5"].value) == ("已忽略合计（1 笔）", 1000000)
    assert bank["E2"].value == "6222020200112233" and bank["E2"].data_type == "s"   # account numbers stay text
    assert wb["疑似重复收款"]["B2"].value == "ICBC202611270003"


def test_xlsx_columns_fit_their_content():
    """Widths from the content: CJK counts double, amounts are never narrower than their text."""
    report = two_contract_report()
    report["contracts"][1]["earned_to_date"] = "123456789012.34"
    wb = load_workbook(io.BytesIO(tabular.to_xlsx(report)))
    ws = wb["汇总 2026-11"]
    width = {col: ws.column_dimensions[col].width for col in ("A", "C", "D", "G", "E")}
    assert width["G"] >= len("123,456,789,012.34") + 1
    assert width["E"] >= len("1,956,564.00") + 1
    assert width["A"] >= len("DS-12345-2026")
    assert width["C"] == 18                     # a 17-character Chinese name wraps in 16 columns (8 characters)
    assert ws["C2"].alignment.wrap_text and ws.row_dimensions[2].height == 15 * 3 + 2   # so its row is 3 lines
    assert ws.row_dimensions[1].height == 15 * 3 + 3                                     # headings wrap too
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, (int, float, Decimal)) and cell.number_format.startswith("#,##0.00"):
                    shown = f"{abs(Decimal(str(cell.value))):,.2f}"
                    assert ws.column_dimensions[cell.column_letter].width >= len(shown) + 1, (ws.title, cell)
    assert tabular.display_width("合同编号") == 8 and tabular.display_width("DS-1") == 4
    assert tabular.display_width("（不含税）") == 10


def test_xlsx_stays_in_write_only_mode(monkeypatch):
    """The 10,000-contract reconcile is benchmarked for memory: no cell objects kept per sheet."""
    import openpyxl

    modes = []
    real = openpyxl.Workbook

    def spy(*args, **kwargs):
        modes.append(kwargs.get("write_only", False))
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "Workbook", spy)
    tabular.to_xlsx(seed_report())
    assert modes == [True]


# -- PDF --------------------------------------------------------------------------------------

def _font():
    try:
        return find_font(None)
    except FontUnavailable as exc:
        pytest.skip(f"no CJK font: {exc}")


def _pdf(tmp_path, report=None) -> Path:
    from settlement.reports.pdf_report import to_pdf
    data = to_pdf(report or two_contract_report(), _font(),
                  generated_at=datetime(2026, 12, 1, 1, 30, tzinfo=timezone.utc))
    assert data.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return path


def _needs(tool: str):
    if not shutil.which(tool):
        pytest.skip(f"{tool} is not installed (poppler-utils)")


def test_pdf_has_every_label_in_words(tmp_path):
    _needs("pdftotext")
    path = _pdf(tmp_path)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = "".join(text.split())           # pdftotext drops or adds spaces between CJK characters
    for expected in (
            "月度对账报告 2026-11（截至 2026-11-30）", "生成时间：2026-12-01 09:30（北京时间）",
            "第 1 页 共", BUYER_NAME, VENDOR_NAME, "DS-12345-2026", "815,235.00", "1,565,251.20",
            "预收 750,016.20", "超开票 750,016.20", "应收 50,000.00", "已应计未开票 20,000.00",
            "待出具审计意见", "视为认可审计意见", "审定金额：108,000.00",
            "违约金：已主张 1,200.00，已抵扣 200.00，未收回 1,000.00",
            "已付清", "未到期", "逾期未付", "部分支付", "已到期待付", "已核减（合同解除）", "应退款", "应退 2,000.00", "第5笔：超付 2,000.00 元，应由乙方退还",
            "增值税尾差：按合同总价计算的税额比各笔税额之和多 0.01 元",
            "发票逾期未开：第3笔：30,000.00 元未在 2026-11-17 前开票",
            "付款逾期：第1笔：20,000.00 元逾期未付 49 天", "合同权利已产生：自 2026-10-13 起乙方可暂停服务",
            "未来 30 日内的期限", "开票期限", "付款期限", "审计异议期届满", "2026-12-29（暂定）",
            "未达账项", "未匹配 1 笔，合计 5,000.00；已忽略 1 笔，合计 1,000,000.00", "ICBC202608030007",
            "未匹配合计（1 笔）", "已忽略合计（1 笔）", "疑似重复收款", "ICBC202611270003",
            "编制人：______", "复核人：______", "日期：______", "6%", "累计应计"):
        assert "".join(expected.split()) in flat, expected
    pages = text.count("\f")
    assert pages >= 2 and all(f"第{n}页共{pages}页" in flat for n in range(1, pages + 1))
    assert "-750,016.20" not in flat and "-50,000.00" not in flat and "-2,000.00" not in flat


def test_pdf_embeds_every_font(tmp_path):
    _needs("pdffonts")
    path = _pdf(tmp_path)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    fonts = out.splitlines()[2:]
    assert fonts, out
    for line in fonts:
        # name type encoding emb sub uni object ID: "emb" is the 4th column from the right end's "yes/no" triple
        flags = line.split()[-5:-2]
        assert flags[0] == "yes", line


def test_pdf_of_a_report_without_the_new_fields(tmp_path):
    _needs("pdftotext")
    old = seed_report([seed_contract()], bank=False)
    for key in ("buyer_name", "vendor_name", "penalties", "value", "value_basis"):
        del old["contracts"][0][key]
    text = subprocess.run(["pdftotext", str(_pdf(tmp_path, old)), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "desheng" in text and "未达账项" not in text and "编制人" in text


def test_pdf_escapes_text_from_the_data(tmp_path):
    _needs("pdftotext")
    report = seed_report([seed_contract(title="<b>德胜</b> & <font name=x>")])
    report["bank_lines"]["unmatched"][0]["memo"] = "a < b & c"
    text = subprocess.run(["pdftotext", str(_pdf(tmp_path, report)), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = "".join(text.split())
    assert "<b>德胜</b>&<fontname=x>" in flat and "a<b&c" in flat


# -- pictures ---------------------------------------------------------------------------------

def test_pdf_page_renders_to_png(tmp_path):
    _needs("pdftoppm")
    path = _pdf(tmp_path)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
                   check=True)
    png = next(tmp_path.glob("page*.png"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_xlsx_renders_landscape_through_libreoffice(tmp_path):
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
    _needs("pdfinfo")
    xlsx = tmp_path / "report.xlsx"
    xlsx.write_bytes(tabular.to_xlsx(two_contract_report()))
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(xlsx)], check=True, capture_output=True, timeout=180)
    info = subprocess.run(["pdfinfo", str(tmp_path / "report.pdf")], capture_output=True, text=True,
                          check=True).stdout
    size = next(line for line in info.splitlines() if line.startswith("Page size:"))
    w, h = (float(x) for x in size.split(":")[1].split("pts")[0].split(" x "))
    assert w > h                                              # landscape
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "report.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "###" not in text
    assert "1,956,564.00" in text and "815,235.00" in text and "超开票" in text


def test_settlement_never_imports_invoices():
    """Dependencies point one way: the font finder lives in settlement.reports.fonts; invoices imports it."""
    import ast

    for path in sorted((ROOT / "settlement" / "reports").glob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n == "invoices" or n.startswith("invoices.") for n in names), path
    from invoices import pdf
    from settlement.reports import fonts
    assert (pdf.find_font, pdf.register_font, pdf.FontUnavailable) == \
        (fonts.find_font, fonts.register_font, fonts.FontUnavailable)
    with pytest.raises(FontUnavailable, match="INVOICE_FONT"):
        find_font(None, candidates=["/nonexistent/a.ttc"])
