"""What a clerk must look at: alerts drawn from a contract's position (clauses 5.1.1, 5.2, 6.2, 6.3).

Each alert has a stable English ``kind`` (for machines and the report's label
column) and a ``detail`` message rendered in the reader's language (domain
``reports`` of the catalogue).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from settlement.i18n import Text

KINDS = ("invoice_late", "invoice_overdue", "payment_overdue", "provisional_date", "right_arose",
         "deemed_acceptance", "vat_rounding_difference", "refund_due", "penalty_outstanding")


@dataclass(frozen=True)
class Alert:
    kind: str
    tranche_seq: int | None
    detail: Text


def _t(msgid: str, **params) -> Text:
    return Text(msgid, domain="reports", **params)


def alerts(lines, rights, opinion_state: str, vat_difference: Decimal, penalty_outstanding: Decimal) -> tuple[Alert, ...]:
    out = []
    for ln in lines:
        if ln.invoice_late:
            out.append(Alert("invoice_late", ln.seq, _t(
                "tranche {seq}: invoiced after its invoice due date {date}",
                seq=ln.seq, date=ln.invoice_due.date.isoformat())))
        elif ln.invoice_overdue:
            out.append(Alert("invoice_overdue", ln.seq, _t(
                "tranche {seq}: {amount} not invoiced by {date}",
                seq=ln.seq, amount=f"{ln.uninvoiced:.2f}", date=ln.invoice_due.date.isoformat())))
        if ln.status == "overdue":
            out.append(Alert("payment_overdue", ln.seq, _t(
                "tranche {seq}: {amount} overdue {days} days",
                seq=ln.seq, amount=f"{ln.outstanding:.2f}", days=ln.days_overdue)))
        if ln.refund_due > 0:
            out.append(Alert("refund_due", ln.seq, _t(
                "tranche {seq}: {amount} paid beyond its amount is to be refunded by the vendor",
                seq=ln.seq, amount=f"{ln.refund_due:.2f}")))
        if ln.provisional:
            out.append(Alert("provisional_date", ln.seq, _t(
                "tranche {seq}: a date depends on a year without an official calendar", seq=ln.seq)))
    for r in rights:
        out.append(Alert("right_arose", r.tranche_seq, _t(
            "{holder} may {right} since {date}", holder=_t(r.holder), right=_t(r.right),
            date=r.arose_on.isoformat())))
    if opinion_state == "deemed_accepted":
        out.append(Alert("deemed_acceptance", None, _t(
            "the audit opinion was deemed accepted (no response in the window)")))
    if vat_difference != 0:
        out.append(Alert("vat_rounding_difference", None, _t(
            "contract-level VAT differs from the per-tranche VAT by {amount}", amount=f"{vat_difference:.2f}")))
    if penalty_outstanding > 0:
        out.append(Alert("penalty_outstanding", None, _t(
            "{amount} of penalties is neither set off nor paid", amount=f"{penalty_outstanding:.2f}")))
    return tuple(out)
