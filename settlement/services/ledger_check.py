"""``journal verify``: the chain is whole, and the journal proves the books (issue 15, DESIGN.md
"Locks and integrity").

Two streamed passes over one snapshot of the database (PostgreSQL: a REPEATABLE READ
transaction; SQLite: one read transaction), neither of which loads the journal at once:

1. **The chain.** Every entry in ``seq`` order: no gap, each ``prev_hash`` is the hash of
   the entry before, each ``hash`` is the SHA-256 of the entry's content
   (:func:`settlement.services.journal.entry_hash`). Given the head kept at month end
   (``--head SEQ:HASH``), entry SEQ must still have that hash and the chain must reach it:
   deleting the tail, deleting everything, or editing an entry and re-hashing every entry
   after it is caught (the re-hashed entry SEQ no longer has the kept hash).
2. **The books.** The journal's entries, grouped per (entity, entity_id) in id order by the
   database, are folded into each row's expected state: the latest ``after`` payload (a
   partial payload, such as an opinion's supersession, is merged into the one before; a
   ``null`` one removes the row). The tables are read in the same id order, a page at a
   time, and merged with it: a row whose stored figures differ from the journal, a row
   the journal records that is gone, and a row without any journal entry (written
   outside the service) are each reported.

What is compared, per table (the journal's ``after`` payloads are the API's own dumps;
fields an older payload lacks are not compared):

=================  =========================================================================
payments           contract, kind, amount, set_off, paid_on, bank reference, payer account,
                   source, allocations (tranche, amount; each naming the payment's
                   contract), reversal (date, reason)
invoices           contract, tranche, number, type, issued_on, total, net, tax, rate,
                   reverses, reason, buyer and seller blocks
audit opinions     contract, audited amount, delivered/responded/completed dates,
                   reference, decision, reason, superseded
amendments         contract, the whole dump (total, tranches, dates, approval, confirmation)
terminations       contract, kind, notice_on, effective_on
penalties, rectifications, delay notices: the whole dump, and the contract
contracts          the whole dump but the due rules' wording (total, tranches, rates,
                   parties, vendors' confirmation, terms)
parties            the whole dump (name, taxpayer id, general taxpayer, bank accounts)
closed months      the SHA-256 of the stored report; months reopened are gone
tokens             public id, holder, party, role, expiry, revoked, and the SHA-256 of
                   the stored secret hash (a swapped hash is caught, the journal never
                   holds anything that authenticates)
=================  =========================================================================

Bank statement lines are journaled a chunk at a time (a hash of their content) and the
payments they made are checked as payments; the lines themselves are not compared.
"""
from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import collate, func, select
from sqlalchemy.orm import Session, selectinload

from settlement.db import is_postgres
from settlement.domain.money import format_amount
from settlement.models import (
    Amendment, ApiToken, AuditOpinion, ClosedMonth, Contract, ContractParty, DelayNotice, Invoice, JournalEntry,
    Party, Payment, PaymentAllocation, PaymentReversal, Penalty, Rectification, Termination,
)
from settlement.services import journal
from settlement.services.tokens import token_payload

PAGE = 1000


# -- findings -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    """One thing wrong: ``kind`` is chain, differs, missing, removed or unjournaled."""

    kind: str
    entity: str
    entity_id: str | None
    text: str

    def __str__(self) -> str:
        return self.text


