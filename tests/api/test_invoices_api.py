"""Invoices through the API: record what the tax platform issued, read, the request PDF, red-letter
reversal, VAT (issue 3, brought to the platform's flow by issue 13).

The seed parties have no taxpayer IDs: each test PATCHes valid ones first (check digits computed
with python-stdnum, see ``test_invoice_platform``)."""
from __future__ import annotations

import copy
import shutil

import pytest

from invoices import pdf
from tests.api.test_contracts_api import SEED_CONTRACT, problem
from tests.api.test_invoice_platform import (
    BUYER_ID, SELLER_ID, invoice_body, pdf_fonts, pdf_text, record, recorded, red, register_ids,
)
from tests.conftest import BUYER, MEMBER, VENDOR

needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
                                     reason="pdftotext (poppler-utils) is not installed")


@pytest.fixture
def ids(api, seeded):
    register_ids(api)
    return seeded


def test_seed_tranche_one_and_two(api, ids):
    seeded = ids
    inv = recorded(api, seeded, 1, "2026-07-06", "978282.00", number="26112000000000000001")
    assert (inv["number"], inv["total"], inv["net"], inv["tax"], inv["rate"]) == \
        ("26112000000000000001", "978282.00", "922907.55", "55374.45", "0.06")
    assert inv["amount_in_words"] == "玖拾柒万捌仟贰佰捌拾贰元整"
    assert (inv["late"], inv["invoice_due_date"], inv["type_name"]) == (False, "2026-07-08", "普通发票")
    assert inv["seller"] == {"code": "unicom-bj", "name": "中国联合网络通信有限公司北京市分公司",
                             "taxpayer_id": SELLER_ID, "bank_account": "工商银行北京分行长安支行 0200003319210012727"}
    assert inv["buyer"]["name"] == "北京市西城区人民政府德胜街道办事处" and inv["buyer"]["taxpayer_id"] == BUYER_ID

    t2 = recorded(api, seeded, 2, "2026-11-26", "586969.20")
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


def test_never_over_invoiced(api, ids):
    seeded = ids
    recorded(api, seeded, 1, "2026-07-06", "500000.00")
    r = record(api, seeded, 1, "2026-07-07", "478282.01")
    assert r.status_code == 409
    assert problem(r)["detail"] == ("tranche 1 has 478282.00 left to invoice (amount 978282.00, invoiced "
                                    "500000.00); 478282.01 would over-invoice it")
    rest = recorded(api, seeded, 1, "2026-07-07", "478282.00")
    assert rest["total"] == "478282.00"
    assert record(api, seeded, 1, "2026-07-07", "1.00").status_code == 409


def test_final_tranche_waits_for_the_audit(api, ids):
    seeded = ids
    r = record(api, seeded, 3, "2027-07-20", "391312.80")
    assert r.status_code == 409
    assert problem(r)["detail"] == ("tranche 3 is settled by the audit and cannot be invoiced yet: no binding "
                                    "audit opinion (审定金额) (settlement status awaiting_opinion)")
    op = api.post(f"/api/v1/contracts/{seeded}/audit-opinions", as_=BUYER,
                  json={"audited_amount": "1950000.00", "delivered_on": "2027-07-15"}).get_json()
    api.post(f"/api/v1/contracts/{seeded}/audit-opinions/{op['id']}/response", as_=VENDOR,
             json={"decision": "accept", "responded_on": "2027-07-16"})
    req = api.get(f"/api/v1/contracts/{seeded}/invoice-request?tranche_seq=3&issued_on=2027-07-20",
                  as_=VENDOR).get_json()
    assert (req["amount"], req["amount_in_words"]) == ("384748.80", "叁拾捌万肆仟柒佰肆拾捌元捌角")
    inv = recorded(api, seeded, 3, "2027-07-20", "384748.80")
    assert (inv["total"], inv["amount_in_words"]) == ("384748.80", "叁拾捌万肆仟柒佰肆拾捌元捌角")


