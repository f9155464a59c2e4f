"""The month's reconciliation of one contract, from facts already loaded (pure functions)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

ZERO = Decimal("0.00")
MONEY_FIELDS = ("earned_month", "earned_to_date", "paid_month", "paid_to_date", "balance", "uninvoiced_earned")
TRIPLE = ("net", "tax", "total")


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of "YYYY-MM"."""
    year, mon = (int(x) for x in month.split("-"))
    first = date(year, mon, 1)
    nxt = date(year + (mon == 12), 1 if mon == 12 else mon + 1, 1)
    return first, nxt - timedelta(days=1)


def position(balance: Decimal) -> str:
    """Paid − earned: prepaid when positive, receivable when negative."""
    return "prepaid" if balance > 0 else "receivable" if balance < 0 else "even"


def deadlines(lines, opinion_deadline, awaiting_vendor: bool, as_of: date, days: int = 30) -> list[dict]:
    """Invoice due, payment due and objection-window dates in (as_of, as_of + days]."""
    end = as_of + timedelta(days=days)
    out = []
    for ln in lines:
        if ln.invoice_due and as_of < ln.invoice_due.date <= end and ln.uninvoiced > 0:
            out.append({"date": ln.invoice_due.date, "kind": "invoice_due", "tranche_seq": ln.seq,
                        "provisional": ln.invoice_due.provisional})
        if ln.due and as_of < ln.due.date <= end and ln.outstanding > 0:
            out.append({"date": ln.due.date, "kind": "payment_due", "tranche_seq": ln.seq,
                        "provisional": ln.due.provisional})
    if awaiting_vendor and opinion_deadline and as_of <= opinion_deadline.date <= end:
        out.append({"date": opinion_deadline.date, "kind": "objection_window_closes", "tranche_seq": None,
                    "provisional": opinion_deadline.provisional})
    return sorted(out, key=lambda d: (d["date"], d["kind"], d["tranche_seq"] or 0))


def totals(contracts: list[dict]) -> dict:
    """Sums over contracts: the money fields, the invoiced triples and the VAT by rate."""
    t = {f: sum((c[f] for c in contracts), ZERO) for f in MONEY_FIELDS}
    for key in ("invoiced_month", "invoiced_to_date"):
        t[key] = {k: sum((c[key][k] for c in contracts), ZERO) for k in TRIPLE}
    vat: dict[Decimal, dict] = {}
    for c in contracts:
        for row in c["vat_by_rate"]:
            acc = vat.setdefault(row["rate"], {k: ZERO for k in TRIPLE})
            for k in TRIPLE:
                acc[k] += row[k]
    t["vat_by_rate"] = [{"rate": r, **vat[r]} for r in sorted(vat)]
    t["contracts"] = len(contracts)
    t["position"] = position(t["balance"])
    return t
