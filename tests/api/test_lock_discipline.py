"""The lock discipline under concurrency (issues 11 and 15; docs/scaling.md "Lock order").

Every contract write takes, in this order: the contract's row (PostgreSQL ``FOR NO KEY
UPDATE``, several contracts in id order; SQLite: the write transaction, ``BEGIN
IMMEDIATE``), the period lock shared, the journal lock at its first append; all are held
to the commit. The bank import commits a chunk at a time; ``month close`` holds the period
lock exclusively. These tests race real threads (Flask test clients, the CLI) against
each other and assert exact outcomes: caps hold, nothing deadlocks, a lost race is a 503
with ``Retry-After`` (never a 500), a month close freezes exactly what committed before it.

Every loop is bounded and every wait has a timeout, so a regression fails instead of hanging.
"""
from __future__ import annotations

import threading
import time
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import text

from tests.conftest import BUYER

PAYABLE = Decimal("1956564.00")          # the seed contract's total: nothing may be paid beyond it
BUYER_ACCOUNT = "0109000123456789"       # the seed buyer's account (flask seed demo)
SEED_CODE = "DS-12345-2026"
HEADER = "交易日期,交易流水号,对方户名,对方账号,摘要,贷方发生额,借方发生额\n"
WAIT = 60                                # seconds: the longest any thread is waited for


# -- helpers ------------------------------------------------------------------------------------

def engine_of(app):
    return app.extensions["settlement"]["engine"]


def needs_postgres(app):
    if engine_of(app).dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: set TEST_DATABASE_URL (row locks, advisory locks, deadlock detection)")


def needs_sqlite(app):
    if engine_of(app).dialect.name != "sqlite":
        pytest.skip("SQLite only (the embedded default): runs without TEST_DATABASE_URL")


def make_contract(api, code: str, tranche_1: str = "978282.00", tranche_2: str = "586969.20") -> int:
    """A contract of the seed's shape (its total, by default its tranches) between parties b1 (the
    buyer, named "Party b1") and v1."""
    for party in ("b1", "v1"):
        r = api.post("/api/v1/parties", json={"code": party, "name": f"Party {party}"})
        assert r.status_code in (201, 409), r.get_json()      # 409: made for an earlier contract
    body = {"code": code, "title": f"Contract {code}", "buyer": "b1", "vendors": ["v1"],
            "total_amount": "1956564.00", "signed_on": "2026-06-11",
            "service_start": "2026-07-01", "service_end": "2027-06-30",
            "tax_rates": [{"rate": "0.06", "effective_from": "2026-06-11"}],
            "tranches": [
                {"seq": 1, "amount": tranche_1, "due": {"kind": "months_after_signing", "months": 1}},
                {"seq": 2, "amount": tranche_2, "due": {"kind": "on_or_before", "date": "2026-11-30"}},
                {"seq": 3, "amount": "remainder", "due": {"kind": "working_days_after_audit", "days": 15}}]}
    r = api.post("/api/v1/contracts", json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def write_statement(path, rows) -> str:
    """rows: (date, serial, payer name, payer account, memo, credit) -> a CSV statement file."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(HEADER)
        for day, serial, name, account, memo, credit in rows:
            fh.write(f"{day},{serial},{name},{account},{memo},{credit},\n")
    return str(path)


def filler(n: int, start: int = 0):
    """``n`` credits no contract can claim: unknown payers, no code, odd amounts below any tranche."""
    return [("2026-08-03", f"F-{i:07d}", "某外单位", f"62220{i:011d}", "货款", f"{1 + i % 9000}.{i % 97:02d}")
            for i in range(start, start + n)]


def paid_total(app, contract_id: int) -> tuple[int, Decimal]:
    """(count, sum) of the contract's payments, read from the table."""
    with engine_of(app).connect() as conn:
        n, fen = conn.execute(text("SELECT count(*), coalesce(sum(amount), 0) FROM payments "
                                   "WHERE contract_id = :c AND kind = 'payment'"), {"c": contract_id}).one()
    return n, Decimal(fen) / 100


def bank_lines(app) -> dict[str, tuple[str, str | None]]:
    with engine_of(app).connect() as conn:
        return {s: (st, r) for s, st, r in conn.execute(text("SELECT serial, status, reason FROM bank_lines"))}


class Thread(threading.Thread):
    """A thread that keeps what its target returned or raised, and is joined with a timeout."""

    def __init__(self, target, *args):
        super().__init__(daemon=True)
        self._target_fn, self._args = target, args
        self.result = self.error = None

    def run(self):
        try:
            self.result = self._target_fn(*self._args)
        except BaseException as exc:  # noqa: BLE001 - reported by join_ok
            self.error = exc

    def join_ok(self, timeout=WAIT):
        self.join(timeout)
        assert not self.is_alive(), f"{self.name} still running after {timeout}s (a deadlock?)"
        if self.error is not None:
            raise self.error
        return self.result


def cli(app, *args):
    """Run a flask CLI command (the same code cron runs); returns the click Result."""
    return app.test_cli_runner().invoke(args=list(args))


def pay(client, token, contract_id, amount, ref, day="2026-07-10", key=None):
    """POST a payment (with a fresh Idempotency-Key unless ``key``); returns (status, elapsed s, response)."""
    t0 = time.perf_counter()
    r = client.post(f"/api/v1/contracts/{contract_id}/payments",
                    headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key or uuid.uuid4().hex,
                             "Accept-Language": "en"},
                    json={"amount": amount, "paid_on": day, "bank_reference": ref})
    return r.status_code, time.perf_counter() - t0, r