def test_special_invoice_needs_the_buyers_tax_status(api, seeded):
    api.patch("/api/v1/parties/unicom-bj", json={"taxpayer_id": SELLER_ID})
    r = record(api, seeded, 1, "2026-07-06", "978282.00", type_="special", buyer_id=None)
    assert r.status_code == 422
    body = problem(r)
    assert body["detail"] == ("the invoice cannot be recorded until the tax registration is on file: desheng "
                              "taxpayer_id, desheng general_taxpayer; PATCH /api/v1/parties/desheng (an admin)")
    assert "general taxpayer (一般纳税人)" in body["errors"]["buyer.general_taxpayer"][0]
    api.patch("/api/v1/parties/desheng", json={"taxpayer_id": BUYER_ID, "general_taxpayer": True})
    inv = recorded(api, seeded, 1, "2026-07-06", "978282.00", type_="special")
    assert inv["type_name"] == "增值税专用发票" and inv["buyer"]["taxpayer_id"] == BUYER_ID


def test_who_may_record(api, ids):
    assert record(api, ids, 1, "2026-07-06", "978282.00", as_=BUYER).status_code == 403
    r = record(api, ids, 1, "2026-07-06", "978282.00", as_=MEMBER)
    assert r.status_code == 403 and "only the lead vendor 'unicom-bj'" in problem(r)["detail"]


def test_invoice_input_errors(api, ids):
    seeded = ids
    assert record(api, seeded, 1, "2026-07-06", "978282.00", number="123").status_code == 422
    assert record(api, seeded, 7, "2026-07-06", "978282.00").status_code == 422
    assert record(api, seeded, 1, "2026-06-01", "978282.00").status_code == 422     # before signing
    assert record(api, seeded, 1, "2026-07-06", "978282.00", type_="paper").status_code == 422
    body = invoice_body(1, "2026-07-06", "10.00")
    assert api.post(f"/api/v1/contracts/{seeded}/invoices", as_=VENDOR,
                    json={**body, "total": "1.001"}).status_code == 422
    assert api.post(f"/api/v1/contracts/{seeded}/invoices", as_=VENDOR,
                    json={**body, "total": "0.00", "net": "0.00", "tax": "0.00"}).status_code == 422
    assert recorded(api, seeded, 1, "2026-07-06", "10.00", number="26112000000000000009")["total"] == "10.00"
    dup = record(api, seeded, 1, "2026-07-06", "10.00", number="26112000000000000009")
    assert dup.status_code == 409 and problem(dup)["errors"] == {"number": ["already recorded"]}


def test_rate_change_applies_to_later_invoices_only(api):
    for code in ("b1", "v1"):
        api.post("/api/v1/parties", json={"code": code, "name": code})
    api.patch("/api/v1/parties/v1", json={"taxpayer_id": SELLER_ID})
    body = copy.deepcopy(SEED_CONTRACT)
    body["tax_rates"].append({"rate": "0.09", "effective_from": "2026-10-01"})
    cid = api.post("/api/v1/contracts", json=body).get_json()["id"]
    parties = {"buyer": {"name": "b1", "taxpayer_id": None}, "seller": {"name": "v1", "taxpayer_id": SELLER_ID}}
    first = recorded(api, cid, 1, "2026-07-06", "978282.00", as_=("vendor", "v1"), **parties)
    second = recorded(api, cid, 2, "2026-11-20", "586969.20", rate="0.09", as_=("vendor", "v1"), **parties)
    assert (first["rate"], first["tax"]) == ("0.06", "55374.45")
    assert (second["rate"], second["net"], second["tax"]) == ("0.09", "538503.85", "48465.35")


