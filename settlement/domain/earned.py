"""Monthly earned value: what the vendor has earned by serving, month by month.

DESIGN.md "Money": monthly earned value = total / service months, with the
rounding remainder in the last month, so the months always sum to the total.
A service month is a calendar month the service period touches. The table is
then reshaped by what changes the contract's value, always summing to the value:

- a supplementary agreement (12.3) re-spreads its new total over the months from
  the later of its effective month and its signing month (months before keep what
  they earned, so a figure already reported never changes);
- a binding audit (5.1.1) puts the difference to the audited amount in the last
  service month, or the month the audit became binding if that is later;
- a termination (6.2, 6.3, 10.2) stops earning after its effective month.

A change that falls after the service period adds a row for its month.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from settlement.domain.money import split_evenly_remainder_last

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class EarnedMonth:
    month: str          # "2026-07"
    first_day: date
    amount: Decimal
    cumulative: Decimal


def first_of_month(day: date) -> date:
    return date(day.year, day.month, 1)


def service_months(start: date, end: date) -> list[date]:
    """First days of every calendar month from ``start``'s month to ``end``'s month."""
    months, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        months.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _table(rows: list[tuple[date, Decimal]]) -> tuple[EarnedMonth, ...]:
    out, running = [], ZERO
    for first, amount in rows:
        running += amount
        out.append(EarnedMonth(first.strftime("%Y-%m"), first, amount, running))
    return tuple(out)


def earned_table(total: Decimal, start: date, end: date) -> tuple[EarnedMonth, ...]:
    """The monthly earned-value table: equal months, remainder in the last, summing to ``total``."""
    months = service_months(start, end)
    return _table(list(zip(months, split_evenly_remainder_last(total, len(months)))))


def table_total(table) -> Decimal:
    return table[-1].cumulative if table else ZERO


def respread(table, from_day: date, new_total: Decimal) -> tuple[EarnedMonth, ...]:
    """12.3: months before ``from_day``'s month keep what they earned; the rest of ``new_total``
    is spread evenly over the months from it (remainder in the last). With no month left in the
    service period, the difference is earned in ``from_day``'s month (a row added after the period)."""
    start = first_of_month(from_day)
    fixed = [(m.first_day, m.amount) for m in table if m.first_day < start]
    rest = [m.first_day for m in table if m.first_day >= start]
    done = sum((a for _, a in fixed), ZERO)
    if not rest:
        return _table(fixed + [(start, new_total - done)])
    return _table(fixed + list(zip(rest, split_evenly_remainder_last(new_total - done, len(rest)))))


def adjust_to(table, value: Decimal, day: date) -> tuple[EarnedMonth, ...]:
    """5.1.1: the difference to ``value`` is earned in the table's last month, or ``day``'s month if later."""
    diff = value - table_total(table)
    if diff == 0:
        return tuple(table)
    month = first_of_month(day)
    rows = [(m.first_day, m.amount) for m in table]
    if rows and rows[-1][0] >= month:
        rows[-1] = (rows[-1][0], rows[-1][1] + diff)
    else:
        rows.append((month, diff))
    return _table(rows)


def stop_after(table, effective_on: date) -> tuple[EarnedMonth, ...]:
    """10.2 "结清当月费用": the effective month is earned in full, nothing after it."""
    last = first_of_month(effective_on)
    return _table([(m.first_day, m.amount if m.first_day <= last else ZERO) for m in table])


def earned_through(table, day: date) -> Decimal:
    """Earned value through the month containing ``day``, that month in full (clause 10.2, "当月费用")."""
    total = ZERO
    for row in table:
        if row.first_day <= day:
            total = row.cumulative
    return total
