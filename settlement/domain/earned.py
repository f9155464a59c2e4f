"""Monthly earned value: what the vendor has earned by serving, month by month.

DESIGN.md "Money": monthly earned value = total / service months, with the
rounding remainder in the last month, so the months always sum to the total.
A service month is a calendar month the service period touches.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from settlement.domain.money import split_evenly_remainder_last


@dataclass(frozen=True)
class EarnedMonth:
    month: str          # "2026-07"
    first_day: date
    amount: Decimal
    cumulative: Decimal


def service_months(start: date, end: date) -> list[date]:
    """First days of every calendar month from ``start``'s month to ``end``'s month."""
    months, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        months.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def earned_table(total: Decimal, start: date, end: date) -> list[EarnedMonth]:
    """The monthly earned-value table: equal months, remainder in the last, summing to ``total``."""
    months = service_months(start, end)
    amounts = split_evenly_remainder_last(total, len(months))
    rows, running = [], Decimal("0.00")
    for first, amount in zip(months, amounts):
        running += amount
        rows.append(EarnedMonth(first.strftime("%Y-%m"), first, amount, running))
    return rows


def earned_through(table: list[EarnedMonth], day: date) -> Decimal:
    """Earned value through the month containing ``day``, that month in full (clause 10.2, "当月费用")."""
    total = Decimal("0.00")
    for row in table:
        if row.first_day <= day:
            total = row.cumulative
    return total


def amended_earned_table(total: Decimal, start: date, end: date,
                         changes: list[tuple[date, Decimal]]) -> list[EarnedMonth]:
    """Earned value when supplementary agreements change the total (5.1.2, 12.3).

    ``total`` is the original total; ``changes`` are (effective_from, new total).

    Months before an amendment's effective month keep what they earned under
    the terms then in force; the new total less what those months earned is
    spread over the remaining months (remainder in the last), so the table
    always sums to the latest total.
    """
    table = earned_table(total, start, end)
    for eff, new_total in sorted(changes):
        fixed = [m for m in table if m.first_day < date(eff.year, eff.month, 1)]
        rest = [m for m in table if m not in fixed]
        done = fixed[-1].cumulative if fixed else Decimal("0.00")
        if not rest:
            continue
        amounts = split_evenly_remainder_last(new_total - done, len(rest))
        running, rebuilt = done, list(fixed)
        for m, a in zip(rest, amounts):
            running += a
            rebuilt.append(EarnedMonth(m.month, m.first_day, a, running))
        table = rebuilt
    return table
