"""China's working-day calendar.

Official data comes from ``chinesecalendar`` (State Council holiday notices, to
2026 in the installed release); official schedules published later are loaded
as data (:class:`YearSchedule`, ``flask calendar load``) and take precedence.
Any other year is *estimated* from weekends and the statutory holidays of
《全国年节及纪念日放假办法》 (2025 revision) without make-up days, and every date
that depends on it is ``provisional``.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
from lunardate import LunarDate


@dataclass(frozen=True)
class YearSchedule:
    """An official schedule for one year: rest days off the weekend pattern and make-up working days."""

    year: int
    source: str
    holidays: Mapping[date, str]
    workdays: Mapping[date, str]

    @classmethod
    def from_json(cls, data: dict) -> "YearSchedule":
        """Build from the data-file format; raises ValueError naming the offending key."""
        if not isinstance(data, dict):
            raise ValueError("the calendar file must hold a JSON object")
        year = data.get("year")
        if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2200:
            raise ValueError("'year' must be a whole number between 1900 and 2200")
        source = data.get("source")
        if not isinstance(source, str) or not source.strip():
            raise ValueError("'source' must name the official notice the schedule comes from")
        maps = {}
        for key in ("holidays", "workdays"):
            raw = data.get(key, {})
            if not isinstance(raw, dict):
                raise ValueError(f"'{key}' must be an object of ISO date -> name")
            parsed = {}
            for k, v in raw.items():
                try:
                    d = date.fromisoformat(k)
                except (TypeError, ValueError):
                    raise ValueError(f"'{key}': {k!r} is not an ISO date (YYYY-MM-DD)") from None
                if d.year != year:
                    raise ValueError(f"'{key}': {k} is not in {year}")
                parsed[d] = str(v)
            maps[key] = parsed
        both = sorted(set(maps["holidays"]) & set(maps["workdays"]))
        if both:
            raise ValueError(f"{both[0].isoformat()} is listed both as a holiday and as a working day")
        return cls(year, source.strip(), maps["holidays"], maps["workdays"])

    def to_json(self) -> dict:
        return {
            "year": self.year, "source": self.source,
            "holidays": {d.isoformat(): n for d, n in sorted(self.holidays.items())},
            "workdays": {d.isoformat(): n for d, n in sorted(self.workdays.items())},
        }


def _library_years() -> range:
    years = [d.year for d in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


LIBRARY_YEARS = _library_years()


@lru_cache(maxsize=None)
def _library_year(year: int) -> tuple[dict[date, str], dict[date, str]]:
    hol = {d: n for d, n in chinese_calendar.holidays.items() if d.year == year}
    work = {d: n for d, n in chinese_calendar.workdays.items() if d.year == year}
    return hol, work


@lru_cache(maxsize=None)
def estimated_holidays(year: int) -> dict[date, str]:
    """Statutory holidays of a year with no official schedule (2025 rules; no make-up days).

    元旦 Jan 1; 春节 the lunar New Year's Eve and lunar 1/1-1/3; 清明节 the
    Qingming solar term; 劳动节 May 1-2; 端午节 lunar 5/5; 中秋节 lunar 8/15;
    国庆节 Oct 1-3.
    """
    days: dict[date, str] = {date(year, 1, 1): "元旦"}
    new_year = LunarDate(year, 1, 1).to_solar_date()
    for i in range(-1, 3):
        days[new_year + timedelta(days=i)] = "春节"
    qingming = next((d for d, name in chinese_calendar.get_solar_terms(date(year, 4, 3), date(year, 4, 6))
                     if "清明" in str(name) or "Qing" in str(name)), date(year, 4, 5))
    days[qingming] = "清明节"
    days[date(year, 5, 1)] = days[date(year, 5, 2)] = "劳动节"
    days[LunarDate(year, 5, 5).to_solar_date()] = "端午节"
    days[LunarDate(year, 8, 15).to_solar_date()] = "中秋节"
    for d in (1, 2, 3):
        days[date(year, 10, d)] = "国庆节"
    return {d: n for d, n in days.items() if d.year == year}


@dataclass(frozen=True)
class WorkingCalendar:
    """China's working-day calendar: loaded schedules, else chinesecalendar, else an estimate."""

    schedules: Mapping[int, YearSchedule] = field(default_factory=dict)

    def _year(self, year: int) -> tuple[Mapping[date, str], Mapping[date, str], bool]:
        """(rest days off the weekend pattern, make-up working days, provisional) for a year."""
        if year in self.schedules:
            s = self.schedules[year]
            return s.holidays, s.workdays, False
        if year in LIBRARY_YEARS:
            hol, work = _library_year(year)
            return hol, work, False
        return estimated_holidays(year), {}, True

    def is_working_day(self, d: date) -> bool:
        hol, work, _ = self._year(d.year)
        if d in work:
            return True
        if d in hol:
            return False
        return d.weekday() < 5

    def is_rest_day(self, d: date) -> bool:
        return not self.is_working_day(d)

    def is_provisional(self, d: date) -> bool:
        """True when ``d``'s year has neither official library data nor a loaded schedule."""
        return self._year(d.year)[2]

    def day_name(self, d: date) -> str | None:
        hol, work, _ = self._year(d.year)
        return work.get(d) or hol.get(d)

    def year_days(self, year: int) -> list[tuple[date, bool, str | None]]:
        d, out = date(year, 1, 1), []
        while d.year == year:
            out.append((d, self.is_working_day(d), self.day_name(d)))
            d += timedelta(days=1)
        return out
