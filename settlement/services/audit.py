"""Audit opinions, the vendor's response, completion, the settlement view and the sweep (clause 5.1.1).

The objection deadline is derived from the delivery date and the calendar in force
whenever it is read (loading a calendar year moves it and clears ``provisional``).
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from settlement.db import is_postgres
from settlement.domain import audit as rules
from settlement.domain.position import Position
from settlement.errors import Conflict, Invalid, NotFound
from settlement.i18n import _
from settlement.models import AuditOpinion, Contract, RightArisen
from settlement.schemas.settlement import OpinionSchema, SettlementSchema
from settlement.services import journal
from settlement.services.actors import SYSTEM, Actor
from settlement.services.positions import position_of, positions_of
from settlement.services.uow import ContractWrite, commit

OPINION, SETTLEMENT = OpinionSchema(), SettlementSchema()


def opinion_dict(op: AuditOpinion, pos: Position) -> dict:
    """An opinion as of the position's date: its derived deadline, state and completion."""
    found = next((o for o in pos.opinions if o.fact.id == op.id), None)
    deadline = found.deadline if found else None
    state = found.state if found else "not_delivered"
    return {"id": op.id, "contract_id": op.contract_id, "audited_amount": op.audited_amount,
            "delivered_on": op.delivered_on, "reference": op.reference,
            "objection_deadline": deadline.date if deadline else None,
            "objection_deadline_rule": deadline.rule if deadline else None,
            "provisional": bool(deadline and deadline.provisional),
            "decision": op.decision, "responded_on": op.responded_on, "reason": op.reason,
            "status": state, "binding_on": found.binding_on if found else None,
            "completable_from": found.completable_from if found and found.binding else None,
            "completed_on": found.completed_on if found else None}


def opinion_data(session: Session, contract: Contract, op: AuditOpinion, as_of: date) -> dict:
    return opinion_dict(op, position_of(session, contract, as_of))


def list_opinions(session: Session, contract: Contract, as_of: date) -> list[dict]:
    pos = position_of(session, contract, as_of)
    rows = {op.id: op for op in session.scalars(select(AuditOpinion).where(AuditOpinion.contract_id == contract.id))}
    return [opinion_dict(rows[o.fact.id], pos) for o in pos.opinions]


def get_opinion(session: Session, contract: Contract, opinion_id: int) -> AuditOpinion:
    op = session.scalar(select(AuditOpinion).where(AuditOpinion.id == opinion_id,
                                                   AuditOpinion.contract_id == contract.id))
    if op is None:
        raise NotFound(_("no audit opinion {id} on contract {contract}", id=opinion_id, contract=contract.id))
    return op


def deliver_opinion(w: ContractWrite, data: dict) -> AuditOpinion:
    """Record an opinion delivered to the vendor; a revised one supersedes a non-binding one."""
    on = data["delivered_on"]
    w.ensure_dated(on, "delivered_on", _("an audit opinion"))
    pos = w.position
    if pos.termination is not None:
        raise Conflict(_("the contract was terminated ({kind}, effective {day}): its value is the "
                         "termination's settlement", kind=pos.termination.kind,
                         day=pos.termination.effective_on.isoformat()), type_slug="terminated")
    current = pos.opinion
    if current is not None:
        if on < current.fact.delivered_on:
            raise Conflict(_("a later opinion (delivered {day}) is on file", day=current.fact.delivered_on.isoformat()),
                           errors={"delivered_on": [_("before the latest opinion's delivery")]})
        if current.completed_on is not None:
            raise Conflict(_("the audit was completed on {day}; no new opinion", day=current.completed_on.isoformat()))
        if current.binding:
            raise Conflict(_("the opinion delivered {delivered} is binding ({state} on {day}); a new opinion "
                             "needs a supplementary agreement", delivered=current.fact.delivered_on.isoformat(),
                             state=current.state, day=current.binding_on.isoformat()), type_slug="binding")
        old = w.session.get(AuditOpinion, current.fact.id)
        old.superseded = True
        w.journal("audit.opinion_superseded", "audit_opinion", old.id, {"id": old.id, "superseded": True})
    op = AuditOpinion(contract_id=w.contract.id, audited_amount=data["audited_amount"], delivered_on=on,
                      reference=data.get("reference"), superseded=False, created_at=datetime.now(timezone.utc))
    w.session.add(op)
    w.changed()
    w.journal("audit.opinion_delivered", "audit_opinion", op.id, OPINION.dump(opinion_dict(op, w.position)))
    return op


