"""Invoices through the API: issue, read, PDF, red-letter reversal (issue 3)."""
from __future__ import annotations

import copy
import shutil
import subprocess

import pytest

from invoices import pdf
from tests.api.test_contracts_api import SEED_CONTRACT, problem
from tests.conftest import BUYER, MEMBER, VENDOR


def issue(api, cid, seq, issued_on, type_="ordinary", as_=VENDOR, **extra):
    return api.post(f"/api/v1/contracts/{cid}/invoices", as_=as_,
                    json={"tranche_seq": seq, "type": type_, "issued_on": issued_on, **extra})


def pdf_text(body: bytes, tmp_path) -> str:
    path = tmp_path / "invoice.pdf"
    path.write_bytes(body)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                     reason="pdftotext (poppler-utils) is not installed")


def test_seed_tranche_one_and_two(api, seeded):
    r = issue(api, seeded, 1, "2026-07-06", number="26110000000000000001")
    assert r.status_code == 201, r.get_json()
    inv = r.get_json()
    assert (inv["number"], inv["total"], inv["net"], inv["tax"], inv["rate"]) == \
        ("26110000000000000001", "978282.00", "922907.55", "55374.45", "0.06")
    assert inv["amount_in_words"] == "玖拾柒万捌仟贰佰捌拾贰元整"
    assert (inv["late"], inv["invoice_due_date"], inv["type_name"]) == (False, "2026-07-08", "普通发票")
    assert inv["seller"] == {"code": "unicom-bj", "name": "中国联合网络通信有限公司北京市分公司",
                             "taxpayer_id": None, "bank_account": "工商银行北京分行长安支行 0200003319210012727"}
    assert inv["buyer"]["name"] == "北京市西城区人民政府德胜街道办事处"

    r = issue(api, seeded, 2, "2026-11-26")
    t2 = r.get_json()
    assert (t2["total"], t2["net"], t2["tax"], t2["late"]) == ("586969.20", "553744.53", "33224.67", True)
    assert t2["amount_in_words"] == "伍拾捌万陆仟玖佰陆拾玖元贰角" and len(t2["number"]) == 20

    got = api.get(f"/api/v1/invoices/{inv['id']}", as_=BUYER).get_json()
    assert got["number"] == inv["number"] and got["reversed_by"] is None
    listing = api.get(f"/api/v1/contracts/{seeded}/invoices", as_=BUYER).get_json()
    assert [i["tranche_seq"] for i in listing["items"]] == [1, 2] and listing["total"] == 2

    sched = api.get(f"/api/v1/contracts/{seeded}/schedule?as_of=2026-11-27", as_=BUYER).get_json()["tranches"]
    assert [(t["invoiced"], t["uninvoiced"], t["invoice_late"]) for t in sched] == \
        [("978282.00", "0.00", False), ("586969.20", "0.00", True), ("0.00", "391312.80", False)]


def test_invoice_overdue_in_the_schedule(api, seeded):
    t2 = api.get(f"/api/v1/contracts/{seeded}/schedule?as_of=2026-11-26", as_=BUYER).get_json()["tranches"][1]
    assert (t2["invoice_overdue"], t2["invoice_late"]) == (True, False)
    t2 = api.get(f"/api/v1/contracts/{seeded}/schedule?as_of=2026-11-25", as_=BUYER).get_json()["tranches"][1]
    assert t2["invoice_overdue"] is False


def test_never_over_invoiced(api, seeded):
    assert issue(api, seeded, 1, "2026-07-06", amount="500000.00").status_code == 201
    r = issue(api, seeded, 1, "2026-07-07", amount="478282.01")
    assert r.status_code == 409
    assert problem(r)["detail"] == ("tranche 1 has 478282.00 left to invoice (amount 978282.00, invoiced "
                                    "500000.00); 478282.01 would over-invoice it")
    rest = issue(api, seeded, 1, "2026-07-07")
    assert rest.status_code == 201 and rest.get_json()["total"] == "478282.00"
    assert issue(api, seeded, 1, "2026-07-07").status_code == 409


