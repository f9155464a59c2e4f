"""Importing a bank statement: store each line once, match credits, record payments.

Lock discipline (docs/scaling.md): the statement is processed a chunk of lines at a
time, each chunk one transaction: its lines are matched, the contracts they pay are
locked in id order up front, every payment goes through the same rules as the API
(:func:`settlement.services.payments.record_payment` on a
:class:`~settlement.services.uow.ContractWrite`), the lines are inserted, and the
chunk commits. No lock is held across the whole import, so an API write waits at
most for one chunk, and a lost race retries the chunk. An interrupted import keeps
the chunks it committed; running it again completes it (a line is stored once per
account and serial number). ``--dry-run`` rolls every chunk back.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from settlement.bank.match import MIN_MEMO_CODE, Match, match_credit
from settlement.bank.parse import RejectedLine, StatementLine, load_mapping, read_statement
from settlement.errors import Conflict, Problem
from settlement.i18n import _
from settlement.models import BankAccount, BankLine, Contract, ContractParty, Party, Payment, Termination
from settlement.schemas.settlement import BankLineSchema
from settlement.services import journal
from settlement.services.actors import Actor
from settlement.services.bulk import bulk_insert
from settlement.services.payments import payment_view, record_payment
from settlement.services.positions import positions_of
from settlement.services.uow import Busy, ContractWrite, commit, retrying, write_contracts

CHUNK = 2000
BANK_LINE = BankLineSchema()


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
    """What matching needs to know about contracts (codes, buyers' accounts and names, what is
    outstanding), loaded once per import; outstanding amounts come from the contracts' positions."""

    def __init__(self, session: Session, today: date):
        self.session, self.today = session, today
        # Contracts a credit may go to: not terminated, every vendor named has confirmed it.
        unconfirmed = select(ContractParty.contract_id).where(ContractParty.role == "vendor",
                                                              ContractParty.confirmed_on.is_(None))
        open_ids = select(Contract.id).where(~Contract.id.in_(select(Termination.contract_id)),
                                             ~Contract.id.in_(unconfirmed))
        self._open_ids = open_ids
        self.codes = {code.upper(): cid for code, cid in session.execute(
            select(Contract.code, Contract.id).where(Contract.id.in_(open_ids)))
            if len(code) >= MIN_MEMO_CODE}
        self.by_account: dict[str, set[int]] = defaultdict(set)
        self.accounts_of: dict[int, set[str]] = defaultdict(set)
        for account, cid in session.execute(
                select(BankAccount.account_no, ContractParty.contract_id)
                .join(ContractParty, (ContractParty.party_id == BankAccount.party_id) & (ContractParty.role == "buyer"))
                .where(ContractParty.contract_id.in_(open_ids))):
            self.by_account[account].add(cid)
            self.accounts_of[cid].add(account)
        self.buyer_name = {cid: name for cid, name in session.execute(
            select(ContractParty.contract_id, Party.name).join(Party, Party.id == ContractParty.party_id)
            .where(ContractParty.role == "buyer"))}
        self._by_amount: dict[Decimal, set[tuple[int, int]]] | None = None
        self._left: dict[tuple[int, int], Decimal] = {}
        self._seqs: dict[int, list[int]] = defaultdict(list)   # contract → its indexed tranches

    def buyer_contracts(self, account: str | None) -> set[int]:
        return self.by_account.get(account or "", set())

    def payer_is_buyer(self, contract_id: int, name: str | None, account: str | None) -> bool:
        return bool((account and account in self.accounts_of.get(contract_id, ())) or
                    (name and name.strip() == self.buyer_name.get(contract_id)))

    def _load(self) -> None:
        """What each tranche with a fixed amount has outstanding as known now, indexed by amount."""
        self._by_amount = defaultdict(set)
        ids = list(self.session.scalars(self._open_ids.order_by(Contract.id)))
        for i in range(0, len(ids), 500):
            contracts = self.session.scalars(select(Contract).where(Contract.id.in_(ids[i:i + 500]))).all()
            for cid, pos in positions_of(self.session, contracts, self.today).items():
                self.refresh(cid, pos)

    def forget(self) -> None:
        """Drop the outstanding amounts (reloaded when next needed): a chunk that rolled back may
        have refreshed them with payments that were never committed."""
        self._by_amount, self._left, self._seqs = None, {}, defaultdict(list)

    def refresh(self, contract_id: int, pos) -> None:
        """Re-index one contract's outstanding tranches from its position."""
        if self._by_amount is None:
            return
        for seq in self._seqs.pop(contract_id, ()):
            key = (contract_id, seq)
            self._by_amount[self._left.pop(key)].discard(key)
        if pos.termination is not None:
            return
        for ln in pos.lines:
            if ln.outstanding > 0 and not ln.nominal:
                self._left[(contract_id, ln.seq)] = ln.outstanding
                self._by_amount[ln.outstanding].add((contract_id, ln.seq))
                self._seqs[contract_id].append(ln.seq)

    def with_outstanding(self, amount: Decimal, ids: Iterable[int] | None) -> list[tuple[int, int]]:
        if self._by_amount is None:
            self._load()
        hits = sorted(self._by_amount.get(amount, ()))
        return hits if ids is None else [h for h in hits if h[0] in set(ids)]


