"""Bank statement import, monthly reconciliation, closed months (issue 6)."""
from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from tests.api.test_contracts_api import SEED_CONTRACT, problem
from tests.conftest import BUYER, VENDOR

ROOT = Path(__file__).parent.parent.parent
SAMPLE = ROOT / "samples" / "bank-statement-2026-icbc.csv"
FIX = Path(__file__).parent.parent / "fixtures" / "bank"


def run(runner, *args):
    result = runner.invoke(args=list(args))
    return result.exit_code, result.output


def invoice(api, cid, seq, on):
    from tests.api.test_invoice_platform import recorded, register_ids
    register_ids(api)
    req = api.get(f"/api/v1/contracts/{cid}/invoice-request?tranche_seq={seq}&issued_on={on}", as_=VENDOR).get_json()
    recorded(api, cid, seq, on, req["amount"], rate=req["rate"])


def payments(api, cid):
    return api.get(f"/api/v1/contracts/{cid}/payments?page_size=100", as_=BUYER).get_json()["items"]


# -- import ---------------------------------------------------------------------------------

def test_import_the_gb18030_sample_then_again(api, runner, seeded):
    code, out = run(runner, "bank", "import", str(SAMPLE), "--account", "0200003319210012727")
    assert code == 3, out   # done, but a line was rejected
    assert "rejected line 10: amount 'abc' is not a number" in out
    assert out.strip().endswith("lines read 5, new 4, duplicate 0, matched 2, unmatched 1, ignored 1, rejected 1")
    paid = payments(api, seeded)
    assert [(p["bank_reference"], p["amount"], p["source"], p["allocations"]) for p in paid] == [
        ("ICBC202607100001", "978282.00", "bank", [{"tranche_seq": 1, "amount": "978282.00"}]),
        ("ICBC202611270003", "586969.20", "bank", [{"tranche_seq": 2, "amount": "586969.20"}])]
    code, out = run(runner, "bank", "import", str(SAMPLE), "--account", "0200003319210012727", "--allow-rejected")
    assert code == 0
    assert out.strip().endswith("lines read 5, new 0, duplicate 4, matched 0, unmatched 0, ignored 0, rejected 1")
    assert len(payments(api, seeded)) == 2
    unmatched = api.get("/api/v1/bank-lines?status=unmatched").get_json()["items"]
    assert [(b["serial"], b["credit"], b["reason"]) for b in unmatched] == [
        ("ICBC202608030007", "5000.00", "no contract code in the memo, unknown payer account, and no tranche "
                                        "has this amount outstanding")]


def test_import_utf8_bom_tab_layout(api, runner, seeded):
    code, out = run(runner, "bank", "import", str(FIX / "layout2-utf8-bom.tsv"))
    assert code == 0 and out.strip().endswith("matched 2, unmatched 0, ignored 0, rejected 0")
    assert [p["paid_on"] for p in payments(api, seeded)] == ["2026-07-10", "2026-11-27"]


def test_import_xlsx(api, runner, seeded, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["招商银行 账务明细"])
    ws.append(["记账日期", "交易流水号", "对方户名", "对方账号", "贷方金额", "借方金额", "摘要"])
    ws.append(["2026-07-10", "CMB-1", "北京市西城区人民政府德胜街道办事处", "0109", 978282.0, None, "DS-12345-2026"])
    path = tmp_path / "statement.xlsx"
    wb.save(path)
    code, out = run(runner, "bank", "import", str(path))
    assert code == 0 and "new 1, duplicate 0, matched 1" in out
    assert payments(api, seeded)[0]["amount"] == "978282.00"


def test_another_banks_columns_by_mapping_file(api, runner, seeded):
    code, out = run(runner, "bank", "import", str(FIX / "other-bank.csv"))
    assert code == 2 and "no header row found" in out
    code, out = run(runner, "bank", "import", str(FIX / "other-bank.csv"),
                    "--mapping", str(FIX / "other-bank-mapping.json"))
    assert code == 0 and "matched 1" in out
    assert payments(api, seeded)[0]["allocations"] == [{"tranche_seq": 1, "amount": "586969.20"}]


def test_dry_run_saves_nothing(api, runner, seeded):
    code, out = run(runner, "bank", "import", str(SAMPLE), "--dry-run")
    assert code == 3 and out.strip().startswith("rejected line 10") and "DRY RUN, nothing saved: " in out
    assert payments(api, seeded) == []
    assert api.get("/api/v1/bank-lines").get_json()["total"] == 0


