"""Invoices the way China's tax platform issues them (issue 13): the invoice request, recording the
platform's invoice (number, amounts, parties), its file, red-letter invoices, the rate of the tax
liability, lateness, and migration 0009.

The helpers at the top (taxpayer IDs with valid check digits, platform-shaped numbers, a recorded
invoice) are imported by other test modules.
"""
from __future__ import annotations

import io
import itertools
import shutil
import subprocess
import time
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from stdnum.cn import uscc

from invoices import numbers
from settlement import migrate
from settlement.domain.vat import split
from tests.api.test_contracts_api import SEED_CONTRACT, problem
from tests.conftest import BUYER, MEMBER, VENDOR, shanghai

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "invoices"


def with_check_digit(first17: str) -> str:
    """A 统一社会信用代码 with its check digit computed (GB 32100-2015, python-stdnum)."""
    return first17 + uscc.calc_check_digit(first17)


SELLER_ID = with_check_digit("91110000MA00UNC01")    # unicom-bj: enterprise (9, 1), Beijing
BUYER_ID = with_check_digit("11110102000013004")     # desheng: a government body (机关: 1, 1), Xicheng
MEMBER_ID = with_check_digit("91110000MA01TELD0")    # bj-telecom-dev
SELLER_NAME = "中国联合网络通信有限公司北京市分公司"
BUYER_NAME = "北京市西城区人民政府德胜街道办事处"
assert (SELLER_ID, BUYER_ID) == ("91110000MA00UNC01Q", "11110102000013004J")   # the XML fixtures' values

_sequence = itertools.count(1001)


def platform_number(issued_on: str, region: str = "11") -> str:
    """A number in the 数电票 shape for ``issued_on``: yy + region + channel 2 + 15-digit sequence."""
    return f"{issued_on[2:4]}{region}2{next(_sequence):015d}"


def register_ids(api, *, buyer: bool = True, general_taxpayer: bool = False) -> None:
    """The seed parties have no taxpayer IDs: PATCH valid ones (the seller's always)."""
    r = api.patch("/api/v1/parties/unicom-bj", json={"taxpayer_id": SELLER_ID})
    assert r.status_code == 200, r.get_json()
    if buyer:
        r = api.patch("/api/v1/parties/desheng", json={"taxpayer_id": BUYER_ID, "general_taxpayer": general_taxpayer})
        assert r.status_code == 200, r.get_json()


def invoice_body(seq: int, issued_on: str, total: str, *, rate: str = "0.06", type_: str = "ordinary",
                 number: str | None = None, buyer_id: str | None = BUYER_ID, **over) -> dict:
    """What the vendor's billing system posts after issuing ``total`` on the platform at ``rate``."""
    net, tax = split(Decimal(total), Decimal(rate))
    body = {"tranche_seq": seq, "type": type_, "number": number or platform_number(issued_on),
            "issued_on": issued_on, "total": total, "net": f"{net:.2f}", "tax": f"{tax:.2f}", "rate": rate,
            "buyer": {"name": BUYER_NAME, "taxpayer_id": buyer_id},
            "seller": {"name": SELLER_NAME, "taxpayer_id": SELLER_ID}}
    body.update(over)
    return body


def record(api, cid, seq, issued_on, total, *, as_=VENDOR, **kw):
    return api.post(f"/api/v1/contracts/{cid}/invoices", as_=as_, json=invoice_body(seq, issued_on, total, **kw))


def recorded(api, cid, seq, issued_on, total, **kw) -> dict:
    r = record(api, cid, seq, issued_on, total, **kw)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def red(api, invoice_id, issued_on, *, as_=VENDOR, **body):
    body.setdefault("number", platform_number(issued_on))
    body.setdefault("reason", "开票有误")
    return api.post(f"/api/v1/invoices/{invoice_id}/reverse", as_=as_, json={"issued_on": issued_on, **body})


def put_file(api, invoice_id, data: bytes, content_type: str, as_=VENDOR):
    return api.call("PUT", f"/api/v1/invoices/{invoice_id}/file", as_=as_, data=data,
                    headers={"Content-Type": content_type})


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
                                   reason="pdftotext/pdffonts (poppler-utils) are not installed")


