"""The audit of the final amount and the vendor's objection window (clause 5.1.1).

"对甲方委托的评审审计机构出具的评审意见，乙方应在收到日起五个工作日内签署意见 ...
逾期不签署意见，则视同同意评审审计意见": the window is N working days counted
from the day after the vendor received the opinion (Civil Code art. 201); the
vendor may answer until the end of the deadline day (art. 203). As of the
deadline the opinion is ``awaiting_vendor``; from the next day silence is a
deemed acceptance, dated the deadline. The audit is complete (审计完成) only on a
binding opinion once its window has closed; the final tranche falls due N working
days counted from the day after completion.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from settlement.domain.history import OpinionFact
from settlement.domain.periods import ComputedDate, working_days_after

AWAITING_OPINION = "awaiting_opinion"
AWAITING_VENDOR = "awaiting_vendor"
ACCEPTED = "accepted"
DEEMED_ACCEPTED = "deemed_accepted"
DISPUTED = "disputed"
COMPLETED = "completed"
SETTLED = "settled"
TERMINATED = "terminated"
SUPERSEDED = "superseded"
BINDING = (ACCEPTED, DEEMED_ACCEPTED)

ZERO = Decimal("0.00")


def objection_deadline(delivered_on: date, window_working_days: int, cal) -> ComputedDate:
    """The last day the vendor may sign or object: N working days after delivery (delivery day not counted)."""
    return working_days_after(delivered_on, window_working_days, cal, label="delivered_on")


@dataclass(frozen=True)
class OpinionPosition:
    """One opinion as of a date: its derived deadline, its state, and when it bound."""

    fact: OpinionFact
    deadline: ComputedDate
    state: str                      # awaiting_vendor / accepted / deemed_accepted / disputed / superseded
    binding_on: date | None         # the acceptance date (a deemed acceptance: the deadline)
    completed_on: date | None       # completion known by as_of

    @property
    def binding(self) -> bool:
        return self.state in BINDING

    @property
    def completable_from(self) -> date:
        """The first day completion can be recorded: the acceptance day, or the day after the deadline."""
        if self.fact.decision == "accept" and self.fact.responded_on is not None:
            return self.fact.responded_on
        return self.deadline.date + timedelta(days=1)


def opinion_state(op: OpinionFact, deadline: date, as_of: date) -> tuple[str, date | None]:
    """(state, date the opinion became binding) on ``as_of``. A response dated after ``as_of`` is not
    yet known; silence after the deadline is a deemed acceptance dated the deadline."""
    if op.decision == "accept" and op.responded_on <= as_of:
        return ACCEPTED, op.responded_on
    if op.decision == "object" and op.responded_on <= as_of:
        return DISPUTED, None
    if as_of > deadline:
        return DEEMED_ACCEPTED, deadline
    return AWAITING_VENDOR, None


def opinions_as_of(opinions, window_working_days: int, cal, as_of: date) -> tuple[OpinionPosition, ...]:
    """Every opinion delivered by ``as_of`` (oldest first); a later one supersedes the earlier ones."""
    known = sorted((o for o in opinions if o.delivered_on <= as_of), key=lambda o: (o.delivered_on, o.id))
    out = []
    for i, op in enumerate(known):
        deadline = objection_deadline(op.delivered_on, window_working_days, cal)
        if i < len(known) - 1:
            out.append(OpinionPosition(op, deadline, SUPERSEDED, None, None))
            continue
        state, binding_on = opinion_state(op, deadline.date, as_of)
        completed = (op.completed_on if binding_on is not None and op.completed_on is not None
                     and op.completed_on <= as_of else None)
        out.append(OpinionPosition(op, deadline, state, binding_on, completed))
    return tuple(out)


def direction(balance: Decimal) -> str:
    """Who owes whom: positive balance → the buyer pays; negative → the vendor refunds."""
    if balance > 0:
        return "buyer_pays"
    if balance < 0:
        return "vendor_refunds"
    return "settled"