def _current(w: ContractWrite, op: AuditOpinion):
    found = w.position.opinion
    if found is None or found.fact.id != op.id:
        raise Conflict(_("opinion {id} was superseded by a revised opinion", id=op.id), type_slug="superseded")
    return found


def respond(w: ContractWrite, op: AuditOpinion, data: dict) -> AuditOpinion:
    """5.1.1: the vendor signs (accept) or objects until the end of the deadline day (art. 203);
    afterwards, and after any answer, a deemed acceptance published by the sweep, or completion, 409."""
    found = _current(w, op)
    if op.decision is not None:
        raise Conflict(_("opinion {id} was already answered ({decision} on {day})", id=op.id, decision=op.decision,
                         day=op.responded_on.isoformat()), type_slug="answered")
    if found.completed_on is not None or op.completed_on is not None:
        raise Conflict(_("the audit was completed on {day}", day=op.completed_on.isoformat()), type_slug="completed")
    on = data["responded_on"]
    w.ensure_dated(on, "responded_on", _("a response to the audit opinion"))
    if on < op.delivered_on:
        raise Invalid(_("responded_on is before the opinion was delivered"),
                      errors={"responded_on": [_("must not be before delivered_on {day}", day=op.delivered_on.isoformat())]})
    deadline = found.deadline.date
    if on > deadline or op.deemed_accepted_on is not None:
        raise Conflict(_("the objection window closed on {day}: the opinion was deemed accepted on {day} "
                         "(clause 5.1.1)", day=deadline.isoformat()), type_slug="window-closed",
                       extra={"objection_deadline": deadline.isoformat()})
    if data["decision"] == "object" and not (data.get("reason") or "").strip():
        raise Invalid(_("an objection needs a reason"), errors={"reason": [_("required to object")]})
    before = OPINION.dump(opinion_dict(op, w.position))
    op.decision, op.responded_on, op.reason = data["decision"], on, data.get("reason")
    w.changed()
    action = "audit.accepted" if op.decision == "accept" else "audit.disputed"
    w.journal(action, "audit_opinion", op.id, OPINION.dump(opinion_dict(op, w.position)), before=before)
    return op


def complete(w: ContractWrite, op: AuditOpinion, data: dict) -> AuditOpinion:
    """审计完成: only on a binding opinion whose window has closed; ``completed_on`` defaults to the day
    it became binding (acceptance, or the deadline of a deemed acceptance), may be later, never earlier."""
    found = _current(w, op)
    if op.completed_on is not None:
        raise Conflict(_("the audit was already completed on {day}", day=op.completed_on.isoformat()),
                       type_slug="completed")
    if not found.binding:
        if found.state == rules.DISPUTED:
            raise Conflict(_("the vendor objected to opinion {id} on {day}: a revised opinion is needed",
                             id=op.id, day=op.responded_on.isoformat()), type_slug="not-binding")
        raise Conflict(_("opinion {id} is not binding yet: the vendor may answer until {deadline}; completion "
                         "can be recorded from {day}", id=op.id, deadline=found.deadline.date.isoformat(),
                         day=found.completable_from.isoformat()), type_slug="not-binding",
                       extra={"completable_from": found.completable_from.isoformat()})
    completed_on = data.get("completed_on") or found.binding_on
    if completed_on < found.binding_on:
        raise Invalid(_("completed_on is before the opinion became binding ({day})", day=found.binding_on.isoformat()),
                      errors={"completed_on": [_("must not be before {day}", day=found.binding_on.isoformat())]})
    w.ensure_dated(completed_on, "completed_on", _("the audit's completion"))
    before = OPINION.dump(opinion_dict(op, w.position))
    if found.state == rules.DEEMED_ACCEPTED and op.deemed_accepted_on is None:
        op.deemed_accepted_on = found.binding_on
        w.journal("audit.deemed_accepted", "audit_opinion", op.id, before)
    op.completed_on = completed_on
    w.changed()
    w.journal("settlement.completed", "audit_opinion", op.id, OPINION.dump(opinion_dict(op, w.position)),
              before=before)
    return op


