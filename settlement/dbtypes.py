"""SQLAlchemy column types: money as integer fen, instants as UTC."""
from __future__ import annotations

from datetime import timezone
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime
from sqlalchemy.types import TypeDecorator

from settlement.domain.money import from_fen, to_fen


class Fen(TypeDecorator):
    """Money column: ``Decimal`` yuan in Python, integer fen (BIGINT) in the database."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"money must be a Decimal, got {type(value).__name__}")
        return to_fen(value)

    def process_result_value(self, value, dialect):
        return None if value is None else from_fen(value)


class UtcDateTime(TypeDecorator):
    """An instant, always timezone-aware UTC in Python (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("instants must be timezone-aware")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
