"""The one loader: stored rows → a contract's :class:`~settlement.domain.history.History` → its position.

Every reader (schedule, earned, settlement, rights, VAT summary, invoice and
payment caps, the reconciliation report, the sweep, the bank matcher, event
payloads) gets its position from here, for one contract or a chunk of many in a
fixed number of queries. Nothing else aggregates payments or invoices.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from settlement.domain.contract import ContractTerms, DueRule, TrancheTerms
from settlement.domain.history import (
    AgreementFact, DelayNoticeFact, History, InvoiceFact, OpinionFact, PaymentFact, PenaltyFact,
    RectificationFact, TerminationFact,
)
from settlement.domain.money import from_fen
from settlement.domain import position as positions
from settlement.domain.position import FAR_FUTURE, Position, position
from settlement.models import (
    Amendment, AuditOpinion, Contract, DelayNotice, Invoice, Payment, PaymentAllocation, PaymentReversal,
    Penalty, Rectification, Termination,
)
from settlement.services.calendar import current_calendar
from settlement.services.contracts import terms_of

__all__ = ["FAR_FUTURE", "load_histories", "position_of", "positions_of", "known_now"]


def agreement_terms(base: ContractTerms, a: Amendment) -> ContractTerms:
    """The whole terms a supplementary agreement puts in force (its total and tranches)."""
    tranches = tuple(TrancheTerms(seq=t["seq"], amount=from_fen(t["amount_fen"]), remainder=t["remainder"],
                                  due=DueRule(t["due"]["kind"], t["due"].get("months"),
                                              date.fromisoformat(t["due"]["date"]) if t["due"].get("date") else None,
                                              t["due"].get("days")))
                     for t in a.tranches)
    return ContractTerms(code=base.code, total=a.total_amount, signed_on=base.signed_on,
                         service_start=base.service_start, service_end=base.service_end,
                         tranches=tranches, tax_rates=base.tax_rates, terms=base.terms)


def load_histories(session: Session, contracts: list[Contract]) -> dict[int, History]:
    """Each contract's history, in one query per kind of fact for the whole chunk."""
    if not contracts:
        return {}
    ids = [c.id for c in contracts]
    agreements = defaultdict(list)
    for a in session.scalars(select(Amendment).where(Amendment.contract_id.in_(ids),
                                                     Amendment.vendor_confirmed_on.is_not(None))
                             .order_by(Amendment.seq)):
        agreements[a.contract_id].append(a)
    reversed_ids = select(PaymentReversal.payment_id).where(PaymentReversal.contract_id.in_(ids))
    allocations = defaultdict(list)
    for pid, seq, amount in session.execute(
            select(PaymentAllocation.payment_id, PaymentAllocation.tranche_seq, PaymentAllocation.amount)
            .where(PaymentAllocation.contract_id.in_(ids)).order_by(PaymentAllocation.tranche_seq)):
        allocations[pid].append((seq, amount))
    payments = defaultdict(list)
    for pid, cid, kind, amount, set_off, paid_on, source in session.execute(
            select(Payment.id, Payment.contract_id, Payment.kind, Payment.amount, Payment.set_off, Payment.paid_on,
                   Payment.source)
            .where(Payment.contract_id.in_(ids), Payment.id.not_in(reversed_ids)).order_by(Payment.id)):
        payments[cid].append(PaymentFact(pid, kind, amount, paid_on, tuple(allocations.get(pid, ())), set_off, source))
    invoices = defaultdict(list)
    for row in session.execute(
            select(Invoice.id, Invoice.contract_id, Invoice.tranche_seq, Invoice.issued_on, Invoice.total,
                   Invoice.net, Invoice.tax, Invoice.rate, Invoice.reverses_id)
            .where(Invoice.contract_id.in_(ids)).order_by(Invoice.id)):
        invoices[row.contract_id].append(InvoiceFact(row.id, row.tranche_seq, row.issued_on, row.total, row.net,
                                                     row.tax, row.rate, row.reverses_id))
    opinions = defaultdict(list)
    for op in session.execute(
            select(AuditOpinion.id, AuditOpinion.contract_id, AuditOpinion.audited_amount, AuditOpinion.delivered_on,
                   AuditOpinion.decision, AuditOpinion.responded_on, AuditOpinion.completed_on)
            .where(AuditOpinion.contract_id.in_(ids)).order_by(AuditOpinion.id)):
        opinions[op.contract_id].append(OpinionFact(op.id, op.audited_amount, op.delivered_on, op.decision,
                                                    op.responded_on, op.completed_on))
    terminations = {cid: TerminationFact(kind, notice_on) for cid, kind, notice_on in session.execute(
        select(Termination.contract_id, Termination.kind, Termination.notice_on)
        .where(Termination.contract_id.in_(ids)))}
    rects = defaultdict(list)
    for cid, noticed_on, outcome, outcome_on in session.execute(
            select(Rectification.contract_id, Rectification.noticed_on, Rectification.outcome,
                   Rectification.outcome_on).where(Rectification.contract_id.in_(ids)).order_by(Rectification.id)):
        rects[cid].append(RectificationFact(noticed_on, outcome, outcome_on))
    notices = defaultdict(list)
    for cid, seq, given_on in session.execute(
            select(DelayNotice.contract_id, DelayNotice.tranche_seq, DelayNotice.given_on)
            .where(DelayNotice.contract_id.in_(ids))):
        notices[cid].append(DelayNoticeFact(seq, given_on))
    penalties = defaultdict(list)
    for pid, cid, amount, claimed_on, clause in session.execute(
            select(Penalty.id, Penalty.contract_id, Penalty.amount, Penalty.claimed_on, Penalty.clause)
            .where(Penalty.contract_id.in_(ids)).order_by(Penalty.id)):
        penalties[cid].append(PenaltyFact(pid, amount, claimed_on, clause))
    out = {}
    for c in contracts:
        base = terms_of(c)
        out[c.id] = History(
            terms=base,
            agreements=tuple(AgreementFact(a.seq, a.signed_on, a.effective_from, agreement_terms(base, a))
                             for a in agreements[c.id]),
            payments=tuple(payments[c.id]), invoices=tuple(invoices[c.id]), opinions=tuple(opinions[c.id]),
            termination=terminations.get(c.id), rectifications=tuple(rects[c.id]),
            delay_notices=tuple(notices[c.id]), penalties=tuple(penalties[c.id]))
    return out


def positions_of(session: Session, contracts: list[Contract], as_of: date | dict[int, date],
                 **kwargs) -> dict[int, Position]:
    """Each contract's position on ``as_of`` (one date, or a date per contract id)."""
    cal = current_calendar(session)
    histories = load_histories(session, contracts)
    days = as_of if isinstance(as_of, dict) else {c.id: as_of for c in contracts}
    return {c.id: position(histories[c.id], cal, days[c.id], **kwargs) for c in contracts}


def position_of(session: Session, contract: Contract, as_of: date, **kwargs) -> Position:
    """One contract's position on ``as_of`` (see :func:`settlement.domain.position.position`)."""
    return positions_of(session, [contract], as_of, **kwargs)[contract.id]




def known_now(session: Session, contract: Contract, today: date) -> Position:
    """The position a write checks against: today, with every fact and every agreement on file."""
    return positions.known_now(load_histories(session, [contract])[contract.id], current_calendar(session), today)
