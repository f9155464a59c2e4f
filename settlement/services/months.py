"""Closed accounting months (issue 6): nothing may be dated in a closed month."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from settlement.errors import Conflict
from settlement.models import ClosedMonth
from settlement.services import journal
from settlement.services.actors import Actor


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def ensure_open(session: Session, day: date, what: str) -> None:
    """409 when ``day`` falls in a closed month."""
    month = month_of(day)
    if session.get(ClosedMonth, month) is not None:
        raise Conflict(f"month {month} is closed: a {what} dated {day.isoformat()} is refused "
                       f"(reopen it with `flask month reopen {month} --reason ...`)", type_slug="month-closed")


def close(session: Session, actor: Actor, month: str, report_json: str) -> ClosedMonth:
    if session.get(ClosedMonth, month) is not None:
        raise Conflict(f"month {month} is already closed")
    row = ClosedMonth(month=month, closed_at=datetime.now(timezone.utc), report=report_json)
    session.add(row)
    session.flush()
    journal.append(session, actor, "month.closed", "month", month, {"after": {"month": month}})
    return row


def reopen(session: Session, actor: Actor, month: str, reason: str) -> None:
    row = session.get(ClosedMonth, month)
    if row is None:
        raise Conflict(f"month {month} is not closed")
    session.delete(row)
    session.flush()
    journal.append(session, actor, "month.reopened", "month", month,
                   {"before": {"month": month, "closed_at": row.closed_at}, "after": None, "reason": reason})


def closed_report(session: Session, month: str) -> str | None:
    row = session.scalar(select(ClosedMonth).where(ClosedMonth.month == month))
    return row.report if row else None