def assert_lost_race(r):
    """What a lost race answers: 503 problem+json with Retry-After, naming it a write conflict."""
    assert r.status_code == 503, (r.status_code, r.get_data(as_text=True))
    assert r.mimetype == "application/problem+json"
    assert r.headers["Retry-After"] == "1"
    body = r.get_json()
    assert body["status"] == 503 and body["type"].endswith("/problems/write-conflict"), body
    assert "Traceback" not in r.get_data(as_text=True)


def wait_for(predicate, timeout=WAIT, what="a condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.01)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


# -- 1. API payments and a bank import on the same contract never over-pay (issue 11) ------

def race_api_payments_and_an_import(app, api, seeded, tmp_path, monkeypatch):
    """20 API payments of 50,000.00 and an import of 20 lines of 50,000.00 (each side alone stays under
    the cap, together they would pay 2,000,000.00): exactly 39 succeed, 1,950,000.00 in all."""
    from settlement.services import bank
    monkeypatch.setattr(bank, "CHUNK", 2)   # a commit every two lines: the import interleaves with the API
    path = write_statement(tmp_path / "s.csv", [
        ("2026-07-10", f"IMP-{i:02d}", "北京市西城区人民政府德胜街道办事处", BUYER_ACCOUNT, f"{SEED_CODE} 服务费",
         "50000.00") for i in range(20)])
    token = api.token(*BUYER)
    start = threading.Barrier(21)

    def api_payment(i):
        client = app.test_client()
        start.wait(WAIT)
        return pay(client, token, seeded, "50000.00", f"API-{i:02d}")

    def run_import():
        start.wait(WAIT)
        return cli(app, "bank", "import", path)

    payers = [Thread(api_payment, i) for i in range(20)]
    importer = Thread(run_import)
    for t in (*payers, importer):
        t.start()
    results = [t.join_ok() for t in payers]
    imported = importer.join_ok()

    assert imported.exit_code == 0 and imported.exception is None, imported.output
    lines = bank_lines(app)
    matched = sorted(s for s, (st, _) in lines.items() if st == "matched")
    refused = sorted(s for s, (st, _) in lines.items() if st == "unmatched")
    assert len(matched) + len(refused) == 20
    for serial in refused:
        assert "but refused: paying 50000.00 would exceed the payable total 1956564.00" in lines[serial][1]
    codes = [code for code, _, _ in results]
    assert set(codes) <= {201, 409}, codes
    for code, _, r in results:
        if code == 409:
            assert r.get_json()["type"].endswith("/problems/over-payment"), r.get_json()
    accepted = codes.count(201)
    assert accepted >= 1 and len(matched) >= 1          # each side won some races
    assert accepted + len(matched) == 39                # the cap admits exactly 39 × 50,000.00
    assert paid_total(app, seeded) == (39, Decimal("1950000.00"))
    settlement = api.get(f"/api/v1/contracts/{seeded}/settlement", as_=BUYER).get_json()
    assert Decimal(settlement["paid_total"]) == Decimal("1950000.00") <= PAYABLE
    assert f"matched {len(matched)}, unmatched {len(refused)}" in imported.output


@pytest.mark.postgres
def test_api_and_import_payments_never_exceed_the_payable_total_postgres(app, api, seeded, tmp_path, monkeypatch):
    """Row locks on the contract, taken by the one write path the API and the import share."""
    needs_postgres(app)
    race_api_payments_and_an_import(app, api, seeded, tmp_path, monkeypatch)


def test_api_and_import_payments_never_exceed_the_payable_total_sqlite(app, api, seeded, tmp_path, monkeypatch):
    """SQLite serialises write transactions (BEGIN IMMEDIATE): the same outcome."""
    needs_sqlite(app)
    race_api_payments_and_an_import(app, api, seeded, tmp_path, monkeypatch)


# -- 2. issue 15's deadlock: an import paying A first and B last, API writes on B and C --------

def write_during(app, importer: threading.Thread, token: str, contract_id: int, amount: str, prefix: str,
                 limit: int = 300):
    """POST payments on one contract while the import runs (at most ``limit``); returns
    [(status, elapsed s, response, when it was answered)]."""
    client, done = app.test_client(), []
    while importer.is_alive() and len(done) < limit:
        done.append((*pay(client, token, contract_id, amount, f"{prefix}-{len(done):03d}"), time.perf_counter()))
        time.sleep(0.01)
    return done


def race_import_a_first_b_last_with_api_writes(app, api, seeded, tmp_path, monkeypatch, max_wait: float):
    """Issue 15's deadlock: the import used to take the journal lock at A's payment and hold it to
    the end, while an API write held B's row and waited for the journal; reaching B, the import
    waited for the API: a deadlock (a traceback, or a 500). Now the import commits a chunk at a
    time, locking the contracts a chunk pays up front in id order, and takes the journal after
    them: no deadlock, no 500, API writes are answered while the import runs (each waits at most
    for the chunk in progress: ``max_wait``), and B's cap holds."""
    from settlement.services import bank
    monkeypatch.setattr(bank, "CHUNK", 1000)
    b = seeded
    a = make_contract(api, "LOCK-AAAA1", tranche_1="600000.00", tranche_2="400000.00")
    c = make_contract(api, "LOCK-CCCC1", tranche_1="700000.00", tranche_2="200000.00")
    n_filler = 15000
    path = write_statement(tmp_path / "s.csv", [
        ("2026-07-10", "A-FIRST", "Party b1", "", "LOCK-AAAA1 服务费", "100000.00"),
        *filler(n_filler),
        ("2026-07-10", "B-LAST", "北京市西城区人民政府德胜街道办事处", BUYER_ACCOUNT, f"{SEED_CODE} 服务费",
         "200000.00")])
    b_token, c_token = api.token(*BUYER), api.token("buyer", "b1")

    t0, ended = time.perf_counter(), {}

    def run_import():
        try:
            return cli(app, "bank", "import", path)
        finally:
            ended["at"] = time.perf_counter()

    importer = Thread(run_import)
    importer.start()
    wait_for(lambda: paid_total(app, a)[0] == 1 or not importer.is_alive(), what="A's payment (first chunk)")
    on_b = Thread(write_during, app, importer, b_token, b, "200000.00", "B-API")
    on_c = Thread(write_during, app, importer, c_token, c, "1000.00", "C-API")
    on_b.start(), on_c.start()
    result = importer.join_ok()
    import_seconds = time.perf_counter() - t0
    b_writes, c_writes = on_b.join_ok(), on_c.join_ok()

    assert result.exit_code == 0 and result.exception is None, result.output
    assert "Traceback" not in result.output
    b_ok = [r for code, _, r, _ in b_writes if code == 201]
    b_capped = [r for code, _, r, _ in b_writes if code == 409]
    assert len(b_ok) + len(b_capped) == len(b_writes), [(c, r.get_json()) for c, _, r, _ in b_writes]
    assert all(r.get_json()["type"].endswith("/problems/over-payment") for r in b_capped)
    assert [code for code, _, _, _ in c_writes] == [201] * len(c_writes)
    for writes in (b_writes, c_writes):   # answered between the import's chunks, not after the import
        during = [at for *_, at in writes if at < ended["at"]]
        assert during, f"no API write answered during a {import_seconds:.1f} s import"
    slowest = max(elapsed for _, elapsed, _, _ in b_writes + c_writes)
    assert slowest < max_wait, f"an API write waited {slowest:.2f} s during the import"

    lines = bank_lines(app)
    assert len(lines) == n_filler + 2
    assert lines["A-FIRST"][0] == "matched"
    b_line_paid = lines["B-LAST"][0] == "matched"
    if not b_line_paid:       # the API reached B's cap first: the import's line is refused, not paid
        assert "but refused: paying 200000.00 would exceed the payable total" in lines["B-LAST"][1]
    assert f"new {n_filler + 2}, duplicate 0, matched {1 + b_line_paid}, unmatched {n_filler + 1 - b_line_paid}" \
        in result.output
    paid_b = 200000 * (len(b_ok) + b_line_paid)
    assert paid_total(app, b) == (len(b_ok) + b_line_paid, Decimal(paid_b))
    assert Decimal(paid_b) <= PAYABLE
    if b_capped:              # 9 × 200,000.00 fit under 1,956,564.00, a 10th does not
        assert paid_b == 1800000
    assert paid_total(app, a) == (1, Decimal("100000.00"))
    assert paid_total(app, c) == (len(c_writes), Decimal(1000 * len(c_writes)))
    print(f"import {import_seconds:.2f} s; {len(b_writes)} writes on B ({len(b_capped)} capped), "
          f"{len(c_writes)} on C; slowest {slowest:.3f} s, "
          f"median {sorted(e for _, e, _, _ in b_writes + c_writes)[len(b_writes + c_writes) // 2]:.3f} s")


@pytest.mark.postgres
def test_import_paying_a_then_b_with_api_writes_on_b_and_c_postgres(app, api, seeded, tmp_path, monkeypatch):
    """Issue 15's deadlock on PostgreSQL: row locks in id order per chunk, the journal after them."""
    needs_postgres(app)
    race_import_a_first_b_last_with_api_writes(app, api, seeded, tmp_path, monkeypatch, max_wait=1.0)


def test_import_paying_a_then_b_with_api_writes_on_b_and_c_sqlite(app, api, seeded, tmp_path, monkeypatch):
    """SQLite: an API write waits for the chunk being imported, not the whole import, so it never meets
    "database is locked" (the 30 s busy timeout). SQLite has no queue for writers (a waiting one
    polls), so a write may wait out a few chunks: the bound is looser than PostgreSQL's."""
    needs_sqlite(app)
    race_import_a_first_b_last_with_api_writes(app, api, seeded, tmp_path, monkeypatch, max_wait=5.0)


# -- 3. month close races payments dated in the month (issue 15) -------------------------------

def journal_seqs(app) -> tuple[dict[int, int], int | None]:
    """({payment id: its journal seq}, the seq of 2026-10's close)."""
    with engine_of(app).connect() as conn:
        paid = {int(e): s for e, s in conn.execute(text(
            "SELECT entity_id, seq FROM journal_entries WHERE action = 'payment.recorded'"))}
        closed = conn.execute(text("SELECT seq FROM journal_entries WHERE action = 'month.closed' "
                                   "AND entity_id = '2026-10'")).scalar()
    return paid, closed


def race_month_close_with_payments(app, api, seeded):
    """Payers post payments dated in October while ``month close 2026-10`` runs. Every payment
    accepted (201) committed before the close did (its journal seq is lower: the journal lock
    orders commits), so it is in the frozen report; every request after the close is refused
    409 month-closed; the report's paid_month is exactly the sum of the accepted payments."""
    token = api.token(*BUYER)
    n_payers, limit = 6, 300
    attempts: list[list[tuple[float, float, int, object]]] = [[] for _ in range(n_payers)]

    def payer(i):
        client = app.test_client()
        for k in range(limit):
            t0 = time.perf_counter()
            code, _, r = pay(client, token, seeded, "1000.00", f"OCT-{i}-{k:03d}", day="2026-10-15")
            attempts[i].append((t0, time.perf_counter(), code, r))
            if code != 201:
                return

    payers = [Thread(payer, i) for i in range(n_payers)]
    for t in payers:
        t.start()
    wait_for(lambda: sum(len(a) for a in attempts) >= 10, what="ten payments before the close")
    close_started = time.perf_counter()
    closed = cli(app, "month", "close", "2026-10")
    close_done = time.perf_counter()
    for t in payers:
        t.join_ok()

    assert closed.exit_code == 0 and closed.exception is None, closed.output
    assert "closed 2026-10" in closed.output
    flat = [a for per in attempts for a in per]
    accepted = [r for _, _, code, r in flat if code == 201]
    refused = [(t0, r) for t0, _, code, r in flat if code != 201]
    assert len(refused) == n_payers, [r.get_json() for _, r in refused]   # each payer stops at its first refusal
    for _, r in refused:
        body = r.get_json()
        assert r.status_code == 409 and body["type"].endswith("/problems/month-closed"), body
        assert body["closed_through"] == "2026-10"
    for per in attempts:      # a payer is accepted until the close, refused after it
        assert [code for _, _, code, _ in per] == [201] * (len(per) - 1) + [409]
    after_close = [code for t0, _, code, _ in flat if t0 > close_done]
    assert after_close == [409] * len(after_close)
    assert len(accepted) >= 10

    paid_seqs, close_seq = journal_seqs(app)
    assert close_seq is not None
    ids = [r.get_json()["id"] for r in accepted]
    assert sorted(ids) == sorted(paid_seqs)            # every accepted payment is journaled, no other
    late = [i for i in ids if paid_seqs[i] > close_seq]
    assert late == [], f"payments committed after the close was journaled: {late}"

    total = Decimal("1000.00") * len(accepted)
    assert paid_total(app, seeded) == (len(accepted), total)
    report = api.get("/api/v1/reports/reconciliation?month=2026-10").get_json()
    row = next(c for c in report["contracts"] if c["contract_id"] == seeded)
    assert Decimal(row["paid_month"]) == total, (row["paid_month"], total)
    assert Decimal(row["paid_to_date"]) == total
    during = sum(1 for t0, t1, code, _ in flat if code == 201 and t1 > close_started)
    print(f"{len(accepted)} accepted ({during} answered after the close began), {len(refused)} refused")



@pytest.mark.postgres
def test_month_close_freezes_the_payments_committed_before_it_postgres(app, api, seeded):
    """PostgreSQL: the close holds the period lock exclusively, every dated write holds it shared."""
    needs_postgres(app)
    race_month_close_with_payments(app, api, seeded)


def test_month_close_freezes_the_payments_committed_before_it_sqlite(app, api, seeded):
    """SQLite: the close builds and stores its report in one write transaction (BEGIN IMMEDIATE)."""
    needs_sqlite(app)
    race_month_close_with_payments(app, api, seeded)


# -- 4. a lost race is never a 500 ------------------------------------------------------------

def lock_waiters(conn) -> int:
    """How many sessions of this database wait for a lock (PostgreSQL; pg_stat_activity is read once
    per transaction, so each look is its own)."""
    n = conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                          "AND datname = current_database()")).scalar()
    conn.rollback()
    return n


