"""Today's business date (Asia/Shanghai): read at the edges (HTTP, CLI) and passed down as ``today``.

Rules never read the clock; tests freeze it with time-machine."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def today() -> date:
    return datetime.now(SHANGHAI).date()
