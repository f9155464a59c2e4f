"""Remedies open to each side on a date (clauses 6.2 and 6.3).

- 6.2 "若甲方未按约定的金额、期限、方式向乙方支付费用，且未向乙方提供相关说明，乙方有权终止合同约定服务":
  a tranche overdue with no written explanation on file gives the vendor the
  right to suspend service, from the first day overdue until an explanation is
  given or the tranche is paid.
- 6.2 "逾期 60 天仍未支付，乙方可解除本合同": the 60 days are a period in days
  after the due date (Civil Code art. 201: the due date is not counted; art.
  203: a 60th day on a rest day rolls to the next working day); the vendor may
  terminate from the day after the 60th day (seed tranche 2: 60th day
  2027-01-29, right from 2027-01-30), explanation or not.
- 6.3: the buyer may terminate for cause once rectification is refused, fails,
  or the count of rectifications reaches the limit (3): the right arises on
  that notice's or outcome's date.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from settlement.domain.periods import calendar_days_after

VENDOR_SUSPEND = "vendor_suspend_service"
VENDOR_TERMINATE = "vendor_terminate"
BUYER_TERMINATE_FOR_CAUSE = "buyer_terminate_for_cause"


@dataclass(frozen=True)
class Right:
    holder: str        # buyer / vendor
    right: str
    arose_on: date
    tranche_seq: int | None
    basis: str
    provisional: bool = False


@dataclass(frozen=True)
class OverdueTranche:
    seq: int
    due_on: date
    paid_in_full_on: date | None     # the day the tranche was fully paid, if it was
    explained_on: date | None        # earliest delay notice for this tranche


def vendor_rights(tranches: list[OverdueTranche], as_of: date, overdue_days: int, cal) -> list[Right]:
    rights = []
    for t in tranches:
        first_late = t.due_on + timedelta(days=1)
        settled = t.paid_in_full_on is not None and t.paid_in_full_on <= as_of
        if as_of < first_late or (t.paid_in_full_on is not None and t.paid_in_full_on <= t.due_on):
            continue
        if settled:
            continue
        if t.explained_on is None or t.explained_on > as_of:
            rights.append(Right("vendor", VENDOR_SUSPEND, first_late, t.seq,
                                f"6.2: tranche {t.seq} overdue since {first_late.isoformat()} "
                                "with no written explanation on file"))
        period = calendar_days_after(t.due_on, overdue_days, cal, label=f"tranche {t.seq} due_date")
        arises = period.date + timedelta(days=1)
        if as_of >= arises:
            rights.append(Right("vendor", VENDOR_TERMINATE, arises, t.seq,
                                f"6.2: tranche {t.seq} unpaid {overdue_days} days after "
                                f"{t.due_on.isoformat()} (the {overdue_days}th day is "
                                f"{period.date.isoformat()})", period.provisional))
    return rights


def buyer_rights(rectifications: list, limit: int, as_of: date) -> list[Right]:
    known = sorted((r for r in rectifications if r.noticed_on <= as_of), key=lambda r: r.noticed_on)
    candidates = []
    if len(known) >= limit:
        candidates.append((known[limit - 1].noticed_on,
                           f"6.3: {limit} rectification notices by {known[limit - 1].noticed_on.isoformat()}"))
    for r in known:
        if r.outcome in ("failed", "refused") and r.outcome_on and r.outcome_on <= as_of:
            candidates.append((r.outcome_on, f"6.3: rectification noticed {r.noticed_on.isoformat()} "
                                             f"was {r.outcome}"))
    if not candidates:
        return []
    arose, basis = min(candidates)
    return [Right("buyer", BUYER_TERMINATE_FOR_CAUSE, arose, None, basis)]


def has_right(rights: list[Right], right: str) -> bool:
    return any(r.right == right for r in rights)
