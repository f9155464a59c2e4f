"""Rectifications (6.3), rights (6.2, 6.3), penalties (6.3) and termination (6.2, 6.3, 10.2)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from settlement.domain import termination as term_rules
from settlement.domain.position import Position
from settlement.domain.rights import BUYER_TERMINATE_FOR_CAUSE, VENDOR_TERMINATE, has_right
from settlement.errors import Conflict, Invalid, NotFound
from settlement.i18n import _
from settlement.models import Contract, Penalty, Rectification, Termination
from settlement.schemas.settlement import PenaltySchema, RectificationSchema, TerminationSchema
from settlement.services.contracts import require_role
from settlement.services.positions import position_of
from settlement.services.uow import ContractWrite

ZERO = Decimal("0.00")
RECTIFICATION, TERMINATION, PENALTY = RectificationSchema(), TerminationSchema(), PenaltySchema()


def rectification_dict(r: Rectification) -> dict:
    return {"id": r.id, "noticed_on": r.noticed_on, "description": r.description, "outcome": r.outcome,
            "outcome_on": r.outcome_on}


def notice_rectification(w: ContractWrite, data: dict) -> Rectification:
    w.ensure_dated(data["noticed_on"], "noticed_on", _("a rectification notice"))
    r = Rectification(contract_id=w.contract.id, noticed_on=data["noticed_on"], description=data["description"])
    w.session.add(r)
    w.changed()
    w.journal("rectification.noticed", "rectification", r.id, RECTIFICATION.dump(rectification_dict(r)))
    return r


def record_outcome(w: ContractWrite, rect_id: int, data: dict) -> Rectification:
    r = w.session.scalar(select(Rectification).where(Rectification.id == rect_id,
                                                     Rectification.contract_id == w.contract.id))
    if r is None:
        raise NotFound(_("no rectification {id} on contract {contract}", id=rect_id, contract=w.contract.id))
    if r.outcome is not None:
        raise Conflict(_("rectification {id} already has the outcome {outcome}", id=rect_id, outcome=r.outcome))
    w.ensure_dated(data["outcome_on"], "outcome_on", _("a rectification outcome"))
    if data["outcome_on"] < r.noticed_on:
        raise Invalid(_("outcome_on is before the notice"), errors={"outcome_on": [_("must not be before noticed_on")]})
    before = RECTIFICATION.dump(rectification_dict(r))
    r.outcome, r.outcome_on = data["outcome"], data["outcome_on"]
    w.changed()
    w.journal("rectification.outcome", "rectification", r.id, RECTIFICATION.dump(rectification_dict(r)),
              before=before)
    return r


def rights_view(session: Session, contract: Contract, as_of: date) -> dict:
    pos = position_of(session, contract, as_of)
    return {"contract_id": contract.id, "as_of": as_of,
            "rights": [{"holder": r.holder, "right": r.right, "arose_on": r.arose_on,
                        "tranche_seq": r.tranche_seq, "basis": r.basis, "provisional": r.provisional}
                       for r in pos.rights]}


REQUIRED_RIGHT = {term_rules.BUYER_FOR_CAUSE: BUYER_TERMINATE_FOR_CAUSE,
                  term_rules.VENDOR_NONPAYMENT: VENDOR_TERMINATE}
KIND_ROLE = {term_rules.BUYER_CONVENIENCE: "buyer", term_rules.BUYER_FOR_CAUSE: "buyer",
             term_rules.VENDOR_NONPAYMENT: "vendor"}


def termination_dict(contract: Contract, pos: Position) -> dict:
    """The termination's settlement as of the position's date: value (earned through the effective
    month), paid, the balance either way and when it is due, the 6.3 penalty."""
    t = pos.termination
    paid = pos.paid_total
    return {"contract_id": contract.id, "kind": t.kind, "notice_on": t.notice_on, "effective_on": t.effective_on,
            "earned": t.value, "paid_total": paid, "refund_due": max(paid - t.value, ZERO),
            "balance_due": max(t.value - paid, ZERO), "settlement_due_on": t.settlement_due.date,
            "penalty": t.penalty, "penalties_outstanding": pos.penalties.outstanding}


def terminate(w: ContractWrite, data: dict) -> Termination:
    kind, notice_on = data["kind"], data["notice_on"]
    require_role(w.contract, w.actor, KIND_ROLE[kind], "admin")
    existing = w.session.scalar(select(Termination).where(Termination.contract_id == w.contract.id))
    if existing is not None:
        raise Conflict(_("contract {code} was already terminated ({kind}, effective {day})", code=w.contract.code,
                         kind=existing.kind, day=existing.effective_on.isoformat()))
    w.ensure_dated(notice_on, "notice_on", _("a termination notice"))
    needed = REQUIRED_RIGHT.get(kind)
    if needed and not has_right(position_of(w.session, w.contract, notice_on).rights, needed):
        raise Conflict(_("on {day} the rights show no {right}: {kind} termination is refused "
                         "(see GET /contracts/{id}/rights)", day=notice_on.isoformat(), right=needed, kind=kind,
                         id=w.contract.id), type_slug="no-such-right")
    t = Termination(contract_id=w.contract.id, kind=kind, notice_on=notice_on,
                    effective_on=term_rules.effective_on(kind, notice_on, w.contract.termination_notice_months))
    w.session.add(t)
    w.changed()
    pos = w.position
    if pos.termination.penalty > 0:
        # 6.3: 1% of the total in force is a claim of the buyer, recorded with the termination.
        p = Penalty(contract_id=w.contract.id, amount=pos.termination.penalty, claimed_on=notice_on, clause="6.3",
                    reason="termination for cause (6.3)", termination_id=t.id, created_at=datetime.now(timezone.utc))
        w.session.add(p)
        w.changed()
        w.journal("penalty.claimed", "penalty", p.id, PENALTY.dump(penalty_dict(p)))
    w.journal("contract.terminated", "termination", t.id, TERMINATION.dump(termination_dict(w.contract, w.position)))
    return t


def get_termination(session: Session, contract: Contract) -> Termination:
    t = session.scalar(select(Termination).where(Termination.contract_id == contract.id))
    if t is None:
        raise NotFound(_("contract {id} has not been terminated", id=contract.id))
    return t


def termination_view(session: Session, contract: Contract, as_of: date) -> dict:
    t = get_termination(session, contract)
    return termination_dict(contract, position_of(session, contract, max(as_of, t.notice_on)))


def penalty_dict(p: Penalty) -> dict:
    return {"id": p.id, "contract_id": p.contract_id, "amount": p.amount, "claimed_on": p.claimed_on,
            "clause": p.clause, "reason": p.reason, "termination_id": p.termination_id}


def claim_penalty(w: ContractWrite, data: dict) -> Penalty:
    """Liquidated damages (违约金) the buyer claims under a clause, with the reason."""
    if data["amount"] <= 0:
        raise Invalid(_("amount must be greater than 0.00"), errors={"amount": [_("must be greater than 0.00")]})
    w.ensure_dated(data["claimed_on"], "claimed_on", _("a penalty claim"))
    p = Penalty(contract_id=w.contract.id, amount=data["amount"], claimed_on=data["claimed_on"],
                clause=data["clause"], reason=data["reason"], created_at=datetime.now(timezone.utc))
    w.session.add(p)
    w.changed()
    w.journal("penalty.claimed", "penalty", p.id, PENALTY.dump(penalty_dict(p)))
    return p


def list_penalties(session: Session, contract: Contract) -> list[Penalty]:
    return list(session.scalars(select(Penalty).where(Penalty.contract_id == contract.id).order_by(Penalty.id)))
