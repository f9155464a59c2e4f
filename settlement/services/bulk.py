"""Inserting many rows at the driver's speed: COPY on PostgreSQL, executemany on SQLite.

Values pass through each column's own bind processor first (``Fen`` → integer fen,
``UtcDateTime`` → UTC), so what is stored is exactly what the ORM would have stored;
only the per-row ORM bookkeeping and the statement round trips are skipped. Used for
bank statement lines (a month-end statement is ~100,000 lines, issue 7).
"""
from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.orm import Session


def bulk_insert(session: Session, table: Table, rows: list[dict]) -> None:
    """Insert ``rows`` (dicts with the same keys, in the same order) into ``table`` in the
    session's transaction."""
    if not rows:
        return
    session.flush()
    conn = session.connection()
    dialect = conn.dialect
    columns = list(rows[0])
    processors = [(i, table.c[c].type.dialect_impl(dialect).bind_processor(dialect))
                  for i, c in enumerate(columns)]
    processors = [(i, p) for i, p in processors if p is not None]
    # A value repeated from the row before (the import time, a zero amount) is converted once.
    last_in = [object()] * len(columns)
    last_out = [None] * len(columns)
    data = []
    for r in rows:
        values = list(r.values())
        for i, p in processors:
            v = values[i]
            if v is not last_in[i]:
                last_in[i], last_out[i] = v, p(v)
            values[i] = last_out[i]
        data.append(values)
    raw = conn.connection.driver_connection
    names = ", ".join(columns)
    if dialect.name == "postgresql":
        with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in data:
                copy.write_row(row)
    else:
        cur = raw.cursor()
        try:
            cur.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' * len(columns))})", data)
        finally:
            cur.close()
