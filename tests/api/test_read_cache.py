"""The read cache (settlement/api/cached.py) and the bulk paths of the bank import (issue 7):
a cached answer is the computed answer, every write is seen at once, visibility holds on a hit."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from settlement.api.cached import cache_for
from settlement.models import Contract
from settlement.services.actors import Actor
from settlement.db import write_intent
from settlement.services.payments import record_payment
from settlement.services.uow import commit, write_contract
from settlement.services.positions import FAR_FUTURE, position_of, positions_of
from tests.api.test_contracts_api import problem
from tests.conftest import BUYER, VENDOR

ADMIN = Actor(role="admin", party_id=None, party_code=None, token_id="test")


def get(api, cid, view, as_of, as_=BUYER):
    return api.get(f"/api/v1/contracts/{cid}/{view}?as_of={as_of}", as_=as_)


def test_a_hit_returns_the_computed_body(api, app, seeded):
    cache = cache_for(app)
    first = get(api, seeded, "schedule", "2026-11-24")
    assert (first.status_code, cache.misses, cache.hits) == (200, 1, 0)
    second = get(api, seeded, "schedule", "2026-11-24")
    assert (second.status_code, cache.misses, cache.hits) == (200, 1, 1)
    assert second.get_data() == first.get_data()
    assert second.mimetype == "application/json"
    t2 = second.get_json()["tranches"][1]
    assert (t2["amount"], t2["due_date"], t2["invoice_due_date"], t2["status"]) == (
        "586969.20", "2026-11-30", "2026-11-25", "not_due")
    # another as_of is another entry
    assert get(api, seeded, "schedule", "2026-11-25").get_json()["tranches"][1]["status"] == "due"
    assert cache.misses == 2


def test_a_payment_through_the_api_is_seen_at_once(api, seeded):
    before = get(api, seeded, "settlement", "2026-11-24", as_=VENDOR).get_json()
    assert before["paid_total"] == "0.00"
    r = api.post(f"/api/v1/contracts/{seeded}/payments", as_=BUYER,
                 json={"amount": "978282.00", "paid_on": "2026-07-10", "bank_reference": "RC-1"})
    assert r.status_code == 201, r.get_json()
    after = get(api, seeded, "settlement", "2026-11-24", as_=VENDOR).get_json()
    assert after["paid_total"] == "978282.00"
    t1 = get(api, seeded, "schedule", "2026-11-24").get_json()["tranches"][0]
    assert (t1["paid"], t1["outstanding"], t1["status"]) == ("978282.00", "0.00", "paid")


def test_a_write_by_another_session_is_seen_at_once(api, app, seeded):
    """As a write by another process (a CLI import, another worker) would be: it only
    shares the database, and its journal entry changes the validator."""
    assert get(api, seeded, "schedule", "2026-11-24").get_json()["tranches"][0]["paid"] == "0.00"
    s = app.extensions["settlement"]["sessions"]()
    with write_intent():
        w = write_contract(s, ADMIN, seeded, "admin", today=date(2027, 12, 31))
        record_payment(w, {"amount": Decimal("100.00"), "paid_on": date(2026, 7, 10), "bank_reference": "OTHER-1"})
        commit(s)
    s.close()
    assert get(api, seeded, "schedule", "2026-11-24").get_json()["tranches"][0]["paid"] == "100.00"


def test_a_hit_still_hides_another_partys_contract(api, app, seeded):
    assert api.post("/api/v1/parties", json={"code": "stranger", "name": "Stranger Co"}).status_code == 201
    for view in ("schedule", "earned", "settlement"):
        assert get(api, seeded, view, "2026-11-24").status_code == 200   # fills the cache
        r = get(api, seeded, view, "2026-11-24", as_=("buyer", "stranger"))
        assert r.status_code == 404, view
        assert problem(r)["detail"] == f"no contract {seeded}"
        assert get(api, seeded, view, "2026-11-24", as_=("admin", None)).status_code == 200
    assert cache_for(app).hits == 6


def test_a_missing_contract_is_404_not_cached(api, app, seeded):
    for _ in range(2):
        r = get(api, 999999, "schedule", "2026-11-24")
        assert r.status_code == 404 and problem(r)["detail"] == "no contract 999999"
    assert len(cache_for(app)) == 0


def test_cache_off_computes_every_time(api, app, seeded):
    cache = cache_for(app)
    cache.max_entries = 0
    try:
        a = get(api, seeded, "earned", "2026-11-24")
        b = get(api, seeded, "earned", "2026-11-24")
        assert a.get_data() == b.get_data() and (cache.hits, len(cache)) == (0, 0)
        assert a.get_json()["earned_to_date"] == "815235.00"
    finally:
        cache.max_entries = 4096


def test_per_contract_as_of_equals_one_by_one(app, api, seeded):
    """positions_of with a day per contract gives what position_of gives."""
    s = app.extensions["settlement"]["sessions"]()
    try:
        contract = s.get(Contract, seeded)
        for day in (date(2026, 7, 10), date(2026, 11, 27), date(2027, 3, 1)):
            bulk = positions_of(s, [contract], {seeded: day}, facts_through=FAR_FUTURE)[seeded]
            one = position_of(s, contract, day, facts_through=FAR_FUTURE)
            assert bulk.as_of == one.as_of == day
            assert [(ln.seq, ln.status, ln.outstanding) for ln in bulk.lines] == \
                   [(ln.seq, ln.status, ln.outstanding) for ln in one.lines]
            assert bulk.payable_total == one.payable_total
    finally:
        s.close()


HEADER = "交易日期,交易流水号,对方户名,对方账号,摘要,贷方发生额,借方发生额\n"


def import_lines(runner, tmp_path, *lines) -> str:
    """Import a statement of ``lines`` (CSV rows after the header); the summary line."""
    statement = tmp_path / "statement.csv"
    statement.write_text(HEADER + "".join(f"{ln}\n" for ln in lines), encoding="utf-8")
    result = runner.invoke(args=["bank", "import", str(statement)])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def unmatched(api) -> list[tuple[str, str]]:
    return [(b["serial"], b["reason"]) for b in api.get("/api/v1/bank-lines?status=unmatched").get_json()["items"]]


def test_import_refuses_an_over_payment_after_two_in_the_same_chunk(api, runner, seeded, tmp_path):
    """Three lines for one contract in one chunk: the second and third see the earlier ones."""
    summary = import_lines(runner, tmp_path,
                           '2026-07-10,T-1,北京市西城区人民政府德胜街道办事处,,DS-12345-2026 首付,"978,282.00",',
                           '2026-11-27,T-2,北京市西城区人民政府德胜街道办事处,,DS-12345-2026 第二笔,"586,969.20",',
                           '2026-11-28,T-3,北京市西城区人民政府德胜街道办事处,,DS-12345-2026 多付,"391,312.81",')
    assert summary == "lines read 3, new 3, duplicate 0, matched 2, unmatched 1, ignored 0, rejected 0"
    assert unmatched(api) == [("T-3", "contract code in the memo, paid by its buyer, but refused: paying 391312.81 "
                                      "would exceed the payable total 1956564.00: 1565251.20 is paid, 391312.80 "
                                      "remains")]
    settlement = get(api, seeded, "settlement", "2026-11-30", as_=VENDOR).get_json()
    assert settlement["paid_total"] == "1565251.20"


def test_two_lines_of_one_tranches_amount_in_one_chunk_pay_it_once(api, runner, seeded, tmp_path):
    """Matching by amount sees the earlier lines of its own chunk: the second line finds
    nothing outstanding for that amount and stays unmatched."""
    summary = import_lines(runner, tmp_path,
                           '2026-11-27,A-1,德胜街道,,第二笔,"586,969.20",',
                           '2026-11-28,A-2,德胜街道,,第二笔,"586,969.20",')
    assert summary == "lines read 2, new 2, duplicate 0, matched 1, unmatched 1, ignored 0, rejected 0"
    assert unmatched(api) == [
        ("A-2", "no contract code in the memo, unknown payer account, and no tranche has this amount outstanding")]
    t2 = get(api, seeded, "schedule", "2026-11-30").get_json()["tranches"][1]
    assert (t2["paid"], t2["outstanding"]) == ("586969.20", "0.00")