def backend_waiting_for_a_lock(conn) -> bool:
    return lock_waiters(conn) >= 1


@pytest.mark.postgres
def test_a_deadlock_inside_an_api_write_is_a_503_with_retry_after(app, api, seeded, monkeypatch):
    """Force a real deadlock: another transaction holds contract C and then wants B, while a payment
    request holds B (its row lock, taken by the one write path) and then wants C. PostgreSQL aborts
    the request's transaction (the other one has a longer deadlock_timeout): the client is told to
    retry (503 problem+json, Retry-After), never 500; nothing is written, the Idempotency-Key is not
    kept; the retry with the same key succeeds."""
    needs_postgres(app)
    from settlement.services import months
    c = make_contract(api, "LOCK-CCCC1")
    armed, holding_b = threading.Event(), threading.Event()
    real_hold_shared = months.hold_shared

    def hold_shared_then_want_c(session):
        real_hold_shared(session)
        if armed.is_set():          # inside the request's write on B, after B's row lock
            armed.clear()
            holding_b.set()
            session.execute(text("SELECT id FROM contracts WHERE id = :c FOR UPDATE"), {"c": c})

    monkeypatch.setattr(months, "hold_shared", hold_shared_then_want_c)
    token = api.token(*BUYER)
    with engine_of(app).connect() as other, engine_of(app).connect() as watcher:
        other.execute(text("SET LOCAL deadlock_timeout = '20s'"))     # the request is the victim
        other.execute(text("SELECT id FROM contracts WHERE id = :c FOR UPDATE"), {"c": c})
        armed.set()
        request = Thread(lambda: pay(app.test_client(), token, seeded, "1000.00", "DEADLOCK-1", key="K-DEADLOCK"))
        request.start()
        assert holding_b.wait(WAIT)
        wait_for(lambda: backend_waiting_for_a_lock(watcher), what="the request to wait for C")
        t0 = time.perf_counter()
        other.execute(text("SELECT id FROM contracts WHERE id = :b FOR UPDATE"), {"b": seeded})  # closes the cycle
        waited = time.perf_counter() - t0
        other.rollback()
        code, _, r = request.join_ok()
    assert waited < 10, waited       # freed by the detector (deadlock_timeout 1 s), not by a timeout
    assert_lost_race(r)
    assert paid_total(app, seeded) == (0, Decimal("0"))
    code, _, r = pay(app.test_client(), token, seeded, "1000.00", "DEADLOCK-1", key="K-DEADLOCK")
    assert code == 201 and "Idempotent-Replayed" not in r.headers, r.get_json()   # the key was not kept
    assert paid_total(app, seeded) == (1, Decimal("1000.00"))


