"""Rectifications (6.3), rights (6.2, 6.3) and termination (6.2, 6.3, 10.2)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from settlement.domain import termination as term_rules
from settlement.domain.rights import BUYER_TERMINATE_FOR_CAUSE, VENDOR_TERMINATE, has_right
from settlement.errors import Conflict, Invalid, NotFound
from settlement.models import Contract, Rectification, Termination
from settlement.services import journal
from settlement.services.actors import Actor
from settlement.services.contracts import require_role
from settlement.services.state import FAR_FUTURE, load_state, rights

ZERO = Decimal("0.00")


def rectification_dict(r: Rectification) -> dict:
    return {"id": r.id, "noticed_on": r.noticed_on, "description": r.description, "outcome": r.outcome,
            "outcome_on": r.outcome_on}


def notice_rectification(session: Session, actor: Actor, contract: Contract, data: dict) -> Rectification:
    if data["noticed_on"] < contract.signed_on:
        raise Invalid("noticed_on is before the contract was signed",
                      errors={"noticed_on": ["must not be before signed_on"]})
    r = Rectification(contract_id=contract.id, noticed_on=data["noticed_on"], description=data["description"])
    session.add(r)
    session.flush()
    journal.append(session, actor, "rectification.noticed", "rectification", r.id,
                   {"after": rectification_dict(r)}, contract_id=contract.id)
    return r


def record_outcome(session: Session, actor: Actor, contract: Contract, rect_id: int, data: dict) -> Rectification:
    r = session.scalar(select(Rectification).where(Rectification.id == rect_id,
                                                   Rectification.contract_id == contract.id))
    if r is None:
        raise NotFound(f"no rectification {rect_id} on contract {contract.id}")
    if r.outcome is not None:
        raise Conflict(f"rectification {rect_id} already has the outcome {r.outcome}")
    if data["outcome_on"] < r.noticed_on:
        raise Invalid("outcome_on is before the notice", errors={"outcome_on": ["must not be before noticed_on"]})
    before = rectification_dict(r)
    r.outcome, r.outcome_on = data["outcome"], data["outcome_on"]
    session.flush()
    journal.append(session, actor, "rectification.outcome", "rectification", r.id,
                   {"before": before, "after": rectification_dict(r)}, contract_id=contract.id)
    return r


def rights_view(session: Session, contract: Contract, as_of: date) -> dict:
    st = load_state(session, contract, as_of)
    found = rights(session, st)
    return {"contract_id": contract.id, "as_of": as_of,
            "rights": [{"holder": r.holder, "right": r.right, "arose_on": r.arose_on,
                        "tranche_seq": r.tranche_seq, "basis": r.basis, "provisional": r.provisional}
                       for r in found]}


REQUIRED_RIGHT = {term_rules.BUYER_FOR_CAUSE: BUYER_TERMINATE_FOR_CAUSE,
                  term_rules.VENDOR_NONPAYMENT: VENDOR_TERMINATE}
KIND_ROLE = {term_rules.BUYER_CONVENIENCE: "buyer", term_rules.BUYER_FOR_CAUSE: "buyer",
             term_rules.VENDOR_NONPAYMENT: "vendor"}


def termination_dict(session: Session, contract: Contract, t: Termination, as_of: date | None = None) -> dict:
    st = load_state(session, contract, max(as_of or t.effective_on, t.notice_on), payments_through=FAR_FUTURE)
    paid = st.paid_total
    return {"contract_id": contract.id, "kind": t.kind, "notice_on": t.notice_on, "effective_on": t.effective_on,
            "earned": t.earned, "paid_total": paid, "refund_due": max(paid - t.earned, ZERO),
            "balance_due": max(t.earned - paid, ZERO), "penalty": t.penalty}


def terminate(session: Session, actor: Actor, contract: Contract, data: dict) -> Termination:
    kind, notice_on = data["kind"], data["notice_on"]
    require_role(contract, actor, KIND_ROLE[kind], "admin")
    existing = session.scalar(select(Termination).where(Termination.contract_id == contract.id))
    if existing is not None:
        raise Conflict(f"contract {contract.code} was already terminated ({existing.kind}, "
                       f"effective {existing.effective_on.isoformat()})")
    if notice_on < contract.signed_on:
        raise Invalid("notice_on is before the contract was signed", errors={"notice_on": ["before signed_on"]})
    st = load_state(session, contract, notice_on, payments_through=FAR_FUTURE)
    needed = REQUIRED_RIGHT.get(kind)
    if needed and not has_right(rights(session, load_state(session, contract, notice_on)), needed):
        raise Conflict(f"on {notice_on.isoformat()} the rights show no {needed}: "
                       f"{kind} termination is refused (see GET /contracts/{contract.id}/rights)",
                       type_slug="no-such-right")
    figs = term_rules.figures(kind, notice_on, st.terms.terms.termination_notice_months, st.earned,
                              st.paid_total, st.terms.total, st.terms.terms.penalty_rate)
    t = Termination(contract_id=contract.id, kind=kind, notice_on=notice_on, effective_on=figs.effective_on,
                    earned=figs.earned, penalty=figs.penalty)
    session.add(t)
    session.flush()
    journal.append(session, actor, "contract.terminated", "termination", t.id,
                   {"after": termination_dict(session, contract, t)}, contract_id=contract.id)
    return t


def get_termination(session: Session, contract: Contract) -> Termination:
    t = session.scalar(select(Termination).where(Termination.contract_id == contract.id))
    if t is None:
        raise NotFound(f"contract {contract.id} has not been terminated")
    return t
