"""Model-based test (issue 11): random lifecycles of the seed contract through the API; after
every step the readers must agree and nothing may answer 5xx.

Operations: payments (with set-offs), refunds, reversals, invoices, red-letter reversals,
agreements and their confirmation, audit opinions, responses, completion, rectifications,
penalties, terminations, a calendar load, month close; "today" moves forward between them
(facts are never in the future).
"""
from __future__ import annotations

import os
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from tests.conftest import BUYER, VENDOR, reset_database, shanghai

CAL_2027 = Path(__file__).parent.parent / "fixtures" / "calendar-2027-example.json"
EXAMPLES = int(os.environ.get("MODEL_EXAMPLES", "15"))
STEPS = int(os.environ.get("MODEL_STEPS", "18"))
REFUSALS = {403, 404, 409, 422}


def money(d: Decimal) -> str:
    return f"{d:.2f}"


def test_readers_agree_on_random_lifecycles(app, api, runner, today):
    class Lifecycle(RuleBasedStateMachine):
        @initialize(start=st.sampled_from([date(2026, 6, 11), date(2026, 11, 20), date(2027, 3, 1),
                                           date(2027, 7, 10)]))
        def seed(self, start):
            reset_database(app)
            api.tokens.clear()
            result = runner.invoke(args=["seed", "demo"])
            assert result.exit_code == 0, result.output
            self.cid = api.get("/api/v1/contracts?code=DS-12345-2026").get_json()["items"][0]["id"]
            self.day = start
            today.move_to(shanghai(self.day.isoformat()))
            self.refs = 0
            from tests.api.test_invoice_platform import register_ids
            register_ids(api)

        # -- helpers ---------------------------------------------------------------------------
        def call(self, method, path, who, body=None):
            r = api.call(method, path, as_=who, json=body)
            assert r.status_code < 500, (method, path, body, r.get_data(as_text=True))
            assert r.status_code in (200, 201) or r.status_code in REFUSALS, (path, r.status_code, r.get_json())
            return r

        def post(self, path, body, who=BUYER):
            return self.call("POST", f"/api/v1/contracts/{self.cid}{path}", who, body)

        def view(self, name, as_of=None):
            r = self.call("GET", f"/api/v1/contracts/{self.cid}/{name}?as_of={(as_of or self.day).isoformat()}", BUYER)
            assert r.status_code == 200, r.get_json()
            return r.get_json()

        def ref(self):
            self.refs += 1
            return f"M-{self.refs}"

        # -- time ------------------------------------------------------------------------------
        @rule(days=st.integers(1, 75))
        def advance(self, days):
            self.day = min(self.day + timedelta(days=days), date(2028, 6, 30))
            today.move_to(shanghai(self.day.isoformat()))

        # -- money -----------------------------------------------------------------------------
        @rule(share=st.sampled_from([Decimal("0.01"), Decimal("0.3"), Decimal("0.5"), Decimal("1"), Decimal("1.2")]),
              seq=st.sampled_from([None, 1, 2, 3]), set_off=st.booleans())
        def pay(self, share, seq, set_off):
            before = self.view("settlement", date(2090, 12, 31))
            outstanding = max(Decimal(before["value"]) - Decimal(before["paid_total"]), Decimal("1.00"))
            amount = max((outstanding * share).quantize(Decimal("0.01")), Decimal("0.01"))
            body = {"amount": money(amount), "paid_on": self.day.isoformat(), "bank_reference": self.ref()}
            if seq is not None:
                body["tranche_seq"] = seq
            pen = Decimal(before["penalties"]["outstanding"])
            if set_off and pen > 0:
                body["set_off"] = money(min(pen, amount))
            now = self.view("settlement")
            r = self.post("/payments", body)
            if r.status_code == 201:
                # 5.1.1: the cap is the value as known now (an audit or a termination on file today,
                # every agreement signed, whatever its effective date), whatever the payment's date
                after, later = self.view("settlement"), self.view("settlement", date(2090, 12, 31))
                cap = max(Decimal(now["value"]), Decimal(before["value"]))
                assert Decimal(after["paid_total"]) <= cap, (now, before, after)
                assert Decimal(later["paid_total"]) == Decimal(after["paid_total"])

        @rule(share=st.sampled_from([Decimal("0.5"), Decimal("1"), Decimal("1.1")]))
        def refund(self, share):
            s = self.view("settlement")
            due = Decimal(s["refundable"])
            if due <= 0:
                return
            r = self.post("/refunds", {"amount": money(max((due * share).quantize(Decimal("0.01")), Decimal("0.01"))),
                                       "refunded_on": self.day.isoformat(), "bank_reference": self.ref()}, VENDOR)
            assert (r.status_code == 201) == (share <= 1), r.get_json()

        @rule(pick=st.integers(0, 5))
        def reverse_payment(self, pick):
            items = self.call("GET", f"/api/v1/contracts/{self.cid}/payments?page_size=200", BUYER).get_json()["items"]
            live = [p for p in items if p["reversal"] is None]
            if live:
                p = live[pick % len(live)]
                self.post(f"/{'payments' if p['kind'] == 'payment' else 'refunds'}/{p['id']}/reverse",
                          {"reason": "录入错误"})

        @rule(seq=st.sampled_from([1, 2, 3]), part=st.sampled_from([None, Decimal("0.5")]))
        def invoice(self, seq, part):
            from tests.api.test_invoice_platform import invoice_body, platform_number
            url = f"/api/v1/contracts/{self.cid}/invoice-request?tranche_seq={seq}&issued_on={self.day}"
            r = self.call("GET", url, VENDOR)
            if r.status_code != 200:
                return
            amount = Decimal(r.get_json()["amount"])
            if part is not None:
                amount = max((amount * part).quantize(Decimal("0.01")), Decimal("0.01"))
                r = self.call("GET", url + f"&amount={money(amount)}", VENDOR)
            req = r.get_json()
            res = self.call("POST", f"/api/v1/contracts/{self.cid}/invoices", VENDOR,
                            invoice_body(seq, self.day.isoformat(), req["amount"], rate=req["rate"]))
            assert res.status_code in (201, 409), res.get_json()

        @rule(pick=st.integers(0, 5), share=st.sampled_from([None, Decimal("0.3")]))
        def red_letter(self, pick, share):
            from tests.api.test_invoice_platform import platform_number
            items = self.call("GET", f"/api/v1/contracts/{self.cid}/invoices?page_size=200", BUYER).get_json()["items"]
            live = [i for i in items if not i["red_letter"] and Decimal(i["left"]) > 0]
            if not live:
                return
            inv = live[pick % len(live)]
            body = {"number": platform_number(self.day.isoformat()), "issued_on": self.day.isoformat(), "reason": "冲红"}
            if share is not None:
                body["amount"] = money(max((Decimal(inv["left"]) * share).quantize(Decimal("0.01")), Decimal("0.01")))
            r = self.call("POST", f"/api/v1/invoices/{inv['id']}/reverse", VENDOR, body)
            assert r.status_code in (201, 409), r.get_json()

        # -- agreements, audit, remedies ------------------------------------------------------------
        @rule(total=st.sampled_from(["1900000.00", "2000000.00", "1956564.00"]), confirm=st.booleans())
        def amend(self, total, confirm):
            eff = max(self.day, date(2026, 7, 1))
            r = self.post("/amendments", {"signed_on": self.day.isoformat(), "effective_from": eff.isoformat(),
                                          "total_amount": total, "approval_reference": "书面确认"})
            if r.status_code == 201 and confirm:
                self.post(f"/amendments/{r.get_json()['id']}/confirm", {}, VENDOR)

        @rule(amount=st.sampled_from(["1200000.00", "1500000.00", "1950000.00", "2100000.00"]))
        def deliver(self, amount):
            self.post("/audit-opinions", {"audited_amount": amount, "delivered_on": self.day.isoformat()})

        @rule(amount=st.sampled_from(["1200000.00", "1956564.00"]), wait=st.integers(0, 12),
              decision=st.sampled_from(["accept", "object", None]))
        def audit_cycle(self, amount, wait, decision):
            """An opinion, some days, maybe an answer, then completion when the service allows it."""
            self.deliver(amount)
            self.advance(wait) if wait else None
            if decision:
                self.respond(decision)
            self.advance(8)
            self.complete()

        @rule(decision=st.sampled_from(["accept", "object"]))
        def respond(self, decision):
            ops = self.view("audit-opinions")
            if ops:
                self.post(f"/audit-opinions/{ops[-1]['id']}/response",
                          {"decision": decision, "responded_on": self.day.isoformat(), "reason": "理由"}, VENDOR)

        @rule()
        def complete(self):
            ops = self.view("audit-opinions")
            if ops:
                self.post(f"/audit-opinions/{ops[-1]['id']}/complete", {})

        @rule()
        def rectify(self):
            self.post("/rectifications", {"noticed_on": self.day.isoformat(), "description": "未达标"})

        @rule()
        def penalty(self):
            self.post("/penalties", {"amount": "1000.00", "claimed_on": self.day.isoformat(), "clause": "4.1.5",
                                     "reason": "更换人员超期"})

        @rule(kind=st.sampled_from(["buyer_convenience", "buyer_for_cause", "vendor_nonpayment"]))
        def terminate(self, kind):
            who = VENDOR if kind == "vendor_nonpayment" else BUYER
            self.post("/terminations", {"kind": kind, "notice_on": self.day.isoformat()}, who)

        @rule()
        def load_calendar(self):
            assert runner.invoke(args=["calendar", "load", str(CAL_2027)]).exit_code == 0

        @rule()
        def close_last_month(self):
            first = self.day.replace(day=1) - timedelta(days=1)
            runner.invoke(args=["month", "close", f"{first:%Y-%m}"])

        # -- what must always hold ----------------------------------------------------------------------
        @invariant()
        def readers_agree(self):
            if not hasattr(self, "cid"):
                return
            sched, settle = self.view("schedule"), self.view("settlement")
            earned = self.view("earned")
            r = self.call("GET", f"/api/v1/reports/reconciliation?month={self.day:%Y-%m}&as_of={self.day}", BUYER)
            rep = r.get_json()["contracts"][0]
            amounts = sum((Decimal(t["amount"]) for t in sched["tranches"]), Decimal("0"))
            assert money(amounts) == sched["value"] == settle["value"]          # tranches sum to the value
            paid = sum((Decimal(t["paid"]) for t in sched["tranches"]), Decimal("0"))
            assert money(paid) == settle["paid_total"] == rep["paid_to_date"]
            assert earned["earned_to_date"] == rep["earned_to_date"]
            assert settle["status"] == rep["settlement_status"]
            invs = self.call("GET", f"/api/v1/contracts/{self.cid}/invoices?page_size=200", BUYER).get_json()["items"]
            for t in sched["tranches"]:
                mine = [i for i in invs if i["tranche_seq"] == t["seq"]]
                assert t["invoice_late"] == any(i["late"] for i in mine), (t, mine)
                assert t["invoiced"] == money(sum((Decimal(i["total"]) for i in mine if i["issued_on"] <= self.day.isoformat()), Decimal("0")))
            # the event feed replays the API's payments
            events = self.call("GET", "/api/v1/events?limit=500", VENDOR).get_json()["items"]
            recorded = {e["entity_id"] for e in events if e["type"] in ("payment.recorded", "payment.refunded")}
            reversed_ = {e["entity_id"] for e in events if e["type"] in ("payment.reversed", "refund.reversed")}
            listed = self.call("GET", f"/api/v1/contracts/{self.cid}/payments?page_size=200", BUYER).get_json()["items"]
            assert recorded == {str(p["id"]) for p in listed}
            assert reversed_ == {str(p["id"]) for p in listed if p["reversal"] is not None}

    run_state_machine_as_test(Lifecycle, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))