def pdf_text(body: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(body)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pdf_fonts(body: bytes, tmp_path) -> list[list[str]]:
    """pdffonts' table: one row per font (name … emb sub uni object ID)."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(body)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


# -- numbers -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("number, code, issued_on", [
    ("26112000000000000101", None, date(2026, 7, 6)),      # 2026, Beijing
    ("26442000000036916313", None, date(2026, 12, 31)),    # 2026, Guangdong
    ("27652000000000000001", None, date(2027, 1, 1)),      # 2027, Xinjiang
    ("12345678", "011001900111", date(2026, 7, 6)),        # legacy: 12-digit code, Beijing (0 + 11 + 00 …)
    ("00012345", "3200211130", date(2026, 7, 6)),          # legacy: 10-digit code, Jiangsu
    ("23501899", "244031909110", date(2026, 7, 6)),        # legacy: 12-digit code of a former local-tax bureau
])
def test_valid_number_shapes(number, code, issued_on):
    assert numbers.number_errors(number, code, issued_on) == {}


@pytest.mark.parametrize("number, code, issued_on, field, says", [
    ("25112000000000000101", None, date(2026, 7, 6), "number", "the year it was issued: 26"),
    ("26992000000000000101", None, date(2026, 7, 6), "number", "99 is not one"),
    ("26002000000000000101", None, date(2026, 7, 6), "number", "00 is not one"),
    ("2611200000000000010", None, date(2026, 7, 6), "number", "20 digits"),
    ("2611200000000000010A", None, date(2026, 7, 6), "number", "20 digits"),
    ("26112000000000000101", "011001900111", date(2026, 7, 6), "code", "has no 发票代码"),
    ("12345678", None, date(2026, 7, 6), "code", "needs its 发票代码"),
    ("12345678", "01100190011", date(2026, 7, 6), "code", "10 or 12 digits"),
    ("12345678", "911001900111", date(2026, 7, 6), "code", "starts with 0, 1 or 2"),
    ("12345678", "099001900111", date(2026, 7, 6), "code", "99 is not one"),
    ("12345678", "9900211130", date(2026, 7, 6), "code", "99 is not one"),
    ("1234567", "011001900111", date(2026, 7, 6), "number", "8 digits"),
])
def test_invalid_number_shapes(number, code, issued_on, field, says):
    errors = numbers.number_errors(number, code, issued_on)
    assert field in errors and says in " ".join(str(m) for m in errors[field]), errors


def test_number_shapes_through_the_api(api, seeded):
    register_ids(api)
    r = record(api, seeded, 1, "2026-07-06", "978282.00", number="25112000000000000101")
    assert r.status_code == 422 and "number" in problem(r)["errors"]
    r = record(api, seeded, 1, "2026-07-06", "978282.00", number="26992000000000000101")
    assert r.status_code == 422 and "region code" in problem(r)["errors"]["number"][0]
    r = record(api, seeded, 1, "2026-07-06", "978282.00", number="123")
    assert r.status_code == 422 and "number" in problem(r)["errors"]
    assert record(api, seeded, 1, "2026-07-06", "978282.00", number="12345678").status_code == 422
    legacy = recorded(api, seeded, 1, "2026-07-06", "100.00", number="12345678", code="011001900111")
    assert (legacy["number"], legacy["code"], legacy["number_source"]) == ("12345678", "011001900111", "platform")
    # the same 8-digit number under another code is another invoice; under the same code it is taken
    assert record(api, seeded, 1, "2026-07-06", "100.00", number="12345678", code="011001900211").status_code == 201
    dup = record(api, seeded, 1, "2026-07-06", "100.00", number="12345678", code="011001900111")
    assert dup.status_code == 409 and problem(dup)["errors"] == {"number": ["already recorded"]}


def test_no_number_no_invoice(api, seeded):
    """Nothing makes up a number: an invoice without the platform's number is refused."""
    register_ids(api)
    body = invoice_body(1, "2026-07-06", "978282.00")
    del body["number"]
    r = api.post(f"/api/v1/contracts/{seeded}/invoices", as_=VENDOR, json=body)
    assert r.status_code == 422 and "number" in problem(r)["errors"]
    assert api.get(f"/api/v1/contracts/{seeded}/invoices", as_=BUYER).get_json()["total"] == 0


def test_duplicate_numbers(api, seeded):
    register_ids(api)
    first = recorded(api, seeded, 1, "2026-07-06", "500000.00")
    r = record(api, seeded, 1, "2026-07-06", "478282.00", number=first["number"])
    assert r.status_code == 409 and problem(r)["errors"] == {"number": ["already recorded"]}
    assert problem(r)["invoice_id"] == first["id"]
    r = red(api, first["id"], "2026-07-07", number=first["number"])
    assert r.status_code == 409 and problem(r)["errors"] == {"number": ["already recorded"]}


# -- the invoice request ----------------------------------------------------------------------------------

def test_the_invoice_request(api, seeded):
    req = api.get(f"/api/v1/contracts/{seeded}/invoice-request?tranche_seq=1&issued_on=2026-07-06", as_=BUYER)
    assert req.status_code == 200, req.get_json()
    body = req.get_json()
    assert (body["amount"], body["net"], body["tax"], body["rate"]) == ("978282.00", "922907.55", "55374.45", "0.06")
    assert body["amount_in_words"] == "玖拾柒万捌仟贰佰捌拾贰元整"
    assert body["rate_basis"] == {"rule": "issue_date", "date": "2026-07-06", "replaces": None, "replaces_id": None}
    assert (body["item_name"], body["remarks"]) == ("*增值电信服务*座席外包服务费", "合同编号 DS-12345-2026，第1期服务费")
    assert (body["invoice_due_date"], body["uninvoiced"], body["type_name"]) == ("2026-07-08", "978282.00", "普通发票")
    assert "number" not in body
    # computed without taxpayer IDs: it says what is missing and where to add it
    assert body["ready"] is False
    assert [(m["party"], m["field"], m["patch"]) for m in body["missing"]] == \
        [("unicom-bj", "taxpayer_id", "/api/v1/parties/unicom-bj")]
    special = api.get(f"/api/v1/contracts/{seeded}/invoice-request?tranche_seq=1&type=special", as_=VENDOR,
                      headers={"Accept-Language": "en"}).get_json()
    assert [(m["role"], m["field"]) for m in special["missing"]] == \
        [("seller", "taxpayer_id"), ("buyer", "taxpayer_id"), ("buyer", "general_taxpayer")]
    assert "PATCH /api/v1/parties/desheng" in special["missing"][1]["message"]
    register_ids(api, general_taxpayer=True)
    special = api.get(f"/api/v1/contracts/{seeded}/invoice-request?tranche_seq=1&type=special", as_=VENDOR).get_json()
    assert special["missing"] == [] and special["ready"] is True
    assert special["seller"]["taxpayer_id"] == SELLER_ID and special["buyer"]["taxpayer_id"] == BUYER_ID
    # default: the first tranche with something left; a part of it; the final tranche waits for the audit
    assert api.get(f"/api/v1/contracts/{seeded}/invoice-request", as_=BUYER).get_json()["tranche_seq"] == 1
    part = api.get(f"/api/v1/contracts/{seeded}/invoice-request?tranche_seq=2&amount=100000.00", as_=BUYER).get_json()
    assert (part["amount"], part["net"], part["tax"]) == ("100000.00", "94339.62", "5660.38")
    r = api.get(f"/api/v1/contracts/{seeded}/invoice-request?tranche_seq=3", as_=BUYER)
    assert r.status_code == 409 and problem(r)["type"].endswith("/awaiting-audit")
    assert api.get(f"/api/v1/contracts/{seeded}/invoice-request?tranche_seq=1&amount=0.00", as_=BUYER).status_code == 422
    assert api.get(f"/api/v1/contracts/{seeded}/invoice-request?tranche_seq=1&amount=978282.01",
                   as_=BUYER).status_code == 409
    assert api.get(f"/api/v1/contracts/{seeded}/invoice-request?tranche_seq=9", as_=BUYER).status_code == 422
    api.post("/api/v1/parties", json={"code": "stranger", "name": "S"})
    assert api.get(f"/api/v1/contracts/{seeded}/invoice-request", as_=("vendor", "stranger")).status_code == 404


@needs_poppler
def test_the_request_pdf_is_not_an_invoice(api, seeded, tmp_path):
    r = api.get(f"/api/v1/contracts/{seeded}/invoice-request/pdf?tranche_seq=1&issued_on=2026-07-06", as_=BUYER)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text_ = pdf_text(r.data, tmp_path)
    assert "开票信息确认单" in text_ and "本单据不是发票" in text_
    assert "本单据不是发票，发票以电子发票服务平台开具的为准" in text_.replace(" ", "")
    assert "发票号码" not in text_
    for expected in ("玖拾柒万捌仟贰佰捌拾贰元整", "978,282.00", "922,907.55", "55,374.45", "6%", "DS-12345-2026",
                     BUYER_NAME, SELLER_NAME, "*增值电信服务*座席外包服务费", "（未登记）"):
        assert expected in text_, expected
    fonts = pdf_fonts(r.data, tmp_path)
    assert fonts and all(row[-5] == "yes" for row in fonts), fonts   # the emb column: every font embedded
    # the PDF of a recorded invoice is the same form, with no number on it
    register_ids(api)
    inv = recorded(api, seeded, 1, "2026-07-06", "978282.00")
    r = api.get(f"/api/v1/invoices/{inv['id']}/pdf", as_=BUYER)
    text_ = pdf_text(r.data, tmp_path)
    assert "开票信息确认单" in text_ and "本单据不是发票" in text_ and "发票号码" not in text_
    assert inv["number"] not in text_ and BUYER_ID in text_
    assert all(row[-5] == "yes" for row in pdf_fonts(r.data, tmp_path))
    red_ = red(api, inv["id"], "2026-07-20", amount="100000.00").get_json()
    text_ = pdf_text(api.get(f"/api/v1/invoices/{red_['id']}/pdf", as_=BUYER).data, tmp_path)
    assert "开票信息确认单（红字）" in text_ and "（负数）壹拾万元整" in text_ and "发票号码" not in text_
    assert inv["number"] in text_   # the blue invoice the platform red-letters


def test_request_pdf_without_a_font_is_503(api, seeded, app, monkeypatch):
    monkeypatch.setitem(app.config, "INVOICE_FONT", "/nonexistent/font.ttf")
    r = api.get(f"/api/v1/contracts/{seeded}/invoice-request/pdf?tranche_seq=1", as_=BUYER)
    assert r.status_code == 503 and "INVOICE_FONT=/nonexistent/font.ttf does not exist" in problem(r)["detail"]


# -- recording what the platform issued ---------------------------------------------------------------------

def test_record_the_platform_invoice(api, seeded):
    register_ids(api)
    inv = recorded(api, seeded, 1, "2026-07-06", "978282.00", number="26112000000000000101")
    assert (inv["number"], inv["code"], inv["number_source"], inv["total"], inv["net"], inv["tax"], inv["rate"]) == \
        ("26112000000000000101", None, "platform", "978282.00", "922907.55", "55374.45", "0.06")
    assert inv["rate_basis"] == {"rule": "issue_date", "date": "2026-07-06", "replaces": None, "replaces_id": None}
    assert (inv["late"], inv["invoice_due_date"], inv["left"], inv["file"]) == (False, "2026-07-08", "978282.00", None)
    assert inv["seller"]["taxpayer_id"] == SELLER_ID and inv["buyer"]["taxpayer_id"] == BUYER_ID
    assert (inv["item"], inv["tax_category"]) == ("座席外包服务费", "*增值电信服务*")
    got = api.get(f"/api/v1/invoices/{inv['id']}", as_=BUYER).get_json()
    assert got == inv
    journal = api.get(f"/api/v1/contracts/{seeded}/journal", as_=BUYER).get_json()["items"]
    entry = next(e for e in journal if e["action"] == "invoice.issued")
    assert entry["change"]["after"] == got          # the event carries what GET shows
    event = next(e for e in api.get("/api/v1/events", as_=VENDOR).get_json()["items"] if e["type"] == "invoice.issued")
    assert event["data"] == got


def test_the_seller_needs_a_taxpayer_id(api, seeded):
    r = record(api, seeded, 1, "2026-07-06", "978282.00", buyer_id=None)
    assert r.status_code == 422
    body = problem(r)
    assert body["type"].endswith("/taxpayer-id-missing")
    assert list(body["errors"]) == ["seller.taxpayer_id"]
    assert "PATCH /api/v1/parties/unicom-bj" in body["errors"]["seller.taxpayer_id"][0]
    assert body["missing"] == [{"party": "unicom-bj", "role": "seller", "field": "taxpayer_id",
                                "patch": "/api/v1/parties/unicom-bj"}]
    register_ids(api, buyer=False)
    # an ordinary invoice needs no buyer ID: the buyer block says none, as the request does
    inv = recorded(api, seeded, 1, "2026-07-06", "978282.00", buyer_id=None)
    assert inv["buyer"]["taxpayer_id"] is None


def test_special_invoice_needs_the_buyers_tax_status(api, seeded):
    api.patch("/api/v1/parties/unicom-bj", json={"taxpayer_id": SELLER_ID})
    r = record(api, seeded, 1, "2026-07-06", "978282.00", type_="special", buyer_id=None)
    assert r.status_code == 422
    assert set(problem(r)["errors"]) == {"buyer.taxpayer_id", "buyer.general_taxpayer"}
    assert [m["field"] for m in problem(r)["missing"]] == ["taxpayer_id", "general_taxpayer"]
    api.patch("/api/v1/parties/desheng", json={"taxpayer_id": BUYER_ID, "general_taxpayer": True})
    inv = recorded(api, seeded, 1, "2026-07-06", "978282.00", type_="special")
    assert inv["type_name"] == "增值税专用发票" and inv["buyer"]["taxpayer_id"] == BUYER_ID


def test_every_difference_from_the_request_is_listed(api, seeded):
    register_ids(api)
    url = f"/api/v1/contracts/{seeded}/invoices"
    cases = {
        "total": {"total": "900000.00", "amount": "978282.00", "net": "922907.55", "tax": "55374.45"},
        "net": {"net": "922907.56", "tax": "55374.44"},
        "tax": {"tax": "55374.46", "net": "922907.54"},
        "rate": {"rate": "0.05"},
        "buyer.name": {"buyer": {"name": "德胜街道", "taxpayer_id": BUYER_ID}},
        "buyer.taxpayer_id": {"buyer": {"name": BUYER_NAME, "taxpayer_id": MEMBER_ID}},
        "seller.name": {"seller": {"name": "中国联通", "taxpayer_id": SELLER_ID}},
        "seller.taxpayer_id": {"seller": {"name": SELLER_NAME, "taxpayer_id": MEMBER_ID}},
    }
    for field, change in cases.items():
        r = api.post(url, as_=VENDOR, json={**invoice_body(1, "2026-07-06", "978282.00"), **change})
        body = problem(r)
        assert r.status_code == 422 and body["type"].endswith("/invoice-mismatch"), (field, body)
        assert field in body["errors"], (field, body["errors"])
        assert set(body["errors"]) <= {field, "net", "tax"}, (field, body["errors"])
    # all at once: each is listed, with what the request says and what the invoice says
    everything = {**invoice_body(1, "2026-07-06", "978282.00"), "total": "978282.00", "net": "900000.00",
                  "tax": "78282.00", "rate": "0.09", "buyer": {"name": "德胜街道", "taxpayer_id": MEMBER_ID},
                  "seller": {"name": "中国联通", "taxpayer_id": MEMBER_ID}}
    body = problem(api.post(url, as_=VENDOR, json=everything))
    assert set(body["errors"]) == {"net", "tax", "rate", "buyer.name", "buyer.taxpayer_id", "seller.name",
                                   "seller.taxpayer_id"}
    assert body["errors"]["rate"] == ["the invoice request says 0.06; the invoice says 0.09"]
    assert {"field": "net", "request": "922907.55", "invoice": "900000.00"} in body["differences"]
    # full-width brackets and spaces are the same name
    ok = invoice_body(1, "2026-07-06", "978282.00", seller={"name": " 中国联合网络通信有限公司北京市分公司 ",
                                                            "taxpayer_id": SELLER_ID.lower()})
    assert api.post(url, as_=VENDOR, json=ok).status_code == 201
    assert api.get(f"/api/v1/contracts/{seeded}/invoices", as_=BUYER).get_json()["total"] == 1


def test_zero_and_future_invoices_are_refused(api, seeded, today):
    register_ids(api)
    r = record(api, seeded, 1, "2026-07-06", "0.00")
    assert r.status_code == 422 and "total" in problem(r)["errors"]
    today.move_to(shanghai("2026-07-06"))
    r = record(api, seeded, 1, "2026-07-07", "978282.00")
    assert r.status_code == 422 and "issued_on" in problem(r)["errors"]
    assert record(api, seeded, 1, "2026-07-06", "978282.00").status_code == 201


def test_who_records(api, seeded):
    register_ids(api)
    assert record(api, seeded, 1, "2026-07-06", "978282.00", as_=BUYER).status_code == 403
    r = record(api, seeded, 1, "2026-07-06", "978282.00", as_=MEMBER)
    assert r.status_code == 403 and "only the lead vendor 'unicom-bj'" in problem(r)["detail"]


# -- the platform's file -------------------------------------------------------------------------------------

def _seed_invoice(api, seeded) -> dict:
    register_ids(api)
    return recorded(api, seeded, 1, "2026-07-06", "978282.00", number="26112000000000000101")


def test_xml_file_round_trip(api, seeded):
    inv = _seed_invoice(api, seeded)
    data = fixture("dzfp-blue-t1.xml")
    assert api.get(f"/api/v1/invoices/{inv['id']}/file", as_=BUYER).status_code == 404
    r = put_file(api, inv["id"], data, "application/xml")
    assert r.status_code == 201, r.get_json()
    import hashlib
    digest = hashlib.sha256(data).hexdigest()
    assert r.get_json()["file"] == {"kind": "xml", "content_type": "application/xml", "size": len(data),
                                    "sha256": digest, "uploaded_at": r.get_json()["file"]["uploaded_at"],
                                    "url": f"/api/v1/invoices/{inv['id']}/file"}
    got = api.get(f"/api/v1/invoices/{inv['id']}/file", as_=BUYER)
    assert got.status_code == 200 and got.data == data and got.mimetype == "application/xml"
    assert got.headers["ETag"] == f'"{digest}"' and got.headers["Repr-Digest"].startswith("sha-256=:")
    assert "26112000000000000101.xml" in got.headers["Content-Disposition"]
    # the same bytes again change nothing; other bytes are refused
    again = put_file(api, inv["id"], data, "application/xml")
    assert again.status_code == 200 and again.get_json()["file"]["sha256"] == digest
    other = put_file(api, inv["id"], data.replace(b"<Drawer>", b"<Drawer>x"), "application/xml")
    assert other.status_code == 409 and problem(other)["sha256"] == digest
    journal = api.get(f"/api/v1/contracts/{seeded}/journal", as_=BUYER).get_json()["items"]
    attached = [e for e in journal if e["action"] == "invoice.file_attached"]
    assert len(attached) == 1 and attached[0]["change"]["after"]["file"]["sha256"] == digest
    assert attached[0]["change"]["after"] == api.get(f"/api/v1/invoices/{inv['id']}", as_=BUYER).get_json()


def test_pdf_and_ofd_files_round_trip(api, seeded):
    inv = _seed_invoice(api, seeded)
    second = recorded(api, seeded, 2, "2026-11-20", "586969.20")
    pdf_bytes = b"%PDF-1.7\n% the platform's PDF (test bytes)\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"
    r = put_file(api, inv["id"], pdf_bytes, "application/pdf")
    assert r.status_code == 201 and r.get_json()["file"]["kind"] == "pdf"
    got = api.get(f"/api/v1/invoices/{inv['id']}/file", as_=BUYER)
    assert got.data == pdf_bytes and got.mimetype == "application/pdf"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("OFD.xml", '<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>')
        z.writestr("Doc_0/Document.xml", "<Document/>")
    ofd = buf.getvalue()
    r = put_file(api, second["id"], ofd, "application/octet-stream")
    assert r.status_code == 201 and r.get_json()["file"]["content_type"] == "application/ofd"
    got = api.get(f"/api/v1/invoices/{second['id']}/file", as_=VENDOR)
    assert got.data == ofd and got.mimetype == "application/ofd"


def test_file_type_and_size_are_checked(api, seeded, app, monkeypatch):
    inv = _seed_invoice(api, seeded)
    assert put_file(api, inv["id"], b"\x89PNG\r\n\x1a\n....", "application/pdf").status_code == 415
    assert put_file(api, inv["id"], b"%PDF-1.7 ...", "application/xml").status_code == 415   # not what it says
    assert put_file(api, inv["id"], b"%PDF-1.7 ...", "image/png").status_code == 415
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as z:
        z.writestr("a.txt", "not an OFD")
    assert put_file(api, inv["id"], plain_zip.getvalue(), "application/ofd").status_code == 415
    assert put_file(api, inv["id"], b"", "application/pdf").status_code == 422
    monkeypatch.setitem(app.config, "INVOICE_FILE_MAX_BYTES", 1000)
    r = put_file(api, inv["id"], b"%PDF-1.7\n" + b"0" * 1000, "application/pdf")
    assert r.status_code == 413 and "at most 1000" in problem(r)["detail"]
    assert put_file(api, inv["id"], b"%PDF-1.7\n", "application/pdf", as_=BUYER).status_code == 403
    api.post("/api/v1/parties", json={"code": "stranger", "name": "S"})
    assert put_file(api, inv["id"], b"%PDF-1.7\n", "application/pdf", as_=("vendor", "stranger")).status_code == 404
    assert api.get(f"/api/v1/invoices/{inv['id']}/file", as_=("buyer", "stranger")).status_code == 404
    assert api.get(f"/api/v1/invoices/{inv['id']}", as_=BUYER).get_json()["file"] is None


def test_a_body_over_the_request_limit_is_413(api, seeded):
    inv = _seed_invoice(api, seeded)
    r = put_file(api, inv["id"], b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 10), "application/pdf")
    assert r.status_code == 413 and r.mimetype == "application/problem+json"
    assert put_file(api, inv["id"], b"%PDF-1.7\n" + b"0" * (1024 * 1024 - 100), "application/pdf").status_code == 201


