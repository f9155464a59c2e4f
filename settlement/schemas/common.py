"""Request and response schemas (marshmallow): the API's contract, rendered into OpenAPI.

Unknown fields are rejected (marshmallow's default RAISE) so that a typo never
silently drops a value.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

from settlement.schemas.fields import Amount
from settlement.domain.contract import DUE_KINDS, MONTHS_AFTER_SIGNING, ON_OR_BEFORE, WORKING_DAYS_AFTER_AUDIT

CODE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
                       error="must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")


FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2090, 12, 31)


class BusinessDate(fields.Date):
    """An ISO date the calendar can reason about (2000-01-01..2090-12-31)."""

    def __init__(self, **kwargs):
        validators = list(kwargs.pop("validate", None) or [])
        validators.append(validate.Range(min=FIRST_DAY, max=LAST_DAY,
                                         error="must be between 2000-01-01 and 2090-12-31"))
        super().__init__(validate=validators, **kwargs)


def _bad_text(value) -> str | None:
    """Why a string cannot be stored as text (PostgreSQL refuses NUL; UTF-8 has no lone surrogates)."""
    if "\x00" in value:
        return "must not contain the NUL character"
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        return "must be valid Unicode text (no lone surrogates)"
    return None


def _text_errors(value, path: str, errors: dict) -> None:
    if isinstance(value, str):
        why = _bad_text(value)
        if why:
            errors.setdefault(path or "_schema", []).append(why)
    elif isinstance(value, Mapping):
        for k in value:
            v = value[k]
            _text_errors(v, f"{path}.{k}" if path else str(k), errors)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _text_errors(v, f"{path}.{i}" if path else str(i), errors)


class StrictSchema(ma.Schema):
    """Input schemas: unknown fields rejected, text that cannot be stored rejected."""

    class Meta:
        unknown = ma.RAISE
        ordered = True

    @ma.pre_load(pass_collection=True)
    def _refuse_unstorable_text(self, data, **kwargs):
        errors: dict = {}
        _text_errors(data, "", errors)
        if errors:
            raise ma.ValidationError(errors)
        return data


class RateField(fields.String):
    """A rate as a decimal string between 0 and 1, e.g. "0.06" (never a float)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).update({"pattern": r"^(0(\.\d{1,6})?|1(\.0{1,6})?)$", "example": "0.06"})
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ma.ValidationError('rate must be a string such as "0.06"')
        try:
            rate = Decimal(value)
        except InvalidOperation:
            raise ma.ValidationError('rate must be a decimal string such as "0.06"') from None
        if not rate.is_finite() or rate < 0 or rate > 1:
            raise ma.ValidationError("rate must be between 0 and 1")
        if rate.as_tuple().exponent < -6:
            raise ma.ValidationError("rate has more than six decimal places")
        return rate

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return format(Decimal(value).normalize(), "f") if Decimal(value) != 0 else "0"


class BankAccountSchema(StrictSchema):
    bank = fields.String(required=True, validate=validate.Length(1, 200))
    account_name = fields.String(required=True, validate=validate.Length(1, 200))
    account_no = fields.String(required=True, validate=validate.Regexp(
        r"^[0-9A-Za-z-]{4,64}$", error="must be 4-64 digits, letters or '-'"))


class PartyCreateSchema(StrictSchema):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    taxpayer_id = fields.String(load_default=None, allow_none=True,
                                metadata={"description": "统一社会信用代码 (18 characters, check digit verified)"})
    general_taxpayer = fields.Boolean(load_default=False)
    bank_accounts = fields.List(fields.Nested(BankAccountSchema), load_default=list)


class PartyUpdateSchema(StrictSchema):
    name = fields.String(validate=validate.Length(1, 200))
    taxpayer_id = fields.String(allow_none=True)
    general_taxpayer = fields.Boolean()
    bank_accounts = fields.List(fields.Nested(BankAccountSchema))


class PartySchema(StrictSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    taxpayer_id = fields.String(allow_none=True)
    general_taxpayer = fields.Boolean()
    bank_accounts = fields.List(fields.Nested(BankAccountSchema))


class DueRuleSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(DUE_KINDS))
    months = fields.Integer(validate=validate.Range(0, 120), metadata={"description": "for months_after_signing"})
    date = BusinessDate(metadata={"description": "for on_or_before"})
    days = fields.Integer(validate=validate.Range(1, 250), metadata={"description": "for working_days_after_audit"})

    @validates_schema
    def _one_rule(self, data, **kwargs):
        need = {MONTHS_AFTER_SIGNING: "months", ON_OR_BEFORE: "date", WORKING_DAYS_AFTER_AUDIT: "days"}
        kind = data.get("kind")
        if kind in need:
            if need[kind] not in data:
                raise ma.ValidationError(f"required for kind {kind}", need[kind])
            extra = [k for k in ("months", "date", "days") if k in data and k != need[kind]]
            if extra:
                raise ma.ValidationError(f"not allowed for kind {kind}", extra[0])


