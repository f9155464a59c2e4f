"""The payment schedule: each tranche's due date, invoice date and status as of a day.

Clause 5.1.1 gives the due rules, clause 5.2 the invoice lead time. Dates follow
the Civil Code period rules in :mod:`settlement.domain.periods`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class ScheduleFacts:
    """What has happened on the contract by ``as_of`` that the schedule depends on."""

    paid: dict[int, Decimal] = field(default_factory=dict)        # seq -> paid to date
    invoiced: dict[int, Decimal] = field(default_factory=dict)    # seq -> net invoiced (reversals netted)
    audit_completed_on: date | None = None                        # 5.1.1: completion of the audit
    final_amount: Decimal | None = None                           # binding audited balance for the last tranche
    first_invoiced_on: dict[int, date] = field(default_factory=dict)  # seq -> first (non-reversal) invoice date


@dataclass(frozen=True)
class ScheduleLine:
    seq: int
    amount: Decimal
    nominal: bool                 # amount not yet fixed (the final tranche before the audit)
    due: ComputedDate | None      # None while the event the due date hangs on has not happened
    invoice_due: ComputedDate | None
    paid: Decimal
    outstanding: Decimal
    invoiced: Decimal
    uninvoiced: Decimal
    status: str
    days_overdue: int
    invoice_late: bool = False      # 5.2: the first invoice was issued after the invoice due date
    invoice_overdue: bool = False   # 5.2: the invoice due date has passed with something uninvoiced

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


def tranche_status(amount: Decimal, paid: Decimal, due: ComputedDate | None,
                   invoice_due_on: ComputedDate | None, as_of: date) -> tuple[str, int]:
    """Status and days overdue of a tranche on ``as_of``.

    ``paid`` once nothing is outstanding; ``overdue`` after the due date with
    something outstanding (days counted from the due date, which is not itself
    late); ``due`` from the invoice due date (the payment window) through the
    due date; ``partially_paid`` before that when something has been paid;
    otherwise ``not_due``.
    """
    outstanding = amount - paid
    if outstanding <= 0 and (amount > 0 or paid > 0 or due is not None):
        return PAID, 0
    if due is not None and as_of > due.date:
        return OVERDUE, (as_of - due.date).days
    if paid > 0:
        return PARTIALLY_PAID, 0
    if invoice_due_on is not None and as_of >= invoice_due_on.date:
        return DUE, 0
    return NOT_DUE, 0


def build_schedule(contract: ContractTerms, cal, as_of: date,
                   facts: ScheduleFacts | None = None) -> list[ScheduleLine]:
    """Every tranche of the contract with its dates, amounts and status as of ``as_of``."""
    facts = facts or ScheduleFacts()
    final_seq = contract.final_tranche.seq
    lines = []
    for t in sorted(contract.tranches, key=lambda t: t.seq):
        amount, nominal = t.amount, False
        if t.due.kind == WORKING_DAYS_AFTER_AUDIT and t.seq == final_seq:
            if facts.final_amount is not None:
                amount = facts.final_amount
            else:
                nominal = True
        due = tranche_due(contract, t, cal, facts.audit_completed_on)
        inv_due = invoice_due(contract, due, cal)
        paid = facts.paid.get(t.seq, ZERO)
        invoiced = facts.invoiced.get(t.seq, ZERO)
        status, days = tranche_status(amount, paid, due, inv_due, as_of)
        uninvoiced = max(amount - invoiced, ZERO)
        first = facts.first_invoiced_on.get(t.seq)
        lines.append(ScheduleLine(
            seq=t.seq, amount=amount, nominal=nominal, due=due, invoice_due=inv_due, paid=paid,
            outstanding=max(amount - paid, ZERO), invoiced=invoiced,
            uninvoiced=uninvoiced, status=status, days_overdue=days,
            invoice_late=bool(inv_due and first and first > inv_due.date),
            invoice_overdue=bool(inv_due and uninvoiced > 0 and as_of > inv_due.date)))
    return lines
