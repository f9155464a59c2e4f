"""Deterministic synthetic data at sizes S, M, L (seeded), inserted in bulk.

Per contract: 3 tranches (50/30/20), 12 invoices (6 on each of the first two tranches),
tranche 1 paid; the bank statement has `lines / contracts` lines per contract: one pays
tranche 2 (contract code in the memo), the rest are unrelated credits and debits.
"""
from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, text

from settlement.domain.vat import split
from settlement.domain.money import split_largest_remainder
from settlement.models import (
    BankAccount, Contract, ContractParty, Invoice, Party, Payment, PaymentAllocation, TaxRate, Tranche,
)

SIZES = {"S": (100, 10_000), "M": (1_000, 100_000), "L": (10_000, 1_000_000)}   # contracts, bank lines
INVOICES_PER_CONTRACT = 12
BUYERS, VENDORS = 100, 20


@dataclass
class Dataset:
    size: str
    contracts: int
    invoices: int
    bank_lines: int
    statement: Path


def _chunks(rows, n=5000):
    for i in range(0, len(rows), n):
        yield rows[i:i + n]


def generate(engine, size: str, out_dir: Path, seed: int = 20261124) -> Dataset:
    """Fill an empty, migrated database and write the bank statement CSV."""
    n_contracts, n_lines = SIZES[size]
    rnd = random.Random(seed)
    now = datetime(2026, 11, 24, tzinfo=timezone.utc)
    parties, accounts = [], []
    for i in range(BUYERS):
        parties.append({"id": i + 1, "code": f"buyer-{i:03d}", "name": f"采购单位{i:03d}", "taxpayer_id": None,
                        "general_taxpayer": False})
        accounts.append({"party_id": i + 1, "bank": "工商银行", "account_name": f"采购单位{i:03d}",
                         "account_no": f"0200{i:012d}"})
    for j in range(VENDORS):
        pid = BUYERS + j + 1
        parties.append({"id": pid, "code": f"vendor-{j:02d}", "name": f"服务商{j:02d}", "taxpayer_id": None,
                        "general_taxpayer": True})
        accounts.append({"party_id": pid, "bank": "建设银行", "account_name": f"服务商{j:02d}",
                         "account_no": f"1100{j:012d}"})
    contracts, cparties, tranches, rates, invoices, payments, allocs = [], [], [], [], [], [], []
    inv_id = pay_id = 0
    plan = []
    for c in range(1, n_contracts + 1):
        total = Decimal(rnd.randrange(100_000, 5_000_000) * 12)
        signed = date(2025, 1, 1) + timedelta(days=rnd.randrange(0, 540))
        start = date(signed.year + (signed.month == 12), signed.month % 12 + 1, 1)
        end = date(start.year + 1, start.month, 1) - timedelta(days=1)
        buyer, vendor = rnd.randrange(BUYERS) + 1, BUYERS + rnd.randrange(VENDORS) + 1
        contracts.append({"id": c, "code": f"BN-{c:05d}", "title": f"服务合同{c:05d}", "total_amount": total,
                          "signed_on": signed, "service_start": start, "service_end": end,
                          "invoice_lead_working_days": 3, "objection_window_working_days": 5,
                          "overdue_termination_days": 60, "penalty_rate": Decimal("0.01"),
                          "rectification_limit": 3, "termination_notice_months": 3, "created_at": now})
        cparties += [{"contract_id": c, "party_id": buyer, "role": "buyer", "position": 0, "confirmed_on": signed},
                     {"contract_id": c, "party_id": vendor, "role": "vendor", "position": 0, "confirmed_on": signed}]
        amounts = split_largest_remainder(total, [50, 30, 20])
        due2 = signed + timedelta(days=150)
        tranches += [
            {"contract_id": c, "seq": 1, "amount": amounts[0], "is_remainder": False,
             "due_kind": "months_after_signing", "due_months": 1, "due_date": None, "due_days": None},
            {"contract_id": c, "seq": 2, "amount": amounts[1], "is_remainder": False,
             "due_kind": "on_or_before", "due_months": None, "due_date": due2, "due_days": None},
            {"contract_id": c, "seq": 3, "amount": amounts[2], "is_remainder": True,
             "due_kind": "working_days_after_audit", "due_months": None, "due_date": None, "due_days": 15}]
        rates.append({"contract_id": c, "rate": Decimal("0.06"), "effective_from": signed})
        for seq, amount, first_day in ((1, amounts[0], signed + timedelta(days=20)),
                                       (2, amounts[1], due2 - timedelta(days=10))):
            for k, part in enumerate(split_largest_remainder(amount, [1] * (INVOICES_PER_CONTRACT // 2))):
                inv_id += 1
                net, tax = split(part, Decimal("0.06"))
                invoices.append({"id": inv_id, "contract_id": c, "tranche_seq": seq, "number": f"{inv_id:020d}",
                                 "type": "ordinary", "issued_on": first_day + timedelta(days=k), "total": part,
                                 "net": net, "tax": tax, "rate": Decimal("0.06"), "reverses_id": None,
                                 "reason": None, "buyer": {"name": f"采购单位{buyer - 1:03d}"},
                                 "seller": {"name": f"服务商{vendor - BUYERS - 1:02d}"}, "created_at": now})
        pay_id += 1
        payments.append({"id": pay_id, "contract_id": c, "kind": "payment", "amount": amounts[0],
                         "paid_on": signed + timedelta(days=25), "bank_reference": f"GEN-{c}",
                         "payer_account": None, "source": "api", "created_at": now})
        allocs.append({"payment_id": pay_id, "contract_id": c, "tranche_seq": 1, "amount": amounts[0]})
        plan.append((c, buyer, amounts[1], due2))
    with engine.begin() as conn:
        for model, rows in ((Party, parties), (BankAccount, accounts), (Contract, contracts),
                            (ContractParty, cparties), (Tranche, tranches), (TaxRate, rates), (Invoice, invoices),
                            (Payment, payments), (PaymentAllocation, allocs)):
            for chunk in _chunks(rows):
                conn.execute(insert(model), chunk)
        if engine.dialect.name == "postgresql":
            for table in ("parties", "contracts", "invoices", "payments"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT max(id) FROM {table}))"))
    out_dir.mkdir(parents=True, exist_ok=True)
    statement = out_dir / f"statement-{size}.csv"
    per_contract = n_lines // n_contracts
    with open(statement, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["交易日期", "交易流水号", "对方户名", "对方账号", "摘要", "贷方发生额", "借方发生额"])
        serial = 0
        for c, buyer, amount2, due2 in plan:
            serial += 1
            w.writerow([due2.isoformat(), f"SER{serial:010d}", f"采购单位{buyer - 1:03d}", "",
                        f"BN-{c:05d} 第二笔", f"{amount2:,.2f}", ""])
            for _ in range(per_contract - 1):
                serial += 1
                day = date(2026, 1, 1) + timedelta(days=rnd.randrange(0, 330))
                cents = rnd.randrange(1, 10_000_00)
                if rnd.random() < 0.5:
                    w.writerow([day.isoformat(), f"SER{serial:010d}", "其他单位", f"6222{rnd.randrange(10**12):012d}",
                                "货款", f"{Decimal(cents) / 100 + Decimal('0.07'):,.2f}", ""])
                else:
                    w.writerow([day.isoformat(), f"SER{serial:010d}", "其他单位", "", "支付", "",
                                f"{Decimal(cents) / 100:,.2f}"])
    return Dataset(size, n_contracts, len(invoices), per_contract * n_contracts, statement)