def settlement_dict(contract: Contract, pos: Position) -> dict:
    op, s = pos.opinion, pos.settlement
    final = pos.lines[-1] if pos.lines else None
    return {"contract_id": contract.id, "as_of": pos.as_of, "status": s.status, "value": pos.value,
            "value_basis": pos.value_basis,
            "audited_amount": op.fact.audited_amount if op else None, "paid_total": pos.paid_total,
            "balance": s.balance, "direction": s.direction,
            "objection_deadline": op.deadline.date if op else None,
            "provisional": bool((op and op.deadline.provisional) or (final and final.provisional)),
            "opinion_id": op.fact.id if op else None,
            "completed_on": op.completed_on if op else None,
            "final_tranche_due_date": s.final_due.date if s.final_due else None,
            "final_tranche_amount": s.final_amount,
            "penalties": {"claimed": pos.penalties.claimed, "set_off": pos.penalties.set_off,
                          "paid": pos.penalties.paid, "outstanding": pos.penalties.outstanding},
            "refundable": pos.refundable}


def settlement_view(session: Session, contract: Contract, as_of: date) -> dict:
    return settlement_dict(contract, position_of(session, contract, as_of))


def unpublished(session: Session, positions: dict[int, Position]) -> list[int]:
    """The contracts whose position shows a deemed acceptance or a right not yet published
    (two queries for the lot): the only ones a sweep needs to lock."""
    ids = list(positions)
    if not ids:
        return []
    recorded = set(session.execute(select(RightArisen.contract_id, RightArisen.right, RightArisen.tranche_seq)
                                   .where(RightArisen.contract_id.in_(ids))).all())
    published = set(session.scalars(select(AuditOpinion.id).where(AuditOpinion.contract_id.in_(ids),
                                                                   AuditOpinion.deemed_accepted_on.is_not(None))))
    out = []
    for cid, pos in positions.items():
        op = pos.opinion
        if (op is not None and op.state == rules.DEEMED_ACCEPTED and op.fact.id not in published) or \
                any((cid, r.right, r.tranche_seq or 0) not in recorded for r in pos.rights):
            out.append(cid)
    return sorted(out)


def sweep(session: Session, as_of: date, today: date, actor: Actor = SYSTEM, ids: list[int] | None = None,
          chunk: int = 500, candidates: bool = False) -> dict:
    """Publish what became true by ``as_of`` (never beyond today): deemed acceptances and rights arising.
    Idempotent. A chunk's positions are read without locks; only the contracts with something to
    publish are then locked (in id order), read again under the lock, published and committed, so a
    sweep never holds a lock across the batch. ``ids`` limits it to some contracts (a shard);
    ``candidates``: ``ids`` are already known to need publishing (the reconcile found them)."""
    day = min(as_of, today)
    deemed = arisen = 0
    if ids is None:
        ids = list(session.scalars(select(Contract.id).order_by(Contract.id)))
    for i in range(0, len(ids), chunk):
        part = sorted(ids[i:i + chunk])
        if not candidates:
            contracts = session.scalars(select(Contract).where(Contract.id.in_(part))).all()
            part = unpublished(session, positions_of(session, contracts, day))
            session.rollback()
            if not part:
                continue
        q = select(Contract).where(Contract.id.in_(part)).order_by(Contract.id)
        if is_postgres(session):
            q = q.with_for_update(key_share=True)
        contracts = session.scalars(q).all()
        positions = positions_of(session, contracts, day)
        recorded = set(session.execute(select(RightArisen.contract_id, RightArisen.right, RightArisen.tranche_seq)
                                       .where(RightArisen.contract_id.in_(part))).all())
        for contract in contracts:
            pos = positions[contract.id]
            op = pos.opinion
            if op is not None and op.state == rules.DEEMED_ACCEPTED:
                row = session.get(AuditOpinion, op.fact.id)
                if row.deemed_accepted_on is None:
                    row.deemed_accepted_on = op.binding_on
                    session.flush()
                    journal.append(session, actor, "audit.deemed_accepted", "audit_opinion", row.id,
                                   {"after": OPINION.dump(opinion_dict(row, pos))}, contract_id=contract.id)
                    deemed += 1
            for r in pos.rights:
                seq = r.tranche_seq or 0
                if (contract.id, r.right, seq) in recorded:
                    continue
                row = RightArisen(contract_id=contract.id, right=r.right, tranche_seq=seq, arose_on=r.arose_on,
                                  recorded_at=datetime.now(timezone.utc))
                session.add(row)
                session.flush()
                journal.append(session, actor, "right.arose", "right", row.id,
                               {"after": {"holder": r.holder, "right": r.right, "tranche_seq": r.tranche_seq,
                                          "arose_on": r.arose_on.isoformat(), "basis": r.basis}},
                               contract_id=contract.id)
                arisen += 1
        commit(session)
    return {"deemed_accepted": deemed, "rights_arisen": arisen}
