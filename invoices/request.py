"""The invoice request (开票信息): what the lead vendor should ask the tax platform to invoice.

The service computes it from the contract's position; it is not an invoice and has no
invoice number. The vendor issues the invoice on the platform (电子发票服务平台) with these
figures, then records what the platform issued (:mod:`invoices.service`), which is checked
against the request computed for the same tranche, amount and issue date.

**The rate follows the tax liability (纳税义务发生时间).** An invoice that replaces a reversed
one (the tranche has red-letter amounts not yet invoiced again) keeps the reversed invoice's
rate: the liability arose with it. Otherwise the liability arises on the earlier of the day
the invoice is issued and the day the tranche was paid in full, and the rate is the one in
force that day (``settlement.domain.contract.rate_on``). An invoice that would mix two rates
(part replacement, part new) is refused: invoice each part on its own.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from invoices.numbers import display
from invoices.words import rmb_upper
from settlement.domain.contract import WORKING_DAYS_AFTER_AUDIT, rate_on
from settlement.domain.position import Position
from settlement.domain.vat import split
from settlement.errors import Conflict, Invalid
from settlement.i18n import Text, _
from settlement.models import Contract, Invoice, Party

ZERO = Decimal("0.00")
TYPE_NAMES = {"ordinary": "普通发票", "special": "增值税专用发票"}

# Why an invoice has its rate (``rate_basis.rule``).
ISSUE_DATE = "issue_date"          # the rate in force on the day the invoice is issued
PAID_IN_FULL = "paid_in_full"      # the tranche was paid in full earlier: the rate in force that day
REPLACEMENT = "replacement"        # replaces a reversed invoice: that invoice's rate
ORIGINAL = "original"              # a red-letter invoice: the rate of the invoice it reverses


def party_block(p: Party) -> dict:
    """A party as an invoice names it: name, taxpayer ID (统一社会信用代码), bank account."""
    acct = p.bank_accounts[0] if p.bank_accounts else None
    return {"code": p.code, "name": p.name, "taxpayer_id": p.taxpayer_id,
            "bank_account": f"{acct.bank} {acct.account_no}" if acct else None}


def lead_vendor(contract: Contract) -> Party:
    return next(cp.party for cp in contract.parties if cp.role == "vendor" and cp.position == 0)


def buyer_of(contract: Contract) -> Party:
    return next(cp.party for cp in contract.parties if cp.role == "buyer")


def missing_for(buyer: Party, seller: Party, type_: str) -> list[dict]:
    """What must be on file before the platform's invoice can be recorded (the party and the field
    to PATCH): the seller's taxpayer ID always; for a special invoice the buyer's taxpayer ID and
    general-taxpayer status too (clause 5.2)."""
    out = []
    if not seller.taxpayer_id:
        out.append(_missing(seller, "seller", "taxpayer_id", _(
            "the seller {party} has no taxpayer ID (统一社会信用代码) on file: PATCH /api/v1/parties/{party} "
            "with its taxpayer_id", party=seller.code)))
    if type_ == "special":
        if not buyer.taxpayer_id:
            out.append(_missing(buyer, "buyer", "taxpayer_id", _(
                "a special invoice (增值税专用发票) needs the buyer {party}'s taxpayer ID (统一社会信用代码): "
                "PATCH /api/v1/parties/{party} with its taxpayer_id", party=buyer.code)))
        if not buyer.general_taxpayer:
            out.append(_missing(buyer, "buyer", "general_taxpayer", _(
                "a special invoice (增值税专用发票) needs the buyer {party} on file as a general taxpayer "
                "(一般纳税人): PATCH /api/v1/parties/{party} with general_taxpayer true", party=buyer.code)))
    return out


def _missing(party: Party, role: str, field: str, message: Text) -> dict:
    return {"party": party.code, "role": role, "field": field, "patch": f"/api/v1/parties/{party.code}",
            "message": message}


@dataclass(frozen=True)
class RateBasis:
    rate: Decimal
    rule: str
    day: date
    replaces: Invoice | None = None


def open_replacements(session: Session, contract: Contract, seq: int) -> list[tuple[Invoice, Decimal]]:
    """The tranche's reversed invoices with red-letter amounts not yet invoiced again, oldest first."""
    rows = session.scalars(select(Invoice).where(Invoice.contract_id == contract.id, Invoice.tranche_seq == seq)
                           .order_by(Invoice.id)).all()
    reversed_by: dict[int, Decimal] = defaultdict(lambda: ZERO)
    replaced_by: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for r in rows:
        if r.reverses_id is not None:
            reversed_by[r.reverses_id] -= r.total
        elif r.replaces_id is not None:
            replaced_by[r.replaces_id] += r.total
    out = []
    for r in rows:
        if r.reverses_id is None and r.number_source == "platform":
            left = reversed_by[r.id] - replaced_by[r.id]
            if left > 0:
                out.append((r, left))
    return out


