"""Invoice request and response schemas."""
from __future__ import annotations

import re

import marshmallow as ma
from marshmallow import fields, validate

from settlement.i18n import _
from settlement.schemas.common import BusinessDate, RateField, StrictSchema
from settlement.schemas.fields import Amount

def _pattern(regex: str, message):
    """A validator for ``regex`` (full match) whose refusal is ``message`` (a translatable Text)."""
    compiled = re.compile(regex)

    def check(value) -> None:
        if not isinstance(value, str) or not compiled.fullmatch(value):
            raise ma.ValidationError([message])
    return check


NUMBER_PATTERN, CODE_PATTERN, CONFIRMATION_PATTERN = r"[0-9]{8}|[0-9]{20}", r"[0-9]{10}|[0-9]{12}", r"[0-9]{16,20}"
NUMBER = _pattern(NUMBER_PATTERN, _(
    "{field} must be the tax platform's invoice number: 20 digits (数电票), or 8 digits with its 发票代码"))
CODE = _pattern(CODE_PATTERN, _("{field} must be a 发票代码 of 10 or 12 digits"))
CONFIRMATION = _pattern(CONFIRMATION_PATTERN, _(
    "{field} must be the number of the 红字发票信息确认单 (红字信息表): 16 to 20 digits"))
TYPES = ["ordinary", "special"]


def _positive(value) -> None:
    """An invoice of 0.00 is no invoice."""
    if value is not None and value <= 0:
        raise ma.ValidationError([_("{field} must be more than 0.00")])


def _negative(value) -> None:
    if value is not None and value >= 0:
        raise ma.ValidationError([_("{field} of a red-letter invoice is negative, as the platform prints it")])


class InvoicePartySchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(1, 200),
                         metadata={"description": "名称, as on the platform's invoice"})
    taxpayer_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 20),
                                metadata={"description": "统一社会信用代码/纳税人识别号, as on the invoice"})


class InvoiceCreateSchema(StrictSchema):
    """The invoice the tax platform issued, as the vendor's billing system records it."""

    tranche_seq = fields.Integer(required=True, validate=validate.Range(1, 99))
    type = fields.String(required=True, validate=validate.OneOf(TYPES),
                         metadata={"description": "ordinary 普通发票 / special 增值税专用发票"})
    number = fields.String(required=True, validate=NUMBER, metadata={
        "description": "发票号码 the platform gave: 20 digits (数电票: year, province code, …), or 8 digits with `code`",
        "pattern": f"^({NUMBER_PATTERN})$", "example": "26112000000012345678"})
    code = fields.String(load_default=None, allow_none=True, validate=CODE,
                         metadata={"description": "发票代码 (10 or 12 digits), only with an 8-digit number",
                                    "pattern": f"^({CODE_PATTERN})$"})
    issued_on = BusinessDate(required=True, metadata={"description": "开票日期 on the platform's invoice"})
    total = Amount(required=True, validate=_positive, metadata={"description": "价税合计"})
    net = Amount(required=True, metadata={"description": "金额 (without tax)"})
    tax = Amount(required=True, metadata={"description": "税额"})
    rate = RateField(required=True, metadata={"description": "税率, e.g. \"0.06\""})
    amount = Amount(validate=_positive, metadata={
        "description": "the amount of the invoice request issued from (default: total)"})
    buyer = fields.Nested(InvoicePartySchema, required=True, metadata={"description": "购买方 on the invoice"})
    seller = fields.Nested(InvoicePartySchema, required=True, metadata={"description": "销售方 on the invoice"})


class InvoiceReverseSchema(StrictSchema):
    """The red-letter invoice (红字发票) the platform issued against an invoice."""

    number = fields.String(required=True, validate=NUMBER, metadata={
        "description": "the red-letter invoice's own 发票号码 on the platform", "pattern": f"^({NUMBER_PATTERN})$",
        "example": "26112000000012345679"})
    code = fields.String(load_default=None, allow_none=True, validate=CODE,
                         metadata={"description": "发票代码, only with an 8-digit number",
                                    "pattern": f"^({CODE_PATTERN})$"})
    issued_on = BusinessDate(required=True)
    reason = fields.String(required=True, validate=validate.Length(1, 500), metadata={"description": "冲红原因"})
    amount = Amount(validate=_positive, metadata={
        "description": "how much of the original it reverses (tax-inclusive, positive); default what is left of it"})
    net = Amount(allow_negative=True, validate=_negative,
                 metadata={"description": "金额 on the red-letter invoice (negative), checked when given"})
    tax = Amount(allow_negative=True, validate=_negative,
                 metadata={"description": "税额 on the red-letter invoice (negative), checked when given"})
    confirmation_number = fields.String(load_default=None, allow_none=True, validate=CONFIRMATION, metadata={
        "description": "红字发票信息确认单编号: required to red-letter a special invoice",
        "pattern": f"^({CONFIRMATION_PATTERN})$"})


class InvoiceRequestArgsSchema(StrictSchema):
    tranche_seq = fields.Integer(validate=validate.Range(1, 99), metadata={
        "description": "default: the first tranche with something left to invoice"})
    type = fields.String(load_default="ordinary", validate=validate.OneOf(TYPES))
    amount = Amount(validate=_positive, metadata={"description": "tax-inclusive; default what is left uninvoiced"})
    issued_on = BusinessDate(metadata={"description": "the day the platform will issue it (the rate's day); "
                                                      "default today"})


