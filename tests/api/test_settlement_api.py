"""Payments, audit and final settlement, remedies, termination and amendments (issue 4)."""
from __future__ import annotations

import copy

import pytest

from tests.api.test_contracts_api import SEED_CONTRACT, problem
from tests.conftest import BUYER, MEMBER, VENDOR, shanghai


def pay(api, cid, amount, paid_on, ref, **extra):
    return api.post(f"/api/v1/contracts/{cid}/payments",
                    json={"amount": amount, "paid_on": paid_on, "bank_reference": ref, **extra}, as_=BUYER)


def schedule(api, cid, as_of):
    return api.get(f"/api/v1/contracts/{cid}/schedule?as_of={as_of}", as_=BUYER).get_json()["tranches"]


def settlement(api, cid, as_of):
    return api.get(f"/api/v1/contracts/{cid}/settlement?as_of={as_of}", as_=VENDOR).get_json()


def rights(api, cid, as_of):
    body = api.get(f"/api/v1/contracts/{cid}/rights?as_of={as_of}", as_=BUYER).get_json()
    return {(r["right"], r["tranche_seq"]): r["arose_on"] for r in body["rights"]}


# -- payments ---------------------------------------------------------------------------

def test_payment_allocates_and_spills(api, seeded):
    r = pay(api, seeded, "1000000.00", "2026-07-10", "B-1")
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["allocations"] == [{"tranche_seq": 1, "amount": "978282.00"},
                                           {"tranche_seq": 2, "amount": "21718.00"}]
    t1, t2, _ = schedule(api, seeded, "2026-07-14")
    assert (t1["paid"], t1["outstanding"], t1["status"]) == ("978282.00", "0.00", "paid")
    assert (t2["paid"], t2["outstanding"], t2["status"]) == ("21718.00", "565251.20", "partially_paid")
    listing = api.get(f"/api/v1/contracts/{seeded}/payments", as_=VENDOR).get_json()
    assert listing["total"] == 1 and listing["items"][0]["bank_reference"] == "B-1"


def test_payment_to_a_named_tranche(api, seeded):
    r = pay(api, seeded, "100.00", "2026-07-10", "B-2", tranche_seq=2)
    assert r.get_json()["allocations"] == [{"tranche_seq": 2, "amount": "100.00"}]
    r = pay(api, seeded, "1.00", "2026-07-10", "B-3", tranche_seq=9)
    assert r.status_code == 422 and problem(r)["errors"] == {"tranche_seq": ["no tranche 9"]}


def test_over_payment_is_409_with_the_figures(api, seeded):
    assert pay(api, seeded, "978282.00", "2026-07-10", "B-1").status_code == 201
    r = pay(api, seeded, "978282.01", "2026-11-20", "B-2")
    assert r.status_code == 409
    body = problem(r)
    assert body["detail"] == ("paying 978282.01 would exceed the payable total 1956564.00: "
                              "978282.00 is paid, 978282.00 remains")
    assert (body["paid_total"], body["payable_total"], body["remaining"]) == ("978282.00", "1956564.00", "978282.00")


def test_payment_rules(api, seeded):
    assert pay(api, seeded, "10.00", "2026-07-10", "B-1").status_code == 201
    dup = pay(api, seeded, "10.00", "2026-07-11", "B-1")
    assert dup.status_code == 409 and "already recorded" in problem(dup)["detail"]
    assert pay(api, seeded, "0.00", "2026-07-10", "B-9").status_code == 422
    assert pay(api, seeded, "10.001", "2026-07-10", "B-9").status_code == 422
    early = pay(api, seeded, "10.00", "2026-06-01", "B-9")
    assert early.status_code == 422 and "paid_on" in problem(early)["errors"]
    r = api.post(f"/api/v1/contracts/{seeded}/payments",
                 json={"amount": "1.00", "paid_on": "2026-07-10", "bank_reference": "V"}, as_=VENDOR)
    assert r.status_code == 403


# -- late payment and rights (6.2) ---------------------------------------------------------

def test_sixty_day_right_first_day_and_suspension(api, seeded):
    assert pay(api, seeded, "978282.00", "2026-07-10", "B-1").status_code == 201
    assert rights(api, seeded, "2026-11-30") == {}
    assert rights(api, seeded, "2026-12-01") == {("vendor_suspend_service", 2): "2026-12-01"}
    assert rights(api, seeded, "2027-01-29") == {("vendor_suspend_service", 2): "2026-12-01"}
    assert rights(api, seeded, "2027-01-30") == {("vendor_suspend_service", 2): "2026-12-01",
                                                 ("vendor_terminate", 2): "2027-01-30"}
    t2 = schedule(api, seeded, "2027-01-30")[1]
    assert (t2["status"], t2["days_overdue"]) == ("overdue", 61)


