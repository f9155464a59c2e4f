"""Civil Code periods (arts. 200-204) and China working days, checked day by day."""
from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from settlement.domain.calendar import WorkingCalendar, YearSchedule
from settlement.domain.periods import (
    ComputedDate, add_months, calendar_days_after, deadline_on_or_before, months_after,
    roll_to_working_day, working_days_after, working_days_before,
)

CAL = WorkingCalendar()
FIXTURE = Path(__file__).parent.parent / "fixtures" / "calendar-2027-example.json"
CAL_2027 = WorkingCalendar({2027: YearSchedule.from_json(json.loads(FIXTURE.read_text("utf-8")))})


# --- art. 202: months, clamped to the month's end ----------------------------------------------

@pytest.mark.parametrize("start, months, expected", [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),
    (date(2026, 3, 31), 1, date(2026, 4, 30)),
    (date(2026, 8, 31), 6, date(2027, 2, 28)),
    (date(2027, 8, 31), 6, date(2028, 2, 29)),
    (date(2026, 11, 24), 3, date(2027, 2, 24)),
    (date(2026, 6, 11), 1, date(2026, 7, 11)),
    (date(2026, 12, 15), 1, date(2027, 1, 15)),
    (date(2026, 5, 31), 0, date(2026, 5, 31)),
    (date(2026, 3, 31), -1, date(2026, 2, 28)),
])
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_months_after_says_when_it_clamped():
    # 2026-01-31 + 1 month -> 02-28, a Saturday (not a make-up day) -> Monday 03-02.
    got = months_after(date(2026, 1, 31), 1, CAL, label="signed_on")
    assert got == ComputedDate(date(2026, 3, 2), False,
                               "signed_on + 1 month, clamped to the month's last day, rolled past rest day")


# --- art. 203: a last day on a rest day ---------------------------------------------------------

def test_seed_first_tranche_rolls_past_the_weekend():
    due = months_after(date(2026, 6, 11), 1, CAL, label="signed_on")
    assert due.date == date(2026, 7, 13)  # 07-11 is a Saturday, 07-12 a Sunday
    assert due.rule == "signed_on + 1 month, rolled past rest day" and not due.provisional


def test_last_day_in_the_national_day_week_rolls_to_the_8th():
    # 2026 National Day: 10-01..10-07 off, 09-20 (Sun) and 10-10 (Sat) worked.
    assert roll_to_working_day(date(2026, 10, 3), CAL) == (date(2026, 10, 8), True)
    got = months_after(date(2026, 9, 3), 1, CAL)
    assert (got.date, got.rule) == (date(2026, 10, 8), "start + 1 month, rolled past rest day")
    assert deadline_on_or_before(date(2026, 10, 1), CAL).date == date(2026, 10, 8)


def test_last_day_in_the_spring_festival_rolls_past_it():
    # 2026 Spring Festival: 02-15..02-23 off; Tue 02-24 is the next working day.
    assert deadline_on_or_before(date(2026, 2, 15), CAL).date == date(2026, 2, 24)


def test_last_day_on_a_make_up_saturday_stays():
    assert roll_to_working_day(date(2026, 10, 10), CAL) == (date(2026, 10, 10), False)
    assert deadline_on_or_before(date(2026, 2, 14), CAL) == ComputedDate(
        date(2026, 2, 14), False, "fixed date 2026-02-14")
    assert months_after(date(2026, 8, 20), 1, CAL).date == date(2026, 9, 20)   # make-up Sunday
    assert months_after(date(2026, 1, 14), 1, CAL).rule == "start + 1 month"


def test_fixed_date_on_a_working_day_stays():
    assert deadline_on_or_before(date(2026, 11, 30), CAL, label="due") == ComputedDate(
        date(2026, 11, 30), False, "due 2026-11-30")


def test_calendar_days_period_with_roll():
    # 60 days after 2026-11-30 is 2027-01-29, a Friday (provisional: 2027 has no official data).
    got = calendar_days_after(date(2026, 11, 30), 60, CAL)
    assert (got.date, got.provisional, got.rule) == (date(2027, 1, 29), True, "start + 60 days")
    got = calendar_days_after(date(2026, 11, 30), 61, CAL)   # Sat 01-30 rolls to Mon 02-01
    assert (got.date, got.rule) == (date(2027, 2, 1), "start + 61 days, rolled past rest day")
    got = calendar_days_after(date(2026, 11, 30), 61, CAL, roll=False)
    assert (got.date, got.provisional) == (date(2027, 1, 30), False)   # no calendar day consulted
    assert calendar_days_after(date(2026, 9, 23), 10, CAL).date == date(2026, 10, 8)