def test_xml_that_does_not_match_is_refused_naming_each_field(api, seeded):
    inv = _seed_invoice(api, seeded)
    r = put_file(api, inv["id"], fixture("dzfp-blue-t1-mismatch.xml"), "application/xml")
    assert r.status_code == 422
    body = problem(r)
    assert body["type"].endswith("/invoice-mismatch")
    assert set(body["errors"]) == {"total", "tax", "rate", "buyer.taxpayer_id"}
    assert "TotalTax-includedAmount = 978000.00" in body["errors"]["total"][0]
    assert "978282.00" in body["errors"]["total"][0]
    assert api.get(f"/api/v1/invoices/{inv['id']}", as_=BUYER).get_json()["file"] is None
    other = recorded(api, seeded, 2, "2026-11-20", "586969.20")
    r = put_file(api, other["id"], fixture("dzfp-blue-t1.xml"), "application/xml")
    assert {"number", "issued_on", "total", "net", "tax"} <= set(problem(r)["errors"])


@pytest.mark.parametrize("name", ["dzfp-malformed.xml", "dzfp-xxe.xml", "dzfp-billion-laughs.xml"])
def test_unreadable_or_hostile_xml_is_refused(api, seeded, name):
    inv = _seed_invoice(api, seeded)
    started = time.monotonic()
    r = put_file(api, inv["id"], fixture(name), "application/xml")
    assert r.status_code == 422, r.get_json()
    assert time.monotonic() - started < 5
    body = r.get_data(as_text=True)
    assert "root:" not in body and "/bin/" not in body       # /etc/passwd was never read
    assert "lollol" not in body
    if name != "dzfp-malformed.xml":
        assert "DTD" in problem(r)["detail"]
    assert api.get(f"/api/v1/invoices/{inv['id']}/file", as_=BUYER).status_code == 404


