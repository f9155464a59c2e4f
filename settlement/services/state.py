"""Everything known about one contract on a date, loaded with a few set-based queries.

The read models (schedule, settlement, rights, termination) and the write rules
(payment cap, invoice cap) all start from :func:`load_state`, so one place
decides what "paid", "binding audit" and "terms in force" mean.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger, case, func, select
from sqlalchemy.orm import Session

from settlement.domain import audit as audit_rules
from settlement.domain.contract import ContractTerms, DueRule, TrancheTerms
from settlement.domain.earned import EarnedMonth, amended_earned_table
from settlement.domain.money import from_fen
from settlement.domain.rights import (
    OverdueTranche, RectificationFacts, Right, buyer_rights, vendor_rights,
)
from settlement.domain.schedule import ScheduleFacts, ScheduleLine, build_schedule
from settlement.models import (
    Amendment, AuditOpinion, Contract, DelayNotice, Invoice, Payment, PaymentAllocation, Rectification,
    Termination,
)
from settlement.services.calendar import current_calendar
from settlement.services.contracts import terms_of

ZERO = Decimal("0.00")


@dataclass
class ContractState:
    contract: Contract
    as_of: date
    terms: ContractTerms
    cal: object
    lines: list[ScheduleLine]
    paid_total: Decimal
    paid_by_seq: dict[int, Decimal]
    opinion: AuditOpinion | None
    opinion_state: str
    binding_on: date | None
    earned: list[EarnedMonth]
    termination: Termination | None
    amendments: list[Amendment] = field(default_factory=list)
    invoiced_by_seq: dict[int, Decimal] = field(default_factory=dict)

    @property
    def audit_binding(self) -> bool:
        return self.binding_on is not None

    @property
    def payable_total(self) -> Decimal:
        """What the buyer may pay in all: the audited amount once binding, else the total in force;
        after a termination, no more than the termination's settlement."""
        payable = self.opinion.audited_amount if self.audit_binding else self.terms.total
        if self.termination is not None:
            payable = min(payable, self.termination.earned)
        return payable

    def line(self, seq: int) -> ScheduleLine | None:
        return next((ln for ln in self.lines if ln.seq == seq), None)


def amendment_terms(base: ContractTerms, a: Amendment) -> ContractTerms:
    tranches = tuple(TrancheTerms(seq=t["seq"], amount=from_fen(t["amount_fen"]), remainder=t["remainder"],
                                  due=DueRule(t["due"]["kind"], t["due"].get("months"),
                                              date.fromisoformat(t["due"]["date"]) if t["due"].get("date") else None,
                                              t["due"].get("days")))
                     for t in a.tranches)
    return ContractTerms(code=base.code, total=a.total_amount, signed_on=base.signed_on,
                         service_start=base.service_start, service_end=base.service_end,
                         tranches=tranches, tax_rates=base.tax_rates, terms=base.terms)


def terms_in_force(contract: Contract, amendments: list[Amendment], day: date) -> ContractTerms:
    """12.3: the latest supplementary agreement in force on ``day`` prevails."""
    terms = terms_of(contract)
    for a in sorted(amendments, key=lambda a: (a.effective_from, a.seq)):
        if a.effective_from <= day:
            terms = amendment_terms(terms, a)
    return terms


def opinion_status(op: AuditOpinion | None, as_of: date) -> tuple[str, date | None]:
    if op is None:
        return audit_rules.AWAITING_OPINION, None
    facts = audit_rules.OpinionFacts(op.audited_amount, op.delivered_on, op.objection_deadline,
                                     op.decision, op.responded_on, op.completed_on)
    return audit_rules.opinion_state(facts, as_of)


FAR_FUTURE = date(9998, 12, 31)


def _signed_amount():
    return case((Payment.kind == "refund", -Payment.amount), else_=Payment.amount)


def load_states(session: Session, contracts: list[Contract], as_of: date | dict[int, date],
                payments_through: date | None = None) -> dict[int, ContractState]:
    """Every given contract on ``as_of``, with a fixed number of set-based queries for the lot.

    ``as_of`` may map each contract id to its own day (a bank import pays each contract on its
    line's value date); then ``payments_through`` is required. ``payments_through`` counts
    payments and invoices up to another day (writes pass FAR_FUTURE so that a backdated payment
    cannot slip under the cap)."""
    if not contracts:
        return {}
    days = as_of if isinstance(as_of, dict) else {c.id: as_of for c in contracts}
    if isinstance(as_of, dict):
        if payments_through is None:
            raise ValueError("load_states: per-contract as_of needs payments_through")
        as_of = max(days.values())   # the SQL horizon; each contract is filtered to its own day below
    cal = current_calendar(session)
    ids = [c.id for c in contracts]
    through = payments_through or as_of
    amendments: dict[int, list[Amendment]] = defaultdict(list)
    for a in session.scalars(select(Amendment).where(Amendment.contract_id.in_(ids)).order_by(Amendment.seq)):
        amendments[a.contract_id].append(a)
    paid_seq: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for cid, seq, fen in session.execute(
            select(PaymentAllocation.contract_id, PaymentAllocation.tranche_seq,
                   func.sum(PaymentAllocation.amount, type_=BigInteger))
            .join(Payment, Payment.id == PaymentAllocation.payment_id)
            .where(PaymentAllocation.contract_id.in_(ids), Payment.paid_on <= through)
            .group_by(PaymentAllocation.contract_id, PaymentAllocation.tranche_seq)):
        paid_seq[cid][seq] = from_fen(fen)
    paid_total = {cid: from_fen(fen) for cid, fen in session.execute(
        select(Payment.contract_id, func.sum(_signed_amount(), type_=BigInteger))
        .where(Payment.contract_id.in_(ids), Payment.paid_on <= through).group_by(Payment.contract_id))}
    opinions: dict[int, AuditOpinion] = {}
    for op in session.scalars(select(AuditOpinion)
                              .where(AuditOpinion.contract_id.in_(ids), AuditOpinion.delivered_on <= as_of)
                              .order_by(AuditOpinion.delivered_on, AuditOpinion.id)):
        if op.delivered_on <= days[op.contract_id]:
            opinions[op.contract_id] = op   # the latest delivered by as_of supersedes the earlier ones
    invoiced: dict[int, dict[int, Decimal]] = defaultdict(dict)
    first_invoiced: dict[int, dict[int, date]] = defaultdict(dict)
    for cid, seq, fen, first in session.execute(
            select(Invoice.contract_id, Invoice.tranche_seq, func.sum(Invoice.total, type_=BigInteger),
                   func.min(case((Invoice.reverses_id.is_(None), Invoice.issued_on))))
            .where(Invoice.contract_id.in_(ids), Invoice.issued_on <= through)
            .group_by(Invoice.contract_id, Invoice.tranche_seq)):
        invoiced[cid][seq] = from_fen(fen)
        if first is not None:
            first_invoiced[cid][seq] = first
    terminations = {t.contract_id: t for t in session.scalars(
        select(Termination).where(Termination.contract_id.in_(ids), Termination.notice_on <= as_of))
        if t.notice_on <= days[t.contract_id]}
    return {c.id: _state(c, days[c.id], cal, amendments[c.id], paid_seq[c.id], paid_total.get(c.id, ZERO),
                         opinions.get(c.id), invoiced[c.id], first_invoiced[c.id], terminations.get(c.id))
            for c in contracts}


