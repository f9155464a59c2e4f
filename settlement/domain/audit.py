"""The audit of the final amount and the vendor's objection window (clause 5.1.1).

"对甲方委托的评审审计机构出具的评审意见，乙方应在收到日起五个工作日内签署意见 ...
逾期不签署意见，则视同同意评审审计意见": the window is N working days counted
from the day after the vendor received the opinion; silence through the last
day means the opinion is deemed accepted on that day. The final tranche is
then the audited amount minus the other tranches, due 15 working days after
the audit is complete.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from settlement.domain.periods import ComputedDate, working_days_after

AWAITING_OPINION = "awaiting_opinion"
AWAITING_VENDOR = "awaiting_vendor"
ACCEPTED = "accepted"
DEEMED_ACCEPTED = "deemed_accepted"
DISPUTED = "disputed"
COMPLETED = "completed"
SETTLED = "settled"

ZERO = Decimal("0.00")


def objection_deadline(delivered_on: date, window_working_days: int, cal) -> ComputedDate:
    """The last day the vendor may sign or object: N working days after delivery (delivery day not counted)."""
    return working_days_after(delivered_on, window_working_days, cal, label="delivered_on")


@dataclass(frozen=True)
class OpinionFacts:
    audited_amount: Decimal
    delivered_on: date
    objection_deadline: date
    decision: str | None = None       # accept / object
    responded_on: date | None = None
    completed_on: date | None = None


def opinion_state(op: OpinionFacts, as_of: date) -> tuple[str, date | None]:
    """(state, date the opinion became binding) of one opinion on ``as_of``.

    A response dated after ``as_of`` is not yet known; silence after the
    deadline is deemed acceptance on the deadline.
    """
    if op.decision == "accept" and op.responded_on <= as_of:
        return ACCEPTED, op.responded_on
    if op.decision == "object" and op.responded_on <= as_of:
        return DISPUTED, None
    if as_of > op.objection_deadline:
        return DEEMED_ACCEPTED, op.objection_deadline
    return AWAITING_VENDOR, None


def final_tranche_amount(audited: Decimal, other_tranches_total: Decimal) -> Decimal:
    """5.1.1: the final payment is the audited amount less the other tranches (may be negative)."""
    return audited - other_tranches_total


def direction(balance: Decimal) -> str:
    """Who owes whom once the audit binds: positive balance → the buyer pays; negative → the vendor refunds."""
    if balance > 0:
        return "buyer_pays"
    if balance < 0:
        return "vendor_refunds"
    return "settled"
