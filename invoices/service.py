"""Issuing, reading and reversing invoices (clause 5.2): the service layer."""
from __future__ import annotations

import secrets
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from settlement.domain.vat import split
from invoices.words import rmb_upper
from settlement.domain.contract import WORKING_DAYS_AFTER_AUDIT, rate_on
from settlement.errors import Conflict, Forbidden, Invalid, NotFound
from settlement.models import Contract, Invoice, Party
from settlement.services.actors import Actor
from settlement.services.pages import paginate
from settlement.services.contracts import get_contract
from settlement.domain.schedule import invoice_late
from settlement.services.positions import position_of
from settlement.services.uow import ContractWrite

ZERO = Decimal("0.00")
TYPE_NAMES = {"ordinary": "普通发票", "special": "增值税专用发票"}


def _party_block(p: Party) -> dict:
    acct = p.bank_accounts[0] if p.bank_accounts else None
    return {"code": p.code, "name": p.name, "taxpayer_id": p.taxpayer_id,
            "bank_account": f"{acct.bank} {acct.account_no}" if acct else None}


def invoice_dict(inv: Invoice, contract: Contract | None = None, reversed_by: Invoice | None = None,
                 reverses: Invoice | None = None, invoice_due=None) -> dict:
    return {
        "id": inv.id, "contract_id": inv.contract_id, "contract_code": contract.code if contract else None,
        "number": inv.number, "type": inv.type, "type_name": TYPE_NAMES[inv.type], "issued_on": inv.issued_on,
        "tranche_seq": inv.tranche_seq, "total": inv.total, "net": inv.net, "tax": inv.tax, "rate": inv.rate,
        "amount_in_words": rmb_upper(inv.total),
        "late": inv.reverses_id is None and invoice_late(inv.issued_on, invoice_due),
        "invoice_due_date": invoice_due.date if invoice_due else None,
        "reverses": reverses.number if reverses else None, "reverses_id": inv.reverses_id,
        "reversed_by": reversed_by.number if reversed_by else None,
        "reversed_by_id": reversed_by.id if reversed_by else None,
        "reason": inv.reason, "buyer": inv.buyer, "seller": inv.seller,
        "item": contract.invoice_item if contract else None,
        "tax_category": contract.tax_category if contract else None, "red_letter": inv.total < 0,
    }


def full_invoice_dict(session: Session, inv: Invoice, contract: Contract) -> dict:
    reversed_by = session.scalar(select(Invoice).where(Invoice.reverses_id == inv.id))
    reverses = session.get(Invoice, inv.reverses_id) if inv.reverses_id else None
    line = position_of(session, contract, inv.issued_on).line(inv.tranche_seq)
    return invoice_dict(inv, contract, reversed_by, reverses, invoice_due=line.invoice_due if line else None)


def _new_number(session: Session, issued_on: date, given: str | None, field: str = "number") -> str:
    if given:
        if session.scalar(select(Invoice.id).where(Invoice.number == given)) is not None:
            raise Conflict(f"invoice number {given} is already recorded", errors={field: ["already recorded"]})
        return given
    # A 20-digit number in the 数电 shape: two-digit year, then 18 random digits.
    return f"{issued_on:%y}{secrets.randbelow(10**18):018d}"


def _lead_vendor(contract: Contract) -> Party:
    return next(cp.party for cp in contract.parties if cp.role == "vendor" and cp.position == 0)


def _buyer(contract: Contract) -> Party:
    return next(cp.party for cp in contract.parties if cp.role == "buyer")


def _require_lead_vendor(contract: Contract, actor: Actor) -> None:
    lead = _lead_vendor(contract)
    if actor.role == "vendor" and actor.party_id != lead.id:
        raise Forbidden(f"only the lead vendor {lead.code!r} issues invoices on contract {contract.code}")


