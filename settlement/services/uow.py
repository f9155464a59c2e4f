"""The one write path for contract writes (DESIGN.md "Locks and integrity").

Every writer — the API, the CLI, the bank import — changes a contract through a
:class:`ContractWrite`: the contract is locked (PostgreSQL ``SELECT … FOR NO KEY
UPDATE``, which leaves foreign-key checks of other transactions free; SQLite: the
write transaction began with ``BEGIN IMMEDIATE``), the caller's role is checked,
the period lock is held shared, the position is loaded as known now with every
payment counted, and every journal entry carries the contract's id. Lock order:
contract rows by id, then the period lock, then the journal (taken at the first
append, held to the commit). The commit is :func:`commit`, used by every writer.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from settlement.db import is_postgres, is_write_transaction
from settlement.domain.history import History, PaymentFact
from settlement.domain.position import Position, known_now
from settlement.errors import Problem
from settlement.i18n import _
from settlement.models import Contract
from settlement.services import journal
from settlement.services import months as periods
from settlement.services.actors import Actor
from settlement.services.contracts import get_contract, require_role
from settlement.services.calendar import current_calendar
from settlement.services.positions import load_histories

T = TypeVar("T")
RETRYABLE_SQLSTATES = {"40001", "40P01", "55P03"}   # serialization failure, deadlock, lock not available


class Busy(Problem):
    """A write lost a race with another (deadlock, serialization failure, a locked database): retry it."""

    status, title, type_slug = 503, "Service Unavailable", "write-conflict"

    def __init__(self, detail=None, **kw):
        kw.setdefault("headers", {"Retry-After": "1"})
        super().__init__(detail or _("the write met a concurrent change and was not made; retry the request"), **kw)


def is_retryable(exc: BaseException) -> bool:
    """A deadlock, a serialization failure or a busy SQLite database: the same write may succeed again."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "sqlstate", None) or getattr(getattr(orig, "diag", None), "sqlstate", None)
    if code in RETRYABLE_SQLSTATES:
        return True
    return "database is locked" in str(orig or exc)


def commit(session: Session) -> None:
    """Commit the unit of work; a lost race becomes :class:`Busy` (503 with Retry-After), never a 500."""
    try:
        session.commit()
    except DBAPIError as exc:
        session.rollback()
        if is_retryable(exc):
            raise Busy() from exc
        raise


def retrying(work: Callable[[], T], attempts: int = 3) -> T:
    """Run a whole unit of work again after a lost race, up to ``attempts`` times (batch writers)."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except Busy:
            if attempt == attempts:
                raise
        except DBAPIError as exc:
            if attempt == attempts or not is_retryable(exc):
                raise
    raise AssertionError("unreachable")


@dataclass
class ContractWrite:
    """A contract locked for a write, with its position as known now (see the module docstring)."""

    session: Session
    actor: Actor
    contract: Contract
    today: date
    history: History | None = field(default=None, repr=False)
    _position: Position | None = field(default=None, repr=False)

    @property
    def position(self) -> Position:
        """The position as known today with every fact; reloaded after :meth:`changed`."""
        if self._position is None:
            if self.history is None:
                self.history = load_histories(self.session, [self.contract])[self.contract.id]
            self._position = known_now(self.history, current_calendar(self.session), self.today)
        return self._position

    def changed(self) -> None:
        """The write added facts: the next read of :attr:`position` reloads them from the database."""
        self.session.flush()
        self.history = self._position = None

    def added_payment(self, fact: PaymentFact) -> None:
        """A payment was added (and flushed): the position is recomputed from the history in memory,
        without reading the contract again (a bank import records thousands)."""
        self.session.flush()
        if self.history is None:
            self.changed()
            return
        self.history = replace(self.history, payments=self.history.payments + (fact,))
        self._position = None

    def journal(self, action: str, entity: str, entity_id, after, before=None, **extra):
        """Append the change to the journal, always with the contract's id."""
        change = {"before": before, "after": after, **extra} if before is not None else {"after": after, **extra}
        return journal.append(self.session, self.actor, action, entity, entity_id, change,
                              contract_id=self.contract.id)

    def ensure_open(self, day: date, what: str, field: str | None = None) -> None:
        periods.ensure_open(self.session, day, what, field)

    def ensure_not_future(self, day: date, field: str) -> None:
        periods.ensure_not_future(day, field, self.today)

    def ensure_dated(self, day: date, field: str, what: str) -> None:
        """A dated fact: not in the future, not before signing, not in a closed period."""
        self.ensure_not_future(day, field)
        if day < self.contract.signed_on:
            from settlement.errors import Invalid
            raise Invalid(_("{field} is before the contract was signed ({signed_on})", field=field,
                            signed_on=self.contract.signed_on.isoformat()),
                          errors={field: [_("must not be before signed_on {signed_on}",
                                            signed_on=self.contract.signed_on.isoformat())]})
        self.ensure_open(day, what, field)


def write_contracts(session: Session, actor: Actor, ids: list[int], *roles: str,
                    today: date) -> dict[int, ContractWrite]:
    """Begin writes on several contracts at once (a bank import chunk): every row locked in id order
    in one statement, the period lock held, each history loaded with one query per kind of fact."""
    if not is_postgres(session) and not is_write_transaction(session):
        raise RuntimeError("a contract write must run in a write transaction (settlement.db.write_intent)")
    ids = sorted(set(ids))
    if not ids:
        return {}
    q = select(Contract).where(Contract.id.in_(ids)).order_by(Contract.id)
    if is_postgres(session):
        q = q.with_for_update(of=Contract, key_share=True)
    contracts = session.scalars(q).all()
    for c in contracts:
        require_role(c, actor, *roles)
    periods.hold_shared(session)
    histories = load_histories(session, contracts)
    return {c.id: ContractWrite(session, actor, c, today, histories[c.id]) for c in contracts}


def write_contract(session: Session, actor: Actor, contract_id: int, *roles: str, today: date) -> ContractWrite:
    """Begin a write on one contract: lock it, check the caller's role, hold the period lock.

    A party that may not see the contract gets 404, one that may see it but not act in one of
    ``roles`` gets 403 (admin included when ``"admin"`` is among them)."""
    if not is_postgres(session) and not is_write_transaction(session):
        raise RuntimeError("a contract write must run in a write transaction (settlement.db.write_intent)")
    contract = get_contract(session, actor, contract_id, for_update=True)
    require_role(contract, actor, *roles)
    periods.hold_shared(session)
    return ContractWrite(session, actor, contract, today)