@pytest.mark.postgres
def test_a_deadlock_inside_an_import_chunk_is_retried_with_the_same_matches(app, api, seeded, tmp_path,
                                                                           monkeypatch):
    """A chunk that loses a deadlock is rolled back and run again (``uow.retrying``); the retry
    matches its lines as the first attempt did: a line matched by its amount stays matched (the
    matcher's index of outstanding amounts is not left with the rolled-back payments)."""
    needs_postgres(app)
    from settlement.services import bank
    c = make_contract(api, "LOCK-CCCC2", tranche_1="500000.00", tranche_2="300000.00")
    path = write_statement(tmp_path / "s.csv", [
        ("2026-07-10", "R-1", "某单位", "999", "服务费", "978282.00"),                    # by amount: B's tranche 1
        ("2026-07-11", "R-2", "北京市西城区人民政府德胜街道办事处", BUYER_ACCOUNT, SEED_CODE, "1000.00")])
    calls, holding_b = {"n": 0}, threading.Event()
    real_record = bank.record_payment

    def record_then_want_c(w, data, **kw):
        calls["n"] += 1
        if calls["n"] == 2:         # first attempt, second line: B is locked and already paid once
            holding_b.set()
            w.session.execute(text("SELECT id FROM contracts WHERE id = :c FOR UPDATE"), {"c": c})
        return real_record(w, data, **kw)

    monkeypatch.setattr(bank, "record_payment", record_then_want_c)
    with engine_of(app).connect() as other, engine_of(app).connect() as watcher:
        other.execute(text("SET LOCAL deadlock_timeout = '20s'"))     # the import is the victim
        other.execute(text("SELECT id FROM contracts WHERE id = :c FOR UPDATE"), {"c": c})
        importer = Thread(cli, app, "bank", "import", path)
        importer.start()
        assert holding_b.wait(WAIT)
        wait_for(lambda: backend_waiting_for_a_lock(watcher), what="the import to wait for C")
        other.execute(text("SELECT id FROM contracts WHERE id = :b FOR UPDATE"), {"b": seeded})
        other.rollback()
        result = importer.join_ok()
    assert result.exit_code == 0 and result.exception is None, result.output
    assert "new 2, duplicate 0, matched 2, unmatched 0" in result.output
    assert calls["n"] == 4                       # two payments, tried twice
    paid = api.get(f"/api/v1/contracts/{seeded}/payments", as_=BUYER).get_json()["items"]
    assert sorted((p["bank_reference"], p["amount"], p["allocations"][0]["tranche_seq"]) for p in paid) == [
        ("R-1", "978282.00", 1), ("R-2", "1000.00", 2)]
    assert paid_total(app, c) == (0, Decimal("0"))



