"""Supplementary agreements (补充协议, clauses 5.1.2, 4.2.2, 12.2-12.3)."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from settlement.domain.contract import DueRule, TrancheTerms, contract_errors, resolve_remainder
from settlement.domain.money import to_fen
from settlement.errors import Invalid
from settlement.models import Amendment, Contract
from settlement.services import journal
from settlement.services.actors import Actor
from settlement.services.state import FAR_FUTURE, load_state, terms_in_force

ZERO = Decimal("0.00")


def amendment_dict(a: Amendment) -> dict:
    return {"id": a.id, "seq": a.seq, "signed_on": a.signed_on, "effective_from": a.effective_from,
            "approval_reference": a.approval_reference, "description": a.description,
            "total_amount": a.total_amount,
            "tranches": [{"seq": t["seq"], "amount": Decimal(t["amount_fen"]) / 100,
                          "remainder": t["remainder"], "due": t["due"]} for t in a.tranches]}


def amend(session: Session, actor: Actor, contract: Contract, data: dict) -> Amendment:
    """Record an approved supplementary agreement; refuse one that breaks the money invariants."""
    if data["effective_from"] < contract.signed_on:
        raise Invalid("effective_from is before the contract was signed",
                      errors={"effective_from": ["must not be before signed_on"]})
    amendments = session.scalars(select(Amendment).where(Amendment.contract_id == contract.id)).all()
    current = terms_in_force(contract, list(amendments), FAR_FUTURE)
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
    new_terms = type(current)(code=current.code, total=total, signed_on=current.signed_on,
                              service_start=current.service_start, service_end=current.service_end,
                              tranches=tranches, tax_rates=current.tax_rates, terms=current.terms)
    errors = contract_errors(new_terms)
    st = load_state(session, contract, max(data["effective_from"], data["signed_on"]), payments_through=FAR_FUTURE)
    for i, t in enumerate(new_terms.tranches):
        paid = st.paid_by_seq.get(t.seq, ZERO)
        invoiced = st.invoiced_by_seq.get(t.seq, ZERO)
        if t.amount < paid:
            errors.setdefault(f"tranches.{i}.amount", []).append(
                f"tranche {t.seq} would be {t.amount:.2f}, below the {paid:.2f} already paid")
        if t.amount < invoiced:
            errors.setdefault(f"tranches.{i}.amount", []).append(
                f"tranche {t.seq} would be {t.amount:.2f}, below the {invoiced:.2f} already invoiced")
    for seq in set(st.paid_by_seq) - {t.seq for t in new_terms.tranches}:
        errors.setdefault("tranches", []).append(f"tranche {seq} has payments and cannot be removed")
    if total < st.paid_total:
        errors.setdefault("total_amount", []).append(f"below the {st.paid_total:.2f} already paid")
    if errors:
        raise Invalid("the amendment breaks " + "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()),
                      errors=errors)
    seq = (session.scalar(select(func.max(Amendment.seq)).where(Amendment.contract_id == contract.id)) or 0) + 1
    a = Amendment(contract_id=contract.id, seq=seq, signed_on=data["signed_on"],
                  effective_from=data["effective_from"], approval_reference=data["approval_reference"],
                  description=data.get("description"), total_amount=total,
                  tranches=[{"seq": t.seq, "amount_fen": to_fen(t.amount), "remainder": t.remainder,
                             "due": {k: (v.isoformat() if hasattr(v, "isoformat") else v)
                                     for k, v in (("kind", t.due.kind), ("months", t.due.months),
                                                  ("date", t.due.date), ("days", t.due.days)) if v is not None}}
                            for t in new_terms.tranches],
                  created_at=datetime.now(timezone.utc))
    session.add(a)
    session.flush()
    journal.append(session, actor, "contract.amended", "amendment", a.id,
                   {"before": {"total_amount": current.total}, "after": amendment_dict(a)},
                   contract_id=contract.id)
    return a