class PartyBlockSchema(ma.Schema):
    code = fields.String(allow_none=True)
    name = fields.String(required=True)
    taxpayer_id = fields.String(allow_none=True)
    bank_account = fields.String(allow_none=True)


class RateBasisSchema(ma.Schema):
    rule = fields.String(required=True, validate=validate.OneOf(
        ["issue_date", "paid_in_full", "replacement", "original"]), metadata={
        "description": "issue_date: in force on the issue date; paid_in_full: in force on the day the tranche "
                       "was paid in full (earlier); replacement: the rate of the reversed invoice it replaces; "
                       "original: a red-letter invoice's, the rate of the invoice it reverses"})
    date = BusinessDate(required=True, metadata={"description": "the day the tax liability arose"})
    replaces = fields.String(allow_none=True)
    replaces_id = fields.Integer(allow_none=True)


class MissingSchema(ma.Schema):
    party = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(["buyer", "seller"]))
    field = fields.String(required=True)
    patch = fields.String(required=True, metadata={"description": "where to add it"})
    message = fields.String(required=True)


class InvoiceRequestSchema(ma.Schema):
    """开票信息: what to issue on the tax platform. Not an invoice; it has no invoice number."""

    contract_id = fields.Integer(required=True)
    contract_code = fields.String(required=True)
    tranche_seq = fields.Integer(required=True)
    type = fields.String(required=True)
    type_name = fields.String(required=True)
    issued_on = BusinessDate(required=True)
    amount = Amount(required=True, metadata={"description": "价税合计"})
    net = Amount(required=True)
    tax = Amount(required=True)
    rate = RateField(required=True)
    rate_basis = fields.Nested(RateBasisSchema, required=True)
    amount_in_words = fields.String(required=True, metadata={"description": "价税合计（大写）"})
    item = fields.String(required=True)
    tax_category = fields.String(required=True)
    item_name = fields.String(required=True, metadata={"description": "项目名称 as printed: *税收分类简称*项目"})
    remarks = fields.String(required=True, metadata={"description": "备注"})
    buyer = fields.Nested(PartyBlockSchema, required=True)
    seller = fields.Nested(PartyBlockSchema, required=True)
    uninvoiced = Amount(required=True)
    invoice_due_date = BusinessDate(allow_none=True, metadata={"description": "5.2: issue on or before this day"})
    invoice_due_provisional = fields.Boolean(required=True)
    missing = fields.List(fields.Nested(MissingSchema), required=True,
                          metadata={"description": "what must be on file before the invoice can be recorded"})
    ready = fields.Boolean(required=True)


class RedLetterRefSchema(ma.Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    issued_on = BusinessDate(required=True)
    total = Amount(required=True, allow_negative=True)


class FileInfoSchema(ma.Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["xml", "pdf", "ofd"]))
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    uploaded_at = fields.DateTime(required=True)
    url = fields.String(required=True)


class InvoiceSchema(ma.Schema):
    id = fields.Integer(required=True)
    contract_id = fields.Integer(required=True)
    contract_code = fields.String(allow_none=True)
    number = fields.String(required=True, metadata={"description": "发票号码, as the tax platform gave it"})
    code = fields.String(allow_none=True, metadata={"description": "发票代码 (legacy invoices only)"})
    number_source = fields.String(required=True, validate=validate.OneOf(["platform", "generated"]), metadata={
        "description": "generated: made up by this service before it recorded the platform's invoices "
                       "(not a tax document); platform: the tax platform's"})
    type = fields.String(required=True)
    type_name = fields.String(required=True)
    issued_on = BusinessDate(required=True)
    tranche_seq = fields.Integer(required=True)
    total = Amount(required=True, allow_negative=True, metadata={"description": "价税合计"})
    net = Amount(required=True, allow_negative=True)
    tax = Amount(required=True, allow_negative=True)
    rate = RateField(required=True)
    rate_basis = fields.Nested(RateBasisSchema, allow_none=True)
    amount_in_words = fields.String(required=True, metadata={"description": "价税合计（大写）"})
    late = fields.Boolean(required=True, metadata={"description": "5.2: issued after the tranche's invoice due date "
                                                                  "(a blue invoice still in force)"})
    invoice_due_date = BusinessDate(allow_none=True)
    red_letter = fields.Boolean(required=True)
    reverses = fields.String(allow_none=True)
    reverses_id = fields.Integer(allow_none=True)
    reversals = fields.List(fields.Nested(RedLetterRefSchema), required=True)
    reversed_total = Amount(required=True)
    left = Amount(required=True, metadata={"description": "what is left of the invoice after its red-letter ones"})
    reversed_by = fields.String(allow_none=True, metadata={"description": "the red-letter invoice that reversed "
                                                                         "the rest of it, once nothing is left"})
    reversed_by_id = fields.Integer(allow_none=True)
    replaces = fields.String(allow_none=True)
    replaces_id = fields.Integer(allow_none=True)
    confirmation_number = fields.String(allow_none=True, metadata={"description": "红字发票信息确认单编号"})
    reason = fields.String(allow_none=True)
    item = fields.String(required=True)
    tax_category = fields.String(required=True)
    buyer = fields.Nested(PartyBlockSchema, required=True)
    seller = fields.Nested(PartyBlockSchema, required=True)
    file = fields.Nested(FileInfoSchema, allow_none=True, metadata={"description": "the platform's file, if attached"})


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