def test_not_the_platforms_xml(api, seeded):
    inv = _seed_invoice(api, seeded)
    r = put_file(api, inv["id"], b'<?xml version="1.0"?><Invoice><Number>1</Number></Invoice>', "text/xml")
    assert r.status_code == 422 and "EInvoice" in problem(r)["detail"]


# -- red-letter invoices -------------------------------------------------------------------------------------

def test_partial_red_letter_invoices_sum_to_the_original(api, seeded):
    inv = _seed_invoice(api, seeded)
    url = f"/api/v1/invoices/{inv['id']}"
    first = red(api, inv["id"], "2026-07-20", amount="100000.00", number="26112000000000000102",
                net="-94339.62", tax="-5660.38")
    assert first.status_code == 201, first.get_json()
    first = first.get_json()
    assert (first["total"], first["net"], first["tax"], first["rate"], first["reverses"], first["red_letter"]) == \
        ("-100000.00", "-94339.62", "-5660.38", "0.06", inv["number"], True)
    assert first["amount_in_words"] == "（负数）壹拾万元整"
    assert first["rate_basis"]["rule"] == "original"
    assert put_file(api, first["id"], fixture("dzfp-red-t1-partial.xml"), "application/xml").status_code == 201
    original = api.get(url, as_=BUYER).get_json()
    assert (original["left"], original["reversed_total"], original["reversed_by"]) == ("878282.00", "100000.00", None)
    assert [r_["number"] for r_ in original["reversals"]] == ["26112000000000000102"]
    t1 = api.get(f"/api/v1/contracts/{seeded}/schedule?as_of=2026-07-20", as_=BUYER).get_json()["tranches"][0]
    assert (t1["invoiced"], t1["uninvoiced"]) == ("878282.00", "100000.00")
    second = red(api, inv["id"], "2026-07-21", amount="0.33").get_json()
    assert (second["net"], second["tax"]) == ("-0.31", "-0.02")
    too_much = red(api, inv["id"], "2026-07-22", amount="878281.68")
    assert too_much.status_code == 409 and problem(too_much)["left"] == "878281.67"
    rest = red(api, inv["id"], "2026-07-22").get_json()     # default: what is left
    assert rest["total"] == "-878281.67"
    total_net = sum(Decimal(x["net"]) for x in (first, second, rest))
    total_tax = sum(Decimal(x["tax"]) for x in (first, second, rest))
    assert (total_net, total_tax) == (Decimal("-922907.55"), Decimal("-55374.45"))   # cancels to the fen
    original = api.get(url, as_=BUYER).get_json()
    assert (original["left"], original["reversed_by"], len(original["reversals"])) == ("0.00", rest["number"], 3)
    again = red(api, inv["id"], "2026-07-23", amount="1.00")
    assert again.status_code == 409 and problem(again)["detail"] == f"invoice {inv['number']} was already reversed"
    assert red(api, rest["id"], "2026-07-23").status_code == 409          # a red-letter invoice is not reversed
    t1 = api.get(f"/api/v1/contracts/{seeded}/schedule?as_of=2026-07-23", as_=BUYER).get_json()["tranches"][0]
    assert (t1["invoiced"], t1["uninvoiced"]) == ("0.00", "978282.00")


