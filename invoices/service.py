"""Invoices as the tax platform issues them (clause 5.2): the service layer.

Only the platform (电子发票服务平台) issues an invoice. This module

- computes the **invoice request** (开票信息, :mod:`invoices.request`) the lead vendor issues from;
- **records** the invoice the platform issued, with the platform's number, after checking
  the number's shape and uniqueness, the taxpayer IDs on file, and that the amounts, rate,
  buyer and seller are those of the request (422 listing each difference);
- records **red-letter invoices** (红字发票), full or partial, with their own platform number
  (and the 红字发票信息确认单 number for a special invoice) at the original's rate;
- keeps the platform's **file** (XML, PDF or OFD) with its SHA-256, checking the XML against
  the record.

It never makes up an invoice number and never renders a document titled 发票.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from invoices import files, numbers, platform_xml
from invoices.request import (
    ORIGINAL, TYPE_NAMES, basis_view, buyer_of, compute, item_name, lead_vendor, missing_for,
    remarks,
)
from invoices.words import rmb_upper
from settlement.domain.contract import WORKING_DAYS_AFTER_AUDIT
from settlement.domain.position import Position
from settlement.domain.schedule import invoice_late
from settlement.domain.vat import split
from settlement.errors import Conflict, Forbidden, Invalid, NotFound, Problem
from settlement.i18n import _
from settlement.models import Contract, Invoice, InvoiceFile
from settlement.services.actors import Actor
from settlement.services.contracts import get_contract
from settlement.services.pages import paginate
from settlement.services.positions import known_now
from settlement.services.uow import ContractWrite

ZERO = Decimal("0.00")
PLATFORM, GENERATED = "platform", "generated"


# -- reading ------------------------------------------------------------------------------------

def get_invoice(session: Session, actor: Actor, invoice_id: int, *, for_update: bool = False) -> tuple[Invoice, Contract]:
    """An invoice the actor may see (another party's is a 404)."""
    inv = session.get(Invoice, invoice_id)
    if inv is None:
        raise NotFound(_("no invoice {id}", id=invoice_id))
    try:
        contract = get_contract(session, actor, inv.contract_id, for_update=for_update)
    except NotFound:
        raise NotFound(_("no invoice {id}", id=invoice_id)) from None
    return inv, contract


def list_invoices(session: Session, contract: Contract, page: int, page_size: int):
    return paginate(session, select(Invoice).where(Invoice.contract_id == contract.id), page, page_size,
                    Invoice.issued_on, Invoice.id)


def _file_info(session: Session, inv: Invoice) -> dict | None:
    row = session.execute(select(InvoiceFile.kind, InvoiceFile.content_type, InvoiceFile.size, InvoiceFile.sha256,
                                 InvoiceFile.uploaded_at).where(InvoiceFile.invoice_id == inv.id)).first()
    if row is None:
        return None
    return {"kind": row.kind, "content_type": row.content_type, "size": row.size, "sha256": row.sha256,
            "uploaded_at": row.uploaded_at, "url": f"/api/v1/invoices/{inv.id}/file"}


def invoice_dict(session: Session, inv: Invoice, contract: Contract, position: Position) -> dict:
    """The invoice as ``GET /invoices/{id}`` shows it; ``position``: the contract as known now.

    ``late`` is clause 5.2 judged on the platform's issue date against the tranche's invoice due
    date (``settlement.domain.schedule.invoice_late``), for a blue invoice still in force (not
    reversed in full): the same invoices and the same rule as the schedule's ``invoice_late``."""
    reds = [] if inv.reverses_id is not None else session.scalars(
        select(Invoice).where(Invoice.reverses_id == inv.id).order_by(Invoice.issued_on, Invoice.id)).all()
    reverses = session.get(Invoice, inv.reverses_id) if inv.reverses_id else None
    replaces = session.get(Invoice, inv.replaces_id) if inv.replaces_id else None
    reversed_total = -sum((r.total for r in reds), ZERO)
    left = inv.total - reversed_total if inv.reverses_id is None else ZERO
    line = position.line(inv.tranche_seq)
    due = line.invoice_due if line is not None else None
    in_force = inv.reverses_id is None and left > 0
    rate_rule, rate_day = inv.rate_rule, inv.rate_date
    if inv.reverses_id is not None and rate_rule is None:
        rate_rule = ORIGINAL
    return {
        "id": inv.id, "contract_id": inv.contract_id, "contract_code": contract.code,
        "number": inv.number, "code": inv.code or None, "number_source": inv.number_source,
        "type": inv.type, "type_name": TYPE_NAMES[inv.type], "issued_on": inv.issued_on,
        "tranche_seq": inv.tranche_seq, "total": inv.total, "net": inv.net, "tax": inv.tax, "rate": inv.rate,
        "rate_basis": basis_view(rate_rule, rate_day, replaces if rate_rule == "replacement" else None),
        "amount_in_words": rmb_upper(inv.total),
        "late": in_force and invoice_late(inv.issued_on, due),
        "invoice_due_date": due.date if due else None,
        "red_letter": inv.total < 0,
        "reverses": numbers.display(reverses.number, reverses.code) if reverses else None,
        "reverses_id": inv.reverses_id,
        "reversals": [{"id": r.id, "number": numbers.display(r.number, r.code), "issued_on": r.issued_on,
                       "total": r.total} for r in reds],
        "reversed_total": reversed_total if inv.reverses_id is None else ZERO,
        "left": left,
        "reversed_by": numbers.display(reds[-1].number, reds[-1].code) if reds and left == 0 else None,
        "reversed_by_id": reds[-1].id if reds and left == 0 else None,
        "replaces": numbers.display(replaces.number, replaces.code) if replaces else None,
        "replaces_id": inv.replaces_id,
        "confirmation_number": inv.red_confirmation_number,
        "reason": inv.reason,
        "item": inv.item or contract.invoice_item, "tax_category": inv.tax_category or contract.tax_category,
        "buyer": inv.buyer, "seller": inv.seller,
        "file": _file_info(session, inv),
    }


def invoice_view(session: Session, inv: Invoice, contract: Contract, position: Position) -> dict:
    """What ``GET /invoices/{id}`` shows (and what the invoice's events carry)."""
    from invoices.schemas import InvoiceSchema
    return InvoiceSchema().dump(invoice_dict(session, inv, contract, position))


def position_now(session: Session, contract: Contract, today: date) -> Position:
    """The position reads show an invoice against: as known today, every fact counted."""
    return known_now(session, contract, today)


def vat_summary(session: Session, contract: Contract, as_of: date) -> dict:
    """The contract-level VAT split of the contract's value against the per-tranche splits (the
    rounding difference) and what was invoiced: the position's VAT summary."""
    from settlement.services.positions import position_of
    v = position_of(session, contract, as_of).vat
    return {"rate": v.rate, "contract_net": v.contract_net, "contract_tax": v.contract_tax,
            "tranche_tax_total": v.tranche_tax_total, "rounding_difference": v.rounding_difference,
            "invoiced_net": v.invoiced_net, "invoiced_tax": v.invoiced_tax}


# -- the invoice request ----------------------------------------------------------------------------

def request_for(session: Session, contract: Contract, args: dict, today: date) -> dict:
    """The invoice request for a tranche (default: the first one with something left to invoice)."""
    position = position_now(session, contract, today)
    issued_on = args.get("issued_on") or today
    if issued_on < contract.signed_on:
        raise Invalid(_("{field} is before the contract was signed ({signed_on})", field="issued_on",
                        signed_on=contract.signed_on.isoformat()),
                      errors={"issued_on": [_("must not be before signed_on {signed_on}",
                                              signed_on=contract.signed_on.isoformat())]})
    seq = args.get("tranche_seq")
    if seq is None:
        seq = next((ln.seq for ln in position.lines if ln.amount - ln.invoiced > 0
                    and not (position.terms.tranche(ln.seq).due.kind == WORKING_DAYS_AFTER_AUDIT
                             and not position.audit_binding)), None)
        if seq is None:
            raise Conflict(_("contract {code} has nothing left to invoice now", code=contract.code),
                           type_slug="over-invoicing")
    return compute(session, contract, position, seq=seq, type_=args.get("type") or "ordinary",
                   issued_on=issued_on, amount=args.get("amount"))


def request_of_invoice(session: Session, inv: Invoice, contract: Contract, today: date) -> dict:
    """The invoice request a recorded invoice answers (its own figures): the form ``GET
    /invoices/{id}/pdf`` prints, for a red-letter invoice too. It carries no invoice number."""
    view = invoice_dict(session, inv, contract, position_now(session, contract, today))
    return {
        "contract_id": contract.id, "contract_code": contract.code, "tranche_seq": inv.tranche_seq,
        "type": inv.type, "type_name": TYPE_NAMES[inv.type], "issued_on": inv.issued_on,
        "amount": inv.total, "net": inv.net, "tax": inv.tax, "rate": inv.rate, "rate_basis": view["rate_basis"],
        "amount_in_words": view["amount_in_words"], "item": view["item"], "tax_category": view["tax_category"],
        "item_name": item_name(view["tax_category"], view["item"]), "remarks": remarks(contract.code, inv.tranche_seq),
        "buyer": inv.buyer, "seller": inv.seller, "uninvoiced": None,
        "invoice_due_date": view["invoice_due_date"], "invoice_due_provisional": False,
        "missing": [], "ready": True, "red_letter": inv.total < 0, "reverses": view["reverses"],
        "reason": inv.reason,
    }


# -- recording what the platform issued ---------------------------------------------------------------

def _require_lead_vendor(contract: Contract, actor: Actor) -> None:
    lead = lead_vendor(contract)
    if actor.role == "vendor" and actor.party_id != lead.id:
        raise Forbidden(_("only the lead vendor {party} issues invoices on contract {code}",
                          party=repr(lead.code), code=contract.code))


def _check_number(session: Session, number: str, code: str | None, issued_on: date) -> str:
    errors = numbers.number_errors(number, code, issued_on)
    if errors:
        raise Invalid(_("{number} is not a number the tax platform gives an invoice issued on {issued_on}",
                        number=numbers.display(number, code), issued_on=issued_on.isoformat()), errors=errors)
    code = code or ""
    taken = session.scalar(select(Invoice.id).where(Invoice.number == number, Invoice.code == code))
    if taken is not None:
        raise Conflict(_("invoice number {number} is already recorded", number=numbers.display(number, code)),
                       errors={"number": [_("already recorded")]}, extra={"invoice_id": taken})
    return code


def _require_ids(missing: list[dict]) -> None:
    if missing:
        raise Invalid(_("the invoice cannot be recorded until the tax registration is on file: {missing}; "
                        "PATCH /api/v1/parties/{party} (an admin)",
                        missing=", ".join(f"{m['party']} {m['field']}" for m in missing),
                        party=missing[0]["party"]),
                      errors={f"{m['role']}.{m['field']}": [m["message"]] for m in missing},
                      extra={"missing": [{k: m[k] for k in ("party", "role", "field", "patch")} for m in missing]},
                      type_slug="taxpayer-id-missing")


def _text(value) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _differences(posted: dict, request: dict) -> list[tuple[str, object, object]]:
    """(field, what the request says, what the posted invoice says) for every disagreement."""
    out = []
    for field, key in (("total", "amount"), ("net", "net"), ("tax", "tax")):
        if posted[field] != request[key]:
            out.append((field, f"{request[key]:.2f}", f"{posted[field]:.2f}"))
    if Decimal(posted["rate"]) != Decimal(request["rate"]):
        out.append(("rate", format(Decimal(request["rate"]).normalize(), "f"),
                    format(Decimal(posted["rate"]).normalize(), "f")))
    for role in ("buyer", "seller"):
        mine, theirs = request[role], posted[role]
        if not platform_xml.same_name(theirs.get("name"), mine["name"]):
            out.append((f"{role}.name", mine["name"], theirs.get("name")))
        if (theirs.get("taxpayer_id") or "").upper() != (mine.get("taxpayer_id") or "").upper():
            out.append((f"{role}.taxpayer_id", mine.get("taxpayer_id"), theirs.get("taxpayer_id")))
    return out


def _refuse_differences(diffs, request: dict) -> None:
    if not diffs:
        return
    raise Invalid(
        _("the invoice differs from its invoice request (tranche {seq}, {amount} at {rate} issued on {issued_on}) "
          "in {fields}", seq=request["tranche_seq"], amount=f"{request['amount']:.2f}",
          rate=format(Decimal(request["rate"]).normalize(), "f"), issued_on=request["issued_on"].isoformat(),
          fields=", ".join(f for f, _r, _p in diffs)),
        errors={f: [_("the invoice request says {expected}; the invoice says {got}", expected=_text(r),
                      got=_text(p))] for f, r, p in diffs},
        extra={"differences": [{"field": f, "request": r, "invoice": p} for f, r, p in diffs]},
        type_slug="invoice-mismatch")


def record(w: ContractWrite, data: dict) -> Invoice:
    """Record the invoice the platform issued for a tranche, checked against its invoice request."""
    session, contract = w.session, w.contract
    _require_lead_vendor(contract, w.actor)
    issued_on: date = data["issued_on"]
    w.ensure_dated(issued_on, "issued_on", "an invoice")
    code = _check_number(session, data["number"], data.get("code"), issued_on)
    amount = data.get("amount") if data.get("amount") is not None else data["total"]
    request = compute(session, contract, w.position, seq=data["tranche_seq"], type_=data["type"],
                      issued_on=issued_on, amount=amount)
    _require_ids(missing_for(buyer_of(contract), lead_vendor(contract), data["type"]))
    _refuse_differences(_differences(data, request), request)
    basis = request["rate_basis"]
    inv = Invoice(contract_id=contract.id, tranche_seq=request["tranche_seq"], number=data["number"], code=code,
                  number_source=PLATFORM, type=data["type"], issued_on=issued_on, total=request["amount"],
                  net=request["net"], tax=request["tax"], rate=request["rate"], rate_rule=basis["rule"],
                  rate_date=basis["date"], replaces_id=basis["replaces_id"], item=request["item"],
                  tax_category=request["tax_category"], buyer=request["buyer"], seller=request["seller"],
                  created_at=datetime.now(timezone.utc))
    session.add(inv)
    w.changed()
    w.journal("invoice.issued", "invoice", inv.id, invoice_view(session, inv, contract, w.position))
    return inv


def reverse(w: ContractWrite, original: Invoice, data: dict) -> Invoice:
    """Record the red-letter invoice (红字发票) the platform issued against ``original``: in full or in
    part (``amount`` ≤ what is left of it), at the original's rate, with its own platform number;
    a special invoice's red-letter invoice needs the 红字发票信息确认单 number."""
    session, contract = w.session, w.contract
    _require_lead_vendor(contract, w.actor)
    if original.reverses_id is not None:
        raise Conflict(_("invoice {number} is itself a red-letter invoice and cannot be reversed",
                         number=numbers.display(original.number, original.code)))
    if original.number_source != PLATFORM:
        raise Conflict(_("invoice {number}'s number was generated by this service, not issued by the tax "
                         "platform, so the platform cannot red-letter it; attach the platform's XML for it "
                         "(PUT /api/v1/invoices/{id}/file) if the platform did issue it",
                         number=original.number, id=original.id), type_slug="number-generated")
    issued_on: date = data["issued_on"]
    w.ensure_dated(issued_on, "issued_on", "a red-letter invoice")
    if issued_on < original.issued_on:
        raise Invalid(_("issued_on is before the original invoice"),
                      errors={"issued_on": [_("must not be before {day}", day=original.issued_on.isoformat())]})
    reds = session.scalars(select(Invoice).where(Invoice.reverses_id == original.id)).all()
    left_total = original.total + sum((r.total for r in reds), ZERO)
    if left_total <= 0:
        raise Conflict(_("invoice {number} was already reversed", number=numbers.display(original.number,
                                                                                            original.code)))
    amount = data.get("amount") if data.get("amount") is not None else left_total
    if amount > left_total:
        raise Conflict(_("invoice {number} has {left} left to reverse; a red-letter invoice of {amount} would "
                         "reverse more than it", number=numbers.display(original.number, original.code),
                         left=f"{left_total:.2f}", amount=f"{amount:.2f}"),
                       errors={"amount": [_("at most {left}", left=f"{left_total:.2f}")]},
                       extra={"left": f"{left_total:.2f}"})
    confirmation = data.get("confirmation_number")
    if original.type == "special" and not confirmation:
        raise Invalid(_("the red-letter invoice of a special invoice (增值税专用发票) needs the number of its "
                        "红字发票信息确认单 in confirmation_number"),
                      errors={"confirmation_number": numbers.confirmation_errors(confirmation)})
    if confirmation and numbers.confirmation_errors(confirmation):
        raise Invalid(_("confirmation_number is not the number of a 红字发票信息确认单"),
                      errors={"confirmation_number": numbers.confirmation_errors(confirmation)})
    code = _check_number(session, data["number"], data.get("code"), issued_on)
    _require_ids(missing_for(buyer_of(contract), lead_vendor(contract), "ordinary"))
    if amount == left_total:   # the last red takes what is left, so the original cancels to the fen
        net = -(original.net + sum((r.net for r in reds), ZERO))
        tax = -(original.tax + sum((r.tax for r in reds), ZERO))
    else:
        net, tax = split(-amount, original.rate)
    diffs = [(f, f"{mine:.2f}", f"{data[f]:.2f}") for f, mine in (("net", net), ("tax", tax))
             if data.get(f) is not None and data[f] != mine]
    if diffs:
        request = {"tranche_seq": original.tranche_seq, "amount": -amount, "rate": original.rate,
                   "issued_on": issued_on}
        _refuse_differences(diffs, request)
    red = Invoice(contract_id=contract.id, tranche_seq=original.tranche_seq, number=data["number"], code=code,
                  number_source=PLATFORM, type=original.type, issued_on=issued_on, total=-amount, net=net, tax=tax,
                  rate=original.rate, rate_rule=ORIGINAL, rate_date=original.issued_on, reverses_id=original.id,
                  red_confirmation_number=data.get("confirmation_number"), reason=data["reason"],
                  item=original.item, tax_category=original.tax_category, buyer=original.buyer,
                  seller=original.seller, created_at=datetime.now(timezone.utc))
    session.add(red)
    w.changed()
    w.journal("invoice.reversed", "invoice", red.id, invoice_view(session, red, contract, w.position))
    return red


# -- the platform's file -------------------------------------------------------------------------------

class FileProblem(Problem):
    """A file the service does not take (type, size): 413 or 415."""


def attach_file(w: ContractWrite, inv: Invoice, data: bytes, content_type: str | None,
                max_bytes: int = files.MAX_BYTES) -> tuple[Invoice, bool]:
    """Store the platform's file of ``inv`` (returns the invoice and whether the file is new).

    The same bytes again change nothing; other bytes are refused (the platform's file of an
    invoice does not change). An XML file is checked against the record; for a number this
    service generated before migration 0009 only the XML is taken, and it proves the number."""
    session, contract = w.session, w.contract
    _require_lead_vendor(contract, w.actor)
    if not data:
        raise Invalid(_("the request has no file: send the platform's XML, PDF or OFD file as the body"),
                      errors={"body": [_("empty")]})
    if len(data) > max_bytes:
        raise FileProblem(_("the file has {size} bytes; at most {limit} are taken", size=len(data),
                            limit=max_bytes), status=413, type_slug="payload-too-large")
    try:
        kind, served_as = files.check(data, content_type)
    except files.FileRefused as exc:
        raise FileProblem(exc.message, status=exc.status, type_slug="unsupported-media-type",
                          errors={"Content-Type": [exc.message]}) from None
    digest = files.sha256(data)
    existing = session.scalar(select(InvoiceFile).where(InvoiceFile.invoice_id == inv.id))
    if existing is not None:
        if existing.sha256 == digest:
            return inv, False
        raise Conflict(_("invoice {number} already has the platform's file (SHA-256 {sha256}); the file of an "
                         "issued invoice does not change", number=numbers.display(inv.number, inv.code),
                         sha256=existing.sha256), extra={"sha256": existing.sha256})
    if inv.number_source != PLATFORM and kind != files.XML:
        raise Conflict(_("invoice {number}'s number was generated by this service before it recorded the "
                         "platform's invoices; attach the platform's XML file, which proves the number",
                         number=inv.number), type_slug="number-generated")
    before = invoice_view(session, inv, contract, w.position)
    if kind == files.XML:
        try:
            found = platform_xml.parse(data)
        except platform_xml.UnreadableXml as exc:
            raise Invalid(exc.message, errors={"body": [exc.message]}, type_slug="validation-error") from None
        record_view = invoice_dict(session, inv, contract, w.position)
        diffs = platform_xml.differences(found, record_view)
        if diffs:
            raise Invalid(_("the platform's XML does not match invoice {number} in {fields}",
                            number=numbers.display(inv.number, inv.code), fields=", ".join(diffs)),
                          errors=diffs, type_slug="invoice-mismatch")
    session.add(InvoiceFile(invoice_id=inv.id, contract_id=contract.id, kind=kind, content_type=served_as,
                            size=len(data), sha256=digest, data=data, uploaded_at=datetime.now(timezone.utc)))
    if inv.number_source != PLATFORM:
        inv.number_source = PLATFORM   # the platform's own XML names this number: it is the platform's
    w.changed()
    w.journal("invoice.file_attached", "invoice", inv.id, invoice_view(session, inv, contract, w.position),
              before=before)
    return inv, True


def get_file(session: Session, inv: Invoice) -> InvoiceFile:
    found = session.scalar(select(InvoiceFile).where(InvoiceFile.invoice_id == inv.id))
    if found is None:
        raise NotFound(_("invoice {id} has no file of the tax platform attached", id=inv.id))
    return found
