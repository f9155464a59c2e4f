"""/api/v1 invoice endpoints: the invoice request (开票信息, JSON and PDF), the invoices the tax platform
issued (record, list, read), red-letter invoices, the platform's file, the VAT summary."""
from __future__ import annotations

import base64

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from invoices import files, pdf
from invoices import service as svc
from invoices.schemas import (
    InvoiceCreateSchema, InvoicePageSchema, InvoiceRequestArgsSchema, InvoiceRequestSchema, InvoiceReverseSchema,
    InvoiceSchema, VatSummarySchema,
)
from settlement.api import context
from settlement.api.locale import request_locale
from settlement.errors import Unavailable
from settlement.i18n import _, render
from settlement.schemas.common import AsOfArgsSchema, PageArgsSchema
from settlement.services.contracts import get_contract

blp = Blueprint("invoices", __name__, description=(
    "Invoices (发票): the invoice request (开票信息) the lead vendor issues from on the tax platform, the "
    "invoices the platform issued (recorded with its number and file), red-letter invoices, VAT"))

BINARY = {"schema": {"type": "string", "format": "binary"}}
FILE_TYPES = ("application/xml", "application/pdf", "application/ofd")


def register(api, prefix: str) -> None:
    """The `settlement.extensions` entry point: mount the invoice endpoints under ``prefix``."""
    api.register_blueprint(blp, url_prefix=prefix)


def _font() -> str:
    try:
        return pdf.find_font(current_app.config.get("INVOICE_FONT"))
    except pdf.FontUnavailable as exc:
        raise Unavailable(_("invoice request PDFs are unavailable: {reason}", reason=str(exc)),
                          type_slug="font-unavailable") from None


def _pdf_response(body: bytes, filename: str) -> Response:
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


@blp.route("/contracts/<int(max=2147483647):contract_id>/invoice-request")
class InvoiceRequest(MethodView):
    @blp.arguments(InvoiceRequestArgsSchema, location="query")
    @blp.response(200, InvoiceRequestSchema)
    @blp.alt_response(404, description="no such contract, or not the caller's")
    @blp.alt_response(409, description="nothing left to invoice on the tranche, or the final tranche awaits the audit")
    def get(self, args, contract_id):
        """What to issue on the tax platform for a tranche (开票信息): amounts, rate, words, buyer, seller.
        Not an invoice and no invoice number; `missing` lists what must be on file before the invoice
        the platform issues can be recorded."""
        s = context.session()
        contract = get_contract(s, context.actor(), contract_id)
        return render(svc.request_for(s, contract, args, context.today()), request_locale())


@blp.route("/contracts/<int(max=2147483647):contract_id>/invoice-request/pdf")
class InvoiceRequestPdf(MethodView):
    @blp.arguments(InvoiceRequestArgsSchema, location="query")
    @blp.response(200, content_type="application/pdf", description="开票信息确认单, one A4 page (not an invoice)")
    @blp.alt_response(404, description="no such contract, or not the caller's")
    @blp.alt_response(409, description="nothing left to invoice on the tranche, or the final tranche awaits the audit")
    @blp.alt_response(503, description="no CJK font configured (INVOICE_FONT)")
    def get(self, args, contract_id):
        """The invoice request as a PDF titled 开票信息确认单, marked 「本单据不是发票，发票以电子发票服务平台开具的为准」"""
        s = context.session()
        contract = get_contract(s, context.actor(), contract_id)
        req = render(svc.request_for(s, contract, args, context.today()), "zh_CN")
        body = pdf.render_request_pdf(req, _font())
        return _pdf_response(body, f"invoice-request-{contract.code}-{req['tranche_seq']}.pdf")


@blp.route("/contracts/<int(max=2147483647):contract_id>/invoices")
class ContractInvoices(MethodView):
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, InvoicePageSchema)
    @blp.alt_response(404, description="no such contract, or not the caller's")
    def get(self, args, contract_id):
        """The contract's invoices as the tax platform issued them, red-letter ones included (paginated)"""
        s = context.session()
        contract = get_contract(s, context.actor(), contract_id)
        items, total = svc.list_invoices(s, contract, args["page"], args["page_size"])
        position = svc.position_now(s, contract, context.today())
        return {"items": [svc.invoice_dict(s, i, contract, position) for i in items], "page": args["page"],
                "page_size": args["page_size"], "total": total}

    @blp.arguments(InvoiceCreateSchema)
    @blp.response(201, InvoiceSchema)
    @blp.alt_response(403, description="not the contract's lead vendor")
    @blp.alt_response(404, description="no such contract, or not the caller's")
    @blp.alt_response(409, description="the number is already recorded, it would over-invoice the tranche, or "
                                        "the final tranche awaits the audit")
    def post(self, data, contract_id):
        """Record an invoice the tax platform issued (lead vendor): its number, date, amounts and rate,
        checked against the invoice request (422 listing each difference)"""
        w = context.write(contract_id, "vendor")
        inv = svc.record(w, data)
        return svc.invoice_dict(w.session, inv, w.contract, w.position)


@blp.route("/contracts/<int(max=2147483647):contract_id>/vat")
class ContractVat(MethodView):
    @blp.arguments(AsOfArgsSchema, location="query")
    @blp.response(200, VatSummarySchema)
    @blp.alt_response(404, description="no such contract, or not the caller's")
    def get(self, args, contract_id):
        """Contract-level VAT vs the per-tranche and per-invoice splits (the fen of rounding difference)"""
        s = context.session()
        contract = get_contract(s, context.actor(), contract_id)
        return svc.vat_summary(s, contract, args.get("as_of") or context.today())