@pytest.mark.postgres
def test_an_import_chunk_takes_every_contract_row_before_the_period_lock(app, api, seeded, tmp_path,
                                                                         monkeypatch):
    """The one order is contract rows (by id), then the period lock. A chunk paying contracts 1 and 2
    that took the period lock (shared) with row 1 and then waited for row 2 would close a cycle with
    an API write holding row 2 that asks for the period lock while a month close waits for it
    exclusively (PostgreSQL queues the shared request behind the exclusive one): the deadlock
    detector then has to reorder the queue, after deadlock_timeout (1 s), or abort someone."""
    needs_postgres(app)
    from settlement.services import months
    a = make_contract(api, "LOCK-AAAA1", tranche_1="600000.00", tranche_2="400000.00")
    assert seeded < a
    path = write_statement(tmp_path / "s.csv", [
        ("2026-07-10", "TWO-B", "北京市西城区人民政府德胜街道办事处", BUYER_ACCOUNT, SEED_CODE, "1000.00"),
        ("2026-07-10", "TWO-A", "Party b1", "", "LOCK-AAAA1", "2000.00")])
    token = api.token("buyer", "b1")
    holds_a, release = threading.Event(), threading.Event()
    api_thread: dict[str, int] = {}
    real_hold_shared = months.hold_shared

    def pause_the_api_write(session):
        if threading.get_ident() == api_thread.get("ident"):
            holds_a.set()                   # the request holds A's row, not yet the period lock
            assert release.wait(WAIT)
        real_hold_shared(session)

    monkeypatch.setattr(months, "hold_shared", pause_the_api_write)

    def api_write():
        api_thread["ident"] = threading.get_ident()
        return pay(app.test_client(), token, a, "3000.00", "API-A")

    def month_close_lock():                 # what `month close` takes before it builds its report
        session = app.extensions["settlement"]["sessions"]()
        try:
            months.hold_exclusive(session)
            session.commit()
        finally:
            session.close()

    with engine_of(app).connect() as watcher:
        writer = Thread(api_write)
        writer.start()
        assert holds_a.wait(WAIT)
        importer = Thread(cli, app, "bank", "import", path)
        importer.start()
        wait_for(lambda: lock_waiters(watcher) >= 1, what="the import to wait for A's row")
        closer = Thread(month_close_lock)
        closer.start()
        wait_for(lambda: not closer.is_alive() or lock_waiters(watcher) >= 2, what="the close to queue")
        t0 = time.perf_counter()
        release.set()
        code, _, r = writer.join_ok()
        waited = time.perf_counter() - t0
        result, _ = importer.join_ok(), closer.join_ok()
    assert code == 201, r.get_json()
    assert waited < 0.5, f"the API write waited {waited:.2f} s for the period lock"
    assert result.exit_code == 0 and "new 2, duplicate 0, matched 2" in result.output, result.output
    assert paid_total(app, a) == (2, Decimal("5000.00"))