def test_delay_notice_removes_the_suspension_right_only(api, seeded):
    assert pay(api, seeded, "978282.00", "2026-07-10", "B-1").status_code == 201
    r = api.post(f"/api/v1/contracts/{seeded}/delay-notices",
                 json={"tranche_seq": 2, "given_on": "2026-12-02", "explanation": "财政资金拨付延迟"}, as_=BUYER)
    assert r.status_code == 201, r.get_json()
    assert rights(api, seeded, "2026-12-01") == {("vendor_suspend_service", 2): "2026-12-01"}
    assert rights(api, seeded, "2026-12-05") == {}
    assert rights(api, seeded, "2027-01-30") == {("vendor_terminate", 2): "2027-01-30"}


def test_late_payment_ends_the_rights(api, seeded):
    assert pay(api, seeded, "978282.00", "2026-07-10", "B-1").status_code == 201
    assert pay(api, seeded, "586969.20", "2026-12-10", "B-2").status_code == 201
    assert rights(api, seeded, "2026-12-09") == {("vendor_suspend_service", 2): "2026-12-01"}
    assert rights(api, seeded, "2026-12-10") == {}
    t2 = schedule(api, seeded, "2026-12-05")[1]
    assert (t2["status"], t2["days_overdue"], t2["paid"]) == ("overdue", 5, "0.00")
    assert schedule(api, seeded, "2026-12-10")[1]["status"] == "paid"


# -- the audit and final settlement (5.1.1) ----------------------------------------------------

def deliver(api, cid, amount, on, as_=BUYER):
    return api.post(f"/api/v1/contracts/{cid}/audit-opinions",
                    json={"audited_amount": amount, "delivered_on": on, "reference": "审计报告"}, as_=as_)


def respond(api, cid, oid, decision, on, reason=None):
    body = {"decision": decision, "responded_on": on}
    if reason is not None:
        body["reason"] = reason
    return api.post(f"/api/v1/contracts/{cid}/audit-opinions/{oid}/response", json=body, as_=VENDOR)


def test_seed_year_walk_object_revise_deemed_complete_pay(api, runner, seeded, today):
    assert pay(api, seeded, "978282.00", "2026-07-10", "B-1").status_code == 201
    assert pay(api, seeded, "586969.20", "2026-12-10", "B-2").status_code == 201  # late
    assert settlement(api, seeded, "2027-07-01")["status"] == "awaiting_opinion"

    today.move_to(shanghai("2027-07-15"))
    r = deliver(api, seeded, "1900000.00", "2027-07-15")
    assert r.status_code == 201, r.get_json()
    first = r.get_json()
    assert (first["objection_deadline"], first["provisional"], first["status"]) == ("2027-07-22", True, "awaiting_vendor")
    today.move_to(shanghai("2027-07-20"))
    no_reason = respond(api, seeded, first["id"], "object", "2027-07-20")
    assert no_reason.status_code == 422 and problem(no_reason)["errors"] == {"reason": ["required to object"]}
    r = respond(api, seeded, first["id"], "object", "2027-07-20", "漏计7月加班席位")
    assert r.status_code == 200 and r.get_json()["status"] == "disputed"
    assert settlement(api, seeded, "2027-07-21")["status"] == "disputed"

    today.move_to(shanghai("2027-07-26"))
    r = deliver(api, seeded, "1950000.00", "2027-07-26")
    second = r.get_json()
    assert second["objection_deadline"] == "2027-08-02"
    s = settlement(api, seeded, "2027-08-02")
    # on the deadline the vendor may still answer: the opinion does not bind, no balance yet
    assert (s["status"], s["audited_amount"], s["balance"], s["value_basis"]) == \
        ("awaiting_vendor", "1950000.00", None, "contract")
    s = settlement(api, seeded, "2027-08-03")
    assert (s["status"], s["direction"], s["balance"]) == ("deemed_accepted", "buyer_pays", "384748.80")

    today.move_to(shanghai("2027-08-03"))
    late = respond(api, seeded, second["id"], "accept", "2027-08-03")
    assert late.status_code == 409
    assert problem(late)["detail"] == ("the objection window closed on 2027-08-02: the opinion was deemed "
                                       "accepted on 2027-08-02 (clause 5.1.1)")

    swept = runner.invoke(args=["settlement", "sweep", "--as-of", "2027-08-03"])
    assert swept.exit_code == 0 and "1 deemed acceptance(s)" in swept.output
    again = runner.invoke(args=["settlement", "sweep", "--as-of", "2027-08-03"])
    assert "0 deemed acceptance(s), 0 right(s)" in again.output

    r = api.post(f"/api/v1/contracts/{seeded}/audit-opinions/{second['id']}/complete", json={}, as_=BUYER)
    assert r.status_code == 200 and r.get_json()["completed_on"] == "2027-08-02"
    # the deemed acceptance is dated the deadline; completion defaults to it; due 15 working days on
    assert (r.get_json()["status"], r.get_json()["binding_on"]) == ("deemed_accepted", "2027-08-02")
    s = settlement(api, seeded, "2027-08-05")
    assert (s["status"], s["final_tranche_due_date"], s["final_tranche_amount"]) == \
        ("completed", "2027-08-23", "384748.80")
    t3 = schedule(api, seeded, "2027-08-05")[2]
    assert (t3["amount"], t3["nominal"], t3["due_date"], t3["invoice_due_date"], t3["status"]) == \
        ("384748.80", False, "2027-08-23", "2027-08-18", "not_due")
    assert schedule(api, seeded, "2027-08-18")[2]["status"] == "due"

    today.move_to(shanghai("2027-08-20"))
    over = pay(api, seeded, "384748.81", "2027-08-20", "B-3")
    assert over.status_code == 409
    assert pay(api, seeded, "384748.80", "2027-08-20", "B-3").get_json()["allocations"] == \
        [{"tranche_seq": 3, "amount": "384748.80"}]
    s = settlement(api, seeded, "2027-08-20")
    assert (s["status"], s["balance"], s["direction"]) == ("settled", "0.00", "settled")