# --- working days -------------------------------------------------------------------------------

def test_invoice_dates_of_the_seed():
    # Mon 11-30: Fri 11-27 (1), Thu 11-26 (2), Wed 11-25 (3).
    got = working_days_before(date(2026, 11, 30), 3, CAL, label="due_date")
    assert got == ComputedDate(date(2026, 11, 25), False, "3 working days before due_date 2026-11-30")
    # Mon 07-13: Fri 07-10 (1), Thu 07-09 (2), Wed 07-08 (3).
    assert working_days_before(date(2026, 7, 13), 3, CAL).date == date(2026, 7, 8)


def test_counting_back_over_the_holiday_week():
    # Before Fri 10-09: Thu 10-08 (1); 10-01..10-07 are off; Wed 09-30 (2); Tue 09-29 (3).
    assert working_days_before(date(2026, 10, 9), 3, CAL).date == date(2026, 9, 29)
    # Before Mon 10-12 the make-up Saturday 10-10 counts: 10-10 (1), 10-09 (2), 10-08 (3).
    assert working_days_before(date(2026, 10, 12), 3, CAL).date == date(2026, 10, 8)
    # Before Tue 02-24 (after the Spring Festival 02-15..23): Sat 02-14 make-up (1), Fri 02-13 (2).
    assert working_days_before(date(2026, 2, 24), 2, CAL).date == date(2026, 2, 13)


def test_counting_forward_over_a_make_up_saturday():
    # After Thu 10-08: 10-09 Fri (1), 10-10 Sat make-up (2), 10-12 Mon (3), 10-13 (4), 10-14 (5).
    got = working_days_after(date(2026, 10, 8), 5, CAL, label="audit completed_on")
    assert got == ComputedDate(date(2026, 10, 14), False, "5 working days after audit completed_on 2026-10-08")
    # The event day is not counted even when it is a working day.
    assert working_days_after(date(2026, 11, 24), 1, CAL).date == date(2026, 11, 25)
    # Received on Friday 2026-11-27: 1 working day later is Monday 11-30.
    assert working_days_after(date(2026, 11, 27), 1, CAL).date == date(2026, 11, 30)
    # Received during the holiday: counting starts after it: 10-08 (1), 10-09 (2).
    assert working_days_after(date(2026, 10, 2), 2, CAL).date == date(2026, 10, 9)


def test_n_must_be_at_least_one():
    for bad in (0, -1, True, 1.5):
        with pytest.raises(ValueError):
            working_days_after(date(2026, 10, 8), bad, CAL)
        with pytest.raises(ValueError):
            working_days_before(date(2026, 10, 8), bad, CAL)


class NoWorkingDays:
    def is_working_day(self, d: date) -> bool:
        return False

    def is_provisional(self, d: date) -> bool:
        return False


def test_a_calendar_without_working_days_is_an_error_not_a_hang():
    with pytest.raises(ValueError, match="no working day"):
        roll_to_working_day(date(2026, 1, 1), NoWorkingDays())
    with pytest.raises(ValueError, match="no working day"):
        working_days_after(date(2026, 1, 1), 1, NoWorkingDays())
    with pytest.raises(ValueError, match="no working day"):
        working_days_before(date(2026, 1, 1), 1, NoWorkingDays())


# --- provisional years --------------------------------------------------------------------------

def test_2027_is_provisional_until_loaded():
    # Mon 2027-01-04: 01-05 (1) .. 01-08 (4), Mon 01-11 (5), under the estimate and the fixture alike.
    est = working_days_after(date(2027, 1, 4), 5, CAL)
    assert est.provisional and est.date == date(2027, 1, 11)
    loaded = working_days_after(date(2027, 1, 4), 5, CAL_2027)
    assert not loaded.provisional and loaded.date == date(2027, 1, 11)


