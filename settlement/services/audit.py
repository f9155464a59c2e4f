"""Audit opinions, the vendor's response, completion, the settlement view and the sweep (clause 5.1.1)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from settlement.domain import audit as rules
from settlement.errors import Conflict, Invalid, NotFound
from settlement.models import AuditOpinion, Contract, RightArisen
from settlement.services import journal
from settlement.services.actors import SYSTEM, Actor
from settlement.services.state import load_state, load_states, opinion_status, rights_for

ZERO = Decimal("0.00")


def opinion_dict(op: AuditOpinion, as_of: date) -> dict:
    state, binding_on = opinion_status(op, as_of)
    return {"id": op.id, "contract_id": op.contract_id, "audited_amount": op.audited_amount,
            "delivered_on": op.delivered_on, "reference": op.reference,
            "objection_deadline": op.objection_deadline, "provisional": op.deadline_provisional,
            "decision": op.decision, "responded_on": op.responded_on, "reason": op.reason,
            "status": "superseded" if op.superseded else state, "binding_on": binding_on,
            "completed_on": op.completed_on}


def deliver_opinion(session: Session, actor: Actor, contract: Contract, data: dict) -> AuditOpinion:
    """Record an opinion delivered to the vendor; a new one supersedes the earlier and opens a new window."""
    st = load_state(session, contract, data["delivered_on"])
    if data["delivered_on"] < contract.signed_on:
        raise Invalid("delivered_on is before the contract was signed",
                      errors={"delivered_on": ["must not be before signed_on"]})
    latest = session.scalar(select(AuditOpinion).where(AuditOpinion.contract_id == contract.id)
                            .order_by(AuditOpinion.id.desc()).limit(1))
    if latest is not None:
        if data["delivered_on"] < latest.delivered_on:
            raise Conflict(f"a later opinion (delivered {latest.delivered_on.isoformat()}) is on file",
                           errors={"delivered_on": ["before the latest opinion's delivery"]})
        if latest.completed_on is not None:
            raise Conflict(f"the audit was completed on {latest.completed_on.isoformat()}; no new opinion")
        state, binding_on = opinion_status(latest, data["delivered_on"])
        if binding_on is not None:
            raise Conflict(f"the opinion delivered {latest.delivered_on.isoformat()} is binding "
                           f"({state} on {binding_on.isoformat()}); a new opinion needs a supplementary agreement")
        latest.superseded = True
    deadline = rules.objection_deadline(data["delivered_on"], st.terms.terms.objection_window_working_days, st.cal)
    op = AuditOpinion(contract_id=contract.id, audited_amount=data["audited_amount"],
                      delivered_on=data["delivered_on"], reference=data.get("reference"),
                      objection_deadline=deadline.date, deadline_provisional=deadline.provisional,
                      superseded=False, created_at=datetime.now(timezone.utc))
    session.add(op)
    session.flush()
    journal.append(session, actor, "audit.opinion_delivered", "audit_opinion", op.id,
                   {"after": opinion_dict(op, data["delivered_on"])}, contract_id=contract.id)
    return op


def get_opinion(session: Session, contract: Contract, opinion_id: int) -> AuditOpinion:
    op = session.scalar(select(AuditOpinion).where(AuditOpinion.id == opinion_id,
                                                   AuditOpinion.contract_id == contract.id))
    if op is None:
        raise NotFound(f"no audit opinion {opinion_id} on contract {contract.id}")
    return op


def respond(session: Session, actor: Actor, contract: Contract, op: AuditOpinion, data: dict) -> AuditOpinion:
    """The vendor signs (accept) or objects within the window; after it the opinion is deemed accepted."""
    if op.superseded:
        raise Conflict(f"opinion {op.id} was superseded by a revised opinion")
    if op.decision is not None:
        raise Conflict(f"opinion {op.id} was already answered ({op.decision} on {op.responded_on.isoformat()})")
    on = data["responded_on"]
    if on < op.delivered_on:
        raise Invalid("responded_on is before the opinion was delivered",
                      errors={"responded_on": [f"must not be before delivered_on {op.delivered_on.isoformat()}"]})
    if on > op.objection_deadline:
        raise Conflict(f"the objection window closed on {op.objection_deadline.isoformat()}: the opinion was "
                       f"deemed accepted on {op.objection_deadline.isoformat()} (clause 5.1.1)",
                       type_slug="window-closed")
    if data["decision"] == "object" and not (data.get("reason") or "").strip():
        raise Invalid("an objection needs a reason", errors={"reason": ["required to object"]})
    before = opinion_dict(op, on)
    op.decision, op.responded_on, op.reason = data["decision"], on, data.get("reason")
    session.flush()
    action = "audit.accepted" if op.decision == "accept" else "audit.disputed"
    journal.append(session, actor, action, "audit_opinion", op.id,
                   {"before": before, "after": opinion_dict(op, on)}, contract_id=contract.id)
    return op


def complete(session: Session, actor: Actor, contract: Contract, op: AuditOpinion, data: dict) -> AuditOpinion:
    """Record the audit's completion: by default the day the opinion became binding."""
    if op.superseded:
        raise Conflict(f"opinion {op.id} was superseded by a revised opinion")
    if op.completed_on is not None:
        raise Conflict(f"the audit was already completed on {op.completed_on.isoformat()}")
    probe = data.get("completed_on") or date(9998, 12, 31)
    state, binding_on = opinion_status(op, probe)
    if binding_on is None:
        raise Conflict(f"opinion {op.id} is not binding ({state}): the vendor has not accepted it and its "
                       f"window runs to {op.objection_deadline.isoformat()}", type_slug="not-binding")
    completed_on = data.get("completed_on") or binding_on
    if completed_on < binding_on:
        raise Invalid("completed_on is before the opinion became binding",
                      errors={"completed_on": [f"must not be before {binding_on.isoformat()}"]})
    before = opinion_dict(op, completed_on)
    op.completed_on = completed_on
    if state == rules.DEEMED_ACCEPTED and op.deemed_accepted_on is None:
        op.deemed_accepted_on = binding_on
    session.flush()
    journal.append(session, actor, "settlement.completed", "audit_opinion", op.id,
                   {"before": before, "after": opinion_dict(op, completed_on)}, contract_id=contract.id)
    return op