class TrancheAmountField(fields.String):
    """A tranche amount: an amount string, or "remainder" for the final tranche."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).update(
            {"pattern": r"^(\d{1,13}(\.\d{1,2})?|remainder)$", "example": "978282.00"})
        super().__init__(**kwargs)
        self._amount = Amount()

    def _deserialize(self, value, attr, data, **kwargs):
        if value == "remainder":
            return "remainder"
        return self._amount.deserialize(value, attr, data)


class TrancheInSchema(StrictSchema):
    seq = fields.Integer(required=True, validate=validate.Range(1, 99))
    amount = TrancheAmountField(required=True)
    due = fields.Nested(DueRuleSchema, required=True)


class TaxRateSchema(StrictSchema):
    rate = RateField(required=True)
    effective_from = BusinessDate(metadata={"description": "default: signed_on"})


class TermsSchema(StrictSchema):
    invoice_lead_working_days = fields.Integer(validate=validate.Range(0, 60), metadata={"example": 3})
    objection_window_working_days = fields.Integer(validate=validate.Range(1, 60), metadata={"example": 5})
    overdue_termination_days = fields.Integer(validate=validate.Range(1, 3650), metadata={"example": 60})
    penalty_rate = RateField()
    rectification_limit = fields.Integer(validate=validate.Range(1, 100), metadata={"example": 3})
    termination_notice_months = fields.Integer(validate=validate.Range(0, 60), metadata={"example": 3})


class ContractCreateSchema(StrictSchema):
    code = fields.String(required=True, validate=CODE)
    title = fields.String(required=True, validate=validate.Length(1, 300))
    buyer = fields.String(required=True, validate=CODE)
    vendors = fields.List(fields.String(validate=CODE), required=True, validate=validate.Length(1, 10))
    auditors = fields.List(fields.String(validate=CODE), load_default=list)
    total_amount = Amount(required=True)
    signed_on = BusinessDate(required=True)
    service_start = BusinessDate(required=True)
    service_end = BusinessDate(required=True)
    tax_rates = fields.List(fields.Nested(TaxRateSchema), validate=validate.Length(1, 20))
    tranches = fields.List(fields.Nested(TrancheInSchema), required=True, validate=validate.Length(1, 24))
    terms = fields.Nested(TermsSchema)


class DueRuleOutSchema(ma.Schema):
    kind = fields.String(required=True)
    months = fields.Integer()
    date = BusinessDate()
    days = fields.Integer()


class TrancheOutSchema(ma.Schema):
    seq = fields.Integer(required=True)
    amount = Amount(required=True)
    remainder = fields.Boolean(required=True)
    due = fields.Nested(DueRuleOutSchema, required=True)
    due_rule = fields.String(required=True)


class TermsOutSchema(ma.Schema):
    invoice_lead_working_days = fields.Integer(required=True)
    objection_window_working_days = fields.Integer(required=True)
    overdue_termination_days = fields.Integer(required=True)
    penalty_rate = RateField(required=True)
    rectification_limit = fields.Integer(required=True)
    termination_notice_months = fields.Integer(required=True)


class TaxRateOutSchema(ma.Schema):
    rate = RateField(required=True)
    effective_from = BusinessDate(required=True)


class ContractSchema(ma.Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    title = fields.String(required=True)
    total_amount = Amount(required=True)
    signed_on = BusinessDate(required=True)
    service_start = BusinessDate(required=True)
    service_end = BusinessDate(required=True)
    buyer = fields.String(required=True)
    vendors = fields.List(fields.String(), required=True)
    auditors = fields.List(fields.String(), required=True)
    tax_rates = fields.List(fields.Nested(TaxRateOutSchema), required=True)
    tranches = fields.List(fields.Nested(TrancheOutSchema), required=True)
    terms = fields.Nested(TermsOutSchema, required=True)


class PageArgsSchema(StrictSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(1, 1_000_000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class ContractListArgsSchema(PageArgsSchema):
    code = fields.String(validate=validate.Length(1, 64))


class ContractPageSchema(ma.Schema):
    items = fields.List(fields.Nested(ContractSchema), required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    total = fields.Integer(required=True)


class AsOfArgsSchema(StrictSchema):
    as_of = BusinessDate(metadata={"description": "business date (Asia/Shanghai); default today"})


class ComputedDateSchema(ma.Schema):
    date = BusinessDate(required=True)
    provisional = fields.Boolean(required=True)
    rule = fields.String(required=True)


class ScheduleLineSchema(ma.Schema):
    seq = fields.Integer(required=True)
    amount = Amount(required=True, allow_negative=True)
    nominal = fields.Boolean(required=True, metadata={"description": "amount not fixed yet (awaits the audit)"})
    due_rule = fields.String(required=True)
    due_date = BusinessDate(required=True, allow_none=True)
    due_date_rule = fields.String(required=True, allow_none=True)
    invoice_due_date = BusinessDate(required=True, allow_none=True)
    invoice_due_rule = fields.String(required=True, allow_none=True)
    provisional = fields.Boolean(required=True)
    paid = Amount(required=True)
    outstanding = Amount(required=True)
    invoiced = Amount(required=True, allow_negative=True)
    uninvoiced = Amount(required=True)
    status = fields.String(required=True, validate=validate.OneOf(
        ["not_due", "due", "paid", "partially_paid", "overdue"]))
    days_overdue = fields.Integer(required=True)
    invoice_late = fields.Boolean(required=True, metadata={"description": "5.2: invoiced after invoice_due_date"})
    invoice_overdue = fields.Boolean(required=True,
                                     metadata={"description": "5.2: invoice_due_date passed with something uninvoiced"})


class ScheduleSchema(ma.Schema):
    contract_id = fields.Integer(required=True)
    code = fields.String(required=True)
    as_of = BusinessDate(required=True)
    total_amount = Amount(required=True)
    tranches = fields.List(fields.Nested(ScheduleLineSchema), required=True)


class EarnedMonthSchema(ma.Schema):
    month = fields.String(required=True, metadata={"example": "2026-07"})
    amount = Amount(required=True)
    cumulative = Amount(required=True)
    earned = fields.Boolean(required=True, metadata={"description": "the month has begun by as_of"})


class EarnedSchema(ma.Schema):
    contract_id = fields.Integer(required=True)
    as_of = BusinessDate(required=True)
    total_amount = Amount(required=True)
    months = fields.List(fields.Nested(EarnedMonthSchema), required=True)
    earned_to_date = Amount(required=True)
