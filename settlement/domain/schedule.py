"""Tranche dates and statuses (clauses 5.1.1 and 5.2).

Clause 5.1.1 gives the due rules, clause 5.2 the invoice lead time. Dates follow
the Civil Code period rules in :mod:`settlement.domain.periods`. The schedule
itself (amounts fitted to the contract's value, paid, invoiced) is built by
:mod:`settlement.domain.position`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from settlement.domain.contract import (
    MONTHS_AFTER_SIGNING, ON_OR_BEFORE, WORKING_DAYS_AFTER_AUDIT, ContractTerms, TrancheTerms,
)
from settlement.domain.periods import (
    ComputedDate, deadline_on_or_before, months_after, working_days_after, working_days_before,
)

ZERO = Decimal("0.00")

NOT_DUE, DUE, PAID, PARTIALLY_PAID, OVERDUE = "not_due", "due", "paid", "partially_paid", "overdue"
CUT, REFUND_DUE = "cut", "refund_due"   # cut to the contract's value; paid beyond what it needs
STATUSES = (NOT_DUE, DUE, PARTIALLY_PAID, PAID, OVERDUE, CUT, REFUND_DUE)


@dataclass(frozen=True)
class ScheduleLine:
    seq: int
    amount: Decimal               # what the tranche is worth now (fitted to the contract's value)
    nominal: bool                 # amount not yet fixed (the final tranche before the audit)
    due: ComputedDate | None      # None while the event the due date hangs on has not happened
    invoice_due: ComputedDate | None
    paid: Decimal                 # net of refunds applied to it
    outstanding: Decimal
    invoiced: Decimal
    uninvoiced: Decimal
    status: str
    days_overdue: int
    invoice_late: bool = False      # 5.2: an invoice of the tranche was issued after its invoice due date
    invoice_overdue: bool = False   # 5.2: the invoice due date has passed with something uninvoiced
    original: Decimal = ZERO        # the amount the terms in force give it
    cut: Decimal = ZERO             # what the audit or a termination cut from it (never due)
    refund_due: Decimal = ZERO      # paid beyond its amount, owed back by the vendor
    paid_in_full_on: date | None = None   # the day its payments first reached its amount

    @property
    def provisional(self) -> bool:
        return bool((self.due and self.due.provisional) or (self.invoice_due and self.invoice_due.provisional))


def tranche_due(contract: ContractTerms, tranche: TrancheTerms, cal,
                audit_completed_on: date | None = None) -> ComputedDate | None:
    """The payment deadline of one tranche (clause 5.1.1), or None while it hangs on an event to come."""
    rule = tranche.due
    if rule.kind == MONTHS_AFTER_SIGNING:
        return months_after(contract.signed_on, rule.months, cal, label="signed_on")
    if rule.kind == ON_OR_BEFORE:
        return deadline_on_or_before(rule.date, cal, label="fixed date")
    if rule.kind == WORKING_DAYS_AFTER_AUDIT:
        if audit_completed_on is None:
            return None
        return working_days_after(audit_completed_on, rule.days, cal, label="audit completed_on")
    raise ValueError(f"unknown due rule {rule.kind!r}")


def invoice_due(contract: ContractTerms, due: ComputedDate | None, cal) -> ComputedDate | None:
    """Clause 5.2: the invoice is due N working days before the payment deadline."""
    if due is None:
        return None
    computed = working_days_before(due.date, contract.terms.invoice_lead_working_days, cal,
                                   label="due_date")
    if due.provisional and not computed.provisional:
        computed = ComputedDate(computed.date, True, computed.rule)
    return computed


def invoice_late(issued_on: date, invoice_due_on: ComputedDate | None) -> bool:
    """Clause 5.2: an invoice is late when the platform issued it after its tranche's invoice due date."""
    return bool(invoice_due_on is not None and issued_on > invoice_due_on.date)


def tranche_status(amount: Decimal, paid: Decimal, due: ComputedDate | None,
                   invoice_due_on: ComputedDate | None, as_of: date, original: Decimal | None = None) -> tuple[str, int]:
    """Status and days overdue of a tranche on ``as_of``.

    ``refund_due`` when more was paid than it is worth; ``cut`` when the audit or a
    termination took all of it and nothing was paid; ``paid`` once nothing is
    outstanding; ``overdue`` after the due date with something outstanding (days
    counted from the due date, which is not itself late); ``due`` from the invoice
    due date (the payment window) through the due date; ``partially_paid`` before
    that when something has been paid; otherwise ``not_due``.
    """
    if paid > amount:
        return REFUND_DUE, 0
    if amount == 0 and paid == 0 and original is not None and original > 0:
        return CUT, 0
    outstanding = amount - paid
    if outstanding <= 0 and (amount != 0 or paid != 0 or due is not None):
        return PAID, 0
    if due is not None and as_of > due.date:
        return OVERDUE, (as_of - due.date).days
    if paid > 0:
        return PARTIALLY_PAID, 0
    if invoice_due_on is not None and as_of >= invoice_due_on.date:
        return DUE, 0
    return NOT_DUE, 0


def fit_to_value(amounts: dict[int, Decimal], paid: dict[int, Decimal], value: Decimal) -> dict[int, Decimal]:
    """Tranche amounts that sum to the contract's value (5.1.1 audit, 6.2/6.3/10.2 termination).

    Above the tranches' sum, the last tranche takes the difference. Below it, what no
    longer needs paying is cut in reverse order of the tranches, each only down to what
    was already paid on it; a remainder that only payments cover (the vendor was paid
    more than the value) lowers the last tranche below its payments: a refund due."""
    out = dict(amounts)
    last = max(out)
    delta = value - sum(out.values(), ZERO)
    if delta >= 0:
        out[last] += delta
        return out
    excess = -delta
    for seq in sorted(out, reverse=True):
        cut = min(max(out[seq] - paid.get(seq, ZERO), ZERO), excess)
        out[seq] -= cut
        excess -= cut
    out[last] -= excess
    return out