def _match(ln: StatementLine, d: Directory) -> Match:
    return match_credit(ln.credit, ln.debit, ln.memo, ln.counterparty_name, ln.counterparty_account, d)


def import_statement(session: Session, actor: Actor, path: str, *, today: date, account: str | None = None,
                     mapping: str | None = None, dry_run: bool = False,
                     progress: Callable[[int], None] | None = None) -> ImportSummary:
    """Import a statement file a chunk at a time (module docstring). Raises StatementError for an
    unreadable file before anything is written."""
    summary = ImportSummary()
    directory = Directory(session, today)
    columns = load_mapping(mapping)
    seen: set[str] = set()
    batch: list[StatementLine] = []
    source = str(path)[-300:]
    account_no = account or ""

    def flush_batch():
        if not batch:
            return
        counts = retrying(lambda: _import_chunk(session, actor, today, account_no, source, batch, directory,
                                                dry_run))
        for k, v in counts.items():
            setattr(summary, k, getattr(summary, k) + v)
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


def _import_chunk(session: Session, actor: Actor, today: date, account_no: str, source: str,
                  lines: list[StatementLine], directory: Directory, dry_run: bool) -> dict:
    """One chunk in one transaction: dedupe, match, lock the paid contracts in id order, pay, insert, commit."""
    try:
        existing = set(session.scalars(select(BankLine.serial).where(
            BankLine.account_no == account_no, BankLine.serial.in_([ln.serial for ln in lines]))))
        fresh = [ln for ln in lines if ln.serial not in existing]
        matches = [_match(ln, directory) for ln in fresh]
        writes = _lock(session, actor, today, sorted({m.contract_id for m in matches if m.status == "matched"}))
        counts = {"duplicate": len(lines) - len(fresh), "new": len(fresh), "matched": 0, "unmatched": 0, "ignored": 0}
        rows, now = [], datetime.now(timezone.utc)
        for ln, m in zip(fresh, matches):
            payment_id = None
            if m.status == "matched" and m.tranche_seq is not None:
                m = _match(ln, directory)   # an earlier line of the chunk may have paid that tranche
                if m.status == "matched" and m.contract_id not in writes:
                    # Locking another contract now would take a contract lock after the journal's
                    # (the one lock order is contracts first): leave the line to a clerk.
                    m = Match(None, None, "unmatched", f"{m.reason} on another contract once an earlier line "
                                                       "of the statement paid the first match; match it by hand")
            if m.status == "matched":
                w = writes[m.contract_id]
                try:
                    payment = record_payment(w, {"amount": ln.credit, "paid_on": ln.txn_date,
                                                 "bank_reference": ln.serial, "payer_account": ln.counterparty_account,
                                                 "tranche_seq": m.tranche_seq}, source="bank")
                    payment_id = payment.id
                    directory.refresh(m.contract_id, w.position)
                except Busy:
                    raise   # a lost race (the transaction is aborted): the whole chunk is retried
                except Problem as exc:
                    m = Match(None, None, "unmatched", f"{m.reason}, but refused: {exc.detail}")
            counts[m.status] += 1
            rows.append({"serial": ln.serial, "account_no": account_no, "txn_date": ln.txn_date,
                         "counterparty_name": ln.counterparty_name, "counterparty_account": ln.counterparty_account,
                         "credit": ln.credit, "debit": ln.debit, "memo": ln.memo, "status": m.status,
                         "reason": m.reason, "contract_id": m.contract_id, "payment_id": payment_id,
                         "source_file": source, "line_no": ln.line_no, "imported_at": now})
        bulk_insert(session, BankLine.__table__, rows)
        if rows:
            # The lines are journaled a chunk at a time: their count and a hash of their content.
            journal.append(session, actor, "bank_lines.imported", "bank_statement", account_no or "-", {"after": {
                "account_no": account_no, "source_file": source, "lines": len(rows),
                "first_line": rows[0]["line_no"], "last_line": rows[-1]["line_no"],
                "sha256": journal.digest(journal.canonical([[r["serial"], r["txn_date"], r["credit"], r["debit"],
                                                             r["status"], r["payment_id"]] for r in rows]))}})
        if dry_run:
            session.rollback()
        else:
            commit(session)
        return counts
    except BaseException:
        session.rollback()
        directory.forget()   # else a retried chunk would match against the rolled-back payments
        raise


