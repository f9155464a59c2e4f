"""Whole contract lifecycles through the API (issues 11 and 12), every figure computed by hand first.

Each scenario checks that the readers agree for the same date: the opinion, the schedule,
the settlement, the rights, earned value, the events and the month's report. The seed
contract: 1,956,564.00 = T1 978,282.00 (due 2026-07-13) + T2 586,969.20 (due 2026-11-30)
+ T3 391,312.80 (15 working days after the audit); earned 12 × 163,047.00 from 2026-07.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.test_contracts_api import problem
from tests.conftest import BUYER, VENDOR, shanghai

B1 = ("buyer", "b1")
CAL_2027 = Path(__file__).parent.parent / "fixtures" / "calendar-2027-example.json"


def pay(api, cid, amount, on, ref, **extra):
    return api.post(f"/api/v1/contracts/{cid}/payments", as_=BUYER,
                    json={"amount": amount, "paid_on": on, "bank_reference": ref, **extra})


def get(api, cid, view, as_of, as_=BUYER):  # noqa: A002 - the view's name
    r = api.get(f"/api/v1/contracts/{cid}/{view}?as_of={as_of}", as_=as_)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def report(api, month, as_of=None):
    q = f"month={month}" + (f"&as_of={as_of}" if as_of else "")
    r = api.get(f"/api/v1/reports/reconciliation?{q}", as_=BUYER)
    assert r.status_code == 200, r.get_json()
    return r.get_json()["contracts"][0]


def deliver(api, cid, amount, on, as_=BUYER):
    r = api.post(f"/api/v1/contracts/{cid}/audit-opinions", as_=as_,
                 json={"audited_amount": amount, "delivered_on": on})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def complete(api, cid, oid, as_=BUYER, **body):
    return api.post(f"/api/v1/contracts/{cid}/audit-opinions/{oid}/complete", json=body, as_=as_)


def rights(api, cid, as_of):
    return {(r["right"], r["tranche_seq"]): r["arose_on"] for r in get(api, cid, "rights", as_of)["rights"]}


def agree(api, cid, as_of):
    """The readers agree on ``as_of``: schedule paid = settlement paid_total = report paid_to_date;
    earned cumulative = report earned_to_date; settlement status = report status."""
    sched = get(api, cid, "schedule", as_of)
    settle = get(api, cid, "settlement", as_of)
    earned = get(api, cid, "earned", as_of)
    rep = report(api, as_of[:7], as_of)
    paid = sum((float(t["paid"]) for t in sched["tranches"]), 0.0)
    assert f"{paid:.2f}" == settle["paid_total"] == rep["paid_to_date"]
    assert earned["earned_to_date"] == rep["earned_to_date"]
    assert settle["status"] == rep["settlement_status"]
    assert f"{sum(float(t['amount']) for t in sched['tranches']):.2f}" == sched["value"] == settle["value"]
    return sched, settle, earned, rep


# -- the audit ------------------------------------------------------------------------------------

@pytest.fixture
def early_contract(api):
    """The seed's terms signed 2026-01-05, to put audit windows over 2026's official holidays."""
    from tests.api.test_contracts_api import SEED_CONTRACT
    import copy
    for code in ("b1", "v1"):
        api.post("/api/v1/parties", json={"code": code, "name": f"Party {code}"})
    body = copy.deepcopy(SEED_CONTRACT)
    body.update(signed_on="2026-01-05", service_start="2026-01-05", service_end="2026-12-31")
    body["tax_rates"][0]["effective_from"] = "2026-01-05"
    r = api.post("/api/v1/contracts", json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def test_deemed_acceptance_across_national_day_binds_the_next_day(api, early_contract, today):
    cid = early_contract
    # delivered Wed 2026-09-30; working days after it: 10-08, 10-09, Sat 10-10 (调休), 10-12, 10-13
    today.move_to(shanghai("2026-09-30"))
    op = deliver(api, cid, "1900000.00", "2026-09-30", as_=B1)
    assert (op["objection_deadline"], op["status"], op["provisional"]) == ("2026-10-13", "awaiting_vendor", False)
    today.move_to(shanghai("2026-10-13"))
    # on the deadline the vendor may still answer; completion cannot be recorded yet (dead end closed)
    assert get(api, cid, "settlement", "2026-10-13", as_=B1)["status"] == "awaiting_vendor"
    early = complete(api, cid, op["id"], as_=B1)
    assert early.status_code == 409 and problem(early)["completable_from"] == "2026-10-14"
    today.move_to(shanghai("2026-10-14"))
    ops = get(api, cid, "audit-opinions", "2026-10-14", as_=B1)
    assert (ops[0]["status"], ops[0]["binding_on"]) == ("deemed_accepted", "2026-10-13")
    late = api.post(f"/api/v1/contracts/{cid}/audit-opinions/{op['id']}/response", as_=("vendor", "v1"),
                    json={"decision": "object", "responded_on": "2026-10-14", "reason": "不同意"})
    assert late.status_code == 409 and problem(late)["objection_deadline"] == "2026-10-13"
    before = complete(api, cid, op["id"], as_=B1, completed_on="2026-10-12")
    assert before.status_code == 422 and "completed_on" in problem(before)["errors"]
    # explicit completed_on = the deadline gives exactly the default's result
    done = complete(api, cid, op["id"], as_=B1, completed_on="2026-10-13")
    assert done.status_code == 200, done.get_json()
    assert (done.get_json()["completed_on"], done.get_json()["status"]) == ("2026-10-13", "deemed_accepted")
    # 15 working days counted from 10-14: 10-14..16 (3), 10-19..23 (8), 10-26..30 (13), 11-02, 11-03
    s = get(api, cid, "settlement", "2026-10-14", as_=B1)
    assert (s["status"], s["completed_on"], s["final_tranche_due_date"], s["final_tranche_amount"]) == \
        ("completed", "2026-10-13", "2026-11-03", "334748.80")   # 1,900,000.00 − 978,282.00 − 586,969.20
    t3 = get(api, cid, "schedule", "2026-10-14", as_=B1)["tranches"][2]
    assert (t3["due_date"], t3["amount"], t3["nominal"]) == ("2026-11-03", "334748.80", False)
    again = complete(api, cid, op["id"], as_=B1)
    assert again.status_code == 409


def test_a_loaded_calendar_moves_the_objection_deadline(api, runner, seeded, today):
    """Issue 11: delivered 2027-09-28; estimated 2027 (no make-up days): 09-29, 09-30, 10-04, 10-05,
    10-06; the loaded schedule (10-01..07 off, Sat 10-09 worked): 09-29, 09-30, 10-08, 10-09, 10-11."""
    today.move_to(shanghai("2027-09-28"))
    op = deliver(api, seeded, "1950000.00", "2027-09-28")
    assert (op["objection_deadline"], op["provisional"]) == ("2027-10-06", True)
    assert runner.invoke(args=["calendar", "load", str(CAL_2027)]).exit_code == 0
    ops = get(api, seeded, "audit-opinions", "2027-09-28")
    assert (ops[0]["objection_deadline"], ops[0]["provisional"]) == ("2027-10-11", False)
    today.move_to(shanghai("2027-10-08"))
    r = api.post(f"/api/v1/contracts/{seeded}/audit-opinions/{op['id']}/response", as_=VENDOR,
                 json={"decision": "object", "responded_on": "2027-10-08", "reason": "审减有误"})
    assert r.status_code == 200 and r.get_json()["status"] == "disputed"


def test_audit_settled_at_a_lower_amount_reaches_earned_value(api, seeded, today):
    assert pay(api, seeded, "978282.00", "2026-07-10", "B-1").status_code == 201
    assert pay(api, seeded, "586969.20", "2026-11-27", "B-2").status_code == 201
    today.move_to(shanghai("2027-07-15"))
    op = deliver(api, seeded, "1950000.00", "2027-07-15")
    today.move_to(shanghai("2027-07-16"))
    r = api.post(f"/api/v1/contracts/{seeded}/audit-opinions/{op['id']}/response", as_=VENDOR,
                 json={"decision": "accept", "responded_on": "2027-07-16"})
    assert r.status_code == 200
    assert complete(api, seeded, op["id"]).get_json()["completed_on"] == "2027-07-16"
    # final: 1,950,000.00 − 1,565,251.20 = 384,748.80, due 15 working days after 07-16 (estimated
    # 2027: 07-19..23, 07-26..30, 08-02..06) = 2027-08-06
    today.move_to(shanghai("2027-08-06"))
    assert pay(api, seeded, "384748.80", "2027-08-06", "B-3").status_code == 201
    sched, settle, earned, rep = agree(api, seeded, "2027-08-31")
    # earned: the 6,564.00 the audit took off falls in the month it bound, 2027-07 (after the service)
    assert [(m["month"], m["amount"]) for m in earned["months"][-2:]] == [("2027-06", "163047.00"),
                                                                          ("2027-07", "-6564.00")]
    assert (rep["earned_to_date"], rep["paid_to_date"], rep["balance"]) == ("1950000.00", "1950000.00", "0.00")
    assert (settle["status"], settle["balance"], settle["value_basis"]) == ("settled", "0.00", "audit")
    # VAT on the audited amount: 1,950,000.00 / 1.06 = 1,839,622.64 + 110,377.36; tranches 55,374.45 +
    # 33,224.67 + 21,778.23 = 110,377.35: the true difference is 0.01
    vat = get(api, seeded, "vat", "2027-08-31")
    assert (vat["contract_tax"], vat["tranche_tax_total"], vat["rounding_difference"]) == \
        ("110377.36", "110377.35", "0.01")


def test_audit_below_tranches_one_and_two_cuts_the_unpaid_tranche(api, seeded, today):
    assert pay(api, seeded, "978282.00", "2026-07-10", "B-1").status_code == 201
    today.move_to(shanghai("2027-07-15"))
    op = deliver(api, seeded, "1200000.00", "2027-07-15")
    today.move_to(shanghai("2027-07-16"))
    api.post(f"/api/v1/contracts/{seeded}/audit-opinions/{op['id']}/response", as_=VENDOR,
             json={"decision": "accept", "responded_on": "2027-07-16"})
    # value 1,200,000.00: T3 cut to 0 (391,312.80), then T2 by the other 365,251.20 → 221,718.00
    t1, t2, t3 = get(api, seeded, "schedule", "2027-07-16")["tranches"]
    assert (t2["amount"], t2["cut"], t2["status"]) == ("221718.00", "365251.20", "overdue")
    assert (t3["amount"], t3["cut"], t3["status"]) == ("0.00", "391312.80", "cut")
    assert pay(api, seeded, "221718.01", "2027-07-16", "B-X").status_code == 409
    assert pay(api, seeded, "221718.00", "2027-07-16", "B-2").status_code == 201
    t2 = get(api, seeded, "schedule", "2027-07-16")["tranches"][1]
    assert (t2["status"], t2["outstanding"]) == ("paid", "0.00")
    assert rights(api, seeded, "2027-07-16") == {}    # the settlement paid: no right stays open
    assert rights(api, seeded, "2027-07-15") == {("vendor_suspend_service", 2): "2026-12-01",
                                                 ("vendor_terminate", 2): "2027-01-30"}


def test_negative_final_tranche_is_a_refund_due_until_refunded(api, seeded, today):
    assert pay(api, seeded, "978282.00", "2026-07-10", "B-1").status_code == 201
    assert pay(api, seeded, "586969.20", "2026-11-27", "B-2").status_code == 201
    today.move_to(shanghai("2027-07-15"))
    op = deliver(api, seeded, "1500000.00", "2027-07-15")
    api.post(f"/api/v1/contracts/{seeded}/audit-opinions/{op['id']}/response", as_=VENDOR,
             json={"decision": "accept", "responded_on": "2027-07-15"})
    t3 = get(api, seeded, "schedule", "2027-07-15")["tranches"][2]
    # 1,500,000.00 − 1,565,251.20 = −65,251.20: owed back by the vendor, not "paid"
    assert (t3["amount"], t3["status"], t3["refund_due"]) == ("-65251.20", "refund_due", "65251.20")
    today.move_to(shanghai("2027-07-30"))
    r = api.post(f"/api/v1/contracts/{seeded}/refunds", as_=VENDOR,
                 json={"amount": "65251.20", "refunded_on": "2027-07-30", "bank_reference": "R-1"})
    assert r.status_code == 201
    t3 = get(api, seeded, "schedule", "2027-07-30")["tranches"][2]
    assert (t3["status"], t3["refund_due"]) == ("paid", "0.00")
    _, settle, _, rep = agree(api, seeded, "2027-07-31")
    assert (rep["earned_to_date"], rep["paid_to_date"], rep["balance"]) == ("1500000.00", "1500000.00", "0.00")


# -- terminations -----------------------------------------------------------------------------------

def test_non_payment_termination_stops_earned_value(api, seeded, runner, today):
    # T1 unpaid since 2026-07-13; the 60th day is 2026-09-11 (Fri): the right from 09-12
    today.move_to(shanghai("2026-09-14"))
    r = api.post(f"/api/v1/contracts/{seeded}/terminations", as_=VENDOR,
                 json={"kind": "vendor_nonpayment", "notice_on": "2026-09-14"})
    assert r.status_code == 201, r.get_json()
    # earned Jul, Aug, Sep = 3 × 163,047.00; settled 15 working days after 09-14 (Sun 09-20 and Sat
    # 10-10 are 调休 working days; 中秋 09-25 and 10-01..07 off): 09-15..18 (4), 09-20 (5), 09-21..24 (9),
    # 09-28..30 (12), 10-08, 10-09, 10-10 (15)
    assert (r.get_json()["earned"], r.get_json()["settlement_due_on"]) == ("489141.00", "2026-10-10")
    today.move_to(shanghai("2026-12-31"))
    sched, settle, earned, rep = agree(api, seeded, "2026-12-31")
    assert (rep["earned_to_date"], rep["balance"], rep["position"]) == ("489141.00", "-489141.00", "receivable")
    assert [t["amount"] for t in sched["tranches"]] == ["489141.00", "0.00", "0.00"]
    assert [t["status"] for t in sched["tranches"]] == ["overdue", "cut", "cut"]
    assert settle["status"] == "terminated" and rights(api, seeded, "2026-12-31") == {}
    swept = runner.invoke(args=["settlement", "sweep", "--as-of", "2026-12-31"])
    assert "0 right(s)" in swept.output


def test_convenience_termination_cuts_tranche_two_and_gives_no_rights(api, seeded, today):
    assert pay(api, seeded, "978282.00", "2026-07-10", "B-1").status_code == 201
    today.move_to(shanghai("2026-11-24"))
    r = api.post(f"/api/v1/contracts/{seeded}/terminations", as_=BUYER,
                 json={"kind": "buyer_convenience", "notice_on": "2026-11-24"})
    # effective 2027-02-24: 8 months earned = 1,304,376.00; T2 cut by 260,875.20 to 326,094.00
    assert (r.get_json()["effective_on"], r.get_json()["earned"]) == ("2027-02-24", "1304376.00")
    today.move_to(shanghai("2026-12-05"))
    t2 = get(api, seeded, "schedule", "2026-12-05")["tranches"][1]
    assert (t2["amount"], t2["cut"], t2["status"]) == ("326094.00", "260875.20", "overdue")
    assert rights(api, seeded, "2026-12-05") == {}
    assert pay(api, seeded, "586969.20", "2026-12-05", "B-X").status_code == 409
    assert pay(api, seeded, "326094.00", "2026-12-05", "B-2").status_code == 201
    assert get(api, seeded, "schedule", "2026-12-05")["tranches"][1]["status"] == "paid"


def test_for_cause_termination_penalty_refund_and_earned(api, seeded, today):
    assert pay(api, seeded, "978282.00", "2026-07-10", "B-1").status_code == 201
    for on in ("2026-08-10", "2026-09-10", "2026-10-12"):
        api.post(f"/api/v1/contracts/{seeded}/rectifications", as_=BUYER,
                 json={"noticed_on": on, "description": "接通率未达标"})
    today.move_to(shanghai("2026-10-20"))
    r = api.post(f"/api/v1/contracts/{seeded}/terminations", as_=BUYER,
                 json={"kind": "buyer_for_cause", "notice_on": "2026-10-20"})
    assert r.status_code == 201, r.get_json()
    today.move_to(shanghai("2026-11-30"))
    # November: earned to date stops at Jul..Oct = 4 × 163,047.00 = 652,188.00 (not 815,235.00)
    _, settle, earned, rep = agree(api, seeded, "2026-11-30")
    assert (earned["earned_to_date"], rep["earned_to_date"]) == ("652188.00", "652188.00")
    # the vendor owes back 978,282.00 − 652,188.00 = 326,094.00 and the 1% penalty 19,565.64
    assert (settle["refundable"], settle["penalties"]["outstanding"]) == ("345659.64", "19565.64")
    over = api.post(f"/api/v1/contracts/{seeded}/refunds", as_=VENDOR,
                    json={"amount": "345659.65", "refunded_on": "2026-11-30", "bank_reference": "R-X"})
    assert over.status_code == 409
    ok = api.post(f"/api/v1/contracts/{seeded}/refunds", as_=VENDOR,
                  json={"amount": "345659.64", "refunded_on": "2026-11-30", "bank_reference": "R-1"})
    assert ok.status_code == 201
    settle = get(api, seeded, "settlement", "2026-11-30")
    assert (settle["paid_total"], settle["balance"], settle["penalties"]["paid"],
            settle["penalties"]["outstanding"]) == ("652188.00", "0.00", "19565.64", "0.00")


def test_a_penalty_set_off_against_a_payment(api, seeded, today):
    assert pay(api, seeded, "978282.00", "2026-07-10", "B-1").status_code == 201
    today.move_to(shanghai("2026-11-27"))
    r = api.post(f"/api/v1/contracts/{seeded}/penalties", as_=BUYER,
                 json={"amount": "10000.00", "claimed_on": "2026-11-20", "clause": "4.1.5", "reason": "更换人员超期"})
    assert r.status_code == 201
    too_much = pay(api, seeded, "576969.20", "2026-11-27", "B-X", set_off="10000.01")
    assert too_much.status_code == 409
    # T2 586,969.20 settled by 576,969.20 in cash and the 10,000.00 penalty set off
    r = pay(api, seeded, "576969.20", "2026-11-27", "B-2", set_off="10000.00")
    assert r.status_code == 201 and r.get_json()["allocations"] == [{"tranche_seq": 2, "amount": "586969.20"}]
    settle = get(api, seeded, "settlement", "2026-11-30")
    assert (settle["paid_total"], settle["penalties"]) == (
        "1565251.20", {"claimed": "10000.00", "set_off": "10000.00", "paid": "0.00", "outstanding": "0.00"})
    assert get(api, seeded, "schedule", "2026-11-30")["tranches"][1]["status"] == "paid"


# -- agreements (12.3) ---------------------------------------------------------------------------------

def amend(api, cid, signed, effective, total, ref="书面确认"):
    r = api.post(f"/api/v1/contracts/{cid}/amendments", as_=BUYER,
                 json={"signed_on": signed, "effective_from": effective, "total_amount": total,
                       "approval_reference": ref})
    assert r.status_code == 201, r.get_json()
    c = api.post(f"/api/v1/contracts/{cid}/amendments/{r.get_json()['id']}/confirm", as_=VENDOR,
                 json={"confirmed_on": signed})
    assert c.status_code == 200, c.get_json()
    return c.get_json()


def test_the_latest_signed_agreement_prevails(api, seeded):
    amend(api, seeded, "2026-12-01", "2027-03-01", "2000000.00")
    amend(api, seeded, "2027-01-10", "2027-01-15", "1900000.00")
    # on 2027-04-01 both are in force; the later signed (1,900,000.00) prevails, not the later effective
    assert get(api, seeded, "schedule", "2027-04-01")["total_amount"] == "1900000.00"
    # before the second was signed the first was the only one known (not yet in force on 12-20)
    assert get(api, seeded, "schedule", "2026-12-20")["total_amount"] == "1956564.00"


def test_a_retroactive_agreement_does_not_rewrite_reported_earned_value(api, seeded):
    before = get(api, seeded, "earned", "2026-12-31")["earned_to_date"]
    assert before == "978282.00"                          # 6 × 163,047.00
    amend(api, seeded, "2027-02-10", "2026-10-01", "1900000.00")
    assert get(api, seeded, "earned", "2026-12-31")["earned_to_date"] == before
    # from the signing month: Jul..Jan kept (7 × 163,047.00 = 1,141,329.00), the rest
    # 758,671.00 over Feb..Jun = 151,734.20 each; to March: 1,141,329.00 + 2 × 151,734.20
    assert get(api, seeded, "earned", "2027-03-31")["earned_to_date"] == "1444797.40"


def test_an_agreement_signed_after_the_service_is_earned_in_its_month(api, seeded):
    amend(api, seeded, "2027-07-10", "2027-06-01", "2000000.00")
    earned = get(api, seeded, "earned", "2027-07-31")
    assert earned["months"][-1] == {"month": "2027-07", "amount": "43436.00", "cumulative": "2000000.00",
                                    "earned": True}
    assert earned["earned_to_date"] == "2000000.00"


def test_a_backdated_payment_cannot_slip_under_a_signed_cut(api, seeded):
    amend(api, seeded, "2026-12-01", "2027-01-01", "1900000.00")
    r = pay(api, seeded, "1956564.00", "2026-11-20", "B-1")
    assert r.status_code == 409 and problem(r)["payable_total"] == "1900000.00"
    assert pay(api, seeded, "1900000.00", "2026-11-20", "B-1").status_code == 201


def test_an_unconfirmed_agreement_is_not_in_force(api, seeded):
    r = api.post(f"/api/v1/contracts/{seeded}/amendments", as_=BUYER,
                 json={"signed_on": "2026-12-01", "effective_from": "2027-01-01", "total_amount": "2.00",
                       "approval_reference": "x", "tranches": [
                           {"seq": 1, "amount": "1.00", "due": {"kind": "months_after_signing", "months": 1}},
                           {"seq": 2, "amount": "remainder", "due": {"kind": "working_days_after_audit", "days": 15}}]})
    assert r.status_code == 201 and r.get_json()["status"] == "awaiting_vendor"
    assert get(api, seeded, "schedule", "2027-02-01")["total_amount"] == "1956564.00"


# -- facts, amounts and corrections ----------------------------------------------------------------------

@pytest.mark.today("2026-11-27")
def test_facts_are_not_in_the_future(api, seeded):
    r = pay(api, seeded, "1.00", "2030-01-01", "B-F")
    assert r.status_code == 422 and problem(r)["errors"]["paid_on"] == ["must not be after today (2026-11-27)"]
    r = api.post(f"/api/v1/contracts/{seeded}/audit-opinions", as_=BUYER,
                 json={"audited_amount": "1.00", "delivered_on": "2027-07-15"})
    assert r.status_code == 422 and "delivered_on" in problem(r)["errors"]
    assert pay(api, seeded, "0.00", "2026-11-27", "B-0").status_code == 422
    # schedules and as_of questions may look ahead
    assert get(api, seeded, "schedule", "2027-12-31")["tranches"][1]["status"] == "overdue"


def test_a_mistyped_payment_is_reversed_not_deleted(api, seeded):
    r = pay(api, seeded, "978282.00", "2026-07-10", "B-1")
    pid = r.get_json()["id"]
    rev = api.post(f"/api/v1/contracts/{seeded}/payments/{pid}/reverse", as_=BUYER,
                   json={"reason": "金额录入错误", "reversed_on": "2026-07-11"})
    assert rev.status_code == 201 and rev.get_json()["reversal"] == {"reversed_on": "2026-07-11",
                                                                     "reason": "金额录入错误"}
    assert get(api, seeded, "settlement", "2026-07-31")["paid_total"] == "0.00"
    assert api.post(f"/api/v1/contracts/{seeded}/payments/{pid}/reverse", as_=BUYER,
                    json={"reason": "again"}).status_code == 409
    listing = api.get(f"/api/v1/contracts/{seeded}/payments", as_=BUYER).get_json()
    assert listing["total"] == 1 and listing["items"][0]["reversal"]["reason"] == "金额录入错误"
    events = [e["type"] for e in api.get("/api/v1/events", as_=VENDOR).get_json()["items"]]
    assert events[-2:] == ["payment.recorded", "payment.reversed"]


# -- events and journal payloads use the API's schemas -------------------------------------------------------

def test_events_carry_what_get_returns(api, seeded):
    amend(api, seeded, "2026-12-01", "2027-01-01", "1900000.00")
    events = api.get("/api/v1/events", as_=VENDOR).get_json()["items"]
    amended = [e for e in events if e["type"] == "contract.amended"][-1]
    listed = api.get(f"/api/v1/contracts/{seeded}/amendments", as_=VENDOR).get_json()[-1]
    assert amended["data"] == listed
    assert [t["amount"] for t in amended["data"]["tranches"]] == ["978282.00", "586969.20", "334748.80"]


def test_the_bank_matcher_reads_the_agreements_in_force(api, runner, seeded, tmp_path):
    """Issue 11: after T2 is amended to 686,969.20, a credit of 686,969.20 matches it by amount and
    one of the superseded 586,969.20 matches nothing."""
    r = api.post(f"/api/v1/contracts/{seeded}/amendments", as_=BUYER, json={
        "signed_on": "2026-11-02", "effective_from": "2026-11-02", "approval_reference": "增加席位",
        "total_amount": "2056564.00", "tranches": [
            {"seq": 1, "amount": "978282.00", "due": {"kind": "months_after_signing", "months": 1}},
            {"seq": 2, "amount": "686969.20", "due": {"kind": "on_or_before", "date": "2026-11-30"}},
            {"seq": 3, "amount": "remainder", "due": {"kind": "working_days_after_audit", "days": 15}}]})
    assert r.status_code == 201, r.get_json()
    api.post(f"/api/v1/contracts/{seeded}/amendments/{r.get_json()['id']}/confirm", as_=VENDOR, json={})
    stmt = tmp_path / "s.csv"
    stmt.write_text("交易日期,交易流水号,对方户名,对方账号,摘要,贷方发生额,借方发生额\n"
                    "2026-11-27,N-1,某单位,999,第二笔,\"686,969.20\",\n"
                    "2026-11-27,N-2,某单位,999,第二笔,\"586,969.20\",\n", encoding="utf-8")
    out = runner.invoke(args=["bank", "import", str(stmt)]).output
    assert out.strip().endswith("matched 1, unmatched 1, ignored 0, rejected 0"), out
    lines = {b["serial"]: b for b in api.get("/api/v1/bank-lines").get_json()["items"]}
    assert (lines["N-1"]["status"], lines["N-1"]["reason"]) == ("matched", "amount equals tranche 2's outstanding")
    assert lines["N-2"]["status"] == "unmatched"


def test_a_short_or_foreign_memo_code_matches_nothing(api, runner, seeded, tmp_path):
    """Issue 15: a buyer's contract coded 12345 naming another party's vendor; a memo
    '12345热线 第二笔服务费' from the real buyer must not be matched to it."""
    api.post("/api/v1/parties", json={"code": "rogue", "name": "某公司"})
    body = {"code": "12345", "title": "x", "buyer": "rogue", "vendors": ["unicom-bj"],
            "total_amount": "586969.20", "signed_on": "2026-06-11", "service_start": "2026-07-01",
            "service_end": "2027-06-30", "tranches": [
                {"seq": 1, "amount": "586969.20", "due": {"kind": "on_or_before", "date": "2026-11-30"}}]}
    r = api.post("/api/v1/contracts", json=body, as_=("buyer", "rogue"))
    assert r.status_code == 201 and r.get_json()["vendors_confirmed"] is False
    stmt = tmp_path / "s.csv"
    stmt.write_text("交易日期,交易流水号,对方户名,对方账号,摘要,贷方发生额,借方发生额\n"
                    "2026-11-27,H-1,北京市西城区人民政府德胜街道办事处,0109,12345热线 第二笔服务费,\"586,969.20\",\n",
                    encoding="utf-8")
    runner.invoke(args=["bank", "import", str(stmt)])
    line = api.get("/api/v1/bank-lines").get_json()["items"][0]
    # the code is too short to name a contract, and the rogue contract's vendor never confirmed it:
    # the amount matches the seed's T2 only (the rogue contract is not offered to the matcher)
    assert (line["status"], line["contract_id"]) == ("matched", seeded)


# -- reports cut to a party (issue 15) -------------------------------------------------------------------

def test_a_report_cut_to_a_party_holds_only_its_contracts(api, runner, seeded, tmp_path):
    from tests.api.test_contracts_api import SEED_CONTRACT
    for code in ("b1", "v1"):
        api.post("/api/v1/parties", json={"code": code, "name": f"Party {code}"})
    other = api.post("/api/v1/contracts", json=dict(SEED_CONTRACT, total_amount="65000000.00", tranches=[
        {"seq": 1, "amount": "65000000.00", "due": {"kind": "on_or_before", "date": "2026-10-30"}}])).get_json()["id"]
    assert pay(api, seeded, "978282.00", "2026-07-10", "B-1").status_code == 201
    assert api.post(f"/api/v1/contracts/{other}/payments", as_=("buyer", "b1"), json={
        "amount": "1000000.00", "paid_on": "2026-10-10", "bank_reference": "O-1"}).status_code == 201
    stmt = tmp_path / "s.csv"
    stmt.write_text("交易日期,交易流水号,对方户名,对方账号,摘要,贷方发生额,借方发生额\n"
                    "2026-10-15,U-1,北京某科技有限公司,6222,货款,\"5,000.00\",\n", encoding="utf-8")
    assert runner.invoke(args=["bank", "import", str(stmt), "--account", "0200003319210012727"]).exit_code == 0
    for closed in (False, True):
        if closed:
            assert runner.invoke(args=["month", "close", "2026-10"]).exit_code == 0
        mine = api.get("/api/v1/reports/reconciliation?month=2026-10", as_=BUYER).get_json()
        assert [c["code"] for c in mine["contracts"]] == ["DS-12345-2026"]
        c = mine["contracts"][0]
        # every total is the seed's own: 4 months earned (652,188.00), 978,282.00 paid
        assert mine["contract_total"] == "1956564.00" == c["total_amount"]
        assert (mine["totals"]["earned_to_date"], mine["totals"]["paid_to_date"], mine["totals"]["contracts"]) == \
            ("652188.00", "978282.00", 1)
        assert mine["series"][-1] == {"month": "2026-10", "earned": "652188.00", "invoiced": "0.00",
                                      "paid": "978282.00"}
        assert mine["bank_lines"]["unmatched"] == [] and mine["probable_duplicates"] == []
        # the lead vendor holds the statement account: it sees the month's unmatched credit (未达账项)
        vendor = api.get("/api/v1/reports/reconciliation?month=2026-10", as_=VENDOR).get_json()
        assert [b["serial"] for b in vendor["bank_lines"]["unmatched"]] == ["U-1"]
        assert vendor["bank_lines"]["unmatched_total"] == "5000.00"
        admin = api.get("/api/v1/reports/reconciliation?month=2026-10").get_json()
        assert admin["contract_total"] == "66956564.00" and admin["totals"]["contracts"] == 2


def test_unmatch_reverses_the_payment_and_duplicates_are_flagged(api, runner, seeded, tmp_path):
    # an API payment of T2 on 11-26, and the same transfer on the statement on 11-27 (memo names the
    # contract, the payer is the buyer): a probable duplicate once the statement line stays unmatched
    assert pay(api, seeded, "978282.00", "2026-07-10", "B-1").status_code == 201
    assert pay(api, seeded, "586969.20", "2026-11-26", "B-2", payer_account="0109000123456789").status_code == 201
    stmt = tmp_path / "s.csv"
    stmt.write_text("交易日期,交易流水号,对方户名,对方账号,摘要,贷方发生额,借方发生额\n"
                    "2026-11-27,D-1,北京市西城区人民政府德胜街道办事处,0109000123456789,第二笔服务费,\"586,969.20\",\n",
                    encoding="utf-8")
    out = runner.invoke(args=["bank", "import", str(stmt), "--account", "0200003319210012727"]).output
    assert "matched 0, unmatched 1" in out        # T2 is paid: no tranche has 586,969.20 outstanding
    rep = api.get("/api/v1/reports/reconciliation?month=2026-11").get_json()
    assert [(d["bank_line_serial"], d["contract_code"], d["amount"], d["payment_date"])
            for d in rep["probable_duplicates"]] == [("D-1", "DS-12345-2026", "586969.20", "2026-11-26")]
    # the clerk reverses the API entry and matches the bank line instead, then changes their mind
    pid = api.get(f"/api/v1/contracts/{seeded}/payments", as_=BUYER).get_json()["items"][1]["id"]
    assert api.post(f"/api/v1/contracts/{seeded}/payments/{pid}/reverse", as_=BUYER,
                    json={"reason": "与银行流水重复"}).status_code == 201
    line = api.get("/api/v1/bank-lines?status=unmatched").get_json()["items"][0]
    m = api.post(f"/api/v1/bank-lines/{line['id']}/match", json={"contract_id": seeded})
    assert m.status_code == 200 and m.get_json()["payment"]["allocations"] == [{"tranche_seq": 2, "amount": "586969.20"}]
    bank_pid = m.get_json()["payment"]["id"]
    assert api.post(f"/api/v1/contracts/{seeded}/payments/{bank_pid}/reverse", as_=BUYER,
                    json={"reason": "x"}).status_code == 409          # unmatch the bank line instead
    u = api.post(f"/api/v1/bank-lines/{line['id']}/unmatch", json={"reason": "匹配错误"})
    assert u.status_code == 200 and (u.get_json()["status"], u.get_json()["payment_id"]) == ("unmatched", None)
    assert get(api, seeded, "settlement", "2026-11-30")["paid_total"] == "978282.00"
    assert api.post(f"/api/v1/bank-lines/{line['id']}/unmatch", json={"reason": "again"}).status_code == 409


def test_reconcile_publishes_what_its_positions_show_once(api, runner, seeded, tmp_path):
    """The reconcile's report positions name the contracts the sweep must publish for: T2 unpaid
    after 2026-11-30 gives the vendor the 6.2 suspension right from 12-01, published once."""
    assert pay(api, seeded, "978282.00", "2026-07-10", "B-1").status_code == 201
    out = runner.invoke(args=["reconcile", "--month", "2026-12", "--out", str(tmp_path), "--format", "json"]).output
    assert "swept 0 deemed acceptance(s), 1 right(s)" in out, out
    out = runner.invoke(args=["reconcile", "--month", "2026-12", "--out", str(tmp_path), "--format", "json"]).output
    assert "swept 0 deemed acceptance(s), 0 right(s)" in out, out
    events = [e for e in api.get("/api/v1/events", as_=VENDOR).get_json()["items"] if e["type"] == "right.arose"]
    assert [(e["data"]["right"], e["data"]["arose_on"]) for e in events] == [("vendor_suspend_service", "2026-12-01")]