def test_red_letter_checks(api, seeded):
    inv = _seed_invoice(api, seeded)
    r = red(api, inv["id"], "2026-07-05")
    assert r.status_code == 422 and "issued_on" in problem(r)["errors"]
    r = red(api, inv["id"], "2026-07-20", amount="100000.00", tax="-5660.39", net="-94339.61")
    assert r.status_code == 422 and set(problem(r)["errors"]) == {"net", "tax"}
    r = red(api, inv["id"], "2026-07-20", amount="0.00")
    assert r.status_code == 422
    r = red(api, inv["id"], "2026-07-20", number="25112000000000000102")
    assert r.status_code == 422 and "number" in problem(r)["errors"]
    assert red(api, inv["id"], "2026-07-20", as_=BUYER).status_code == 403
    body = {"issued_on": "2026-07-20", "reason": "x"}
    r = api.post(f"/api/v1/invoices/{inv['id']}/reverse", as_=VENDOR, json=body)
    assert r.status_code == 422 and "number" in problem(r)["errors"]


def test_a_special_invoices_red_letter_needs_the_confirmation_number(api, seeded):
    register_ids(api, general_taxpayer=True)
    inv = recorded(api, seeded, 1, "2026-07-06", "978282.00", type_="special")
    r = red(api, inv["id"], "2026-07-20", amount="100000.00")
    assert r.status_code == 422 and "confirmation_number" in problem(r)["errors"]
    r = red(api, inv["id"], "2026-07-20", amount="100000.00", confirmation_number="12AB")
    assert r.status_code == 422 and "confirmation_number" in problem(r)["errors"]
    r = red(api, inv["id"], "2026-07-20", amount="100000.00", confirmation_number="11010026072000000012")
    assert r.status_code == 201, r.get_json()
    assert (r.get_json()["confirmation_number"], r.get_json()["type"]) == ("11010026072000000012", "special")
    # an ordinary invoice's red-letter invoice may carry one, needs none
    other = recorded(api, seeded, 2, "2026-11-20", "586969.20")
    assert red(api, other["id"], "2026-11-21").status_code == 201