def test_final_tranche_waits_for_the_audit(api, seeded):
    r = issue(api, seeded, 3, "2027-07-20")
    assert r.status_code == 409
    assert problem(r)["detail"] == ("tranche 3 is settled by the audit and cannot be invoiced yet: no binding "
                                    "audit opinion (审定金额) (settlement status awaiting_opinion)")
    op = api.post(f"/api/v1/contracts/{seeded}/audit-opinions", as_=BUYER,
                  json={"audited_amount": "1950000.00", "delivered_on": "2027-07-15"}).get_json()
    api.post(f"/api/v1/contracts/{seeded}/audit-opinions/{op['id']}/response", as_=VENDOR,
             json={"decision": "accept", "responded_on": "2027-07-16"})
    r = issue(api, seeded, 3, "2027-07-20")
    assert r.status_code == 201
    assert (r.get_json()["total"], r.get_json()["amount_in_words"]) == ("384748.80", "叁拾捌万肆仟柒佰肆拾捌元捌角")


def test_special_invoice_needs_the_buyers_tax_status(api, seeded):
    r = issue(api, seeded, 1, "2026-07-06", type_="special")
    assert r.status_code == 422
    assert problem(r)["detail"] == ("a special VAT invoice (增值税专用发票) needs the buyer's taxpayer ID "
                                    "(统一社会信用代码) and the buyer's general-taxpayer status (一般纳税人) on file "
                                    "for 'desheng' (clause 5.2)")
    api.patch("/api/v1/parties/desheng", json={"taxpayer_id": "91110000802100433B", "general_taxpayer": True})
    r = issue(api, seeded, 1, "2026-07-06", type_="special")
    assert r.status_code == 201 and r.get_json()["type_name"] == "增值税专用发票"
    assert r.get_json()["buyer"]["taxpayer_id"] == "91110000802100433B"


def test_who_may_issue(api, seeded):
    assert issue(api, seeded, 1, "2026-07-06", as_=BUYER).status_code == 403
    r = issue(api, seeded, 1, "2026-07-06", as_=MEMBER)
    assert r.status_code == 403 and "only the lead vendor 'unicom-bj'" in problem(r)["detail"]


def test_invoice_input_errors(api, seeded):
    assert issue(api, seeded, 1, "2026-07-06", number="123").status_code == 422
    assert issue(api, seeded, 7, "2026-07-06").status_code == 422
    assert issue(api, seeded, 1, "2026-06-01").status_code == 422
    assert issue(api, seeded, 1, "2026-07-06", type_="paper").status_code == 422
    assert issue(api, seeded, 1, "2026-07-06", amount="1.001").status_code == 422
    assert issue(api, seeded, 1, "2026-07-06", amount="10.00", number="26110000000000000009").status_code == 201
    dup = issue(api, seeded, 1, "2026-07-06", amount="10.00", number="26110000000000000009")
    assert dup.status_code == 409 and problem(dup)["errors"] == {"number": ["already recorded"]}


def test_rate_change_applies_to_later_invoices_only(api):
    for code in ("b1", "v1"):
        api.post("/api/v1/parties", json={"code": code, "name": code})
    body = copy.deepcopy(SEED_CONTRACT)
    body["tax_rates"].append({"rate": "0.09", "effective_from": "2026-10-01"})
    cid = api.post("/api/v1/contracts", json=body).get_json()["id"]
    first = issue(api, cid, 1, "2026-07-06", as_=("vendor", "v1")).get_json()
    second = issue(api, cid, 2, "2026-11-20", as_=("vendor", "v1")).get_json()
    assert (first["rate"], first["tax"]) == ("0.06", "55374.45")
    assert (second["rate"], second["net"], second["tax"]) == ("0.09", "538503.85", "48465.35")


