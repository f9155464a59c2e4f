"""Periods and deadlines under the Civil Code of the PRC (《中华人民共和国民法典》), arts. 200-204.

- art. 200: periods are counted by the Gregorian calendar in years, months,
  days and hours;
- art. 201: a period in days, months or years starts counting on the day after
  the start day (the start day is not counted);
- art. 202: a period in months or years ends on the corresponding day of the
  last month, or on that month's last day when it has no such day;
- art. 203: when the last day is a statutory rest day, the day after the rest
  ends the period (here: the next working day, so a make-up working Saturday
  (调休) is a working day and ends a period on itself); the last day ends at 24:00;
- art. 204: the parties may agree otherwise (working-day periods below are such
  agreements: "N working days before D" counts back over working days from D,
  "N working days after E" counts forward from the day after E, as art. 201).

Every function takes the calendar explicitly (duck-typed: ``is_working_day``,
``is_provisional``) and returns a :class:`ComputedDate` carrying the rule that
produced it and whether any day consulted lies in a provisional year.
"""
from __future__ import annotations

import calendar as _stdcal
from dataclasses import dataclass
from datetime import date, timedelta

MAX_REST_RUN = 366  # more consecutive rest days than this: the calendar is broken
ONE = timedelta(days=1)


@dataclass(frozen=True)
class ComputedDate:
    date: date
    provisional: bool   # True when any day consulted to compute it lies in a provisional year
    rule: str           # the human-readable rule that produced it


def add_months(start: date, months: int) -> date:
    """The corresponding day ``months`` later, or that month's last day if it has none (art. 202).

    2026-01-31 + 1 -> 2026-02-28; 2028-01-31 + 1 -> 2028-02-29.
    """
    total = start.year * 12 + (start.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    return date(year, month, min(start.day, _stdcal.monthrange(year, month)[1]))


def _roll(d: date, cal) -> tuple[date, bool, bool]:
    """(next working day on or after d, rolled, provisional over every day inspected)."""
    start, provisional = d, False
    for _ in range(MAX_REST_RUN + 1):
        provisional = provisional or cal.is_provisional(d)
        if cal.is_working_day(d):
            return d, d != start, provisional
        d += ONE
    raise ValueError(f"no working day within {MAX_REST_RUN + 1} days from {start.isoformat()}")


def roll_to_working_day(d: date, cal) -> tuple[date, bool]:
    """Art. 203: a last day that is a rest day (weekend or holiday; a make-up working
    Saturday is a working day) moves to the next working day. Returns (day, rolled)."""
    found, rolled, _ = _roll(d, cal)
    return found, rolled


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def months_after(start: date, months: int, cal, label: str = "start") -> ComputedDate:
    """A period of ``months`` months from ``start`` (arts. 201-203): the start day is not
    counted, the period ends on the corresponding day (clamped to the month's last day),
    rolled past rest days."""
    end = add_months(start, months)
    found, rolled, provisional = _roll(end, cal)
    rule = f"{label} + {_plural(months, 'month')}"
    if end.day != start.day:
        rule += ", clamped to the month's last day"
    if rolled:
        rule += ", rolled past rest day"
    return ComputedDate(found, provisional, rule)


def deadline_on_or_before(d: date, cal, label: str = "fixed date") -> ComputedDate:
    """A fixed-date deadline: the date itself, rolled to the next working day when it is a
    rest day (art. 203)."""
    found, rolled, provisional = _roll(d, cal)
    rule = f"{label} {d.isoformat()}" + (", rolled past rest day" if rolled else "")
    return ComputedDate(found, provisional, rule)


def calendar_days_after(start: date, days: int, cal, label: str = "start", roll: bool = True) -> ComputedDate:
    """A period of ``days`` days (art. 201): the start day is not counted, the period ends
    on start + days, rolled to the next working day if ``roll`` and that is a rest day
    (art. 203). Without ``roll`` no day is consulted, so the result is never provisional."""
    end = start + timedelta(days=days)
    rule = f"{label} + {_plural(days, 'day')}"
    if not roll:
        return ComputedDate(end, False, rule)
    found, rolled, provisional = _roll(end, cal)
    if rolled:
        rule += ", rolled past rest day"
    return ComputedDate(found, provisional, rule)


def _step_working_days(origin: date, n: int, cal, step: timedelta) -> tuple[date, bool]:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"the number of working days must be a whole number >= 1, not {n!r}")
    d, counted, rest_run, provisional = origin, 0, 0, False
    while counted < n:
        d += step
        provisional = provisional or cal.is_provisional(d)
        if cal.is_working_day(d):
            counted, rest_run = counted + 1, 0
        else:
            rest_run += 1
            if rest_run > MAX_REST_RUN:
                raise ValueError(f"no working day within {MAX_REST_RUN + 1} days of {d.isoformat()}")
    return d, provisional


def working_days_after(event: date, n: int, cal, label: str = "event") -> ComputedDate:
    """The ``n``-th working day after ``event``, counting from the day after it (the event
    day is not counted, art. 201): received on Friday, 1 working day later is Monday
    (or a make-up Saturday)."""
    found, provisional = _step_working_days(event, n, cal, ONE)
    return ComputedDate(found, provisional,
                        f"{_plural(n, 'working day')} after {label} {event.isoformat()}")


def working_days_before(d: date, n: int, cal, label: str = "deadline") -> ComputedDate:
    """``n`` working days before ``d``, counting back over working days: the first working
    day before ``d`` is 1 (so there are n-1 working days strictly between the result and d)."""
    found, provisional = _step_working_days(d, n, cal, -ONE)
    return ComputedDate(found, provisional,
                        f"{_plural(n, 'working day')} before {label} {d.isoformat()}")
