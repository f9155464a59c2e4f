"""Read models: the schedule and earned-value views, computed from stored facts and the domain."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from settlement.domain.earned import earned_through
from settlement.models import Contract
from settlement.services.state import load_state


def schedule_view(session: Session, contract: Contract, as_of: date) -> dict:
    st = load_state(session, contract, as_of)
    terms, lines = st.terms, st.lines
    return {
        "contract_id": contract.id, "code": contract.code, "as_of": as_of,
        "total_amount": st.terms.total,
        "tranches": [{
            "seq": ln.seq, "amount": ln.amount, "nominal": ln.nominal,
            "due_rule": terms.tranche(ln.seq).due.describe(),
            "due_date": ln.due.date if ln.due else None,
            "due_date_rule": ln.due.rule if ln.due else None,
            "invoice_due_date": ln.invoice_due.date if ln.invoice_due else None,
            "invoice_due_rule": ln.invoice_due.rule if ln.invoice_due else None,
            "provisional": ln.provisional, "paid": ln.paid, "outstanding": ln.outstanding,
            "invoiced": ln.invoiced, "uninvoiced": ln.uninvoiced, "status": ln.status,
            "days_overdue": ln.days_overdue, "invoice_late": ln.invoice_late,
            "invoice_overdue": ln.invoice_overdue,
        } for ln in lines],
    }


def earned_view(session: Session, contract: Contract, as_of: date) -> dict:
    st = load_state(session, contract, as_of)
    table = st.earned
    return {
        "contract_id": contract.id, "as_of": as_of, "total_amount": table[-1].cumulative,
        "months": [{"month": m.month, "amount": m.amount, "cumulative": m.cumulative,
                    "earned": m.first_day <= as_of} for m in table],
        "earned_to_date": earned_through(table, as_of),
    }
