"""The working-day calendar in force: chinesecalendar plus schedules loaded with ``flask calendar load``."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from settlement.domain.calendar import WorkingCalendar, YearSchedule
from settlement.models import CalendarYear
from settlement.services import journal
from settlement.services.actors import Actor

_cache: dict[tuple, WorkingCalendar] = {}


def current_calendar(session: Session) -> WorkingCalendar:
    """The calendar with every loaded schedule; rebuilt only when the loaded set changes."""
    stamps = tuple(session.execute(select(CalendarYear.year, CalendarYear.loaded_at)
                                   .order_by(CalendarYear.year)).all())
    cal = _cache.get(stamps)
    if cal is None:
        rows = session.scalars(select(CalendarYear)).all()
        cal = WorkingCalendar({r.year: YearSchedule.from_json(r.data) for r in rows})
        _cache.clear()
        _cache[stamps] = cal
    return cal


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
    journal.append(session, actor, "calendar.loaded", "calendar_year", schedule.year,
                   {"before": before, "after": schedule.to_json()})
    return schedule