def issue(w: ContractWrite, data: dict) -> Invoice:
    """Issue an invoice for a tranche; never over-invoice it; the final tranche waits for the audit."""
    session, actor, contract = w.session, w.actor, w.contract
    _require_lead_vendor(contract, actor)
    issued_on: date = data["issued_on"]
    w.ensure_dated(issued_on, "issued_on", "an invoice")
    st = w.position
    seq = data["tranche_seq"]
    line, tranche = st.line(seq), st.terms.tranche(seq)
    if line is None:
        raise Invalid(f"the contract has no tranche {seq}", errors={"tranche_seq": [f"no tranche {seq}"]})
    if tranche.due.kind == WORKING_DAYS_AFTER_AUDIT and not st.audit_binding:
        raise Conflict(f"tranche {seq} is settled by the audit and cannot be invoiced yet: no binding audit "
                       f"opinion (审定金额) (settlement status {st.settlement.status})",
                       type_slug="awaiting-audit")
    buyer, seller = _buyer(contract), _lead_vendor(contract)
    if data["type"] == "special":
        missing = []
        if not buyer.taxpayer_id:
            missing.append("the buyer's taxpayer ID (统一社会信用代码)")
        if not buyer.general_taxpayer:
            missing.append("the buyer's general-taxpayer status (一般纳税人)")
        if missing:
            raise Invalid("a special VAT invoice (增值税专用发票) needs " + " and ".join(missing)
                          + f" on file for {buyer.code!r} (clause 5.2)",
                          errors={"type": ["special needs the buyer's taxpayer ID and general-taxpayer status"]})
    uninvoiced = line.amount - line.invoiced
    amount = data["amount"] if data.get("amount") is not None else uninvoiced
    if amount <= 0 or amount > uninvoiced:
        raise Conflict(f"tranche {seq} has {max(uninvoiced, ZERO):.2f} left to invoice "
                       f"(amount {line.amount:.2f}, invoiced {line.invoiced:.2f}); "
                       f"{amount:.2f} would over-invoice it", type_slug="over-invoicing",
                       extra={"tranche_amount": f"{line.amount:.2f}", "invoiced": f"{line.invoiced:.2f}",
                              "uninvoiced": f"{max(uninvoiced, ZERO):.2f}"})
    rate = rate_on(st.terms.tax_rates, issued_on)
    if rate is None:
        raise Invalid("no VAT rate is in force on issued_on", errors={"issued_on": ["no VAT rate in force"]})
    net, tax = split(amount, rate)
    inv = Invoice(contract_id=contract.id, tranche_seq=seq, number=_new_number(session, issued_on, data.get("number")),
                  type=data["type"], issued_on=issued_on, total=amount, net=net, tax=tax, rate=rate,
                  buyer=_party_block(buyer), seller=_party_block(seller), created_at=datetime.now(timezone.utc))
    session.add(inv)
    w.changed()
    w.journal("invoice.issued", "invoice", inv.id, invoice_view(session, inv, contract))
    return inv


def reverse(w: ContractWrite, original: Invoice, data: dict) -> Invoice:
    """Issue the red-letter invoice (红字发票) for ``original``: once, in full; the amount becomes uninvoiced."""
    session, actor, contract = w.session, w.actor, w.contract
    _require_lead_vendor(contract, actor)
    if original.reverses_id is not None:
        raise Conflict(f"invoice {original.number} is itself a red-letter invoice and cannot be reversed")
    if session.scalar(select(Invoice.id).where(Invoice.reverses_id == original.id)) is not None:
        raise Conflict(f"invoice {original.number} was already reversed")
    w.ensure_dated(data["issued_on"], "issued_on", "a red-letter invoice")
    if data["issued_on"] < original.issued_on:
        raise Invalid("issued_on is before the original invoice",
                      errors={"issued_on": [f"must not be before {original.issued_on.isoformat()}"]})
    red = Invoice(contract_id=contract.id, tranche_seq=original.tranche_seq,
                  number=_new_number(session, data["issued_on"], data.get("number")), type=original.type,
                  issued_on=data["issued_on"], total=-original.total, net=-original.net, tax=-original.tax,
                  rate=original.rate, reverses_id=original.id, reason=data["reason"], buyer=original.buyer,
                  seller=original.seller, created_at=datetime.now(timezone.utc))
    session.add(red)
    w.changed()
    w.journal("invoice.reversed", "invoice", red.id, invoice_view(session, red, contract))
    return red


def get_invoice(session: Session, actor: Actor, invoice_id: int, *, for_update: bool = False) -> tuple[Invoice, Contract]:
    """An invoice the actor may see (another party's is a 404)."""
    inv = session.get(Invoice, invoice_id)
    if inv is None:
        raise NotFound(f"no invoice {invoice_id}")
    try:
        contract = get_contract(session, actor, inv.contract_id, for_update=for_update)
    except NotFound:
        raise NotFound(f"no invoice {invoice_id}") from None
    return inv, contract


def list_invoices(session: Session, contract: Contract, page: int, page_size: int):
    return paginate(session, select(Invoice).where(Invoice.contract_id == contract.id), page, page_size,
                    Invoice.issued_on, Invoice.id)


def vat_summary(session: Session, contract: Contract, as_of: date) -> dict:
    """The contract-level VAT split of the contract's value against the per-tranche splits (the
    rounding difference) and what was invoiced: the position's VAT summary."""
    v = position_of(session, contract, as_of).vat
    return {"rate": v.rate, "contract_net": v.contract_net, "contract_tax": v.contract_tax,
            "tranche_tax_total": v.tranche_tax_total, "rounding_difference": v.rounding_difference,
            "invoiced_net": v.invoiced_net, "invoiced_tax": v.invoiced_tax}


def invoice_view(session: Session, inv: Invoice, contract: Contract) -> dict:
    """What ``GET /invoices/{id}`` shows (and what the invoice's events carry)."""
    from invoices.schemas import InvoiceSchema
    return InvoiceSchema().dump(full_invoice_dict(session, inv, contract))
