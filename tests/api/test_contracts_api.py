"""Parties, contracts, schedule and earned value through the HTTP API (issue 2)."""
from __future__ import annotations

import copy

import pytest

from tests.conftest import BUYER, MEMBER, VENDOR

SEED_CONTRACT = {
    "code": "C-1", "title": "Hotline", "buyer": "b1", "vendors": ["v1"],
    "total_amount": "1956564.00", "signed_on": "2026-06-11",
    "service_start": "2026-07-01", "service_end": "2027-06-30",
    "tax_rates": [{"rate": "0.06", "effective_from": "2026-06-11"}],
    "tranches": [
        {"seq": 1, "amount": "978282.00", "due": {"kind": "months_after_signing", "months": 1}},
        {"seq": 2, "amount": "586969.20", "due": {"kind": "on_or_before", "date": "2026-11-30"}},
        {"seq": 3, "amount": "remainder", "due": {"kind": "working_days_after_audit", "days": 15}},
    ],
}


@pytest.fixture
def parties(api):
    for code in ("b1", "v1", "v2"):
        r = api.post("/api/v1/parties", json={"code": code, "name": f"Party {code}"})
        assert r.status_code == 201, r.get_json()


def problem(resp):
    assert resp.mimetype == "application/problem+json", resp.data
    body = resp.get_json()
    assert set(body) >= {"type", "title", "status", "detail", "errors"}
    assert body["status"] == resp.status_code
    return body


# -- the seed, end to end ---------------------------------------------------------------

def test_seed_schedule_dates_through_the_api(api, seeded):
    r = api.get(f"/api/v1/contracts/{seeded}/schedule?as_of=2026-11-24", as_=BUYER)
    assert r.status_code == 200
    body = r.get_json()
    t1, t2, t3 = body["tranches"]
    assert (t1["seq"], t1["amount"], t1["due_date"], t1["invoice_due_date"]) == \
        (1, "978282.00", "2026-07-13", "2026-07-08")
    assert t1["due_date_rule"] == "signed_on + 1 month, rolled past rest day"
    assert (t2["amount"], t2["due_date"], t2["invoice_due_date"]) == ("586969.20", "2026-11-30", "2026-11-25")
    assert t2["status"] == "not_due"
    assert (t3["amount"], t3["nominal"], t3["due_date"], t3["invoice_due_date"]) == \
        ("391312.80", True, None, None)
    assert [t["provisional"] for t in body["tranches"]] == [False, False, False]
    assert body["total_amount"] == "1956564.00"


def test_schedule_status_moves_with_as_of(api, seeded):
    def status(as_of):
        r = api.get(f"/api/v1/contracts/{seeded}/schedule?as_of={as_of}", as_=VENDOR)
        return [(t["status"], t["days_overdue"]) for t in r.get_json()["tranches"][:2]]

    assert status("2026-07-07") == [("not_due", 0), ("not_due", 0)]
    assert status("2026-07-08") == [("due", 0), ("not_due", 0)]
    assert status("2026-07-14") == [("overdue", 1), ("not_due", 0)]
    assert status("2026-11-25") == [("overdue", 135), ("due", 0)]
    assert status("2027-01-30") == [("overdue", 201), ("overdue", 61)]


def test_seed_earned_value_is_twelve_equal_months(api, seeded):
    r = api.get(f"/api/v1/contracts/{seeded}/earned?as_of=2026-11-24", as_=BUYER)
    body = r.get_json()
    assert [m["amount"] for m in body["months"]] == ["163047.00"] * 12
    assert body["months"][0]["month"] == "2026-07" and body["months"][-1]["month"] == "2027-06"
    assert body["months"][-1]["cumulative"] == "1956564.00"
    assert body["earned_to_date"] == "815235.00"  # July..November, November in full


def test_seed_is_idempotent(api, runner, seeded):
    again = runner.invoke(args=["seed", "demo"])
    assert again.exit_code == 0
    assert "already loaded" in again.output
    assert api.get("/api/v1/contracts").get_json()["total"] == 1
    c = api.get(f"/api/v1/contracts/{seeded}").get_json()
    assert c["buyer"] == "desheng" and c["vendors"] == ["unicom-bj", "bj-telecom-dev"]
    assert [t["amount"] for t in c["tranches"]] == ["978282.00", "586969.20", "391312.80"]
    assert c["terms"]["penalty_rate"] == "0.01"


# -- creating contracts ---------------------------------------------------------------

def test_create_contract_as_buyer_with_defaults(api, parties):
    body = copy.deepcopy(SEED_CONTRACT)
    r = api.post("/api/v1/contracts", json=body, as_=("buyer", "b1"))
    assert r.status_code == 201, r.get_json()
    c = r.get_json()
    assert c["code"] == "C-1" and c["tranches"][2]["amount"] == "391312.80"
    assert c["terms"] == {"invoice_lead_working_days": 3, "objection_window_working_days": 5,
                          "overdue_termination_days": 60, "penalty_rate": "0.01",
                          "rectification_limit": 3, "termination_notice_months": 3}


