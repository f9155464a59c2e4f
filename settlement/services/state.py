"""Everything known about one contract on a date, loaded with a few set-based queries.

The read models (schedule, settlement, rights, termination) and the write rules
(payment cap, invoice cap) all start from :func:`load_state`, so one place
decides what "paid", "binding audit" and "terms in force" mean.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger, case, func, select
from sqlalchemy.orm import Session

from settlement.domain import audit as audit_rules
from settlement.domain.contract import WORKING_DAYS_AFTER_AUDIT, ContractTerms, DueRule, TrancheTerms
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


def paid_by_tranche(session: Session, contract_id: int, as_of: date) -> dict[int, Decimal]:
    rows = session.execute(
        select(PaymentAllocation.tranche_seq, func.sum(PaymentAllocation.amount, type_=BigInteger))
        .join(Payment, Payment.id == PaymentAllocation.payment_id)
        .where(PaymentAllocation.contract_id == contract_id, Payment.paid_on <= as_of)
        .group_by(PaymentAllocation.tranche_seq)).all()
    return {seq: from_fen(total) for seq, total in rows}


def paid_net_total(session: Session, contract_id: int, as_of: date) -> Decimal:
    """Payments less refunds received by ``as_of``."""
    total = session.scalar(
        select(func.coalesce(func.sum(case((Payment.kind == "refund", -Payment.amount), else_=Payment.amount), type_=BigInteger), 0))
        .where(Payment.contract_id == contract_id, Payment.paid_on <= as_of))
    return from_fen(total or 0)


def current_opinion(session: Session, contract_id: int, as_of: date) -> AuditOpinion | None:
    """The latest opinion delivered by ``as_of`` (a revised opinion supersedes the earlier one)."""
    return session.scalar(select(AuditOpinion)
                          .where(AuditOpinion.contract_id == contract_id, AuditOpinion.delivered_on <= as_of)
                          .order_by(AuditOpinion.delivered_on.desc(), AuditOpinion.id.desc()).limit(1))


def opinion_status(op: AuditOpinion | None, as_of: date) -> tuple[str, date | None]:
    if op is None:
        return audit_rules.AWAITING_OPINION, None
    facts = audit_rules.OpinionFacts(op.audited_amount, op.delivered_on, op.objection_deadline,
                                     op.decision, op.responded_on, op.completed_on)
    return audit_rules.opinion_state(facts, as_of)


def invoiced_by_tranche(session: Session, contract_id: int, as_of: date) -> tuple[dict[int, Decimal], dict[int, date]]:
    """(net invoiced per tranche, reversals included; first invoice date per tranche) by ``as_of``."""
    rows = session.execute(
        select(Invoice.tranche_seq, func.sum(Invoice.total, type_=BigInteger),
               func.min(case((Invoice.reverses_id.is_(None), Invoice.issued_on))))
        .where(Invoice.contract_id == contract_id, Invoice.issued_on <= as_of)
        .group_by(Invoice.tranche_seq)).all()
    return ({seq: from_fen(total) for seq, total, _ in rows},
            {seq: first for seq, _, first in rows if first is not None})


FAR_FUTURE = date(9998, 12, 31)


def load_state(session: Session, contract: Contract, as_of: date,
               payments_through: date | None = None) -> ContractState:
    """The contract on ``as_of``; ``payments_through`` counts payments up to another day
    (writes pass FAR_FUTURE so that a backdated payment cannot slip under the cap)."""
    cal = current_calendar(session)
    amendments = session.scalars(select(Amendment).where(Amendment.contract_id == contract.id)
                                 .order_by(Amendment.seq)).all()
    terms = terms_in_force(contract, amendments, as_of)
    paid_seq = paid_by_tranche(session, contract.id, payments_through or as_of)
    paid_total = paid_net_total(session, contract.id, payments_through or as_of)
    op = current_opinion(session, contract.id, as_of)
    state, binding_on = opinion_status(op, as_of)
    completed_on = op.completed_on if (op is not None and binding_on and op.completed_on
                                       and op.completed_on <= as_of) else None
    final_amount = None
    if binding_on is not None:
        others = sum((t.amount for t in terms.tranches if t.seq != terms.final_tranche.seq), ZERO)
        final_amount = audit_rules.final_tranche_amount(op.audited_amount, others)
    invoiced, first_invoiced = invoiced_by_tranche(session, contract.id, payments_through or as_of)
    lines = build_schedule(terms, cal, as_of, ScheduleFacts(
        paid=paid_seq, invoiced=invoiced, audit_completed_on=completed_on, final_amount=final_amount,
        first_invoiced_on=first_invoiced))
    changes = [(a.effective_from, a.total_amount) for a in amendments if a.effective_from <= as_of]
    earned = amended_earned_table(contract.total_amount, contract.service_start, contract.service_end, changes)
    termination = session.scalar(select(Termination).where(Termination.contract_id == contract.id,
                                                           Termination.notice_on <= as_of))
    return ContractState(contract, as_of, terms, cal, lines, paid_total, paid_seq, op, state, binding_on,
                         earned, termination, list(amendments), invoiced)


def fully_paid_on(session: Session, contract_id: int, seq: int, amount: Decimal) -> date | None:
    """The day the running total paid on a tranche first reached its amount."""
    rows = session.execute(
        select(Payment.paid_on, func.sum(PaymentAllocation.amount, type_=BigInteger))
        .join(Payment, Payment.id == PaymentAllocation.payment_id)
        .where(PaymentAllocation.contract_id == contract_id, PaymentAllocation.tranche_seq == seq)
        .group_by(Payment.paid_on).order_by(Payment.paid_on)).all()
    running = ZERO
    for day, fen in rows:
        running += from_fen(fen)
        if running >= amount:
            return day
    return None


def rights(session: Session, st: ContractState) -> list[Right]:
    """Remedies open to each side on ``st.as_of`` (clauses 6.2, 6.3)."""
    notices = dict(session.execute(
        select(DelayNotice.tranche_seq, func.min(DelayNotice.given_on))
        .where(DelayNotice.contract_id == st.contract.id).group_by(DelayNotice.tranche_seq)).all())
    overdue = []
    for ln in st.lines:
        if ln.due is None or ln.amount <= 0:
            continue
        paid_on = fully_paid_on(session, st.contract.id, ln.seq, ln.amount)
        overdue.append(OverdueTranche(ln.seq, ln.due.date, paid_on, notices.get(ln.seq)))
    out = vendor_rights(overdue, st.as_of, st.terms.terms.overdue_termination_days, st.cal)
    rects = [RectificationFacts(r.noticed_on, r.outcome, r.outcome_on) for r in session.scalars(
        select(Rectification).where(Rectification.contract_id == st.contract.id))]
    out += buyer_rights(rects, st.terms.terms.rectification_limit, st.as_of)
    return out
