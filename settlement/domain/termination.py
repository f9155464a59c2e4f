"""Early termination and its settlement (clauses 6.2, 6.3, 10.2).

- 10.2 buyer's convenience: written notice three months ahead; the contract ends
  on the corresponding day three months after the notice (Civil Code art. 202;
  not rolled: it is an effective date, not a deadline to act); "结清当月费用" —
  the fees of the month in which it takes effect are settled in full; any
  overpayment is refunded.
- 6.3 buyer for cause: effective on notice; the vendor pays liquidated damages
  of penalty_rate × total and refunds what was paid but not earned.
- 6.2 vendor for non-payment: effective on notice; the buyer owes what was
  earned and not paid.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from settlement.domain.earned import EarnedMonth, earned_through
from settlement.domain.money import quantize
from settlement.domain.periods import add_months

BUYER_CONVENIENCE = "buyer_convenience"
BUYER_FOR_CAUSE = "buyer_for_cause"
VENDOR_NONPAYMENT = "vendor_nonpayment"
KINDS = (BUYER_CONVENIENCE, BUYER_FOR_CAUSE, VENDOR_NONPAYMENT)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class TerminationFigures:
    effective_on: date
    earned: Decimal
    paid_total: Decimal
    refund_due: Decimal
    balance_due: Decimal
    penalty: Decimal


def effective_on(kind: str, notice_on: date, notice_months: int) -> date:
    if kind == BUYER_CONVENIENCE:
        return add_months(notice_on, notice_months)
    return notice_on


def figures(kind: str, notice_on: date, notice_months: int, table: list[EarnedMonth],
            paid_total: Decimal, total: Decimal, penalty_rate: Decimal) -> TerminationFigures:
    eff = effective_on(kind, notice_on, notice_months)
    earned = earned_through(table, eff)
    penalty = quantize(penalty_rate * total) if kind == BUYER_FOR_CAUSE else ZERO
    return TerminationFigures(eff, earned, paid_total, max(paid_total - earned, ZERO),
                              max(earned - paid_total, ZERO), penalty)