def test_buyer_cannot_create_for_another_buyer(api, parties):
    body = copy.deepcopy(SEED_CONTRACT)
    r = api.post("/api/v1/contracts", json=body, as_=("buyer", "v2"))
    assert r.status_code == 403
    assert "only create contracts on which it is the buyer" in problem(r)["detail"]


def test_vendor_may_not_create_contracts(api, parties):
    r = api.post("/api/v1/contracts", json=copy.deepcopy(SEED_CONTRACT), as_=("vendor", "v1"))
    assert r.status_code == 403
    assert problem(r)["detail"] == "the vendor role may not create contracts; it needs admin or buyer"


@pytest.mark.parametrize("mutate, field, message", [
    (lambda b: b["tranches"][0].update(amount="1400000.00"), "tranches.2.amount",
     "the remainder is negative"),
    (lambda b: b["tranches"][2].update(amount="391312.79"), "tranches",
     "tranche amounts sum to 1956563.99, not the total 1956564.00"),
    (lambda b: b["tranches"][1].update(seq=1), "tranches.1.seq", "seq 1 is used more than once"),
    (lambda b: b.update(service_end="2026-06-30"), "service_end", "must not be before service_start"),
    (lambda b: b["tax_rates"][0].update(rate="1.5"), "tax_rates.0.rate", "rate must be between 0 and 1"),
    (lambda b: b["tax_rates"][0].update(rate=0.06), "tax_rates.0.rate", "rate must be a string"),
    (lambda b: b.update(total_amount="1956564.001"), "total_amount", "more than two decimal places"),
    (lambda b: b.update(total_amount=1956564.0), "total_amount", "must be a string"),
    (lambda b: b.update(total_amount="NaN"), "total_amount", ""),
    (lambda b: b.update(total_amount="-5.00"), "total_amount", "negative"),
    (lambda b: b.update(total_amount="1000000000000.00"), "total_amount", "1万亿"),
    (lambda b: b.update(signed_on="2026-02-30"), "signed_on", "February 2026 has no 30th day"),
    (lambda b: b.update(colour="red"), "colour", "Unknown field"),
    (lambda b: b["tranches"][1]["due"].pop("date"), "tranches.1.due.date", "required for kind on_or_before"),
    (lambda b: b["tranches"][0]["due"].update(kind="whenever"), "tranches.0.due.kind", "Must be one of"),
    (lambda b: b.update(code="has space"), "code", "must be 1-64 letters"),
    (lambda b: b.pop("tranches"), "tranches", "Missing data"),
])
def test_contract_validation_names_the_field(api, parties, mutate, field, message):
    body = copy.deepcopy(SEED_CONTRACT)
    mutate(body)
    r = api.post("/api/v1/contracts", json=body)
    assert r.status_code == 422, r.get_json()
    p = problem(r)
    assert field in p["errors"], p
    assert message in " ".join(p["errors"][field]), p


def test_two_remainders_and_unknown_party(api, parties):
    body = copy.deepcopy(SEED_CONTRACT)
    body["tranches"][1]["amount"] = "remainder"
    r = api.post("/api/v1/contracts", json=body)
    assert r.status_code == 422 and "only one tranche" in problem(r)["detail"]
    body = copy.deepcopy(SEED_CONTRACT)
    body["vendors"] = ["nobody"]
    r = api.post("/api/v1/contracts", json=body)
    assert r.status_code == 422 and problem(r)["errors"] == {"vendors.0": ["unknown party 'nobody'"]}


def test_duplicate_contract_code_is_409(api, parties):
    assert api.post("/api/v1/contracts", json=copy.deepcopy(SEED_CONTRACT)).status_code == 201
    r = api.post("/api/v1/contracts", json=copy.deepcopy(SEED_CONTRACT))
    assert r.status_code == 409 and problem(r)["detail"] == "a contract with code 'C-1' already exists"


