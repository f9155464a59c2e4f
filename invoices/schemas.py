"""Invoice request and response schemas."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from settlement.schemas.fields import Amount
from settlement.schemas.common import BusinessDate, RateField, StrictSchema

NUMBER = validate.Regexp(r"^(\d{8}|\d{20})$", error="must be the tax platform's number: 20 digits (数电) or 8 digits")


class InvoiceCreateSchema(StrictSchema):
    tranche_seq = fields.Integer(required=True, validate=validate.Range(1, 99))
    type = fields.String(required=True, validate=validate.OneOf(["ordinary", "special"]),
                         metadata={"description": "ordinary 普通发票 / special 增值税专用发票"})
    issued_on = BusinessDate(required=True)
    number = fields.String(validate=NUMBER, metadata={"description": "default: a generated 20-digit number"})
    amount = Amount(metadata={"description": "tax-inclusive; default: what is left uninvoiced on the tranche"})


class InvoiceReverseSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(1, 500))
    issued_on = BusinessDate(required=True)
    number = fields.String(validate=NUMBER)


class PartyBlockSchema(ma.Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    taxpayer_id = fields.String(allow_none=True)
    bank_account = fields.String(allow_none=True)


class InvoiceSchema(ma.Schema):
    id = fields.Integer(required=True)
    contract_id = fields.Integer(required=True)
    contract_code = fields.String(allow_none=True)
    number = fields.String(required=True)
    type = fields.String(required=True)
    type_name = fields.String(required=True)
    issued_on = BusinessDate(required=True)
    tranche_seq = fields.Integer(required=True)
    total = Amount(required=True, allow_negative=True, metadata={"description": "价税合计"})
    net = Amount(required=True, allow_negative=True)
    tax = Amount(required=True, allow_negative=True)
    rate = RateField(required=True)
    amount_in_words = fields.String(required=True, metadata={"description": "价税合计（大写）"})
    late = fields.Boolean(required=True)
    invoice_due_date = BusinessDate(allow_none=True)
    red_letter = fields.Boolean(required=True)
    reverses = fields.String(allow_none=True)
    reverses_id = fields.Integer(allow_none=True)
    reversed_by = fields.String(allow_none=True)
    reversed_by_id = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True)
    item = fields.String(required=True)
    buyer = fields.Nested(PartyBlockSchema, required=True)
    seller = fields.Nested(PartyBlockSchema, required=True)


class InvoicePageSchema(ma.Schema):
    items = fields.List(fields.Nested(InvoiceSchema), required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    total = fields.Integer(required=True)


class VatSummarySchema(ma.Schema):
    rate = RateField(required=True)
    contract_net = Amount(required=True)
    contract_tax = Amount(required=True)
    tranche_tax_total = Amount(required=True, allow_negative=True)
    rounding_difference = Amount(required=True, allow_negative=True,
                                 metadata={"description": "contract-level tax − the sum of per-tranche tax"})
    invoiced_net = Amount(required=True, allow_negative=True)
    invoiced_tax = Amount(required=True, allow_negative=True)