def _lock(session: Session, actor: Actor, today: date, ids: list[int]) -> dict[int, ContractWrite]:
    """Lock the contracts a chunk pays, in id order (the one lock order), all rows before the period
    lock (docs/scaling.md "Lock order"), through the one write path; their histories in bulk."""
    return write_contracts(session, actor, ids, "admin", "buyer", today=today)


def held_accounts(session: Session, actor: Actor) -> list[str]:
    """The statement accounts a party holds (the lead vendor's payee account): its users see those lines."""
    if actor.party_id is None:
        return []
    return list(session.scalars(select(BankAccount.account_no).where(BankAccount.party_id == actor.party_id)))


def line_for(session: Session, actor: Actor, line_id: int) -> BankLine:
    """A bank line the actor may see: the admin any, a party those of the accounts it holds (else 404)."""
    from settlement.errors import NotFound
    line = session.get(BankLine, line_id)
    if line is None or (actor.role != "admin" and line.account_no not in held_accounts(session, actor)):
        raise NotFound(_("no bank line {id}", id=line_id))
    return line


def match_by_hand(w: ContractWrite, line: BankLine, tranche_seq: int | None, confirm: bool) -> Payment:
    """A clerk matches an unmatched credit to a contract (and tranche): records the payment. When the
    payer is not the contract's buyer the clerk must say ``confirm: true`` (409 otherwise)."""
    if line.status == "matched":
        raise Conflict(_("bank line {id} is already matched (payment {payment})", id=line.id,
                         payment=line.payment_id), type_slug="already-matched")
    if line.credit <= 0:
        raise Conflict(_("bank line {id} is not an incoming amount", id=line.id))
    d = Directory(w.session, w.today)
    if not d.payer_is_buyer(w.contract.id, line.counterparty_name, line.counterparty_account) and not confirm:
        raise Conflict(_("the payer {payer} is not the buyer of contract {code} on file: resend with "
                         "\"confirm\": true to match it anyway", payer=line.counterparty_name or line.counterparty_account
                         or "?", code=w.contract.code), type_slug="payer-not-buyer")
    payment = record_payment(w, {"amount": line.credit, "paid_on": line.txn_date, "bank_reference": line.serial,
                                 "payer_account": line.counterparty_account, "tranche_seq": tranche_seq},
                             source="bank")
    before = bank_line_view(line)
    line.status, line.reason, line.contract_id, line.payment_id = "matched", "matched by hand", w.contract.id, payment.id
    w.changed()
    w.journal("bank_line.matched", "bank_line", line.id, bank_line_view(line), before=before,
              payment=payment_view(w.session, payment))
    return payment


def unmatch(w: ContractWrite, line: BankLine, reason: str) -> BankLine:
    """Undo a match: the payment it recorded is reversed (冲正) and the line is unmatched again,
    with the reason journaled; refused in a closed period."""
    from settlement.models import PaymentReversal
    if line.status != "matched" or line.payment_id is None:
        raise Conflict(_("bank line {id} is not matched", id=line.id), type_slug="not-matched")
    payment = w.session.get(Payment, line.payment_id)
    w.ensure_open(payment.paid_on, _("the matched payment"))
    w.ensure_open(w.today, _("an unmatch"))
    before = bank_line_view(line)
    w.session.add(PaymentReversal(payment_id=payment.id, contract_id=w.contract.id, reversed_on=w.today,
                                  reason=f"bank line {line.id} unmatched: {reason}",
                                  created_at=datetime.now(timezone.utc)))
    line.status, line.reason, line.contract_id, line.payment_id = "unmatched", f"unmatched by hand: {reason}", None, None
    w.changed()
    w.journal("payment.reversed", "payment", payment.id, payment_view(w.session, payment))
    w.journal("bank_line.unmatched", "bank_line", line.id, bank_line_view(line), before=before, reason=reason)
    return line


def bank_line_dict(b: BankLine) -> dict:
    return {"id": b.id, "serial": b.serial, "account_no": b.account_no, "txn_date": b.txn_date,
            "counterparty_name": b.counterparty_name, "counterparty_account": b.counterparty_account,
            "credit": b.credit, "debit": b.debit, "memo": b.memo, "status": b.status,
            "reason": b.reason, "contract_id": b.contract_id, "payment_id": b.payment_id, "line_no": b.line_no}


def bank_line_view(b: BankLine) -> dict:
    return BANK_LINE.dump(bank_line_dict(b))
