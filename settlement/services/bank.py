"""Importing a bank statement: store each line once, match credits, record payments (issue 6).

The whole import is one transaction: an interrupted run leaves nothing behind,
and ``--dry-run`` rolls back at the end. Lines are inserted in bulk; existing
serial numbers are looked up a chunk at a time.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import BigInteger, func, select
from sqlalchemy.orm import Session

from settlement.bank.match import Match, match_credit
from settlement.bank.parse import RejectedLine, StatementLine, load_mapping, read_statement
from settlement.domain.money import from_fen
from settlement.errors import Conflict, Problem
from settlement.models import (
    BankAccount, BankLine, Contract, ContractParty, PaymentAllocation, Termination, Tranche,
)
from settlement.services.actors import Actor
from settlement.services.bulk import bulk_insert
from settlement.services.payments import record_payment
from settlement.services.state import FAR_FUTURE, load_states

CHUNK = 2000


@dataclass
class ImportSummary:
    read: int = 0
    new: int = 0
    duplicate: int = 0
    matched: int = 0
    unmatched: int = 0
    ignored: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    def line(self) -> str:
        return (f"lines read {self.read}, new {self.new}, duplicate {self.duplicate}, matched {self.matched}, "
                f"unmatched {self.unmatched}, ignored {self.ignored}, rejected {len(self.rejected)}")


class Directory:
    """What matching needs to know about contracts, loaded once per import."""

    def __init__(self, session: Session):
        self.session = session
        self.codes = {code.upper(): cid for code, cid in session.execute(
            select(Contract.code, Contract.id).where(~Contract.id.in_(select(Termination.contract_id))))}
        self.by_account: dict[str, set[int]] = defaultdict(set)
        for account, cid in session.execute(
                select(BankAccount.account_no, ContractParty.contract_id)
                .join(ContractParty, (ContractParty.party_id == BankAccount.party_id) & (ContractParty.role == "buyer"))):
            self.by_account[account].add(cid)
        self._by_amount: dict[Decimal, set[tuple[int, int]]] | None = None

    def _load(self) -> None:
        """Outstanding per tranche with a fixed amount, indexed by amount (one SQL aggregate)."""
        paid = (select(PaymentAllocation.contract_id, PaymentAllocation.tranche_seq,
                       func.sum(PaymentAllocation.amount, type_=BigInteger).label("paid"))
                .group_by(PaymentAllocation.contract_id, PaymentAllocation.tranche_seq).subquery())
        rows = self.session.execute(
            select(Tranche.contract_id, Tranche.seq, Tranche.amount, func.coalesce(paid.c.paid, 0))
            .outerjoin(paid, (paid.c.contract_id == Tranche.contract_id) & (paid.c.tranche_seq == Tranche.seq))
            .where(Tranche.due_kind != "working_days_after_audit",
                   ~Tranche.contract_id.in_(select(Termination.contract_id))))
        self._left: dict[tuple[int, int], Decimal] = {}
        self._by_amount: dict[Decimal, set[tuple[int, int]]] = defaultdict(set)
        for cid, seq, amount, paid_fen in rows:
            left = amount - from_fen(paid_fen)
            if left > 0:
                self._left[(cid, seq)] = left
                self._by_amount[left].add((cid, seq))

    def with_outstanding(self, amount: Decimal, ids: list[int] | None) -> list[tuple[int, int]]:
        if self._by_amount is None:
            self._load()
        hits = sorted(self._by_amount.get(amount, ()))
        return hits if ids is None else [h for h in hits if h[0] in ids]

    def paid(self, payment) -> None:
        """Take a recorded payment's allocations off the outstanding index (no reload)."""
        if self._by_amount is None:
            return
        for alloc in payment.allocations:
            key = (payment.contract_id, alloc.tranche_seq)
            left = self._left.pop(key, None)
            if left is None:
                continue
            self._by_amount[left].discard(key)
            if left - alloc.amount > 0:
                self._left[key] = left - alloc.amount
                self._by_amount[left - alloc.amount].add(key)