def test_a_locked_sqlite_database_is_a_503_not_a_500(app, api, seeded):
    """SQLite: a write that cannot get the database (another process holds the write lock past the
    busy timeout: 30 s in production, 0.2 s here) answers 503 with Retry-After, not 500 "database is
    locked"; nothing is written; the retry with the same Idempotency-Key succeeds."""
    needs_sqlite(app)
    import sqlite3

    from sqlalchemy import event
    engine = engine_of(app)
    token = api.token(*BUYER)
    short = threading.Event()

    def short_busy_timeout(dbapi_connection, _record, _proxy):    # at checkout: before BEGIN IMMEDIATE
        if short.is_set():
            dbapi_connection.execute("PRAGMA busy_timeout = 200")

    event.listen(engine, "checkout", short_busy_timeout)
    holder = sqlite3.connect(engine.url.database, isolation_level=None, timeout=5)
    try:
        holder.execute("BEGIN IMMEDIATE")      # another writer (a long import, a second process)
        short.set()
        code, elapsed, r = pay(app.test_client(), token, seeded, "1000.00", "LOCKED-1", key="K-LOCKED")
        short.clear()
        holder.execute("ROLLBACK")
    finally:
        holder.close()
        event.remove(engine, "checkout", short_busy_timeout)
        engine.dispose()                       # pooled connections go back to the 30 s busy timeout
    assert_lost_race(r)
    assert elapsed < 5
    assert paid_total(app, seeded) == (0, Decimal("0"))
    code, _, r = pay(app.test_client(), token, seeded, "1000.00", "LOCKED-1", key="K-LOCKED")
    assert code == 201 and "Idempotent-Replayed" not in r.headers, r.get_json()
    assert paid_total(app, seeded) == (1, Decimal("1000.00"))
