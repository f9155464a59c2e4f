"""Closed accounting periods: a lock date (DESIGN.md "Closed periods are a lock date").

Closing month M closes M and every earlier month for every dated write; reopening
M reopens M and every later month, with the reason journaled. Writes hold the
period lock shared while they check and write; a close holds it exclusively, so
a close never races a write dated in the month (issue 15: the frozen report
contains every write dated in the month that committed before the close).
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from settlement.db import is_postgres
from settlement.domain.reconciliation import month_bounds
from settlement.errors import Conflict, Invalid
from settlement.i18n import _
from settlement.models import ClosedMonth
from settlement.services import journal
from settlement.services.actors import Actor

PERIOD_LOCK_KEY = 7_242_002   # pg advisory lock: writes take it shared, a month close exclusively


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def hold_shared(session: Session) -> None:
    """A dated write holds the period lock shared until it commits (PostgreSQL; SQLite serialises writes)."""
    if is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock_shared(:k)"), {"k": PERIOD_LOCK_KEY})


def hold_exclusive(session: Session) -> None:
    if is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PERIOD_LOCK_KEY})


def closed_through(session: Session) -> str | None:
    """The latest closed month: it and every month before it are closed."""
    return session.scalar(select(func.max(ClosedMonth.month)))


def ensure_open(session: Session, day: date, what: str, field: str | None = None) -> None:
    """409 when ``day`` falls on or before the end of the latest closed month."""
    lock = closed_through(session)
    if lock is not None and month_of(day) <= lock:
        raise Conflict(_("{what} dated {day} falls in a closed period: the books are closed through {month}; "
                         "ask the administrator to reopen the month if it must change",
                         what=what, day=day.isoformat(), month=lock), type_slug="month-closed",
                       errors={field: [_("the books are closed through {month}", month=lock)]} if field else None,
                       extra={"closed_through": lock})


def ensure_not_future(day: date, field: str, today: date) -> None:
    """Facts are never in the future (DESIGN.md): 422 naming the field and today's date."""
    if day > today:
        raise Invalid(_("{field} {day} is after today ({today}): record a fact once it has happened",
                        field=field, day=day.isoformat(), today=today.isoformat()),
                      errors={field: [_("must not be after today ({today})", today=today.isoformat())]})


def close(session: Session, actor: Actor, month: str, report_json: str) -> ClosedMonth:
    if session.get(ClosedMonth, month) is not None:
        raise Conflict(_("month {month} is already closed", month=month))
    row = ClosedMonth(month=month, closed_at=datetime.now(timezone.utc), report=report_json)
    session.add(row)
    session.flush()
    journal.append(session, actor, "month.closed", "month", month,
                   {"after": {"month": month, "closed_through": month_bounds(month)[1],
                              "report_sha256": journal.digest(report_json)}})
    return row


def reopen(session: Session, actor: Actor, month: str, reason: str) -> list[str]:
    """Reopen ``month`` and every later closed month; returns the months reopened."""
    rows = session.scalars(select(ClosedMonth).where(ClosedMonth.month >= month).order_by(ClosedMonth.month)).all()
    if not rows or rows[0].month != month:
        raise Conflict(_("month {month} is not closed", month=month))
    months = [r.month for r in rows]
    session.execute(delete(ClosedMonth).where(ClosedMonth.month >= month))
    session.flush()
    journal.append(session, actor, "month.reopened", "month", month,
                   {"before": {"months": months}, "after": None, "reason": reason})
    return months


def closed_report(session: Session, month: str) -> str | None:
    row = session.scalar(select(ClosedMonth).where(ClosedMonth.month == month))
    return row.report if row else None