def test_audit_below_paid_means_a_refund(api, seeded):
    assert pay(api, seeded, "978282.00", "2026-07-10", "B-1").status_code == 201
    assert pay(api, seeded, "586969.20", "2026-11-27", "B-2").status_code == 201
    op = deliver(api, seeded, "1500000.00", "2027-07-15").get_json()
    assert respond(api, seeded, op["id"], "accept", "2027-07-16").get_json()["status"] == "accepted"
    s = settlement(api, seeded, "2027-07-16")
    assert (s["status"], s["balance"], s["direction"], s["final_tranche_amount"]) == \
        ("accepted", "-65251.20", "vendor_refunds", "-65251.20")
    done = api.post(f"/api/v1/contracts/{seeded}/audit-opinions/{op['id']}/complete", json={}, as_=BUYER)
    assert done.get_json()["completed_on"] == "2027-07-16"
    assert pay(api, seeded, "0.01", "2027-07-20", "B-3").status_code == 409
    too_much = api.post(f"/api/v1/contracts/{seeded}/refunds", as_=VENDOR,
                        json={"amount": "65251.21", "refunded_on": "2027-07-30", "bank_reference": "R-1"})
    assert too_much.status_code == 409
    r = api.post(f"/api/v1/contracts/{seeded}/refunds", as_=VENDOR,
                 json={"amount": "65251.20", "refunded_on": "2027-07-30", "bank_reference": "R-1"})
    assert r.status_code == 201
    s = settlement(api, seeded, "2027-07-30")
    assert (s["status"], s["paid_total"], s["balance"]) == ("settled", "1500000.00", "0.00")


@pytest.mark.today("2027-07-20")
def test_complete_needs_a_binding_opinion_and_roles(api, seeded):
    op = deliver(api, seeded, "1900000.00", "2027-07-15").get_json()
    r = api.post(f"/api/v1/contracts/{seeded}/audit-opinions/{op['id']}/complete",
                 json={"completed_on": "2027-07-20"}, as_=BUYER)
    # window: 5 working days after 07-15 → 07-22 (estimated 2027 calendar); completion from 07-23
    assert r.status_code == 409 and problem(r)["detail"] == (
        f"opinion {op['id']} is not binding yet: the vendor may answer until 2027-07-22; completion can be "
        "recorded from 2027-07-23")
    assert problem(r)["completable_from"] == "2027-07-23"
    assert deliver(api, seeded, "1.00", "2027-07-15", as_=VENDOR).status_code == 403
    assert respond(api, seeded, 9999, "accept", "2027-07-16").status_code == 404