def rate_basis(session: Session, contract: Contract, position: Position, seq: int, total: Decimal,
               issued_on: date) -> RateBasis:
    """The rate of an invoice of ``total`` on tranche ``seq`` issued on ``issued_on`` (module doc)."""
    line = position.line(seq)
    paid_on = line.paid_in_full_on if line is not None else None   # the position's rule
    day, rule = issued_on, ISSUE_DATE
    if paid_on is not None and paid_on < issued_on:
        day, rule = paid_on, PAID_IN_FULL
    fresh_rate = rate_on(position.terms.tax_rates, day)
    parts: list[tuple[Decimal, Decimal, str]] = []   # (amount, rate, what)
    left, replaces = total, None
    for original, open_amount in open_replacements(session, contract, seq):
        if left <= 0:
            break
        take = min(open_amount, left)
        parts.append((take, original.rate, display(original.number, original.code)))
        replaces = replaces or original
        left -= take
    if left > 0:
        if fresh_rate is None:
            raise Invalid(_("no VAT rate is in force on {day}", day=day.isoformat()),
                          errors={"issued_on": [_("no VAT rate in force on {day}", day=day.isoformat())]})
        parts.append((left, fresh_rate, ""))
    rates = {rate for _amount, rate, _what in parts}
    if len(rates) > 1:
        described = "; ".join(f"{amount:.2f} at {format(rate.normalize(), 'f')}"
                              + (f" (replacing {what})" if what else " (not a replacement)")
                              for amount, rate, what in parts)
        raise Invalid(_("this invoice would mix VAT rates: {parts}; the tax liability of a replacement arose "
                        "with the invoice it replaces, so issue one invoice per rate", parts=described),
                      errors={"amount": [_("issue one invoice per rate: {parts}", parts=described)]},
                      type_slug="invoice-mismatch")
    if replaces is not None:
        return RateBasis(replaces.rate, REPLACEMENT, replaces.issued_on, replaces)
    return RateBasis(fresh_rate, rule, day)


def compute(session: Session, contract: Contract, position: Position, *, seq: int, type_: str,
            issued_on: date, amount: Decimal | None = None) -> dict:
    """The invoice request for tranche ``seq``: ``amount`` (default what is left uninvoiced) invoiced
    on ``issued_on`` as ``type_`` (ordinary / special). Refuses what could not be invoiced."""
    line = position.line(seq)
    tranche = position.terms.tranche(seq) if line is not None else None
    if line is None or tranche is None:
        raise Invalid(_("the contract has no tranche {seq}", seq=seq),
                      errors={"tranche_seq": [_("no tranche {seq}", seq=seq)]})
    if tranche.due.kind == WORKING_DAYS_AFTER_AUDIT and not position.audit_binding:
        raise Conflict(_("tranche {seq} is settled by the audit and cannot be invoiced yet: no binding audit "
                         "opinion (审定金额) (settlement status {status})", seq=seq,
                         status=position.settlement.status), type_slug="awaiting-audit")
    uninvoiced = line.amount - line.invoiced
    left = max(uninvoiced, ZERO)
    wanted = amount if amount is not None else left
    if wanted <= 0 or wanted > uninvoiced:
        raise Conflict(_("tranche {seq} has {left} left to invoice (amount {amount}, invoiced {invoiced}); "
                         "{wanted} would over-invoice it", seq=seq, left=f"{left:.2f}",
                         amount=f"{line.amount:.2f}", invoiced=f"{line.invoiced:.2f}", wanted=f"{wanted:.2f}"),
                       type_slug="over-invoicing",
                       extra={"tranche_amount": f"{line.amount:.2f}", "invoiced": f"{line.invoiced:.2f}",
                              "uninvoiced": f"{left:.2f}"})
    basis = rate_basis(session, contract, position, seq, wanted, issued_on)
    net, tax = split(wanted, basis.rate)
    buyer, seller = buyer_of(contract), lead_vendor(contract)
    missing = missing_for(buyer, seller, type_)
    due = line.invoice_due
    return {
        "contract_id": contract.id, "contract_code": contract.code, "tranche_seq": seq,
        "type": type_, "type_name": TYPE_NAMES[type_], "issued_on": issued_on,
        "amount": wanted, "net": net, "tax": tax, "rate": basis.rate,
        "rate_basis": basis_view(basis.rule, basis.day, basis.replaces),
        "amount_in_words": rmb_upper(wanted),
        "item": contract.invoice_item, "tax_category": contract.tax_category,
        "item_name": item_name(contract.tax_category, contract.invoice_item),
        "remarks": remarks(contract.code, seq),
        "buyer": party_block(buyer), "seller": party_block(seller),
        "uninvoiced": left,
        "invoice_due_date": due.date if due else None,
        "invoice_due_provisional": bool(due and due.provisional),
        "missing": missing, "ready": not missing,
    }


def basis_view(rule: str | None, day: date | None, replaces: Invoice | None = None) -> dict | None:
    if rule is None:
        return None
    return {"rule": rule, "date": day, "replaces": display(replaces.number, replaces.code) if replaces else None,
            "replaces_id": replaces.id if replaces else None}


def item_name(tax_category: str | None, item: str | None) -> str:
    """项目名称 as the platform prints it: the tax category's short name between asterisks, then the item."""
    category = (tax_category or "").strip()
    if category and not category.startswith("*"):
        category = f"*{category}*"
    return f"{category}{item or ''}"


def remarks(contract_code: str, seq: int) -> str:
    """备注: the contract and the tranche the invoice is for."""
    return f"合同编号 {contract_code}，第{seq}期服务费"