def test_unreadable_file_exits_non_zero(runner, app, tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_bytes(b"")
    assert run(runner, "bank", "import", str(bad))[0] == 2
    assert run(runner, "bank", "import", str(tmp_path / "missing.csv"))[0] == 2
    fake = tmp_path / "x.xlsx"
    fake.write_text("not a workbook")
    code, out = run(runner, "bank", "import", str(fake))
    assert code == 2 and "cannot open x.xlsx as XLSX" in out


def test_ambiguous_amount_is_left_unmatched(api, runner, seeded, tmp_path):
    api.post("/api/v1/parties", json={"code": "b1", "name": "b1"})
    api.post("/api/v1/parties", json={"code": "v1", "name": "v1"})
    assert api.post("/api/v1/contracts", json=SEED_CONTRACT).status_code == 201  # same tranche amounts
    stmt = tmp_path / "s.csv"
    stmt.write_text("交易日期,交易流水号,对方户名,对方账号,摘要,贷方发生额,借方发生额\n"
                    "2026-11-27,S-1,某单位,999,服务费,\"586,969.20\",\n", encoding="utf-8")
    code, out = run(runner, "bank", "import", str(stmt))
    assert "matched 0, unmatched 1" in out
    line = api.get("/api/v1/bank-lines?status=unmatched").get_json()["items"][0]
    assert line["reason"] == "ambiguous: 2 tranches of 2 contract(s) have 586969.20 outstanding"
    r = api.post(f"/api/v1/bank-lines/{line['id']}/match", json={"contract_id": seeded, "tranche_seq": 2})
    assert r.status_code == 409 and problem(r)["detail"] == (
        'the payer 某单位 is not the buyer of contract DS-12345-2026 on file: resend with "confirm": true '
        'to match it anyway')
    r = api.post(f"/api/v1/bank-lines/{line['id']}/match",
                 json={"contract_id": seeded, "tranche_seq": 2, "confirm": True})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["payment"]["allocations"] == [{"tranche_seq": 2, "amount": "586969.20"}]
    again = api.post(f"/api/v1/bank-lines/{line['id']}/match", json={"contract_id": seeded})
    assert again.status_code == 409
    # the buyer holds no statement account: it sees no lines (the payee account's holder does)
    assert api.get("/api/v1/bank-lines", as_=BUYER).get_json()["total"] == 0


def test_an_interrupted_import_leaves_nothing(api, runner, seeded, monkeypatch):
    from settlement.services import bank

    calls = {"n": 0}
    real = bank.record_payment

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # the operator's Ctrl-C, or the machine going down
        return real(*args, **kwargs)

    monkeypatch.setattr(bank, "record_payment", flaky)
    result = runner.invoke(args=["bank", "import", str(SAMPLE)])
    assert result.exit_code != 0
    monkeypatch.setattr(bank, "record_payment", real)
    assert payments(api, seeded) == []
    assert api.get("/api/v1/bank-lines").get_json()["total"] == 0
    assert api.get(f"/api/v1/contracts/{seeded}/journal", as_=BUYER).get_json()["total"] == 1


# -- reconciliation -----------------------------------------------------------------------------

@pytest.fixture
def november(api, runner, seeded):
    """The seed contract through 2026-11: both tranches paid from the bank statement, both invoiced."""
    assert run(runner, "bank", "import", str(SAMPLE), "--allow-rejected")[0] == 0
    invoice(api, seeded, 1, "2026-07-06")
    invoice(api, seeded, 2, "2026-11-20")
    return seeded


def test_seed_november_figures_to_the_fen(api, november):
    body = api.get("/api/v1/reports/reconciliation?month=2026-11", as_=BUYER).get_json()
    c = body["contracts"][0]
    assert (c["earned_month"], c["earned_to_date"]) == ("163047.00", "815235.00")
    assert c["invoiced_month"] == {"net": "553744.53", "tax": "33224.67", "total": "586969.20"}
    assert c["invoiced_to_date"] == {"net": "1476652.08", "tax": "88599.12", "total": "1565251.20"}
    assert (c["paid_month"], c["paid_to_date"], c["balance"], c["position"]) == \
        ("586969.20", "1565251.20", "750016.20", "prepaid")
    assert c["uninvoiced_earned"] == "-750016.20"
    assert [(t["seq"], t["status"], t["days_overdue"]) for t in c["tranches"]] == \
        [(1, "paid", 0), (2, "paid", 0), (3, "not_due", 0)]
    assert c["vat_by_rate"] == [{"rate": "0.06", "net": "553744.53", "tax": "33224.67", "total": "586969.20"}]
    assert [a["kind"] for a in c["alerts"]] == ["vat_rounding_difference"]
    assert body["totals"]["vat_by_rate"] == c["vat_by_rate"] and body["totals"]["contracts"] == 1
    assert body["series"][-1] == {"month": "2026-11", "earned": "815235.00", "invoiced": "1565251.20",
                                  "paid": "1565251.20"}


def test_deadlines_and_alerts_in_october(api, runner, seeded):
    invoice(api, seeded, 1, "2026-07-09")   # late: due 2026-07-08
    body = api.get("/api/v1/reports/reconciliation?month=2026-10&as_of=2026-10-31", as_=BUYER).get_json()
    c = body["contracts"][0]
    assert c["deadlines"] == [{"date": "2026-11-25", "kind": "invoice_due", "tranche_seq": 2, "provisional": False,
                               "label": "开票期限"},
                              {"date": "2026-11-30", "kind": "payment_due", "tranche_seq": 2, "provisional": False,
                               "label": "付款期限"}]
    kinds = [a["kind"] for a in c["alerts"]]
    assert kinds[:2] == ["invoice_late", "payment_overdue"] and "right_arose" in kinds


def test_reconcile_files_are_identical_twice_and_readable(api, runner, november, tmp_path):
    out = tmp_path / "out"
    code, text = run(runner, "reconcile", "--month", "2026-11", "--out", str(out))
    assert code == 0, text
    assert "reconciled 2026-11 as of 2026-11-30: 1 contract(s), earned 815235.00, invoiced 1565251.20, " \
           "paid 1565251.20" in text
    first = {f: (out / f"reconciliation-2026-11.{f}").read_bytes() for f in ("json", "csv")}
    code, _ = run(runner, "reconcile", "--month", "2026-11", "--out", str(out))
    assert code == 0
    assert {f: (out / f"reconciliation-2026-11.{f}").read_bytes() for f in ("json", "csv")} == first
    assert first["csv"].startswith("\ufeff合同编号".encode("utf-8"))
    assert "DS-12345-2026,德胜街道接诉即办（座席外包）项目服务协议,北京市西城区人民政府德胜街道办事处," \
           "中国联合网络通信有限公司北京市分公司,1956564.00,163047.00," \
           "815235.00,553744.53,33224.67,586969.20,1565251.20,586969.20,1565251.20,750016.20,预收" \
        in first["csv"].decode("utf-8-sig")
    assert json.loads(first["json"])["contracts"][0]["balance"] == "750016.20"

    wb = load_workbook(out / "reconciliation-2026-11.xlsx")
    assert wb.sheetnames == ["汇总 2026-11", "分笔付款", "30日内期限", "提醒", "本月销项税", "未达账项", "疑似重复收款"]
    ws = wb["汇总 2026-11"]
    assert ws.freeze_panes == "A2" and ws["A1"].value == "合同编号"
    assert Decimal(str(ws["G2"].value)) == Decimal("815235.00") and ws["G2"].number_format == "#,##0.00"
    tranches = wb["分笔付款"]
    assert tranches.freeze_panes == "A2" and tranches["A1"].font.bold
    assert tranches["D2"].value.date().isoformat() == "2026-07-13" and tranches["D2"].number_format == "yyyy-mm-dd"
    assert Decimal(str(tranches["C3"].value)) == Decimal("586969.20") and tranches["C3"].number_format == "#,##0.00"
    vat = wb["本月销项税"]
    assert vat["B2"].value == "6%" and Decimal(str(vat["D2"].value)) == Decimal("33224.67")

    if shutil.which("pdftotext"):
        pdf_text = subprocess.run(["pdftotext", "-layout", str(out / "reconciliation-2026-11.pdf"), "-"],
                                  capture_output=True, text=True, check=True).stdout
        for expected in ("月度对账报告 2026-11", "DS-12345-2026", "815,235.00", "1,565,251.20", "750,016.20",
                         "累计应计", "6%"):
            assert expected in pdf_text, expected


def test_closed_month_refuses_backdated_writes_and_freezes_its_report(api, runner, november, tmp_path):
    code, out = run(runner, "month", "close", "2026-11")
    assert code == 0 and "closed 2026-11" in out
    r = api.post(f"/api/v1/contracts/{november}/payments", as_=BUYER,
                 json={"amount": "1.00", "paid_on": "2026-11-15", "bank_reference": "LATE"})
    assert r.status_code == 409
    assert problem(r)["detail"] == ("a payment dated 2026-11-15 falls in a closed period: the books are closed "
                                    "through 2026-11; ask the administrator to reopen the month if it must change")
    assert problem(r)["closed_through"] == "2026-11" and "paid_on" in problem(r)["errors"]
    # a lock date: closing November closes October too, for every dated write
    r = api.post(f"/api/v1/contracts/{november}/payments", as_=BUYER,
                 json={"amount": "1.00", "paid_on": "2026-10-15", "bank_reference": "OCT"})
    assert r.status_code == 409
    for path, body in ((f"/api/v1/contracts/{november}/audit-opinions",
                        {"audited_amount": "1.00", "delivered_on": "2026-11-02"}),
                       (f"/api/v1/contracts/{november}/amendments",
                        {"signed_on": "2026-10-30", "effective_from": "2026-11-01", "approval_reference": "x"}),
                       (f"/api/v1/contracts/{november}/rectifications", {"noticed_on": "2026-10-10", "description": "x"}),
                       (f"/api/v1/contracts/{november}/penalties",
                        {"amount": "1.00", "claimed_on": "2026-09-01", "clause": "6.3", "reason": "x"})):
        r = api.post(path, json=body, as_=BUYER)
        assert r.status_code == 409 and problem(r)["closed_through"] == "2026-11", (path, r.get_json())
    from tests.api.test_invoice_platform import record
    r = record(api, november, 1, "2026-11-16", "1.00")
    assert r.status_code == 409
    before = api.get("/api/v1/reports/reconciliation?month=2026-11", as_=BUYER).get_json()
    assert api.post(f"/api/v1/contracts/{november}/payments", as_=BUYER,
                    json={"amount": "1.00", "paid_on": "2026-12-01", "bank_reference": "DEC"}).status_code == 201
    after = api.get("/api/v1/reports/reconciliation?month=2026-11", as_=BUYER).get_json()
    assert after == before
    code, out = run(runner, "reconcile", "--month", "2026-11", "--out", str(tmp_path), "--format", "json")
    assert "(closed month, stored report)" in out
    assert run(runner, "month", "close", "2026-11")[0] != 0
    assert run(runner, "month", "close", "2026-12")[0] == 0
    code, out = run(runner, "month", "reopen", "2026-11", "--reason", "补录11月付款")
    assert code == 0 and "reopened 2026-11, 2026-12" in out   # reopening M reopens every later month
    assert api.post(f"/api/v1/contracts/{november}/payments", as_=BUYER,
                    json={"amount": "1.00", "paid_on": "2026-11-15", "bank_reference": "LATE"}).status_code == 201
    journal = api.get(f"/api/v1/contracts/{november}/journal?page_size=200", as_=BUYER).get_json()
    assert journal["total"] >= 5


def test_reconcile_arguments(runner, app, tmp_path):
    assert run(runner, "reconcile", "--month", "2026-13")[0] != 0
    assert run(runner, "reconcile", "--month", "2026-11", "--format", "docx", "--out", str(tmp_path))[0] != 0
    assert run(runner, "reconcile", "--month", "2026-11", "--contract", "NOPE", "--out", str(tmp_path))[0] != 0


def test_shards_split_the_contracts(api, runner, seeded, tmp_path):
    api.post("/api/v1/parties", json={"code": "b1", "name": "b1"})
    api.post("/api/v1/parties", json={"code": "v1", "name": "v1"})
    assert api.post("/api/v1/contracts", json=SEED_CONTRACT).status_code == 201
    codes = []
    for k in (1, 2):
        code, out = run(runner, "reconcile", "--month", "2026-11", "--shard", f"{k}/2", "--format", "json",
                        "--out", str(tmp_path))
        assert code == 0, out
        report = json.loads((tmp_path / f"reconciliation-2026-11-shard-{k}-of-2.json").read_text("utf-8"))
        codes.append([c["code"] for c in report["contracts"]])
    assert sorted(codes[0] + codes[1]) == ["C-1", "DS-12345-2026"] and all(len(c) == 1 for c in codes)
    assert run(runner, "reconcile", "--month", "2026-11", "--shard", "3/2")[0] != 0
