"""Periods and deadlines under the Civil Code of the PRC, arts. 200-204.

- art. 201: a period in days, months or years starts counting on the day after
  the start day (the start day is not counted);
- art. 202: a period in months ends on the corresponding day of the last month,
  or on that month's last day when it has no such day;
- art. 203: when the last day is a statutory rest day, the next day after the
  rest ends the period (here: the next working day, so a make-up working
  Saturday (调休) counts as a working day and ends a period on itself);
- working days: "N working days before D" counts back over working days from D;
  "N working days after E" counts forward from the day after E.

Every function takes the calendar explicitly and returns a :class:`ComputedDate`
carrying the rule that produced it and whether it rests on a provisional year.
"""
from __future__ import annotations

import calendar as _stdcal
from dataclasses import dataclass
from datetime import date, timedelta

MAX_SCAN = 400  # no calendar keeps more than a year of consecutive rest days
ONE = timedelta(days=1)


@dataclass(frozen=True)
class ComputedDate:
    date: date
    provisional: bool
    rule: str


def add_months(start: date, months: int) -> date:
    """The corresponding day ``months`` later, clamped to the month's last day (art. 202)."""
    total = start.year * 12 + (start.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    return date(year, month, min(start.day, _stdcal.monthrange(year, month)[1]))


def roll_to_working_day(d: date, cal) -> tuple[date, bool]:
    """Art. 203: a last day that is a rest day moves to the next working day. Returns (day, rolled)."""
    rolled = False
    for _ in range(MAX_SCAN):
        if cal.is_working_day(d):
            return d, rolled
        d, rolled = d + ONE, True
    raise ValueError(f"no working day within {MAX_SCAN} days after {d}")


def _provisional_between(cal, first: date, last: date) -> bool:
    lo, hi = min(first, last), max(first, last)
    return any(cal.is_provisional(date(y, 1, 1)) for y in range(lo.year, hi.year + 1))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def months_after(start: date, months: int, cal, label: str = "start") -> ComputedDate:
    """A period of ``months`` months from ``start``: corresponding day, clamped, rolled past rest days."""
    end = add_months(start, months)
    rolled_to, rolled = roll_to_working_day(end, cal)
    rule = f"{label} + {_plural(months, 'month')}"
    if end.day != start.day:
        rule += ", clamped to the month's last day"
    if rolled:
        rule += ", rolled past rest day"
    return ComputedDate(rolled_to, _provisional_between(cal, end, rolled_to), rule)


def deadline_on_or_before(d: date, cal, label: str = "fixed date") -> ComputedDate:
    """A fixed-date deadline: the date itself, rolled to the next working day when it is a rest day."""
    rolled_to, rolled = roll_to_working_day(d, cal)
    rule = f"{label} {d.isoformat()}" + (", rolled past rest day" if rolled else "")
    return ComputedDate(rolled_to, _provisional_between(cal, d, rolled_to), rule)


def calendar_days_after(start: date, days: int, cal, label: str = "start", roll: bool = True) -> ComputedDate:
    """A period of ``days`` days: the start day not counted, ends on start + days (rolled if ``roll``)."""
    end = start + timedelta(days=days)
    rule = f"{label} + {_plural(days, 'day')}"
    if roll:
        rolled_to, rolled = roll_to_working_day(end, cal)
        if rolled:
            rule += ", rolled past rest day"
        return ComputedDate(rolled_to, _provisional_between(cal, end, rolled_to), rule)
    return ComputedDate(end, cal.is_provisional(end), rule)


def _step_working_days(origin: date, n: int, cal, step: timedelta) -> tuple[date, bool]:
    if n < 1:
        raise ValueError("n must be at least 1")
    d, counted, scanned = origin, 0, 0
    provisional = False
    while counted < n:
        d += step
        scanned += 1
        if scanned > MAX_SCAN + 60 * n:
            raise ValueError(f"cannot find {n} working days from {origin}")
        provisional = provisional or cal.is_provisional(d)
        if cal.is_working_day(d):
            counted += 1
    return d, provisional


def working_days_after(event: date, n: int, cal, label: str = "event") -> ComputedDate:
    """The ``n``-th working day after ``event``, counting from the day after it (art. 201)."""
    d, provisional = _step_working_days(event, n, cal, ONE)
    return ComputedDate(d, provisional, f"{label} + {_plural(n, 'working day')}")


def working_days_before(d: date, n: int, cal, label: str = "deadline") -> ComputedDate:
    """``n`` working days before ``d``: counting back, the first working day before ``d`` is 1."""
    found, provisional = _step_working_days(d, n, cal, -ONE)
    return ComputedDate(found, provisional, f"{_plural(n, 'working day')} before {label}")
