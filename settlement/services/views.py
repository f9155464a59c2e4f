"""Read models: the schedule and earned-value views, drawn from the contract's position."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from settlement.domain.earned import table_total
from settlement.domain.position import Position
from settlement.models import Contract
from settlement.services.positions import position_of


def schedule_dict(contract: Contract, pos: Position) -> dict:
    return {
        "contract_id": contract.id, "code": contract.code, "as_of": pos.as_of,
        "total_amount": pos.terms.total, "value": pos.value, "value_basis": pos.value_basis,
        "tranches": [{
            "seq": ln.seq, "amount": ln.amount, "original": ln.original, "cut": ln.cut, "nominal": ln.nominal,
            "due_rule": pos.terms.tranche(ln.seq).due.describe(),
            "due_date": ln.due.date if ln.due else None,
            "due_date_rule": ln.due.rule if ln.due else None,
            "invoice_due_date": ln.invoice_due.date if ln.invoice_due else None,
            "invoice_due_rule": ln.invoice_due.rule if ln.invoice_due else None,
            "provisional": ln.provisional, "paid": ln.paid, "outstanding": ln.outstanding,
            "refund_due": ln.refund_due,
            "invoiced": ln.invoiced, "uninvoiced": ln.uninvoiced, "status": ln.status,
            "days_overdue": ln.days_overdue, "invoice_late": ln.invoice_late,
            "invoice_overdue": ln.invoice_overdue,
        } for ln in pos.lines],
    }


def schedule_view(session: Session, contract: Contract, as_of: date) -> dict:
    return schedule_dict(contract, position_of(session, contract, as_of))


def earned_dict(contract: Contract, pos: Position) -> dict:
    table = pos.earned
    return {
        "contract_id": contract.id, "as_of": pos.as_of, "total_amount": table_total(table),
        "months": [{"month": m.month, "amount": m.amount, "cumulative": m.cumulative,
                    "earned": m.first_day <= pos.as_of} for m in table],
        "earned_to_date": pos.earned_to_date,
    }


def earned_view(session: Session, contract: Contract, as_of: date) -> dict:
    return earned_dict(contract, position_of(session, contract, as_of))
