"""Early termination (clauses 6.2, 6.3, 10.2).

- 10.2 buyer's convenience: written notice three months ahead; the contract ends
  on the corresponding day three months after the notice (Civil Code art. 202;
  not rolled: an effective date, not a deadline to act); "结清当月费用": the month
  in which it takes effect is earned in full; any overpayment is refunded.
- 6.3 buyer for cause: effective on notice; the vendor owes liquidated damages of
  penalty_rate × the total in force (a claim the buyer may set off) and refunds
  what was paid but not earned.
- 6.2 vendor for non-payment: effective on notice; the buyer owes what was earned.

From the notice the contract's value is the termination's earned value (earned
through the effective month); what the tranches no longer need is cut, and the
balance is settled 15 working days after the effective date (our rule: the
contract names no date; we use the final tranche's 15 working days).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from settlement.domain.money import quantize
from settlement.domain.periods import add_months

BUYER_CONVENIENCE = "buyer_convenience"
BUYER_FOR_CAUSE = "buyer_for_cause"
VENDOR_NONPAYMENT = "vendor_nonpayment"
KINDS = (BUYER_CONVENIENCE, BUYER_FOR_CAUSE, VENDOR_NONPAYMENT)
SETTLEMENT_WORKING_DAYS = 15
ZERO = Decimal("0.00")


def effective_on(kind: str, notice_on: date, notice_months: int) -> date:
    if kind == BUYER_CONVENIENCE:
        return add_months(notice_on, notice_months)
    return notice_on


def penalty(kind: str, total_in_force: Decimal, penalty_rate: Decimal) -> Decimal:
    """6.3: penalty_rate × the total in force for a termination for cause; none otherwise."""
    return quantize(penalty_rate * total_in_force) if kind == BUYER_FOR_CAUSE else ZERO
