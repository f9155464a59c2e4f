"""The working-day calendar in force: chinesecalendar plus schedules loaded with ``flask calendar load``."""
from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from settlement.domain.calendar import WorkingCalendar, YearSchedule
from settlement.models import CalendarYear
from settlement.services import journal
from settlement.services.actors import Actor

_cache: dict[tuple, WorkingCalendar] = {}
_checked = {"at": -1e9, "stamps": None}
RECHECK_SECONDS = 5.0   # another process's `flask calendar load` is seen within this delay


def current_calendar(session: Session) -> WorkingCalendar:
    """The calendar with every loaded schedule; rebuilt only when the loaded set changes
    (checked at most every RECHECK_SECONDS per process; a load in this process is seen at once)."""
    now = time.monotonic()
    stamps = _checked["stamps"]
    if stamps is None or now - _checked["at"] > RECHECK_SECONDS or stamps not in _cache:
        stamps = tuple(session.execute(select(CalendarYear.year, CalendarYear.loaded_at)
                                       .order_by(CalendarYear.year)).all())
        _checked.update(at=now, stamps=stamps)
    cal = _cache.get(stamps)
    if cal is None:
        rows = session.scalars(select(CalendarYear)).all()
        cal = WorkingCalendar({r.year: YearSchedule.from_json(r.data) for r in rows})
        _cache.clear()
        _cache[stamps] = cal
    return cal


def calendar_stamp(session: Session) -> tuple:
    """What identifies the calendar in force: each loaded year with when it was loaded.
    Changes whenever ``current_calendar`` would build a different calendar."""
    current_calendar(session)
    return _checked["stamps"]


def forget() -> None:
    """Drop the cached calendar (after a load, and between tests)."""
    _cache.clear()
    _checked.update(at=-1e9, stamps=None)


def load_schedule_file(session: Session, actor: Actor, path: str | Path) -> YearSchedule:
    """Store an official schedule from a data file (replacing that year's earlier load), journaled."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    schedule = YearSchedule.from_json(data)
    row = session.get(CalendarYear, schedule.year)
    before = row.data if row else None
    if row is None:
        row = CalendarYear(year=schedule.year)
        session.add(row)
    row.source = schedule.source
    row.data = schedule.to_json()
    row.loaded_at = datetime.now(timezone.utc)
    session.flush()
    forget()
    journal.append(session, actor, "calendar.loaded", "calendar_year", schedule.year,
                   {"before": before, "after": schedule.to_json()})
    return schedule
