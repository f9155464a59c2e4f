"""/api/v1 invoice endpoints: issue, list, read, PDF, red-letter reversal, VAT summary."""
from __future__ import annotations

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from invoices import pdf
from invoices import service as svc
from invoices.schemas import (
    InvoiceCreateSchema, InvoicePageSchema, InvoiceReverseSchema, InvoiceSchema, VatSummarySchema,
)
from settlement.api import context
from settlement.schemas.common import AsOfArgsSchema, PageArgsSchema
from settlement.errors import Unavailable
from settlement.services.contracts import get_contract

blp = Blueprint("invoices", __name__, description="Invoices (发票): VAT, uppercase amounts, PDF, red-letter")


def register(api, prefix: str) -> None:
    """The `settlement.extensions` entry point: mount the invoice endpoints under ``prefix``."""
    api.register_blueprint(blp, url_prefix=prefix)


@blp.route("/contracts/<int(max=2147483647):contract_id>/invoices")
class ContractInvoices(MethodView):
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, InvoicePageSchema)
    @blp.alt_response(404, description="no such contract, or not the caller's")
    def get(self, args, contract_id):
        """The contract's invoices, red-letter ones included (paginated)"""
        s = context.session()
        contract = get_contract(s, context.actor(), contract_id)
        items, total = svc.list_invoices(s, contract, args["page"], args["page_size"])
        return {"items": [svc.full_invoice_dict(s, i, contract) for i in items], "page": args["page"],
                "page_size": args["page_size"], "total": total}

    @blp.arguments(InvoiceCreateSchema)
    @blp.response(201, InvoiceSchema)
    @blp.alt_response(403, description="not the contract's lead vendor")
    @blp.alt_response(404, description="no such contract, or not the caller's")
    @blp.alt_response(409, description="would over-invoice the tranche, or the final tranche awaits the audit")
    def post(self, data, contract_id):
        """Issue an invoice for a tranche (lead vendor)"""
        w = context.write(contract_id, "vendor")
        return svc.full_invoice_dict(w.session, svc.issue(w, data), w.contract)


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
        """One invoice"""
        s = context.session()
        inv, contract = svc.get_invoice(s, context.actor(), invoice_id)
        return svc.full_invoice_dict(s, inv, contract)


@blp.route("/invoices/<int(max=2147483647):invoice_id>/pdf")
class InvoicePdf(MethodView):
    @blp.response(200, content_type="application/pdf", description="one A4 page")
    @blp.alt_response(404, description="no such invoice, or not the caller's")
    @blp.alt_response(503, description="no CJK font configured (INVOICE_FONT)")
    def get(self, invoice_id):
        """The invoice as a PDF laid out like a VAT electronic invoice"""
        s = context.session()
        inv, contract = svc.get_invoice(s, context.actor(), invoice_id)
        try:
            font = pdf.find_font(current_app.config.get("INVOICE_FONT"))
        except pdf.FontUnavailable as exc:
            raise Unavailable(f"invoice PDFs are unavailable: {exc}", type_slug="font-unavailable") from None
        data = svc.full_invoice_dict(s, inv, contract)
        body = pdf.render_invoice_pdf(data, font)
        return Response(body, mimetype="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="invoice-{inv.number}.pdf"'})


@blp.route("/invoices/<int(max=2147483647):invoice_id>/reverse")
class InvoiceReverse(MethodView):
    @blp.arguments(InvoiceReverseSchema)
    @blp.response(201, InvoiceSchema)
    @blp.alt_response(403, description="not the contract's lead vendor")
    @blp.alt_response(404, description="no such invoice, or not the caller's")
    @blp.alt_response(409, description="already reversed, or itself a red-letter invoice")
    def post(self, data, invoice_id):
        """Issue the red-letter invoice (红字发票) that reverses an invoice in full"""
        s = context.session()
        inv, _ = svc.get_invoice(s, context.actor(), invoice_id)
        w = context.write(inv.contract_id, "vendor")
        return svc.full_invoice_dict(w.session, svc.reverse(w, inv, data), w.contract)