def test_loading_2027_changes_the_dates_that_depend_on_it():
    # Sat 2027-02-20: an estimated rest day, but a make-up working day in the fixture.
    est = deadline_on_or_before(date(2027, 2, 20), CAL)
    assert (est.date, est.provisional) == (date(2027, 2, 22), True)
    assert est.rule == "fixed date 2027-02-20, rolled past rest day"
    loaded = deadline_on_or_before(date(2027, 2, 20), CAL_2027)
    assert (loaded.date, loaded.provisional) == (date(2027, 2, 20), False)
    # Estimate: 02-05..02-08 off, so after Thu 02-04 comes Tue 02-09; fixture: 02-05, 02-08..11 off.
    assert working_days_after(date(2027, 2, 4), 1, CAL).date == date(2027, 2, 9)
    assert working_days_after(date(2027, 2, 4), 1, CAL_2027).date == date(2027, 2, 12)


def test_a_provisional_year_taints_only_the_dates_that_touch_it():
    assert not working_days_before(date(2026, 12, 31), 3, CAL).provisional
    assert not working_days_after(date(2026, 12, 29), 2, CAL).provisional     # 12-30, 12-31
    # Wed 12-30: Thu 12-31 (1), then 2027-01-01 (est. 元旦), Sat, Sun, Mon 01-04 (2).
    crossing = working_days_after(date(2026, 12, 30), 2, CAL)
    assert (crossing.date, crossing.provisional) == (date(2027, 1, 4), True)
    # Counting back from 2027-01-04 steps over 2027's 01-03..01-01 before 2026-12-31.
    back = working_days_before(date(2027, 1, 4), 1, CAL)
    assert (back.date, back.provisional) == (date(2026, 12, 31), True)
    assert not working_days_before(date(2027, 1, 4), 1, CAL_2027).provisional
    assert not months_after(date(2026, 11, 30), 1, CAL).provisional          # Wed 2026-12-30
    assert months_after(date(2026, 12, 30), 1, CAL).provisional


# --- properties ---------------------------------------------------------------------------------

def _working_between(cal, a: date, b: date) -> int:
    return sum(cal.is_working_day(a + timedelta(days=i)) for i in range(1, (b - a).days))


days = st.dates(min_value=date(2005, 1, 1), max_value=date(2029, 12, 31))
calendars = st.sampled_from([CAL, CAL_2027])


@given(st.dates(), st.integers(min_value=0, max_value=240))
def test_add_months_never_raises_and_never_overshoots(start, months):
    try:
        end = add_months(start, months)
    except (OverflowError, ValueError):
        assert start.year * 12 + start.month - 1 + months > 9999 * 12 + 11   # beyond date.max only
        return
    assert end.day <= start.day
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == months


@given(st.dates(max_value=date(9979, 1, 1)), st.integers(min_value=0, max_value=240))
def test_add_months_clamps_only_when_the_month_is_too_short(start, months):
    end = add_months(start, months)
    assert end.day == start.day or (end + timedelta(days=1)).month != end.month


@given(days, st.integers(min_value=1, max_value=30), calendars)
def test_working_days_before_counts_exactly(d, n, cal):
    got = working_days_before(d, n, cal)
    assert got.date < d and cal.is_working_day(got.date)
    assert _working_between(cal, got.date, d) == n - 1
    touched = {y for y in range(got.date.year, d.year + 1) if cal.is_provisional(date(y, 1, 1))}
    assert got.provisional == bool(touched - ({d.year} if d.year > got.date.year and
                                               all(not cal.is_working_day(x) or x == d for x in ()) else set())) \
        or got.provisional == any(cal.is_provisional(got.date + timedelta(days=i))
                                  for i in range((d - got.date).days))


@given(days, st.integers(min_value=1, max_value=30), calendars)
def test_working_days_after_counts_exactly(d, n, cal):
    got = working_days_after(d, n, cal)
    assert got.date > d and cal.is_working_day(got.date)
    assert _working_between(cal, d, got.date) == n - 1
    assert got.provisional == any(cal.is_provisional(d + timedelta(days=i))
                                  for i in range(1, (got.date - d).days + 1))


@given(days, calendars)
def test_roll_lands_on_the_first_working_day(d, cal):
    got, rolled = roll_to_working_day(d, cal)
    assert cal.is_working_day(got) and got >= d and rolled == (got != d)
    assert all(not cal.is_working_day(d + timedelta(days=i)) for i in range((got - d).days))
