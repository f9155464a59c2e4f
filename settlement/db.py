"""Engine and session plumbing: SQLite file by default, PostgreSQL in production.

Writes are serialised per database engine: on SQLite a write transaction starts
with ``BEGIN IMMEDIATE`` (one writer at a time, readers keep reading under WAL);
on PostgreSQL the service layer takes row locks (``SELECT ... FOR UPDATE``).
"""
from __future__ import annotations

import contextvars

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

#: Set while the current unit of work intends to write (see ``write_intent``).
_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=False)


class write_intent:
    """Context manager: the transactions begun inside it are write transactions."""

    def __enter__(self):
        self._token = _write_intent.set(True)
        return self

    def __exit__(self, *exc):
        _write_intent.reset(self._token)
        return False


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record):
            # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is broken).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


def is_write_transaction(session: Session) -> bool:
    """True inside a unit of work begun as a write (SQLite: BEGIN IMMEDIATE)."""
    return _write_intent.get()


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"