def test_malformed_json_is_400_problem(api, parties):
    r = api.call("POST", "/api/v1/contracts", data="{not json",
                 headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert problem(r)["detail"] == "the request body is not valid JSON"


def test_wrong_types_are_422(api, parties):
    body = copy.deepcopy(SEED_CONTRACT)
    body["tranches"] = "three"
    r = api.post("/api/v1/contracts", json=body)
    assert r.status_code == 422 and "tranches" in problem(r)["errors"]
    r = api.post("/api/v1/contracts", json=[1, 2])
    assert r.status_code == 422


# -- parties --------------------------------------------------------------------------

def test_party_taxpayer_id_check_digit(api):
    r = api.post("/api/v1/parties", json={"code": "x", "name": "X", "taxpayer_id": "91110000802100433A"})
    assert r.status_code == 422
    assert "taxpayer_id" in problem(r)["errors"]
    r = api.post("/api/v1/parties", json={"code": "x", "name": "X", "taxpayer_id": "91110000802100433B",
                                          "general_taxpayer": True,
                                          "bank_accounts": [{"bank": "ICBC", "account_name": "X",
                                                             "account_no": "0200003319210012727"}]})
    assert r.status_code == 201
    assert r.get_json()["taxpayer_id"] == "91110000802100433B"
    r = api.post("/api/v1/parties", json={"code": "x", "name": "Y"})
    assert r.status_code == 409


def test_only_admin_manages_parties(api, seeded):
    r = api.post("/api/v1/parties", json={"code": "z", "name": "Z"}, as_=BUYER)
    assert r.status_code == 403 and problem(r)["detail"] == "only an admin token may manage parties"
    r = api.patch("/api/v1/parties/desheng", json={"general_taxpayer": True})
    assert r.status_code == 200 and r.get_json()["general_taxpayer"] is True


# -- auth -----------------------------------------------------------------------------

def test_no_token_is_401(api, seeded):
    r = api.get(f"/api/v1/contracts/{seeded}/schedule", as_=None)
    assert r.status_code == 401
    assert problem(r)["detail"] == "an Authorization: Bearer <token> header is required"
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer", "Basic abc", "Bearer st_nope", "Bearer st_abc_def"])
def test_bad_token_is_401(api, seeded, header):
    r = api.get("/api/v1/contracts", as_=None, headers={"Authorization": header})
    assert r.status_code == 401 and problem(r)["status"] == 401


def test_revoked_token_is_401(api, runner, seeded):
    token = api.token(*BUYER)
    public_id = token.split("_")[1]
    assert api.get("/api/v1/contracts", as_=BUYER).status_code == 200
    result = runner.invoke(args=["tokens", "revoke", public_id])
    assert result.exit_code == 0, result.output
    assert api.get("/api/v1/contracts", as_=BUYER).status_code == 401


def test_other_party_gets_404_not_403(api, seeded):
    r = api.post("/api/v1/parties", json={"code": "stranger", "name": "Stranger Co"})
    assert r.status_code == 201
    for path in (f"/api/v1/contracts/{seeded}", f"/api/v1/contracts/{seeded}/schedule",
                 f"/api/v1/contracts/{seeded}/earned"):
        r = api.get(path, as_=("buyer", "stranger"))
        assert r.status_code == 404, path
        assert problem(r)["detail"] == f"no contract {seeded}"
    listing = api.get("/api/v1/contracts", as_=("vendor", "stranger")).get_json()
    assert listing["items"] == [] and listing["total"] == 0
    assert api.get(f"/api/v1/contracts/{seeded}", as_=MEMBER).status_code == 200


def test_cli_token_create_prints_token_last(runner, app, seeded):
    result = runner.invoke(args=["tokens", "create", "--holder", "张会计", "--party", "desheng", "--role", "buyer"])
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("st_")
    client = app.test_client()
    assert client.get("/api/v1/contracts", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    bad = runner.invoke(args=["tokens", "create", "--holder", "x", "--role", "vendor"])
    assert bad.exit_code != 0 and "needs --party" in bad.output


def test_pagination(api, parties):
    for i in range(3):
        body = copy.deepcopy(SEED_CONTRACT)
        body["code"] = f"C-{i}"
        assert api.post("/api/v1/contracts", json=body).status_code == 201
    page = api.get("/api/v1/contracts?page=2&page_size=2").get_json()
    assert [c["code"] for c in page["items"]] == ["C-2"] and page["total"] == 3
    assert api.get("/api/v1/contracts?page_size=500").status_code == 422
    assert api.get("/api/v1/contracts?code=C-1").get_json()["total"] == 1


def test_bad_as_of_is_422(api, seeded):
    r = api.get(f"/api/v1/contracts/{seeded}/schedule?as_of=2026-13-01", as_=BUYER)
    assert r.status_code == 422 and "as_of" in problem(r)["errors"]


def test_journal_records_contract_creation(app, seeded, runner):
    result = runner.invoke(args=["journal", "verify"])
    assert result.exit_code == 0 and "chain intact" in result.output
    from sqlalchemy import select
    from settlement.models import JournalEntry
    s = app.extensions["settlement"]["sessions"]()
    actions = [e.action for e in s.scalars(select(JournalEntry).order_by(JournalEntry.seq))]
    s.close()
    assert actions == ["party.created"] * 3 + ["contract.created", "token.created"]
