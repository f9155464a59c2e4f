"""Concurrent writes with real threads and a barrier, no sleeps (issue 5).

PostgreSQL serialises money writes with a row lock on the contract
(SELECT ... FOR UPDATE) and idempotency keys with an advisory lock; SQLite
serialises every write transaction (BEGIN IMMEDIATE). Both must hold the caps.
"""
from __future__ import annotations

import threading
import uuid
from decimal import Decimal

from tests.conftest import BUYER, VENDOR


def run_parallel(app, n, request):
    """Send ``n`` requests at once (one test client per thread); returns the responses."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def worker(i):
        client = app.test_client()
        barrier.wait()
        results[i] = request(client, i)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_parallel_payments_never_exceed_the_payable_total(app, api, seeded):
    auth = {"Authorization": f"Bearer {api.token(*BUYER)}"}

    def pay(client, i):
        return client.post(f"/api/v1/contracts/{seeded}/payments", headers=auth,
                           json={"amount": "100000.00", "paid_on": "2026-07-10", "bank_reference": f"P-{i}"})

    results = run_parallel(app, 20, pay)
    codes = sorted(r.status_code for r in results)
    assert codes == [201] * 19 + [409], codes
    listing = api.get(f"/api/v1/contracts/{seeded}/payments?page_size=100", as_=BUYER).get_json()
    assert sum(Decimal(p["amount"]) for p in listing["items"]) == Decimal("1900000.00")


def test_parallel_invoices_never_over_invoice_a_tranche(app, api, seeded):
    from tests.api.test_invoice_platform import invoice_body, register_ids
    register_ids(api)
    auth = {"Authorization": f"Bearer {api.token(*VENDOR)}"}

    def invoice(client, i):
        return client.post(f"/api/v1/contracts/{seeded}/invoices",
                           headers={**auth, "Idempotency-Key": uuid.uuid4().hex},
                           json=invoice_body(1, "2026-07-06", "100000.00", number=f"26112{i:015d}"))

    results = run_parallel(app, 20, invoice)
    codes = sorted(r.status_code for r in results)
    assert codes == [201] * 9 + [409] * 11, codes
    t1 = api.get(f"/api/v1/contracts/{seeded}/schedule?as_of=2026-07-06", as_=BUYER).get_json()["tranches"][0]
    assert (t1["invoiced"], t1["uninvoiced"]) == ("900000.00", "78282.00")


def test_same_idempotency_key_ten_times_at_once_writes_once(app, api, seeded):
    auth = {"Authorization": f"Bearer {api.token(*BUYER)}", "Idempotency-Key": "same-key"}

    def pay(client, i):
        return client.post(f"/api/v1/contracts/{seeded}/payments", headers=auth,
                           json={"amount": "1000.00", "paid_on": "2026-07-10", "bank_reference": "ONE"})

    results = run_parallel(app, 10, pay)
    assert {r.status_code for r in results} <= {201, 409}
    originals = [r for r in results if r.status_code == 201 and "Idempotent-Replayed" not in r.headers]
    assert len(originals) == 1
    for r in results:
        if r.status_code == 409:
            assert r.headers["Retry-After"] == "1"
        if r.status_code == 201:
            assert r.data == originals[0].data
    listing = api.get(f"/api/v1/contracts/{seeded}/payments", as_=BUYER).get_json()
    assert listing["total"] == 1