def settlement_view(session: Session, contract: Contract, as_of: date) -> dict:
    st = load_state(session, contract, as_of)
    op = st.opinion
    final = st.lines[-1] if st.lines else None
    if op is None:
        return {"contract_id": contract.id, "as_of": as_of, "status": rules.AWAITING_OPINION,
                "audited_amount": None, "paid_total": st.paid_total, "balance": None, "direction": None,
                "objection_deadline": None, "provisional": False, "opinion_id": None,
                "completed_on": None, "final_tranche_due_date": None, "final_tranche_amount": None}
    status = st.opinion_state
    balance = op.audited_amount - st.paid_total
    if op.completed_on is not None and op.completed_on <= as_of:
        status = rules.SETTLED if balance == 0 else rules.COMPLETED
    return {"contract_id": contract.id, "as_of": as_of, "status": status,
            "audited_amount": op.audited_amount, "paid_total": st.paid_total, "balance": balance,
            "direction": rules.direction(balance), "objection_deadline": op.objection_deadline,
            "provisional": op.deadline_provisional or bool(final and final.provisional),
            "opinion_id": op.id, "completed_on": op.completed_on if status in (rules.COMPLETED, rules.SETTLED) else None,
            "final_tranche_due_date": final.due.date if final and final.due else None,
            "final_tranche_amount": final.amount if st.binding_on else None}


def sweep(session: Session, as_of: date, actor: Actor = SYSTEM, ids: list[int] | None = None) -> dict:
    """Record what became true by ``as_of``: deemed acceptances and rights arising. Idempotent.

    ``ids`` limits the sweep to some contracts (a shard of the batch)."""
    from settlement.models import Contract as C
    deemed = arisen = 0
    pending = session.scalars(select(AuditOpinion).where(
        AuditOpinion.decision.is_(None), AuditOpinion.deemed_accepted_on.is_(None),
        AuditOpinion.superseded.is_(False), AuditOpinion.objection_deadline < as_of,
        AuditOpinion.contract_id.in_(ids) if ids is not None else True)).all()
    for op in pending:
        op.deemed_accepted_on = op.objection_deadline
        session.flush()
        journal.append(session, actor, "audit.deemed_accepted", "audit_opinion", op.id,
                       {"after": opinion_dict(op, as_of)}, contract_id=op.contract_id)
        deemed += 1
    if ids is None:
        ids = list(session.scalars(select(C.id).order_by(C.id)))
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        contracts = session.scalars(select(C).where(C.id.in_(chunk)).order_by(C.id)).all()
        states = load_states(session, contracts, as_of)
        found = rights_for(session, list(states.values()))
        recorded = set(session.execute(select(RightArisen.contract_id, RightArisen.right, RightArisen.tranche_seq)
                                       .where(RightArisen.contract_id.in_(chunk))).all())
        for contract in contracts:
            for r in found[contract.id]:
                seq = r.tranche_seq or 0
                if (contract.id, r.right, seq) in recorded:
                    continue
                row = RightArisen(contract_id=contract.id, right=r.right, tranche_seq=seq, arose_on=r.arose_on,
                                  recorded_at=datetime.now(timezone.utc))
                session.add(row)
                session.flush()
                journal.append(session, actor, "right.arose", "right", row.id,
                               {"after": {"holder": r.holder, "right": r.right, "tranche_seq": r.tranche_seq,
                                          "arose_on": r.arose_on, "basis": r.basis}},
                               contract_id=contract.id)
                arisen += 1
    return {"deemed_accepted": deemed, "rights_arisen": arisen}