def test_red_letter_reversal(api, seeded):
    inv = issue(api, seeded, 1, "2026-07-06").get_json()
    r = api.post(f"/api/v1/invoices/{inv['id']}/reverse", as_=VENDOR,
                 json={"reason": "开票信息有误", "issued_on": "2026-07-07"})
    assert r.status_code == 201, r.get_json()
    red = r.get_json()
    assert (red["total"], red["net"], red["tax"], red["reverses"], red["red_letter"]) == \
        ("-978282.00", "-922907.55", "-55374.45", inv["number"], True)
    assert red["amount_in_words"] == "（负数）玖拾柒万捌仟贰佰捌拾贰元整"
    assert api.get(f"/api/v1/invoices/{inv['id']}", as_=BUYER).get_json()["reversed_by"] == red["number"]
    t1 = api.get(f"/api/v1/contracts/{seeded}/schedule?as_of=2026-07-07", as_=BUYER).get_json()["tranches"][0]
    assert (t1["invoiced"], t1["uninvoiced"]) == ("0.00", "978282.00")
    again = api.post(f"/api/v1/invoices/{inv['id']}/reverse", as_=VENDOR,
                     json={"reason": "x", "issued_on": "2026-07-07"})
    assert again.status_code == 409 and problem(again)["detail"] == f"invoice {inv['number']} was already reversed"
    of_red = api.post(f"/api/v1/invoices/{red['id']}/reverse", as_=VENDOR, json={"reason": "x", "issued_on": "2026-07-08"})
    assert of_red.status_code == 409
    corrected = issue(api, seeded, 1, "2026-07-07")
    assert corrected.status_code == 201 and corrected.get_json()["total"] == "978282.00"


def test_vat_summary_shows_the_rounding_difference(api, seeded):
    body = api.get(f"/api/v1/contracts/{seeded}/vat?as_of=2026-11-24", as_=BUYER).get_json()
    assert (body["contract_net"], body["contract_tax"], body["tranche_tax_total"], body["rounding_difference"]) == \
        ("1845815.09", "110748.91", "110748.90", "0.01")


def test_other_party_cannot_see_invoices(api, seeded):
    inv = issue(api, seeded, 1, "2026-07-06").get_json()
    api.post("/api/v1/parties", json={"code": "stranger", "name": "S"})
    for path in (f"/api/v1/invoices/{inv['id']}", f"/api/v1/invoices/{inv['id']}/pdf"):
        r = api.get(path, as_=("vendor", "stranger"))
        assert r.status_code == 404 and problem(r)["detail"] == f"no invoice {inv['id']}"


@needs_pdftotext
def test_pdf_of_the_seed_invoices(api, seeded, tmp_path):
    inv = issue(api, seeded, 1, "2026-07-06").get_json()
    r = api.get(f"/api/v1/invoices/{inv['id']}/pdf", as_=BUYER)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.data.startswith(b"%PDF") and b"/FontFile2" in r.data
    text = pdf_text(r.data, tmp_path)
    for expected in ("电子发票（普通发票）", "玖拾柒万捌仟贰佰捌拾贰元整", "978,282.00", "DS-12345-2026",
                     "922,907.55", "55,374.45", "6%", inv["number"], "北京市西城区人民政府德胜街道办事处"):
        assert expected in text, expected
    red = api.post(f"/api/v1/invoices/{inv['id']}/reverse", as_=VENDOR,
                   json={"reason": "开票信息有误", "issued_on": "2026-07-07"}).get_json()
    text = pdf_text(api.get(f"/api/v1/invoices/{red['id']}/pdf", as_=BUYER).data, tmp_path)
    assert "红字发票" in text and "（负数）玖拾柒万捌仟贰佰捌拾贰元整" in text and inv["number"] in text


def test_pdf_without_a_font_is_503(api, seeded, app, monkeypatch):
    inv = issue(api, seeded, 2, "2026-11-20").get_json()
    monkeypatch.setitem(app.config, "INVOICE_FONT", "/nonexistent/font.ttf")
    r = api.get(f"/api/v1/invoices/{inv['id']}/pdf", as_=BUYER)
    assert r.status_code == 503
    assert "INVOICE_FONT=/nonexistent/font.ttf does not exist" in problem(r)["detail"]
    assert api.get(f"/api/v1/invoices/{inv['id']}", as_=BUYER).status_code == 200


def test_find_font_without_any_font():
    with pytest.raises(pdf.FontUnavailable, match="INVOICE_FONT"):
        pdf.find_font(None, candidates=["/nonexistent/a.ttc"])
