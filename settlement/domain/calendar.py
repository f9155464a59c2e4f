"""China's working-day calendar.

Official data comes from ``chinesecalendar`` (State Council holiday notices,
2004..2026 in release 1.11.0); official schedules published later are loaded as
data (:class:`YearSchedule`, ``flask calendar load FILE``, see
``settlement/data/calendar/README.md``) and take precedence over the library for
the same year. Any other year is *estimated* from weekends and the statutory
holidays of 《全国年节及纪念日放假办法》 (2025 revision) without make-up days, and
every date that depends on it is ``provisional``.

Names are Chinese throughout: the library's English names are translated
(``Spring Festival`` -> ``春节``; its make-up days -> ``春节调休``) so that
library, loaded and estimated years read alike.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
from lunardate import LunarDate

# lunardate covers lunar years [1900, 2100); chinesecalendar's solar terms [1900, 2100].
ESTIMATE_YEARS = range(1900, 2100)

_LIBRARY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def _chinese(name: str) -> str:
    if name in _LIBRARY_NAMES:
        return _LIBRARY_NAMES[name]
    try:  # a special day added by a later chinesecalendar release
        return chinese_calendar.Holiday(name).chinese
    except (ValueError, AttributeError):
        return name


@dataclass(frozen=True)
class YearSchedule:
    """An official schedule for one year (one State Council notice).

    ``holidays``: every rest day that is not an ordinary Saturday/Sunday (weekend
    days inside a holiday block may be listed too); ``workdays``: make-up working
    days (调休) that fall on a weekend.
    """

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
        unknown = sorted(set(data) - {"year", "source", "holidays", "workdays"})
        if unknown:
            raise ValueError(f"unknown key {unknown[0]!r} (expected year, source, holidays, workdays)")
        maps: dict[str, dict[date, str]] = {}
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
                if len(k) != 10:  # fromisoformat also takes 20270101
                    raise ValueError(f"'{key}': {k!r} is not an ISO date (YYYY-MM-DD)")
                if d.year != year:
                    raise ValueError(f"'{key}': {k} is not in {year}")
                if not isinstance(v, str) or not v.strip():
                    raise ValueError(f"'{key}': {k} needs a name (a non-empty string)")
                if key == "workdays" and d.weekday() < 5:
                    raise ValueError(f"'workdays': {k} is a {d.strftime('%A')}; only weekend days "
                                     "can be make-up working days")
                parsed[d] = v.strip()
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
    """The library's (rest days, make-up working days) of a year, with Chinese names."""
    hol = {d: _chinese(n) for d, n in chinese_calendar.holidays.items() if d.year == year}
    work = {d: _chinese(n) + "调休" for d, n in chinese_calendar.workdays.items() if d.year == year}
    return hol, work


def _qingming(year: int) -> date:
    terms = chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 30))
    return next(d for d, name in terms if str(name).startswith("清明"))


@lru_cache(maxsize=None)
def _estimate(year: int) -> dict[date, str]:
    if year not in ESTIMATE_YEARS:
        raise ValueError(f"no calendar for {year}: the lunar-calendar estimate covers "
                         f"{ESTIMATE_YEARS.start}..{ESTIMATE_YEARS.stop - 1}")
    days: dict[date, str] = {date(year, 1, 1): "元旦"}
    new_year = LunarDate(year, 1, 1).to_solar_date()  # always Jan 21..Feb 20, so the eve is in `year`
    for i in range(-1, 3):
        days[new_year + timedelta(days=i)] = "春节"
    days[_qingming(year)] = "清明节"
    days[date(year, 5, 1)] = days[date(year, 5, 2)] = "劳动节"
    days[LunarDate(year, 5, 5).to_solar_date()] = "端午节"
    days[LunarDate(year, 8, 15).to_solar_date()] = "中秋节"
    for d in (1, 2, 3):
        days[date(year, 10, d)] = "国庆节"
    return days


def estimated_holidays(year: int) -> dict[date, str]:
    """Statutory holidays of a year with no official schedule (2025 rules; no make-up days).

    元旦 Jan 1; 春节 the lunar New Year's Eve (the day before lunar 1/1) and lunar
    1/1-1/3; 清明节 the Qingming solar term; 劳动节 May 1-2; 端午节 lunar 5/5;
    中秋节 lunar 8/15; 国庆节 Oct 1-3. Raises ValueError outside 1900..2099.
    """
    return dict(_estimate(year))


@dataclass(frozen=True)
class _Year:
    rest: frozenset[date]     # rest days off the weekend pattern (may include weekend days)
    work: frozenset[date]     # make-up working days
    names: Mapping[date, str]
    provisional: bool


@dataclass(frozen=True)
class WorkingCalendar:
    """China's working-day calendar: official data from chinesecalendar, loaded YearSchedules
    for later years (they take precedence over the library for the same year), and a
    provisional estimate for any other year."""

    schedules: Mapping[int, YearSchedule] = field(default_factory=dict)
    _years: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        for year, s in self.schedules.items():
            if not isinstance(s, YearSchedule) or s.year != year:
                raise ValueError(f"schedules[{year!r}] must be the YearSchedule of {year}")

    def _year(self, year: int) -> _Year:
        y = self._years.get(year)
        if y is None:
            if year in self.schedules:
                s = self.schedules[year]
                hol, work, provisional = s.holidays, s.workdays, False
            elif year in LIBRARY_YEARS:
                hol, work = _library_year(year)
                provisional = False
            else:
                hol, work, provisional = _estimate(year), {}, True
            y = _Year(frozenset(hol), frozenset(work), {**hol, **work}, provisional)
            self._years[year] = y
        return y

    def is_working_day(self, d: date) -> bool:
        y = self._year(d.year)
        if d in y.work:
            return True
        if d in y.rest:
            return False
        return d.weekday() < 5

    def is_rest_day(self, d: date) -> bool:
        return not self.is_working_day(d)

    def is_provisional(self, d: date) -> bool:
        """True when ``d``'s year has neither library data nor a loaded schedule."""
        return self._year(d.year).provisional

    def day_name(self, d: date) -> str | None:
        """The holiday or make-up day name (Chinese), if any."""
        return self._year(d.year).names.get(d)

    def year_days(self, year: int) -> list[tuple[date, bool, str | None]]:
        """Every day of ``year`` as (date, is_working, name)."""
        d, out = date(year, 1, 1), []
        while d.year == year:
            out.append((d, self.is_working_day(d), self.day_name(d)))
            d += timedelta(days=1)
        return out

    def official_years(self) -> list[int]:
        """The years with official data: the library's and the loaded schedules'."""
        return sorted(set(LIBRARY_YEARS) | set(self.schedules))