def import_statement(session: Session, actor: Actor, path: str, *, account: str | None = None,
                     mapping: str | None = None, progress: Callable[[int], None] | None = None) -> ImportSummary:
    """Import a statement file inside the caller's transaction. Raises StatementError for an unreadable file."""
    summary = ImportSummary()
    directory = Directory(session)
    columns = load_mapping(mapping)
    seen: set[str] = set()
    batch: list[StatementLine] = []
    source = str(path)[-300:]

    def flush_batch():
        if not batch:
            return
        serials = [ln.serial for ln in batch]
        existing = set(session.scalars(select(BankLine.serial).where(BankLine.serial.in_(serials))))
        fresh = [ln for ln in batch if ln.serial not in existing]
        summary.duplicate += len(batch) - len(fresh)
        summary.new += len(fresh)
        matches = [match_credit(ln.credit, ln.debit, ln.memo, ln.counterparty_account,
                                directory.codes, directory.by_account, directory.with_outstanding)
                   for ln in fresh]
        payments = _record_matched(session, actor, fresh, matches, directory)
        rows = []
        now = datetime.now(timezone.utc)
        for ln, m in zip(fresh, matches):
            m, outcome = payments.get(ln.serial, (m, None))
            status, reason, contract_id, payment_id = m.status, m.reason, m.contract_id, None
            if status == "matched":
                if isinstance(outcome, Problem):
                    status, reason, contract_id = "unmatched", f"{m.reason}, but refused: {outcome.detail}", None
                else:
                    payment_id = outcome
            summary.matched += status == "matched"
            summary.unmatched += status == "unmatched"
            summary.ignored += status == "ignored"
            rows.append({"serial": ln.serial, "account_no": account, "txn_date": ln.txn_date,
                         "counterparty_name": ln.counterparty_name, "counterparty_account": ln.counterparty_account,
                         "credit": ln.credit, "debit": ln.debit, "memo": ln.memo, "status": status,
                         "reason": reason, "contract_id": contract_id, "payment_id": payment_id,
                         "source_file": source, "line_no": ln.line_no, "imported_at": now})
        bulk_insert(session, BankLine.__table__, rows)
        batch.clear()

    for item in read_statement(path, columns):
        summary.read += 1
        if progress:
            progress(1)
        if isinstance(item, RejectedLine):
            summary.rejected.append((item.line_no, item.reason))
            continue
        if item.serial in seen:
            summary.duplicate += 1
            continue
        seen.add(item.serial)
        batch.append(item)
        if len(batch) >= CHUNK:
            flush_batch()
    flush_batch()
    return summary


def _record_matched(session: Session, actor: Actor, lines: list[StatementLine], matches, directory: Directory
                    ) -> dict[str, tuple[Match, int | Problem | None]]:
    """Record the payment of every matched line, in statement order, through the same
    ``record_payment`` as the API (a refused one leaves the line unmatched). Contracts and their states are loaded for the chunk at once, per value date;
    a contract's second payment in the chunk reloads its state (the first changed it).
    Each state is on its line's value date (terms, audit and termination in force that day).
    A line matched by its amount is matched again just before it is paid: an earlier line of
    the chunk may have paid that tranche. Returns serial → (final match, payment id or the
    Problem that refused it)."""
    matched = [(ln, m) for ln, m in zip(lines, matches) if m.status == "matched"]
    if not matched:
        return {}
    contracts = {c.id: c for c in session.scalars(
        select(Contract).where(Contract.id.in_({m.contract_id for _, m in matched})))}
    first_day: dict[int, date] = {}
    for ln, m in matched:
        first_day.setdefault(m.contract_id, ln.txn_date)
    states = load_states(session, [contracts[i] for i in sorted(first_day)], first_day,
                         payments_through=FAR_FUTURE)
    paid_in_chunk: set[int] = set()
    out: dict[str, tuple[Match, int | Problem | None]] = {}
    for ln, m in matched:
        if m.tranche_seq is not None:
            m = match_credit(ln.credit, ln.debit, ln.memo, ln.counterparty_account,
                             directory.codes, directory.by_account, directory.with_outstanding)
            if m.status != "matched":
                out[ln.serial] = (m, None)
                continue
            if m.contract_id not in contracts:
                contracts[m.contract_id] = session.get(Contract, m.contract_id)
        # The bulk-loaded state holds until the contract's first payment in the chunk, on its day.
        fresh_state = m.contract_id not in paid_in_chunk and first_day.get(m.contract_id) == ln.txn_date
        state = states[m.contract_id] if fresh_state else None
        try:
            # No SAVEPOINT needed: record_payment checks every rule before it writes anything.
            payment = record_payment(session, actor, contracts[m.contract_id], {
                "amount": ln.credit, "paid_on": ln.txn_date, "bank_reference": ln.serial,
                "payer_account": ln.counterparty_account, "tranche_seq": m.tranche_seq},
                source="bank", state=state)
        except Problem as exc:
            out[ln.serial] = (m, exc)
            continue
        paid_in_chunk.add(m.contract_id)
        directory.paid(payment)
        out[ln.serial] = (m, payment.id)
    return out


def match_by_hand(session: Session, actor: Actor, line: BankLine, contract: Contract, tranche_seq: int | None):
    """Match an unmatched credit to a contract (and tranche) chosen by a clerk: records the payment."""
    if line.status == "matched":
        raise Conflict(f"bank line {line.id} is already matched (payment {line.payment_id})")
    if line.credit <= 0:
        raise Conflict(f"bank line {line.id} is not an incoming amount")
    payment = record_payment(session, actor, contract, {
        "amount": line.credit, "paid_on": line.txn_date, "bank_reference": line.serial,
        "payer_account": line.counterparty_account, "tranche_seq": tranche_seq}, source="bank")
    line.status, line.reason, line.contract_id, line.payment_id = "matched", "matched by hand", contract.id, payment.id
    session.flush()
    return payment


def bank_line_dict(b: BankLine) -> dict:
    return {"id": b.id, "serial": b.serial, "account_no": b.account_no, "txn_date": b.txn_date,
            "counterparty_name": b.counterparty_name, "counterparty_account": b.counterparty_account,
            "credit": b.credit, "debit": b.debit, "memo": b.memo, "status": b.status, "reason": b.reason,
            "contract_id": b.contract_id, "payment_id": b.payment_id, "line_no": b.line_no}