@pytest.fixture
def early_contract(api):
    """A contract signed early in 2026, to put audit windows over the 2026 holidays."""
    for code in ("b1", "v1"):
        api.post("/api/v1/parties", json={"code": code, "name": code})
    body = copy.deepcopy(SEED_CONTRACT)
    body.update(signed_on="2026-01-05", service_start="2026-01-05", service_end="2026-12-31")
    body["tax_rates"][0]["effective_from"] = "2026-01-05"
    r = api.post("/api/v1/contracts", json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


@pytest.mark.parametrize("delivered, deadline", [
    ("2026-09-30", "2026-10-13"),   # over National Day: 10-08, 10-09, Sat 10-10 (make-up), 10-12, 10-13
    ("2026-02-12", "2026-02-26"),   # 02-13, Sat 02-14 (make-up), Spring Festival 02-15..23, 02-24, 25, 26
])
def test_objection_window_over_holidays(api, early_contract, delivered, deadline):
    op = api.post(f"/api/v1/contracts/{early_contract}/audit-opinions",
                  json={"audited_amount": "1900000.00", "delivered_on": delivered}).get_json()
    assert (op["objection_deadline"], op["provisional"]) == (deadline, False)


# -- rectifications, termination (6.3, 6.2, 10.2) ---------------------------------------------

def test_three_rectifications_open_termination_for_cause(api, seeded):
    assert pay(api, seeded, "978282.00", "2026-07-10", "B-1").status_code == 201
    for on in ("2026-08-10", "2026-09-10", "2026-10-12"):
        r = api.post(f"/api/v1/contracts/{seeded}/rectifications",
                     json={"noticed_on": on, "description": "接通率未达标"}, as_=BUYER)
        assert r.status_code == 201
    assert rights(api, seeded, "2026-10-11") == {}
    assert rights(api, seeded, "2026-10-12") == {("buyer_terminate_for_cause", None): "2026-10-12"}
    early = api.post(f"/api/v1/contracts/{seeded}/terminations",
                     json={"kind": "buyer_for_cause", "notice_on": "2026-10-11"}, as_=BUYER)
    assert early.status_code == 409 and "no buyer_terminate_for_cause" in problem(early)["detail"]
    r = api.post(f"/api/v1/contracts/{seeded}/terminations",
                 json={"kind": "buyer_for_cause", "notice_on": "2026-10-20"}, as_=BUYER)
    assert r.status_code == 201, r.get_json()
    assert r.get_json() == {"contract_id": seeded, "kind": "buyer_for_cause", "notice_on": "2026-10-20",
                            "effective_on": "2026-10-20", "earned": "652188.00", "paid_total": "978282.00",
                            "refund_due": "326094.00", "balance_due": "0.00", "penalty": "19565.64",
                            # 15 working days after 10-20: 10-21..23, 10-26..30, 11-02..06, 11-09, 11-10
                            "settlement_due_on": "2026-11-10", "penalties_outstanding": "19565.64"}
    again = api.post(f"/api/v1/contracts/{seeded}/terminations",
                     json={"kind": "buyer_convenience", "notice_on": "2026-10-21"}, as_=BUYER)
    assert again.status_code == 409


def test_a_failed_rectification_opens_the_right_at_once(api, seeded):
    assert pay(api, seeded, "978282.00", "2026-07-10", "B-1").status_code == 201
    r = api.post(f"/api/v1/contracts/{seeded}/rectifications",
                 json={"noticed_on": "2026-08-10", "description": "x"}, as_=BUYER).get_json()
    out = api.post(f"/api/v1/contracts/{seeded}/rectifications/{r['id']}/outcome",
                   json={"outcome": "refused", "outcome_on": "2026-08-15"}, as_=BUYER)
    assert out.status_code == 200
    assert rights(api, seeded, "2026-08-15") == {("buyer_terminate_for_cause", None): "2026-08-15"}


def test_convenience_termination_three_months(api, seeded):
    assert pay(api, seeded, "978282.00", "2026-07-10", "B-1").status_code == 201
    assert pay(api, seeded, "586969.20", "2026-11-20", "B-2").status_code == 201
    r = api.post(f"/api/v1/contracts/{seeded}/terminations",
                 json={"kind": "buyer_convenience", "notice_on": "2026-11-24"}, as_=BUYER)
    assert r.status_code == 201, r.get_json()
    body = api.get(f"/api/v1/contracts/{seeded}/termination", as_=VENDOR).get_json()
    assert (body["effective_on"], body["earned"], body["paid_total"], body["refund_due"], body["penalty"]) == \
        ("2027-02-24", "1304376.00", "1565251.20", "260875.20", "0.00")
    wrong_side = api.post(f"/api/v1/contracts/{seeded}/terminations",
                          json={"kind": "buyer_convenience", "notice_on": "2026-11-24"}, as_=VENDOR)
    assert wrong_side.status_code == 403


def test_vendor_termination_for_nonpayment(api, seeded):
    assert pay(api, seeded, "978282.00", "2026-07-10", "B-1").status_code == 201
    early = api.post(f"/api/v1/contracts/{seeded}/terminations",
                     json={"kind": "vendor_nonpayment", "notice_on": "2027-01-29"}, as_=VENDOR)
    assert early.status_code == 409
    r = api.post(f"/api/v1/contracts/{seeded}/terminations",
                 json={"kind": "vendor_nonpayment", "notice_on": "2027-01-30"}, as_=VENDOR)
    assert r.status_code == 201
    assert (r.get_json()["earned"], r.get_json()["balance_due"]) == ("1141329.00", "163047.00")
    refused = pay(api, seeded, "586969.20", "2027-02-05", "B-2")
    assert refused.status_code == 409 and "terminated" in problem(refused)["detail"]
    assert pay(api, seeded, "163047.00", "2027-02-05", "B-2").status_code == 201


# -- amendments (5.1.2, 12.3) -----------------------------------------------------------------

def test_amendment_raising_the_total(api, seeded):
    assert pay(api, seeded, "978282.00", "2026-07-10", "B-1").status_code == 201
    no_approval = api.post(f"/api/v1/contracts/{seeded}/amendments", as_=BUYER,
                           json={"signed_on": "2026-12-15", "effective_from": "2027-01-01",
                                 "total_amount": "2056564.00"})
    assert no_approval.status_code == 422 and "approval_reference" in problem(no_approval)["errors"]
    r = api.post(f"/api/v1/contracts/{seeded}/amendments", as_=BUYER,
                 json={"signed_on": "2026-12-15", "effective_from": "2027-01-01", "total_amount": "2056564.00",
                       "approval_reference": "德胜街道书面确认函〔2026〕12号", "description": "增加夜间席位"})
    assert r.status_code == 201, r.get_json()
    assert [t["amount"] for t in r.get_json()["tranches"]] == ["978282.00", "586969.20", "491312.80"]
    assert r.get_json()["status"] == "awaiting_vendor"
    assert schedule(api, seeded, "2027-01-05")[2]["amount"] == "391312.80"   # not in force until confirmed
    c = api.post(f"/api/v1/contracts/{seeded}/amendments/{r.get_json()['id']}/confirm",
                 json={"confirmed_on": "2026-12-16"}, as_=VENDOR)
    assert c.status_code == 200 and c.get_json()["status"] == "in_force", c.get_json()
    assert schedule(api, seeded, "2026-12-20")[2]["amount"] == "391312.80"
    assert schedule(api, seeded, "2027-01-05")[2]["amount"] == "491312.80"
    earned = api.get(f"/api/v1/contracts/{seeded}/earned?as_of=2027-01-05", as_=BUYER).get_json()
    assert [m["amount"] for m in earned["months"]] == ["163047.00"] * 6 + ["179713.66"] * 5 + ["179713.70"]
    assert earned["months"][-1]["cumulative"] == "2056564.00" and earned["total_amount"] == "2056564.00"
    history = api.get(f"/api/v1/contracts/{seeded}/amendments", as_=VENDOR).get_json()
    assert [a["total_amount"] for a in history] == ["2056564.00"]


def test_amendment_cannot_cut_below_paid(api, seeded):
    assert pay(api, seeded, "978282.00", "2026-07-10", "B-1").status_code == 201
    body = {"signed_on": "2026-12-15", "effective_from": "2027-01-01", "approval_reference": "x",
            "total_amount": "1900000.00",
            "tranches": [{"seq": 1, "amount": "900000.00", "due": {"kind": "months_after_signing", "months": 1}},
                         {"seq": 2, "amount": "600000.00", "due": {"kind": "on_or_before", "date": "2026-11-30"}},
                         {"seq": 3, "amount": "remainder", "due": {"kind": "working_days_after_audit", "days": 15}}]}
    r = api.post(f"/api/v1/contracts/{seeded}/amendments", json=body, as_=BUYER)
    assert r.status_code == 422
    assert problem(r)["errors"]["tranches.0.amount"] == \
        ["tranche 1 would be 900000.00, below the 978282.00 already paid"]
    body["tranches"][2]["amount"] = "1.00"
    r = api.post(f"/api/v1/contracts/{seeded}/amendments", json=body, as_=BUYER)
    assert "tranche amounts sum to 1500001.00, not the total 1900000.00" in problem(r)["errors"]["tranches"]
    assert api.post(f"/api/v1/contracts/{seeded}/amendments", json=body, as_=MEMBER).status_code == 403