def _show(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _canon(value):
    return json.loads(journal.canonical(value))


# -- formatting a table row as the journal's payloads do ----------------------------------------------

def _amount(value: Decimal | None) -> str | None:
    return None if value is None else format_amount(value)


def _day(value) -> str | None:
    return None if value is None else value.isoformat()


def _rate(value) -> str | None:
    """As :class:`settlement.schemas.common.RateField` writes it."""
    if value is None:
        return None
    return format(Decimal(value).normalize(), "f") if Decimal(value) != 0 else "0"


# -- the journal, grouped per (entity, entity_id) -------------------------------------------------------

@dataclass
class Group:
    """The journal's entries of one (entity, entity_id), folded in seq order."""

    entity: str
    entity_id: str
    state: dict | None = None          # the expected row (merged ``after`` payloads); None: none or removed
    removed: bool = False              # the latest entry's ``after`` is null
    last_seq: int = 0
    last_action: str = ""
    contract_id: int | None = None     # the latest entry's contract
    history: list = field(default_factory=list)

    def add(self, seq: int, action: str, contract_id, change, keep_history: bool) -> None:
        self.last_seq, self.last_action, self.contract_id = seq, action, contract_id
        if keep_history:
            self.history.append((seq, action, change))
        if not isinstance(change, dict) or "after" not in change:
            return
        after = change["after"]
        if after is None:
            self.state, self.removed = None, True
        elif isinstance(after, dict):
            self.state = {**(self.state or {}), **after} if not self.removed else dict(after)
            self.removed = False

    @property
    def where(self) -> str:
        return f"entry {self.last_seq}, {self.last_action}"


def _journal_groups(session: Session, keep_history: set[str], batch: int) -> Iterator[Group]:
    """Every (entity, entity_id)'s entries folded, ordered by entity, then by id as a number (a
    shorter id first, then byte order: the ids are decimal numbers), streamed."""
    J = JournalEntry
    if is_postgres(session):
        entity, entity_id = collate(J.entity, "C"), collate(J.entity_id, "C")
    else:   # SQLite compares text byte by byte (BINARY)
        entity, entity_id = J.entity, J.entity_id
    rows = session.execute(
        select(J.entity, J.entity_id, J.seq, J.action, J.contract_id, J.change)
        .order_by(entity, func.length(J.entity_id), entity_id, J.seq)
        .execution_options(yield_per=batch))
    group: Group | None = None
    for r in rows:
        if group is None or r.entity != group.entity or r.entity_id != group.entity_id:
            if group is not None:
                yield group
            group = Group(r.entity, r.entity_id)
        group.add(r.seq, r.action, r.contract_id, r.change, r.entity in keep_history)
    if group is not None:
        yield group


# -- comparing ----------------------------------------------------------------------------------------

def _differences(row: dict, expected: dict) -> list[tuple[str, object, object]]:
    """The fields both sides know whose values differ (a field the code no longer writes, or an
    older payload lacks, is not compared)."""
    out = []
    for key, want in expected.items():
        if key not in row:
            continue
        have = row[key]
        if have != want and _canon(have) != _canon(want):
            out.append((key, have, want))
    return out


class Check:
    """One table against its journal entity."""

    entity: str = ""
    label: str = ""              # plural, for the summary
    keep_history = False

    def __init__(self, session: Session, page: int):
        self.session, self.page = session, page
        self.checked = 0

    # Subclasses: project a table row as the journal writes it; select the expected fields.
    fields: tuple[str, ...] = ()
    contract_scoped = True

    def expected(self, group: Group) -> dict:
        state = group.state or {}
        out = {k: state[k] for k in self.fields if k in state}
        if self.contract_scoped:
            out["contract_id"] = group.contract_id
        return out

    def compare(self, key: str, row: dict, group: Group) -> Iterator[Finding]:
        self.checked += 1
        if group.removed:
            yield Finding("removed", self.entity, key, f"{self.entity} {key} is in the table, but the journal "
                                                       f"removed it ({group.where})")
            return
        diffs = _differences(row, self.expected(group))
        if diffs:
            what = "; ".join(f"{k} is {_show(have)} in the table, {_show(want)} in the journal"
                             for k, have, want in diffs)
            yield Finding("differs", self.entity, key,
                          f"{self.entity} {key} differs from the journal ({group.where}): {what}")

    def missing(self, key: str, group: Group) -> Iterator[Finding]:
        if not group.removed and group.state is not None:
            yield Finding("missing", self.entity, key, f"{self.entity} {key} is missing from the table: the "
                                                       f"journal records it ({group.where})")

    def unjournaled(self, key: str) -> Iterator[Finding]:
        self.checked += 1
        yield Finding("unjournaled", self.entity, key, f"{self.entity} {key} has no journal entry: a row written "
                                                       "outside the service (forged?)")

    def run(self, groups: Iterable[Group]) -> Iterator[Finding]:
        raise NotImplementedError


class ByNumber(Check):
    """A table keyed by an integer id, merged with the journal in id order a page at a time."""

    def rows(self, after: int, limit: int) -> list[tuple[int, dict]]:
        raise NotImplementedError

    def _all_rows(self) -> Iterator[tuple[int, dict]]:
        after = -1
        while True:
            page = self.rows(after, self.page)
            if not page:
                return
            yield from page
            after = page[-1][0]
            if len(page) < self.page:
                return

    def run(self, groups: Iterable[Group]) -> Iterator[Finding]:
        rows = self._all_rows()
        row = next(rows, None)
        for g in groups:
            if not g.entity_id.isascii() or not g.entity_id.isdigit() or str(int(g.entity_id)) != g.entity_id:
                yield Finding("differs", self.entity, g.entity_id, f"the journal has a {self.entity} with the id "
                                                                   f"{g.entity_id!r}, not a number ({g.where})")
                continue
            gid = int(g.entity_id)
            while row is not None and row[0] < gid:
                yield from self.unjournaled(str(row[0]))
                row = next(rows, None)
            if row is not None and row[0] == gid:
                yield from self.compare(str(gid), row[1], g)
                row = next(rows, None)
            else:
                yield from self.missing(str(gid), g)
        while row is not None:
            yield from self.unjournaled(str(row[0]))
            row = next(rows, None)


class ByName(Check):
    """A small table keyed by text (tokens, parties): the journal's groups are kept in memory."""

    def all_rows(self) -> Iterator[tuple[str, dict]]:
        raise NotImplementedError

    def run(self, groups: Iterable[Group]) -> Iterator[Finding]:
        wanted = {g.entity_id: g for g in groups}
        for key, row in self.all_rows():
            g = wanted.pop(key, None)
            if g is None:
                yield from self.unjournaled(key)
            else:
                yield from self.compare(key, row, g)
        for key, g in sorted(wanted.items()):
            yield from self.missing(key, g)


# -- the tables ---------------------------------------------------------------------------------------

class Payments(ByNumber):
    entity, label = "payment", "payments"
    fields = ("contract_id", "kind", "amount", "set_off", "paid_on", "bank_reference", "payer_account", "source",
              "allocations", "reversal")

    def expected(self, group: Group) -> dict:
        out = super().expected(group)
        if isinstance(out.get("allocations"), list):
            out["allocations"] = sorted(out["allocations"], key=lambda a: (a.get("tranche_seq") or 0))
        return out

    def rows(self, after: int, limit: int) -> list[tuple[int, dict]]:
        s = self.session
        payments = s.execute(select(Payment.id, Payment.contract_id, Payment.kind, Payment.amount, Payment.set_off,
                                    Payment.paid_on, Payment.bank_reference, Payment.payer_account, Payment.source)
                             .where(Payment.id > after).order_by(Payment.id).limit(limit)).all()
        if not payments:
            return []
        ids = [p.id for p in payments]
        allocations: dict[int, list] = {}
        for a in s.execute(select(PaymentAllocation.payment_id, PaymentAllocation.tranche_seq,
                                  PaymentAllocation.amount, PaymentAllocation.contract_id)
                           .where(PaymentAllocation.payment_id.in_(ids))
                           .order_by(PaymentAllocation.payment_id, PaymentAllocation.tranche_seq)):
            allocations.setdefault(a.payment_id, []).append(a)
        reversals = {r.payment_id: r for r in s.execute(
            select(PaymentReversal.payment_id, PaymentReversal.reversed_on, PaymentReversal.reason,
                   PaymentReversal.contract_id).where(PaymentReversal.payment_id.in_(ids)))}
        out = []
        for p in payments:
            allocs = []
            for a in allocations.get(p.id, []):
                item = {"tranche_seq": a.tranche_seq, "amount": _amount(a.amount)}
                if a.contract_id != p.contract_id:   # an allocation moved to another contract
                    item["contract_id"] = a.contract_id
                allocs.append(item)
            rev = reversals.get(p.id)
            reversal = None
            if rev is not None:
                reversal = {"reversed_on": _day(rev.reversed_on), "reason": rev.reason}
                if rev.contract_id != p.contract_id:
                    reversal["contract_id"] = rev.contract_id
            out.append((p.id, {"contract_id": p.contract_id, "kind": p.kind, "amount": _amount(p.amount),
                               "set_off": _amount(p.set_off), "paid_on": _day(p.paid_on),
                               "bank_reference": p.bank_reference, "payer_account": p.payer_account,
                               "source": p.source, "allocations": allocs, "reversal": reversal}))
        return out


PARTY_BLOCK = ("code", "name", "taxpayer_id", "bank_account")


class Invoices(ByNumber):
    entity, label = "invoice", "invoices"
    fields = ("contract_id", "tranche_seq", "number", "code", "number_source", "type", "issued_on", "total", "net",
              "tax", "rate", "reverses_id", "replaces_id", "confirmation_number", "reason", "buyer", "seller")
    # Columns of later migrations (0009: the platform's invoices), compared when the table has them:
    # column -> (payload field, how the payload writes it).
    OPTIONAL = {"code": ("code", lambda v: v or None), "number_source": ("number_source", lambda v: v),
                "replaces_id": ("replaces_id", lambda v: v),
                "red_confirmation_number": ("confirmation_number", lambda v: v)}

    def rows(self, after: int, limit: int) -> list[tuple[int, dict]]:
        t = Invoice.__table__
        optional = [name for name in self.OPTIONAL if name in t.c]
        rows = self.session.execute(
            select(t.c.id, t.c.contract_id, t.c.tranche_seq, t.c.number, t.c.type, t.c.issued_on, t.c.total,
                   t.c.net, t.c.tax, t.c.rate, t.c.reverses_id, t.c.reason, t.c.buyer, t.c.seller,
                   *(t.c[name] for name in optional))
            .where(t.c.id > after).order_by(t.c.id).limit(limit)).all()

        def block(b):
            return {k: b.get(k) for k in PARTY_BLOCK} if isinstance(b, dict) else b
        out = []
        for r in rows:
            row = {"contract_id": r.contract_id, "tranche_seq": r.tranche_seq, "number": r.number, "type": r.type,
                   "issued_on": _day(r.issued_on), "total": _amount(r.total), "net": _amount(r.net),
                   "tax": _amount(r.tax), "rate": _rate(r.rate), "reverses_id": r.reverses_id,
                   "reason": r.reason, "buyer": block(r.buyer), "seller": block(r.seller)}
            for name in optional:
                key, shown = self.OPTIONAL[name]
                row[key] = shown(r._mapping[name])
            out.append((r.id, row))
        return out


class Opinions(ByNumber):
    entity, label = "audit_opinion", "audit opinions"
    fields = ("contract_id", "audited_amount", "delivered_on", "reference", "decision", "responded_on", "reason",
              "completed_on")

    def expected(self, group: Group) -> dict:
        out = super().expected(group)
        out["superseded"] = bool((group.state or {}).get("superseded", False))
        return out

    def rows(self, after: int, limit: int) -> list[tuple[int, dict]]:
        rows = self.session.execute(
            select(AuditOpinion.id, AuditOpinion.contract_id, AuditOpinion.audited_amount,
                   AuditOpinion.delivered_on, AuditOpinion.reference, AuditOpinion.decision,
                   AuditOpinion.responded_on, AuditOpinion.reason, AuditOpinion.completed_on,
                   AuditOpinion.superseded)
            .where(AuditOpinion.id > after).order_by(AuditOpinion.id).limit(limit)).all()
        return [(r.id, {"contract_id": r.contract_id, "audited_amount": _amount(r.audited_amount),
                        "delivered_on": _day(r.delivered_on), "reference": r.reference, "decision": r.decision,
                        "responded_on": _day(r.responded_on), "reason": r.reason,
                        "completed_on": _day(r.completed_on), "superseded": bool(r.superseded)}) for r in rows]


class Dumped(ByNumber):
    """A small table whose journal payload is its whole schema dump (pure of the row)."""

    model = None
    dump: Callable = None

    def expected(self, group: Group) -> dict:
        out = dict(group.state or {})
        out["contract_id"] = group.contract_id
        return out

    def rows(self, after: int, limit: int) -> list[tuple[int, dict]]:
        m = self.model
        rows = self.session.execute(select(m.__table__).where(m.__table__.c.id > after)
                                    .order_by(m.__table__.c.id).limit(limit)).all()
        out = []
        for r in rows:
            row = _canon(type(self).dump(r))
            row["contract_id"] = r.contract_id
            out.append((r.id, row))
        return out


def _amendment_dump(r) -> dict:
    from settlement.services.amendments import AMENDMENT, amendment_dict
    return AMENDMENT.dump(amendment_dict(r))


def _penalty_dump(r) -> dict:
    from settlement.services.remedies import PENALTY, penalty_dict
    return PENALTY.dump(penalty_dict(r))


def _rectification_dump(r) -> dict:
    from settlement.services.remedies import RECTIFICATION, rectification_dict
    return RECTIFICATION.dump(rectification_dict(r))


def _delay_notice_dump(r) -> dict:
    from settlement.services.payments import DELAY_NOTICE, delay_notice_dict
    return DELAY_NOTICE.dump(delay_notice_dict(r))


class Amendments(Dumped):
    entity, label, model, dump = "amendment", "amendments", Amendment, staticmethod(_amendment_dump)


class Penalties(Dumped):
    entity, label, model, dump = "penalty", "penalties", Penalty, staticmethod(_penalty_dump)


class Rectifications(Dumped):
    entity, label, model, dump = "rectification", "rectifications", Rectification, staticmethod(_rectification_dump)


class DelayNotices(Dumped):
    entity, label, model, dump = "delay_notice", "delay notices", DelayNotice, staticmethod(_delay_notice_dump)


class Terminations(ByNumber):
    entity, label = "termination", "terminations"
    fields = ("kind", "notice_on", "effective_on")

    def rows(self, after: int, limit: int) -> list[tuple[int, dict]]:
        rows = self.session.execute(
            select(Termination.id, Termination.contract_id, Termination.kind, Termination.notice_on,
                   Termination.effective_on)
            .where(Termination.id > after).order_by(Termination.id).limit(limit)).all()
        return [(r.id, {"contract_id": r.contract_id, "kind": r.kind, "notice_on": _day(r.notice_on),
                        "effective_on": _day(r.effective_on)}) for r in rows]


def _as_amount(value):
    try:
        return format_amount(Decimal(str(value)))
    except Exception:  # noqa: BLE001 - not an amount: compared as it is
        return value


def _as_rate(value):
    try:
        return _rate(Decimal(str(value)))
    except Exception:  # noqa: BLE001
        return value


def _contract_shape(d: dict) -> dict:
    """A contract dump with its numbers written one way (a payload keeps the request's "0.060"; the
    table reads back 0.06) and without the due rules' wording (not a stored fact)."""
    d = _canon(d)
    if "total_amount" in d:
        d["total_amount"] = _as_amount(d["total_amount"])
    for t in d.get("tranches") or []:
        if isinstance(t, dict):
            t.pop("due_rule", None)
            if "amount" in t:
                t["amount"] = _as_amount(t["amount"])
    for r in d.get("tax_rates") or []:
        if isinstance(r, dict) and "rate" in r:
            r["rate"] = _as_rate(r["rate"])
    terms = d.get("terms")
    if isinstance(terms, dict) and "penalty_rate" in terms:
        terms["penalty_rate"] = _as_rate(terms["penalty_rate"])
    return d


class Contracts(ByNumber):
    entity, label = "contract", "contracts"

    def expected(self, group: Group) -> dict:
        out = _contract_shape(group.state or {})
        out["contract_id"] = group.contract_id
        return out

    def rows(self, after: int, limit: int) -> list[tuple[int, dict]]:
        from settlement.services.contracts import contract_dict
        s = self.session
        contracts = s.scalars(select(Contract).where(Contract.id > after).order_by(Contract.id).limit(limit)
                              .options(selectinload(Contract.parties).joinedload(ContractParty.party),
                                       selectinload(Contract.tranches), selectinload(Contract.tax_rates))).all()
        out = []
        for c in contracts:
            row = _contract_shape(contract_dict(c))
            row["contract_id"] = c.id
            out.append((c.id, row))
        s.expunge_all()
        return out


class Parties(ByName):
    entity, label, contract_scoped = "party", "parties", False

    def expected(self, group: Group) -> dict:
        return dict(group.state or {})

    def all_rows(self) -> Iterator[tuple[str, dict]]:
        from settlement.services.contracts import party_dict
        s = self.session
        after = -1
        while True:
            parties = s.scalars(select(Party).where(Party.id > after).order_by(Party.id).limit(self.page)
                                .options(selectinload(Party.bank_accounts))).all()
            if not parties:
                return
            after = parties[-1].id
            page = [(p.code, _canon(party_dict(p))) for p in parties]
            s.expunge_all()
            yield from page


class Tokens(ByName):
    entity, label, contract_scoped = "token", "tokens", False
    fields = ("public_id", "holder", "party", "role", "expires_on", "revoked", "secret_hash_sha256")

    def all_rows(self) -> Iterator[tuple[str, dict]]:
        rows = self.session.execute(
            select(ApiToken.public_id, ApiToken.holder, Party.code, ApiToken.role, ApiToken.expires_on,
                   ApiToken.revoked_at, ApiToken.secret_hash)
            .outerjoin(Party, Party.id == ApiToken.party_id).order_by(ApiToken.id))
        for r in rows:
            yield r.public_id, token_payload(r.public_id, r.holder, r.code, r.role, r.expires_on,
                                             r.revoked_at is not None, r.secret_hash)


class Months(Check):
    """Closed months: replayed in seq order (reopening a month reopens every later one too)."""

    entity, label, contract_scoped, keep_history = "month", "closed months", False, True

    def run(self, groups: Iterable[Group]) -> Iterator[Finding]:
        entries = sorted((seq, action, g.entity_id, change) for g in groups for seq, action, change in g.history)
        expected: dict[str, tuple[int, str, dict]] = {}
        for seq, action, month, change in entries:
            after = change.get("after") if isinstance(change, dict) else None
            if isinstance(after, dict):
                expected[after.get("month") or month] = (seq, action, after)
            elif isinstance(change, dict) and "after" in change:
                before = change.get("before") or {}
                for m in (before.get("months") if isinstance(before, dict) else None) or [month]:
                    expected.pop(m, None)
        for r in self.session.execute(select(ClosedMonth.month, ClosedMonth.report).order_by(ClosedMonth.month)
                                      .execution_options(yield_per=1)):
            self.checked += 1
            seen = expected.pop(r.month, None)
            if seen is None:
                yield Finding("unjournaled", self.entity, r.month,
                              f"closed month {r.month} has no journal entry closing it: a row written outside "
                              "the service (forged?)")
                continue
            seq, action, after = seen
            sha = journal.digest(r.report)
            if "report_sha256" in after and sha != after["report_sha256"]:
                yield Finding("differs", self.entity, r.month,
                              f"closed month {r.month}'s stored report differs from the one closed (entry {seq}, "
                              f"{action}): its SHA-256 is {sha} in the table, {after['report_sha256']} in the "
                              "journal")
        for month, (seq, action, _) in sorted(expected.items()):
            yield Finding("missing", self.entity, month,
                          f"closed month {month} is missing from the table: the journal closed it (entry {seq}, "
                          f"{action}) and never reopened it")


CHECKS = (Amendments, Opinions, Contracts, DelayNotices, Invoices, Months, Parties, Payments, Penalties,
          Rectifications, Terminations, Tokens)


# -- the whole check ----------------------------------------------------------------------------------

class BookCheck:
    """Iterate to get every :class:`Finding`; afterwards ``entries``, ``checked`` (rows per table),
    ``findings`` and ``head`` (the chain's head as read) describe the run.

    Give it a fresh session: on PostgreSQL it makes the transaction REPEATABLE READ so that both
    passes read one snapshot (a write committing meanwhile is neither half seen nor reported)."""

    def __init__(self, session: Session, head: tuple[int, str] | None = None, *, page: int = PAGE,
                 batch: int = 2000):
        self.session, self.head_kept, self.page, self.batch = session, head, page, batch
        self.entries = 0
        self.checked: dict[str, int] = {}
        self.findings = 0
        self.head: str | None = None

    def __iter__(self) -> Iterator[Finding]:
        s = self.session
        if is_postgres(s):
            s.connection(execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True})
        walk = journal.ChainWalk(s, self.head_kept, batch=self.batch)
        for seq, why in walk:
            self.findings += 1
            yield Finding("chain", "journal", None if seq is None else str(seq),
                          f"journal BROKEN at entry {seq}: {why}" if seq is not None else f"journal BROKEN: {why}")
        self.entries = walk.entries
        self.head = f"{walk.last[0]}:{walk.last[1]}"
        for finding in self._books():
            self.findings += 1
            yield finding

    def _books(self) -> Iterator[Finding]:
        checks = {c.entity: c(self.session, self.page) for c in CHECKS}
        history = {e for e, c in checks.items() if c.keep_history}
        done = set()
        groups = _journal_groups(self.session, history, self.batch)
        for entity, of_entity in itertools.groupby(groups, key=lambda g: g.entity):
            check = checks.get(entity)
            if check is None:      # rights, bank lines, calendar years...: not compared
                for _ in of_entity:
                    pass
                continue
            yield from check.run(of_entity)
            done.add(entity)
        for entity, check in checks.items():
            if entity not in done:
                yield from check.run(())
        self.checked = {c.label: c.checked for c in checks.values()}