@blp.route("/invoices/<int(max=2147483647):invoice_id>")
class InvoiceById(MethodView):
    @blp.response(200, InvoiceSchema)
    @blp.alt_response(404, description="no such invoice, or not the caller's")
    def get(self, invoice_id):
        """One invoice as the tax platform issued it"""
        s = context.session()
        inv, contract = svc.get_invoice(s, context.actor(), invoice_id)
        return svc.invoice_dict(s, inv, contract, svc.position_now(s, contract, context.today()))


@blp.route("/invoices/<int(max=2147483647):invoice_id>/pdf")
class InvoicePdf(MethodView):
    @blp.response(200, content_type="application/pdf", description="开票信息确认单 of the invoice, one A4 page")
    @blp.alt_response(404, description="no such invoice, or not the caller's")
    @blp.alt_response(503, description="no CJK font configured (INVOICE_FONT)")
    def get(self, invoice_id):
        """The invoice request this invoice answers, as the 开票信息确认单 PDF (not the invoice: the platform's
        own file is at /invoices/{invoice_id}/file)"""
        s = context.session()
        inv, contract = svc.get_invoice(s, context.actor(), invoice_id)
        req = svc.request_of_invoice(s, inv, contract, context.today())
        body = pdf.render_request_pdf(req, _font())
        return _pdf_response(body, f"invoice-request-{contract.code}-{inv.tranche_seq}-{inv.id}.pdf")


@blp.route("/invoices/<int(max=2147483647):invoice_id>/reverse")
class InvoiceReverse(MethodView):
    @blp.arguments(InvoiceReverseSchema)
    @blp.response(201, InvoiceSchema)
    @blp.alt_response(403, description="not the contract's lead vendor")
    @blp.alt_response(404, description="no such invoice, or not the caller's")
    @blp.alt_response(409, description="nothing left of it to reverse, itself a red-letter invoice, a number this "
                                        "service generated, or the number is already recorded")
    def post(self, data, invoice_id):
        """Record the red-letter invoice (红字发票) the tax platform issued against an invoice: in full or in
        part, with its own number (and the 红字发票信息确认单 number for a special invoice)"""
        s = context.session()
        inv, _contract = svc.get_invoice(s, context.actor(), invoice_id)
        w = context.write(inv.contract_id, "vendor")
        red = svc.reverse(w, inv, data)
        return svc.invoice_dict(w.session, red, w.contract, w.position)


@blp.route("/invoices/<int(max=2147483647):invoice_id>/file")
class InvoiceFile(MethodView):
    @blp.doc(responses={"200": {"description": "the platform's file, byte for byte (XML, PDF or OFD); "
                                               "`ETag` and `Repr-Digest` carry its SHA-256",
                                "content": {t: BINARY for t in FILE_TYPES}}})
    @blp.alt_response(404, description="no such invoice, not the caller's, or no file attached")
    def get(self, invoice_id):
        """The tax platform's file of the invoice (XML, PDF or OFD), as it was attached"""
        s = context.session()
        inv, _contract = svc.get_invoice(s, context.actor(), invoice_id)
        found = svc.get_file(s, inv)
        digest = base64.b64encode(bytes.fromhex(found.sha256)).decode()
        name = f"{inv.code + '-' if inv.code else ''}{inv.number}.{files.EXTENSIONS[found.kind]}"
        return Response(bytes(found.data), mimetype=found.content_type, headers={
            "Content-Disposition": f'attachment; filename="{name}"', "ETag": f'"{found.sha256}"',
            "Repr-Digest": f"sha-256=:{digest}:"})

    @blp.doc(requestBody={"required": True, "description": (
        "the file the tax platform gave for this invoice: XML (checked against the record), PDF or OFD; "
        "the Content-Type must agree with the file's first bytes (application/octet-stream: the bytes decide)"),
        "content": {t: BINARY for t in (*FILE_TYPES, "application/octet-stream")}})
    @blp.response(201, InvoiceSchema, description="the file was attached")
    @blp.alt_response(200, schema=InvoiceSchema, description="the same file was already attached: nothing changed")
    @blp.alt_response(403, description="not the contract's lead vendor")
    @blp.alt_response(404, description="no such invoice, or not the caller's")
    @blp.alt_response(409, description="another file is attached, or a generated number needs the platform's XML")
    @blp.alt_response(413, description="the file is larger than 1 MiB (or MAX_BODY_BYTES)")
    @blp.alt_response(415, description="not XML, PDF or OFD, or not what the Content-Type says")
    @blp.alt_response(422, description="empty, unreadable XML (malformed, a DTD or entities), or XML that does "
                                       "not match the recorded invoice")
    def put(self, invoice_id):
        """Attach the tax platform's file of an invoice (lead vendor); kept with its SHA-256"""
        s = context.session()
        inv, _contract = svc.get_invoice(s, context.actor(), invoice_id)
        w = context.write(inv.contract_id, "vendor")
        limit = min(int(current_app.config.get("INVOICE_FILE_MAX_BYTES") or files.MAX_BYTES),
                    int(current_app.config.get("MAX_CONTENT_LENGTH") or files.MAX_BYTES))
        data = request.get_data(cache=False)
        inv, created = svc.attach_file(w, inv, data, request.headers.get("Content-Type"), max_bytes=limit)
        return svc.invoice_dict(w.session, inv, w.contract, w.position), 201 if created else 200

