"""Supplementary agreements (补充协议, clauses 4.2.2, 5.1.2, 12.2-12.3).

An agreement carries the buyer's written approval (4.2.2) and takes effect only
once both sides have confirmed it: the buyer records it, the lead vendor confirms
it (an admin's record is confirmed at once). Of the agreements in force, the
latest signed prevails (12.3, :mod:`settlement.domain.agreements`).
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from settlement.domain.contract import ContractTerms, DueRule, TrancheTerms, contract_errors, resolve_remainder
from settlement.domain.money import from_fen, to_fen
from settlement.errors import Conflict, Forbidden, Invalid, NotFound
from settlement.i18n import _
from settlement.models import Amendment, Contract
from settlement.schemas.settlement import AmendmentSchema
from settlement.services.uow import ContractWrite

ZERO = Decimal("0.00")
AMENDMENT = AmendmentSchema()


def amendment_dict(a: Amendment) -> dict:
    return {"id": a.id, "seq": a.seq, "signed_on": a.signed_on, "effective_from": a.effective_from,
            "approval_reference": a.approval_reference, "description": a.description,
            "total_amount": a.total_amount, "vendor_confirmed_on": a.vendor_confirmed_on,
            "status": "in_force" if a.vendor_confirmed_on is not None else "awaiting_vendor",
            "tranches": [{"seq": t["seq"], "amount": from_fen(t["amount_fen"]),
                          "remainder": t["remainder"], "due": t["due"]} for t in a.tranches]}


def _new_terms(current: ContractTerms, data: dict) -> ContractTerms:
    total = data.get("total_amount", current.total)
    if "tranches" in data:
        raw = data["tranches"]
        amounts = resolve_remainder(total, [None if t["amount"] == "remainder" else t["amount"] for t in raw])
        tranches = tuple(TrancheTerms(t["seq"], a, DueRule(t["due"]["kind"], t["due"].get("months"),
                                                            t["due"].get("date"), t["due"].get("days")),
                                      t["amount"] == "remainder") for t, a in zip(raw, amounts))
    else:
        # Only the total changes: the remainder tranche absorbs the difference.
        others = sum((t.amount for t in current.tranches if not t.remainder), ZERO)
        tranches = tuple(TrancheTerms(t.seq, total - others if t.remainder else t.amount, t.due, t.remainder)
                         for t in current.tranches)
    return ContractTerms(code=current.code, total=total, signed_on=current.signed_on,
                         service_start=current.service_start, service_end=current.service_end,
                         tranches=tranches, tax_rates=current.tax_rates, terms=current.terms)


def _check(w: ContractWrite, new_terms: ContractTerms, effective_from: date) -> None:
    """The money invariants an agreement must keep, against what is paid and invoiced now."""
    pos = w.position
    if pos.termination is not None:
        raise Conflict(_("the contract was terminated ({kind}); no agreement can change it",
                         kind=pos.termination.kind), type_slug="terminated")
    if pos.audit_binding:
        raise Conflict(_("the audit is binding: the audited amount is the contract's value"), type_slug="binding")
    errors = contract_errors(new_terms)
    if not (new_terms.service_start <= effective_from <= new_terms.service_end):
        errors.setdefault("effective_from", []).append(_(
            "must be within the service period {start} to {end}", start=new_terms.service_start.isoformat(),
            end=new_terms.service_end.isoformat()))
    for i, t in enumerate(new_terms.tranches):
        line = pos.line(t.seq)
        paid = line.paid if line else ZERO
        invoiced = line.invoiced if line else ZERO
        if t.amount < paid:
            errors.setdefault(f"tranches.{i}.amount", []).append(_(
                "tranche {seq} would be {amount}, below the {paid} already paid",
                seq=t.seq, amount=f"{t.amount:.2f}", paid=f"{paid:.2f}"))
        if t.amount < invoiced:
            errors.setdefault(f"tranches.{i}.amount", []).append(_(
                "tranche {seq} would be {amount}, below the {invoiced} already invoiced",
                seq=t.seq, amount=f"{t.amount:.2f}", invoiced=f"{invoiced:.2f}"))
    for ln in pos.lines:
        if ln.paid > 0 and ln.seq not in {t.seq for t in new_terms.tranches}:
            errors.setdefault("tranches", []).append(_("tranche {seq} has payments and cannot be removed",
                                                       seq=ln.seq))
    if new_terms.total < pos.paid_total:
        errors.setdefault("total_amount", []).append(_("below the {paid} already paid",
                                                       paid=f"{pos.paid_total:.2f}"))
    if errors:
        raise Invalid(_("the supplementary agreement breaks {count} rule(s); errors names each field",
                        count=sum(len(v) for v in errors.values())), errors=errors)


def amend(w: ContractWrite, data: dict) -> Amendment:
    """Record a supplementary agreement approved in writing by the buyer; it is in force once the
    lead vendor confirms it (at once when an admin records it)."""
    w.ensure_dated(data["signed_on"], "signed_on", _("a supplementary agreement"))
    w.ensure_open(data["effective_from"], _("a supplementary agreement's effect"), "effective_from")
    new_terms = _new_terms(w.position.terms, data)
    _check(w, new_terms, data["effective_from"])
    seq = (w.session.scalar(select(func.max(Amendment.seq)).where(Amendment.contract_id == w.contract.id)) or 0) + 1
    a = Amendment(contract_id=w.contract.id, seq=seq, signed_on=data["signed_on"],
                  effective_from=data["effective_from"], approval_reference=data["approval_reference"],
                  description=data.get("description"), total_amount=new_terms.total,
                  tranches=[{"seq": t.seq, "amount_fen": to_fen(t.amount), "remainder": t.remainder,
                             "due": {k: (v.isoformat() if hasattr(v, "isoformat") else v)
                                     for k, v in (("kind", t.due.kind), ("months", t.due.months),
                                                  ("date", t.due.date), ("days", t.due.days)) if v is not None}}
                            for t in new_terms.tranches],
                  vendor_confirmed_on=w.today if w.actor.role == "admin" else None,
                  created_at=datetime.now(timezone.utc))
    before = {"total_amount": f"{w.position.terms.total:.2f}"}
    w.session.add(a)
    w.changed()
    w.journal("contract.amended" if a.vendor_confirmed_on else "amendment.proposed", "amendment", a.id,
              AMENDMENT.dump(amendment_dict(a)), before=before)
    return a


def confirm(w: ContractWrite, amendment_id: int, data: dict) -> Amendment:
    """The lead vendor confirms an agreement the buyer recorded: from then on it is in force."""
    a = w.session.scalar(select(Amendment).where(Amendment.id == amendment_id,
                                                 Amendment.contract_id == w.contract.id))
    if a is None:
        raise NotFound(_("no amendment {id} on contract {contract}", id=amendment_id, contract=w.contract.id))
    lead = next(cp for cp in w.contract.parties if cp.role == "vendor" and cp.position == 0)
    if w.actor.role != "admin" and w.actor.party_id != lead.party_id:
        raise Forbidden(_("only the lead vendor confirms a supplementary agreement"))
    if a.vendor_confirmed_on is not None:
        raise Conflict(_("amendment {id} was already confirmed on {day}", id=a.id,
                         day=a.vendor_confirmed_on.isoformat()), type_slug="confirmed")
    on = data.get("confirmed_on") or w.today
    w.ensure_not_future(on, "confirmed_on")
    w.ensure_open(a.effective_from, _("a supplementary agreement's effect"), "effective_from")
    _check(w, _new_terms(w.position.terms, {"total_amount": a.total_amount, "tranches": [
        {"seq": t["seq"], "amount": from_fen(t["amount_fen"]), "due": {**t["due"], "date": date.fromisoformat(
            t["due"]["date"]) if t["due"].get("date") else None}} for t in a.tranches]}), a.effective_from)
    before = AMENDMENT.dump(amendment_dict(a))
    a.vendor_confirmed_on = on
    w.changed()
    w.journal("contract.amended", "amendment", a.id, AMENDMENT.dump(amendment_dict(a)), before=before)
    return a


def list_amendments(session: Session, contract: Contract) -> list[Amendment]:
    return list(session.scalars(select(Amendment).where(Amendment.contract_id == contract.id)
                                .order_by(Amendment.seq)))