def test_red_letter_reversal(api, ids):
    seeded = ids
    inv = recorded(api, seeded, 1, "2026-07-06", "978282.00")
    r = red(api, inv["id"], "2026-07-07", reason="开票信息有误")
    assert r.status_code == 201, r.get_json()
    red_ = r.get_json()
    assert (red_["total"], red_["net"], red_["tax"], red_["reverses"], red_["red_letter"]) == \
        ("-978282.00", "-922907.55", "-55374.45", inv["number"], True)
    assert red_["amount_in_words"] == "（负数）玖拾柒万捌仟贰佰捌拾贰元整"
    assert api.get(f"/api/v1/invoices/{inv['id']}", as_=BUYER).get_json()["reversed_by"] == red_["number"]
    t1 = api.get(f"/api/v1/contracts/{seeded}/schedule?as_of=2026-07-07", as_=BUYER).get_json()["tranches"][0]
    assert (t1["invoiced"], t1["uninvoiced"]) == ("0.00", "978282.00")
    again = red(api, inv["id"], "2026-07-07", reason="x")
    assert again.status_code == 409 and problem(again)["detail"] == f"invoice {inv['number']} was already reversed"
    assert red(api, red_["id"], "2026-07-08", reason="x").status_code == 409
    corrected = recorded(api, seeded, 1, "2026-07-07", "978282.00")
    assert corrected["total"] == "978282.00" and corrected["replaces"] == inv["number"]


def test_vat_summary_shows_the_rounding_difference(api, seeded):
    body = api.get(f"/api/v1/contracts/{seeded}/vat?as_of=2026-11-24", as_=BUYER).get_json()
    assert (body["contract_net"], body["contract_tax"], body["tranche_tax_total"], body["rounding_difference"]) == \
        ("1845815.09", "110748.91", "110748.90", "0.01")


def test_other_party_cannot_see_invoices(api, ids):
    inv = recorded(api, ids, 1, "2026-07-06", "978282.00")
    api.post("/api/v1/parties", json={"code": "stranger", "name": "S"})
    for path in (f"/api/v1/invoices/{inv['id']}", f"/api/v1/invoices/{inv['id']}/pdf",
                 f"/api/v1/invoices/{inv['id']}/file"):
        r = api.get(path, as_=("vendor", "stranger"))
        assert r.status_code == 404 and problem(r)["detail"] == f"no invoice {inv['id']}"


@needs_pdftotext
def test_pdf_of_the_seed_invoices_is_the_request_form(api, ids, tmp_path):
    inv = recorded(api, ids, 1, "2026-07-06", "978282.00")
    r = api.get(f"/api/v1/invoices/{inv['id']}/pdf", as_=BUYER)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.data.startswith(b"%PDF") and b"/FontFile2" in r.data
    assert all(row[-5] == "yes" for row in pdf_fonts(r.data, tmp_path))
    text = pdf_text(r.data, tmp_path)
    for expected in ("开票信息确认单", "本单据不是发票", "玖拾柒万捌仟贰佰捌拾贰元整", "978,282.00", "DS-12345-2026",
                     "922,907.55", "55,374.45", "6%", "北京市西城区人民政府德胜街道办事处"):
        assert expected in text, expected
    assert "发票号码" not in text and "电子发票（" not in text and inv["number"] not in text
    red_ = red(api, inv["id"], "2026-07-07", reason="开票信息有误").get_json()
    text = pdf_text(api.get(f"/api/v1/invoices/{red_['id']}/pdf", as_=BUYER).data, tmp_path)
    assert "开票信息确认单（红字）" in text and "（负数）玖拾柒万捌仟贰佰捌拾贰元整" in text and inv["number"] in text


def test_pdf_without_a_font_is_503(api, ids, app, monkeypatch):
    inv = recorded(api, ids, 2, "2026-11-20", "586969.20")
    monkeypatch.setitem(app.config, "INVOICE_FONT", "/nonexistent/font.ttf")
    r = api.get(f"/api/v1/invoices/{inv['id']}/pdf", as_=BUYER)
    assert r.status_code == 503
    assert "INVOICE_FONT=/nonexistent/font.ttf does not exist" in problem(r)["detail"]
    assert api.get(f"/api/v1/invoices/{inv['id']}", as_=BUYER).status_code == 200


def test_find_font_without_any_font():
    with pytest.raises(pdf.FontUnavailable, match="INVOICE_FONT"):
        pdf.find_font(None, candidates=["/nonexistent/a.ttc"])