# -- the rate of the tax liability ----------------------------------------------------------------------------

@pytest.fixture
def rate_change(api):
    """The seed contract with the rate falling to 5% from 2026-10-01; returns its id."""
    for code, name in (("desheng", BUYER_NAME), ("unicom-bj", SELLER_NAME)):
        api.post("/api/v1/parties", json={"code": code, "name": name})
    register_ids(api)
    body = {**SEED_CONTRACT, "code": "RATE-2026", "buyer": "desheng", "vendors": ["unicom-bj"],
            "tax_rates": [{"rate": "0.06", "effective_from": "2026-06-11"},
                          {"rate": "0.05", "effective_from": "2026-10-01"}]}
    r = api.post("/api/v1/contracts", json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def test_a_replacement_keeps_the_reversed_invoices_rate(api, rate_change):
    cid = rate_change
    original = recorded(api, cid, 1, "2026-07-06", "978282.00")
    assert red(api, original["id"], "2026-10-15", reason="购买方名称有误").status_code == 201
    req = api.get(f"/api/v1/contracts/{cid}/invoice-request?tranche_seq=1&issued_on=2026-10-16", as_=BUYER).get_json()
    assert (req["rate"], req["tax"]) == ("0.06", "55374.45")
    assert req["rate_basis"] == {"rule": "replacement", "date": "2026-07-06", "replaces": original["number"],
                                 "replaces_id": original["id"]}
    # at 5% the output VAT would be 46584.86: 8789.59 understated
    wrong = record(api, cid, 1, "2026-10-16", "978282.00", rate="0.05")
    assert wrong.status_code == 422 and problem(wrong)["errors"]["rate"] == \
        ["the invoice request says 0.06; the invoice says 0.05"]
    assert Decimal(req["tax"]) - split(Decimal("978282.00"), Decimal("0.05"))[1] == Decimal("8789.59")
    again = recorded(api, cid, 1, "2026-10-16", "978282.00", rate="0.06")
    assert (again["rate"], again["tax"], again["replaces"], again["replaces_id"]) == \
        ("0.06", "55374.45", original["number"], original["id"])
    assert again["rate_basis"]["rule"] == "replacement"


def test_the_rate_on_the_day_the_tranche_was_paid_in_full(api, rate_change):
    cid = rate_change
    pay = api.post(f"/api/v1/contracts/{cid}/payments", as_=BUYER,
                   json={"amount": "586969.20", "paid_on": "2026-09-25", "bank_reference": "P-2", "tranche_seq": 2})
    assert pay.status_code == 201, pay.get_json()
    req = api.get(f"/api/v1/contracts/{cid}/invoice-request?tranche_seq=2&issued_on=2026-11-20", as_=BUYER).get_json()
    assert (req["rate"], req["tax"], req["rate_basis"]["rule"], req["rate_basis"]["date"]) == \
        ("0.06", "33224.67", "paid_in_full", "2026-09-25")
    inv = recorded(api, cid, 2, "2026-11-20", "586969.20", rate="0.06")
    assert inv["rate_basis"] == {"rule": "paid_in_full", "date": "2026-09-25", "replaces": None, "replaces_id": None}
    # tranche 1, not paid: the rate in force on the issue date
    late = recorded(api, cid, 1, "2026-10-08", "978282.00", rate="0.05")
    assert (late["tax"], late["rate_basis"]["rule"]) == ("46584.86", "issue_date")


def test_an_invoice_mixing_two_rates_is_refused(api, rate_change):
    cid = rate_change
    original = recorded(api, cid, 1, "2026-07-06", "500000.00")
    assert red(api, original["id"], "2026-10-15", amount="100000.00").status_code == 201
    r = record(api, cid, 1, "2026-10-16", "578282.00", rate="0.06")   # 100000 replacement + 478282 new at 5%
    assert r.status_code == 422 and "issue one invoice per rate" in problem(r)["errors"]["amount"][0]
    assert recorded(api, cid, 1, "2026-10-16", "100000.00", rate="0.06")["replaces_id"] == original["id"]
    assert recorded(api, cid, 1, "2026-10-16", "478282.00", rate="0.05")["replaces_id"] is None


# -- lateness: one rule ---------------------------------------------------------------------------------------

def test_late_agrees_with_the_schedule_for_a_replacement(api, seeded):
    register_ids(api)
    on_time = recorded(api, seeded, 1, "2026-07-06", "978282.00")
    assert on_time["late"] is False
    red(api, on_time["id"], "2026-07-09")
    replacement = recorded(api, seeded, 1, "2026-07-10", "978282.00")
    assert (replacement["late"], replacement["replaces_id"]) == (True, on_time["id"])
    t1 = api.get(f"/api/v1/contracts/{seeded}/schedule?as_of=2026-07-10", as_=BUYER).get_json()["tranches"][0]
    assert t1["invoice_late"] is True
    listing = api.get(f"/api/v1/contracts/{seeded}/invoices", as_=BUYER).get_json()["items"]
    assert t1["invoice_late"] == any(i["late"] for i in listing if i["tranche_seq"] == 1)
    event = [e for e in api.get("/api/v1/events", as_=BUYER).get_json()["items"] if e["type"] == "invoice.issued"]
    assert [e["data"]["late"] for e in event] == [False, True]
    # a late invoice reversed in full no longer makes the tranche late, on either side
    red(api, replacement["id"], "2026-07-11")
    t1 = api.get(f"/api/v1/contracts/{seeded}/schedule?as_of=2026-07-11", as_=BUYER).get_json()["tranches"][0]
    assert t1["invoice_late"] is False
    assert api.get(f"/api/v1/invoices/{replacement['id']}", as_=BUYER).get_json()["late"] is False


# -- migration 0009 -------------------------------------------------------------------------------------------

def _old_invoice_rows(url):
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO parties (code, name, general_taxpayer) VALUES ('b', 'B', false), "
                          "('v', 'V', false)"))
        conn.execute(text(
            "INSERT INTO contracts (code, title, total_amount, signed_on, service_start, service_end, "
            "invoice_lead_working_days, objection_window_working_days, overdue_termination_days, penalty_rate, "
            "rectification_limit, termination_notice_months, created_at) VALUES ('OLD-1', 't', 100000, "
            "'2026-06-11', '2026-07-01', '2027-06-30', 3, 5, 60, 10000, 3, 3, '2026-06-11 00:00:00')"))
        conn.execute(text(
            "INSERT INTO invoices (contract_id, tranche_seq, number, type, issued_on, total, net, tax, rate, buyer, "
            "seller, created_at) VALUES "
            "(1, 1, '26718204729104857311', 'ordinary', '2026-07-06', 100, 94, 6, 60000, '{}', '{}', '2026-07-06'), "
            "(1, 1, '12345678', 'ordinary', '2026-07-06', 100, 94, 6, 60000, '{}', '{}', '2026-07-06')"))
    return engine


