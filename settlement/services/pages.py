"""Pagination of list endpoints: one place for the count and the page query."""
from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


def paginate(session: Session, query: Select, page: int, page_size: int, *order_by) -> tuple[list, int]:
    """(the rows of page ``page``, the total number of rows) of ``query`` in the given order."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.scalars(query.order_by(*order_by).offset((page - 1) * page_size).limit(page_size)).all()
    return rows, total


