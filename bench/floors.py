"""Floors for the month-end batch, run as subprocesses so that their peak memory is measured too.

    python -m bench.floors insert URL STATEMENT   # raw bulk insert of the statement's lines
    python -m bench.floors aggregate URL MONTH     # one SQL aggregate: per-contract month and to-date sums
"""
from __future__ import annotations

import csv
import sys

from sqlalchemy import create_engine, text


def raw_insert(url: str, statement: str) -> int:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_floor_lines"))
        conn.execute(text("CREATE TABLE bench_floor_lines (serial VARCHAR(64) PRIMARY KEY, txn_date VARCHAR(10), "
                          "name TEXT, account TEXT, memo TEXT, credit TEXT, debit TEXT)"))
    n = 0
    with open(statement, encoding="utf-8-sig", newline="") as fh:
        rows = csv.reader(fh)
        next(rows)
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            if engine.dialect.name == "postgresql":
                with cur.copy("COPY bench_floor_lines (txn_date, serial, name, account, memo, credit, debit) "
                              "FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        n += 1
            else:
                batch = []
                for row in rows:
                    batch.append((row[1], row[0], row[2], row[3], row[4], row[5], row[6]))
                    if len(batch) == 10000:
                        cur.executemany("INSERT INTO bench_floor_lines VALUES (?, ?, ?, ?, ?, ?, ?)", batch)
                        n += len(batch)
                        batch.clear()
                cur.executemany("INSERT INTO bench_floor_lines VALUES (?, ?, ?, ?, ?, ?, ?)", batch)
                n += len(batch)
            raw.commit()
        finally:
            raw.close()
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE bench_floor_lines"))
    return n


def aggregate(url: str, first: str, last: str) -> int:
    """Per contract: invoiced and paid in the month and to date, in one statement."""
    engine = create_engine(url)
    sql = text("""
        SELECT c.id,
               COALESCE(i.month_total, 0), COALESCE(i.to_date, 0), COALESCE(p.month_total, 0), COALESCE(p.to_date, 0)
        FROM contracts c
        LEFT JOIN (SELECT contract_id, SUM(CASE WHEN issued_on >= :first THEN total ELSE 0 END) AS month_total,
                          SUM(total) AS to_date FROM invoices WHERE issued_on <= :last GROUP BY contract_id) i
               ON i.contract_id = c.id
        LEFT JOIN (SELECT contract_id, SUM(CASE WHEN paid_on >= :first THEN amount ELSE 0 END) AS month_total,
                          SUM(amount) AS to_date FROM payments WHERE paid_on <= :last GROUP BY contract_id) p
               ON p.contract_id = c.id
        ORDER BY c.id""")
    with engine.connect() as conn:
        return len(conn.execute(sql, {"first": first, "last": last}).all())


if __name__ == "__main__":
    kind, url = sys.argv[1], sys.argv[2]
    if kind == "insert":
        print(raw_insert(url, sys.argv[3]))
    else:
        y, m = (int(x) for x in sys.argv[3].split("-"))
        import calendar
        print(aggregate(url, f"{y:04d}-{m:02d}-01", f"{y:04d}-{m:02d}-{calendar.monthrange(y, m)[1]:02d}"))
