"""Integration-grade API: idempotency, journal, events, object-level authorisation, limits (issue 5)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from tests.api.test_contracts_api import problem
from tests.conftest import BUYER, MEMBER, VENDOR
from tests.api.test_invoice_platform import invoice_body, recorded, red, register_ids

PAY = {"amount": "1000.00", "paid_on": "2026-07-10", "bank_reference": "B-1"}


# -- idempotency --------------------------------------------------------------------------

def test_same_key_same_body_replays_exactly(api, seeded):
    url = f"/api/v1/contracts/{seeded}/payments"
    first = api.post(url, json=PAY, as_=BUYER, key="k-1")
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    again = api.post(url, json=PAY, as_=BUYER, key="k-1")
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.data == first.data
    listing = api.get(url, as_=BUYER).get_json()
    assert listing["total"] == 1


def test_same_key_other_body_is_422(api, seeded):
    url = f"/api/v1/contracts/{seeded}/payments"
    assert api.post(url, json=PAY, as_=BUYER, key="k-2").status_code == 201
    r = api.post(url, json={**PAY, "amount": "2000.00"}, as_=BUYER, key="k-2")
    assert r.status_code == 422
    assert problem(r)["errors"] == {"Idempotency-Key": ["already used with a different request"]}


def test_keys_are_scoped_per_party(api, seeded):
    url = f"/api/v1/contracts/{seeded}/payments"
    assert api.post(url, json=PAY, as_=BUYER, key="shared").status_code == 201
    register_ids(api)
    r = api.post(f"/api/v1/contracts/{seeded}/invoices", as_=VENDOR, key="shared",
                 json=invoice_body(1, "2026-07-06", "978282.00"))
    assert r.status_code == 201 and "Idempotent-Replayed" not in r.headers


def test_failures_are_not_stored(api, seeded):
    url = f"/api/v1/contracts/{seeded}/payments"
    bad = api.post(url, json={**PAY, "amount": "1.001"}, as_=BUYER, key="k-3")
    assert bad.status_code == 422
    good = api.post(url, json={**PAY, "amount": "1.00"}, as_=BUYER, key="k-3")
    assert good.status_code == 201 and "Idempotent-Replayed" not in good.headers


def test_vendor_must_send_a_key(api, seeded):
    r = api.post(f"/api/v1/contracts/{seeded}/invoices", as_=VENDOR, key=None,
                 json={"tranche_seq": 1, "type": "ordinary", "issued_on": "2026-07-06"})
    assert r.status_code == 400
    assert problem(r)["detail"] == "the vendor role must send an Idempotency-Key header on every POST"
    assert api.post(f"/api/v1/contracts/{seeded}/payments", json=PAY, as_=BUYER, key=None).status_code == 201


def test_key_length(api, seeded):
    r = api.post(f"/api/v1/contracts/{seeded}/payments", json=PAY, as_=BUYER, key="x" * 256)
    assert r.status_code == 422 and "Idempotency-Key" in problem(r)["errors"]


def test_retry_while_running_is_409(api, seeded):
    from settlement.api import idempotency
    idempotency._in_flight.add(("desheng:buyer", "busy-key"))
    try:
        r = api.post(f"/api/v1/contracts/{seeded}/payments", json=PAY, as_=BUYER, key="busy-key")
    finally:
        idempotency._in_flight.discard(("desheng:buyer", "busy-key"))
    assert r.status_code == 409 and r.headers["Retry-After"] == "1"
    assert "still being processed" in problem(r)["detail"]


def test_prune_keeps_keys_a_day(api, runner, seeded):
    assert api.post(f"/api/v1/contracts/{seeded}/payments", json=PAY, as_=BUYER, key="k-9").status_code == 201
    result = runner.invoke(args=["idempotency", "prune"])
    assert result.exit_code == 0 and "pruned 0 idempotency key(s) older than 24 hours" in result.output
    engine = api.app.extensions["settlement"]["engine"]
    with engine.begin() as conn:
        conn.execute(text("UPDATE idempotency_keys SET created_at = :t"), {"t": "2020-01-01 00:00:00+00:00"})
    result = runner.invoke(args=["idempotency", "prune"])
    assert "pruned 1 idempotency key(s)" in result.output
    assert runner.invoke(args=["idempotency", "prune", "--older-than-hours", "1"]).exit_code != 0


# -- journal -------------------------------------------------------------------------------

def test_journal_shows_changes_and_detects_tampering(api, runner, seeded):
    assert api.post(f"/api/v1/contracts/{seeded}/payments", json=PAY, as_=BUYER).status_code == 201
    body = api.get(f"/api/v1/contracts/{seeded}/journal", as_=VENDOR).get_json()
    assert [e["action"] for e in body["items"]] == ["contract.created", "payment.recorded"]
    pay = body["items"][-1]
    assert pay["actor"]["party"] == "desheng" and pay["actor"]["role"] == "buyer"
    assert pay["change"]["after"]["amount"] == "1000.00" and re.fullmatch(r"[0-9a-f]{64}", pay["hash"])
    assert runner.invoke(args=["journal", "verify"]).exit_code == 0
    engine = api.app.extensions["settlement"]["engine"]
    with engine.begin() as conn:
        conn.execute(text("UPDATE journal_entries SET change = :c WHERE seq = :s"),
                     {"c": '{"after": {"amount": "1.00"}}', "s": pay["seq"]})
    result = runner.invoke(args=["journal", "verify"])
    assert result.exit_code == 1
    assert f"journal BROKEN at entry {pay['seq']}: hash does not match the entry's content" in result.output


# -- events ----------------------------------------------------------------------------------

def test_event_feed_in_order_once_from_any_cursor(api, seeded):
    api.post(f"/api/v1/contracts/{seeded}/payments", json=PAY, as_=BUYER)
    register_ids(api)
    inv = recorded(api, seeded, 1, "2026-07-06", "978282.00")
    red(api, inv["id"], "2026-07-07")
    page = api.get("/api/v1/events?after=0&limit=2", as_=VENDOR).get_json()
    assert [e["type"] for e in page["items"]] == ["payment.recorded", "invoice.issued"]
    assert page["items"][1]["data"]["number"] == inv["number"]
    rest = api.get(f"/api/v1/events?after={page['next']}", as_=VENDOR).get_json()
    assert [e["type"] for e in rest["items"]] == ["invoice.reversed"]
    assert rest["items"][0]["data"]["total"] == "-978282.00"
    again = api.get(f"/api/v1/events?after={rest['next']}", as_=VENDOR).get_json()
    assert again == {"items": [], "next": rest["next"]}
    ids = [e["id"] for e in page["items"] + rest["items"]]
    assert len(set(ids)) == 3 and ids == [e["id"] for e in api.get("/api/v1/events", as_=BUYER).get_json()["items"]]
    api.post("/api/v1/parties", json={"code": "stranger", "name": "S"})
    assert api.get("/api/v1/events", as_=("vendor", "stranger")).get_json()["items"] == []
    assert api.get("/api/v1/events?after=abc", as_=VENDOR).status_code == 422


# -- object-level authorisation, roles, limits -----------------------------------------------------

@pytest.fixture
def objects(api, seeded):
    register_ids(api)
    inv = recorded(api, seeded, 1, "2026-07-06", "978282.00")
    amendment = api.post(f"/api/v1/contracts/{seeded}/amendments", as_=BUYER, json={
        "signed_on": "2026-12-01", "effective_from": "2027-01-01", "approval_reference": "x"}).get_json()
    op = api.post(f"/api/v1/contracts/{seeded}/audit-opinions", as_=BUYER,
                  json={"audited_amount": "1900000.00", "delivered_on": "2027-07-15"}).get_json()
    rect = api.post(f"/api/v1/contracts/{seeded}/rectifications", as_=BUYER,
                    json={"noticed_on": "2026-08-10", "description": "x"}).get_json()
    pay = api.post(f"/api/v1/contracts/{seeded}/payments", json=PAY, as_=BUYER).get_json()
    api.post("/api/v1/parties", json={"code": "stranger", "name": "Stranger Co"})
    return {"contract_id": seeded, "invoice_id": inv["id"], "opinion_id": op["id"], "rect_id": rect["id"],
            "payment_id": pay["id"], "amendment_id": amendment["id"]}


# Every write on a contract, a valid body, and the roles that may do it.
WRITES = [
    ("/api/v1/contracts/{contract_id}/payments", PAY, {"buyer"}),
    ("/api/v1/contracts/{contract_id}/refunds",
     {"amount": "1.00", "refunded_on": "2027-08-01", "bank_reference": "R-1"}, {"buyer", "vendor"}),
    ("/api/v1/contracts/{contract_id}/delay-notices",
     {"tranche_seq": 2, "given_on": "2026-12-02", "explanation": "x"}, {"buyer"}),
    ("/api/v1/contracts/{contract_id}/audit-opinions",
     {"audited_amount": "1.00", "delivered_on": "2027-07-20"}, {"buyer", "auditor"}),
    ("/api/v1/contracts/{contract_id}/audit-opinions/{opinion_id}/response",
     {"decision": "accept", "responded_on": "2027-07-16"}, {"vendor"}),
    ("/api/v1/contracts/{contract_id}/audit-opinions/{opinion_id}/complete", {}, {"buyer", "auditor"}),
    ("/api/v1/contracts/{contract_id}/rectifications", {"noticed_on": "2026-09-10", "description": "x"}, {"buyer"}),
    ("/api/v1/contracts/{contract_id}/rectifications/{rect_id}/outcome",
     {"outcome": "fixed", "outcome_on": "2026-08-20"}, {"buyer"}),
    ("/api/v1/contracts/{contract_id}/terminations", {"kind": "buyer_convenience", "notice_on": "2026-11-24"}, {"buyer"}),
    ("/api/v1/contracts/{contract_id}/amendments",
     {"signed_on": "2026-12-01", "effective_from": "2027-01-01", "approval_reference": "x"}, {"buyer"}),
    ("/api/v1/contracts/{contract_id}/invoices", invoice_body(2, "2026-11-20", "586969.20"), {"vendor"}),
    ("/api/v1/invoices/{invoice_id}/reverse",
     {"number": "26112000000000999999", "reason": "x", "issued_on": "2026-07-07"}, {"vendor"}),
    ("/api/v1/contracts/{contract_id}/payments/{payment_id}/reverse", {"reason": "录入错误"}, {"buyer"}),
    ("/api/v1/contracts/{contract_id}/refunds/{payment_id}/reverse", {"reason": "录入错误"}, {"buyer", "vendor"}),
    ("/api/v1/contracts/{contract_id}/penalties",
     {"amount": "1.00", "claimed_on": "2026-09-01", "clause": "6.3", "reason": "x"}, {"buyer"}),
    ("/api/v1/contracts/{contract_id}/amendments/{amendment_id}/confirm", {}, {"vendor"}),
    ("/api/v1/contracts/{contract_id}/confirm", {}, {"vendor"}),
]


def _spec_paths(api, methods):
    spec = api.client.get("/openapi.json").get_json()
    return {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops if m in methods and "{" in p
            and "{code}" not in p and "{line_id}" not in p}


def test_every_endpoint_is_404_for_another_party(api, objects):
    gets = _spec_paths(api, {"get"})
    writes = _spec_paths(api, {"post", "patch"})
    assert writes == {("POST", w[0]) for w in WRITES}, "a write endpoint is missing from WRITES"
    assert len(gets) >= 15
    for path in sorted(p for _, p in gets):
        r = api.get(path.format(**objects), as_=("buyer", "stranger"))
        assert r.status_code == 404, path
        assert "Traceback" not in r.get_data(as_text=True)
    for template, body, _ in WRITES:
        for role in ("buyer", "vendor"):
            r = api.post(template.format(**objects), json=body, as_=(role, "stranger"))
            assert r.status_code == 404, (template, role, r.get_json())


def test_every_role_that_may_not_act_is_403(api, objects):
    tokens = {"buyer": BUYER, "vendor": VENDOR}
    for template, body, allowed in WRITES:
        for role, who in tokens.items():
            if role in allowed:
                continue
            r = api.post(template.format(**objects), json=body, as_=who)
            assert r.status_code == 403, (template, role, r.get_json())
            assert problem(r)["title"] == "Forbidden"
    # A member vendor is a vendor but not the invoice issuer.
    r = api.post(f"/api/v1/contracts/{objects['contract_id']}/invoices", as_=MEMBER,
                 json=invoice_body(2, "2026-11-20", "586969.20"))
    assert r.status_code == 403


def test_body_limit_is_413(api, seeded):
    r = api.call("POST", f"/api/v1/contracts/{seeded}/payments", as_=BUYER, data="x" * (1024 * 1024 + 1),
                 headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and problem(r)["status"] == 413


def test_security_headers(api, seeded):
    r = api.get(f"/api/v1/contracts/{seeded}", as_=BUYER)
    assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["Cache-Control"] == "no-store"
    assert api.client.get("/docs").status_code == 200
    assert api.client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200


def test_unexpected_errors_leak_nothing(api, seeded, monkeypatch):
    from settlement.services import views

    def boom(*a, **k):
        raise RuntimeError("SELECT secret FROM api_tokens")

    monkeypatch.setattr(views, "schedule_view", boom)
    r = api.get(f"/api/v1/contracts/{seeded}/schedule", as_=BUYER)
    assert r.status_code == 500
    text_ = r.get_data(as_text=True)
    assert "SELECT" not in text_ and "Traceback" not in text_
    assert problem(r)["detail"] == "an unexpected error occurred; it has been logged"