def _state(contract, as_of, cal, amendments, paid_seq, paid_total, op, invoiced, first_invoiced,
           termination) -> ContractState:
    terms = terms_in_force(contract, amendments, as_of)
    state, binding_on = opinion_status(op, as_of)
    completed_on = op.completed_on if (op is not None and binding_on and op.completed_on
                                       and op.completed_on <= as_of) else None
    final_amount = None
    if binding_on is not None:
        others = sum((t.amount for t in terms.tranches if t.seq != terms.final_tranche.seq), ZERO)
        final_amount = audit_rules.final_tranche_amount(op.audited_amount, others)
    lines = build_schedule(terms, cal, as_of, ScheduleFacts(
        paid=paid_seq, invoiced=invoiced, audit_completed_on=completed_on, final_amount=final_amount,
        first_invoiced_on=first_invoiced))
    changes = [(a.effective_from, a.total_amount) for a in amendments if a.effective_from <= as_of]
    earned = amended_earned_table(contract.total_amount, contract.service_start, contract.service_end, changes)
    return ContractState(contract, as_of, terms, cal, lines, paid_total, paid_seq, op, state, binding_on,
                         earned, termination, list(amendments), invoiced)


def load_state(session: Session, contract: Contract, as_of: date,
               payments_through: date | None = None) -> ContractState:
    """One contract on ``as_of`` (see :func:`load_states`)."""
    return load_states(session, [contract], as_of, payments_through)[contract.id]


def rights_for(session: Session, states: list[ContractState]) -> dict[int, list[Right]]:
    """Remedies open to each side on each state's ``as_of`` (clauses 6.2, 6.3), set-based."""
    if not states:
        return {}
    ids = [st.contract.id for st in states]
    notices: dict[tuple[int, int], date] = {
        (cid, seq): day for cid, seq, day in session.execute(
            select(DelayNotice.contract_id, DelayNotice.tranche_seq, func.min(DelayNotice.given_on))
            .where(DelayNotice.contract_id.in_(ids)).group_by(DelayNotice.contract_id, DelayNotice.tranche_seq))}
    paid_days: dict[tuple[int, int], list[tuple[date, Decimal]]] = defaultdict(list)
    for cid, seq, day, fen in session.execute(
            select(PaymentAllocation.contract_id, PaymentAllocation.tranche_seq, Payment.paid_on,
                   func.sum(PaymentAllocation.amount, type_=BigInteger))
            .join(Payment, Payment.id == PaymentAllocation.payment_id)
            .where(PaymentAllocation.contract_id.in_(ids))
            .group_by(PaymentAllocation.contract_id, PaymentAllocation.tranche_seq, Payment.paid_on)
            .order_by(Payment.paid_on)):
        paid_days[(cid, seq)].append((day, from_fen(fen)))
    rects: dict[int, list[RectificationFacts]] = defaultdict(list)
    for r in session.scalars(select(Rectification).where(Rectification.contract_id.in_(ids))):
        rects[r.contract_id].append(RectificationFacts(r.noticed_on, r.outcome, r.outcome_on))
    out = {}
    for st in states:
        cid = st.contract.id
        overdue = []
        for ln in st.lines:
            if ln.due is None or ln.amount <= 0:
                continue
            overdue.append(OverdueTranche(ln.seq, ln.due.date, _fully_paid_on(paid_days[(cid, ln.seq)], ln.amount),
                                          notices.get((cid, ln.seq))))
        found = vendor_rights(overdue, st.as_of, st.terms.terms.overdue_termination_days, st.cal)
        found += buyer_rights(rects[cid], st.terms.terms.rectification_limit, st.as_of)
        out[cid] = found
    return out


def _fully_paid_on(days: list[tuple[date, Decimal]], amount: Decimal) -> date | None:
    """The day the running total paid on a tranche first reached its amount."""
    running = ZERO
    for day, paid in days:
        running += paid
        if running >= amount:
            return day
    return None


def rights(session: Session, st: ContractState) -> list[Right]:
    """Remedies open to each side on ``st.as_of`` (clauses 6.2, 6.3)."""
    return rights_for(session, [st])[st.contract.id]