def test_migration_0009_marks_generated_numbers(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    migrate.upgrade(url, "0008")
    engine = _old_invoice_rows(url)
    migrate.upgrade(url, "0009")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT number, code, number_source, item, tax_category FROM invoices "
                                 "ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("26718204729104857311", "", "generated", "座席外包服务费", "*增值电信服务*"),
                                        ("12345678", "", "platform", "座席外包服务费", "*增值电信服务*")]
    migrate.downgrade(url, "0008")
    with engine.connect() as conn:
        cols = [r[1] for r in conn.execute(text("PRAGMA table_info(invoices)"))]
        assert conn.execute(text("SELECT COUNT(*) FROM invoices")).scalar() == 2
    engine.dispose()
    assert "number_source" not in cols and "code" not in cols


def test_a_generated_number_is_shown_as_such(api, seeded, app, tmp_path):
    """An invoice from before 0009 whose number the service made up: marked, its PDF is the request
    form, it cannot be red-lettered, and the platform's own XML for it proves the number."""
    register_ids(api)
    inv = recorded(api, seeded, 1, "2026-07-06", "978282.00", number="26112000000000000101")
    engine = app.extensions["settlement"]["engine"]
    with engine.begin() as conn:
        conn.execute(text("UPDATE invoices SET number_source = 'generated' WHERE id = :id"), {"id": inv["id"]})
    got = api.get(f"/api/v1/invoices/{inv['id']}", as_=BUYER).get_json()
    assert got["number_source"] == "generated"
    r = red(api, inv["id"], "2026-07-20")
    assert r.status_code == 409 and "generated by this service" in problem(r)["detail"]
    assert put_file(api, inv["id"], b"%PDF-1.7\n...", "application/pdf").status_code == 409
    if shutil.which("pdftotext"):
        text_ = pdf_text(api.get(f"/api/v1/invoices/{inv['id']}/pdf", as_=BUYER).data, tmp_path)
        assert "开票信息确认单" in text_ and inv["number"] not in text_ and "发票号码" not in text_
    r = put_file(api, inv["id"], fixture("dzfp-blue-t1.xml"), "application/xml")
    assert r.status_code == 201 and r.get_json()["number_source"] == "platform"
    assert red(api, inv["id"], "2026-07-20", amount="1.00").status_code == 201


def test_no_code_path_makes_up_a_number():
    """The random generator is gone from the invoice code."""
    root = Path(__file__).resolve().parents[2] / "invoices"
    source = "\n".join(p.read_text(encoding="utf-8") for p in root.rglob("*.py"))
    assert "secrets" not in source and "random" not in source
    assert "电子发票（" not in source     # no document titled 电子发票（普通发票）/（增值税专用发票）
