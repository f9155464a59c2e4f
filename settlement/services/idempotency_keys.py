"""Stored Idempotency-Key responses kept past their use: pruned by a batch command."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import delete
from sqlalchemy.orm import Session

from settlement.models import IdempotencyKey


def prune(session: Session, older_than: timedelta) -> int:
    """Delete keys older than ``older_than`` (keys live at least 24 hours)."""
    cutoff = datetime.now(timezone.utc) - older_than
    return session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff)).rowcount
