"""Civil Code periods and China working days (DESIGN.md "Time"), checked day by day."""
from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from settlement.domain.calendar import WorkingCalendar, YearSchedule, estimated_holidays
from settlement.domain.periods import (
    add_months, calendar_days_after, deadline_on_or_before, months_after, roll_to_working_day,
    working_days_after, working_days_before,
)

CAL = WorkingCalendar()
FIXTURE = Path(__file__).parent.parent / "fixtures" / "calendar-2027-example.json"


def cal_2027() -> WorkingCalendar:
    return WorkingCalendar({2027: YearSchedule.from_json(json.loads(FIXTURE.read_text("utf-8")))})


@pytest.mark.parametrize("start, months, expected", [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),
    (date(2026, 3, 31), 1, date(2026, 4, 30)),
    (date(2026, 8, 31), 6, date(2027, 2, 28)),
    (date(2026, 11, 24), 3, date(2027, 2, 24)),
    (date(2026, 6, 11), 1, date(2026, 7, 11)),
])
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_seed_first_tranche_rolls_past_the_weekend():
    due = months_after(date(2026, 6, 11), 1, CAL, label="signed_on")
    assert due.date == date(2026, 7, 13)  # 07-11 is a Saturday
    assert due.rule == "signed_on + 1 month, rolled past rest day" and not due.provisional


def test_last_day_in_the_national_day_week_rolls_to_the_8th():
    # 2026 National Day: 10-01..10-07 off, 09-20 (Sun) and 10-10 (Sat) worked.
    assert roll_to_working_day(date(2026, 10, 3), CAL) == (date(2026, 10, 8), True)
    assert months_after(date(2026, 9, 3), 1, CAL).date == date(2026, 10, 8)


def test_last_day_on_a_make_up_saturday_stays():
    assert roll_to_working_day(date(2026, 10, 10), CAL) == (date(2026, 10, 10), False)
    assert deadline_on_or_before(date(2026, 2, 14), CAL).date == date(2026, 2, 14)
    assert deadline_on_or_before(date(2026, 11, 30), CAL).date == date(2026, 11, 30)


def test_invoice_dates_of_the_seed():
    assert working_days_before(date(2026, 11, 30), 3, CAL).date == date(2026, 11, 25)
    assert working_days_before(date(2026, 7, 13), 3, CAL).date == date(2026, 7, 8)


def test_counting_back_over_the_holiday_week():
    # Before Fri 10-09: 10-08 (1); 10-01..07 are off; 09-30 (2); 09-29 (3).
    assert working_days_before(date(2026, 10, 9), 3, CAL).date == date(2026, 9, 29)


def test_counting_forward_over_a_make_up_saturday():
    # After Thu 10-08: 10-09 Fri (1), 10-10 Sat make-up (2), 10-12 Mon (3), 10-13 (4), 10-14 (5).
    assert working_days_after(date(2026, 10, 8), 5, CAL).date == date(2026, 10, 14)
    # The event day is not counted even when it is a working day.
    assert working_days_after(date(2026, 11, 24), 1, CAL).date == date(2026, 11, 25)


def test_calendar_days_period_with_roll():
    # 60 days after 2026-11-30 is 2027-01-29, a Friday.
    assert calendar_days_after(date(2026, 11, 30), 60, CAL).date == date(2027, 1, 29)
    assert calendar_days_after(date(2026, 11, 30), 61, CAL).date == date(2027, 2, 1)  # Sat 01-30 rolls


def test_2027_is_provisional_until_loaded():
    est = working_days_after(date(2027, 1, 4), 5, CAL)
    assert est.provisional and est.date == date(2027, 1, 11)
    loaded = working_days_after(date(2027, 1, 4), 5, cal_2027())
    assert not loaded.provisional and loaded.date == date(2027, 1, 11)
    # A provisional year only taints the dates that touch it.
    assert not working_days_before(date(2026, 12, 31), 3, CAL).provisional


def test_2027_estimate_has_the_statutory_holidays():
    est = estimated_holidays(2027)
    for d in (date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)):
        assert est[d] == "春节"
    assert [d for d, n in est.items() if n == "国庆节"] == [date(2027, 10, d) for d in (1, 2, 3)]
    assert CAL.is_rest_day(date(2027, 2, 8)) and CAL.is_working_day(date(2027, 2, 9))
    assert cal_2027().is_working_day(date(2027, 2, 20))  # a make-up Saturday once loaded
    assert cal_2027().is_rest_day(date(2027, 2, 10))


@pytest.mark.parametrize("data, message", [
    ({"year": "2027", "source": "x"}, "'year'"),
    ({"year": 2027, "source": ""}, "'source'"),
    ({"year": 2027, "source": "x", "holidays": {"2027-13-01": "x"}}, "not an ISO date"),
    ({"year": 2027, "source": "x", "holidays": {"2026-01-01": "x"}}, "not in 2027"),
    ({"year": 2027, "source": "x", "holidays": {"2027-01-01": "x"}, "workdays": {"2027-01-01": "y"}},
     "both as a holiday and as a working day"),
])
def test_schedule_file_errors(data, message):
    with pytest.raises(ValueError, match=message):
        YearSchedule.from_json(data)


def _working_between(a: date, b: date) -> int:
    return sum(CAL.is_working_day(a + timedelta(days=i)) for i in range(1, (b - a).days))


days = st.dates(min_value=date(2005, 1, 1), max_value=date(2029, 12, 31))


@given(days, st.integers(min_value=0, max_value=240))
def test_add_months_never_raises_and_never_overshoots(start, months):
    end = add_months(start, months)
    assert end.day <= start.day
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == months


@given(days, st.integers(min_value=1, max_value=30))
def test_working_days_before_counts_exactly(d, n):
    found = working_days_before(d, n, CAL).date
    assert found < d and CAL.is_working_day(found)
    assert _working_between(found, d) == n - 1


@given(days, st.integers(min_value=1, max_value=30))
def test_working_days_after_counts_exactly(d, n):
    found = working_days_after(d, n, CAL).date
    assert found > d and CAL.is_working_day(found)
    assert _working_between(d, found) == n - 1
