"""Request and response schemas (marshmallow): the API's contract, rendered into OpenAPI.

Unknown fields are rejected (marshmallow's default RAISE) so that a typo never
silently drops a value.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

from settlement.i18n import _, month_name, ordinal

from settlement.schemas.fields import Amount
from settlement.domain.contract import DUE_KINDS, MONTHS_AFTER_SIGNING, ON_OR_BEFORE, WORKING_DAYS_AFTER_AUDIT
from settlement.domain.schedule import STATUSES as TRANCHE_STATUSES

CODE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
                       error="must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")


FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2090, 12, 31)


_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


class BusinessDate(fields.Date):
    """An ISO date, exactly YYYY-MM-DD, the calendar can reason about (2000-01-01..2090-12-31).

    A refusal says what is wrong in the reader's language, naming the field:
    ``2027-02-30`` → "paid_on must be a date as YYYY-MM-DD; February 2027 has no 30th day"
    (付款日期应为 YYYY-MM-DD；2027年2月没有30日); ``2026/11/20`` → "… as YYYY-MM-DD (e.g.
    2026-11-20)". The range is checked here rather than by a Range validator so that the
    OpenAPI document states it in the description (standard keywords only, no x-minimum).
    """

    FORMAT = _("{field} must be a date as YYYY-MM-DD (e.g. 2026-11-20)")
    RANGE = _("{field} must be between 2000-01-01 and 2090-12-31")

    def __init__(self, **kwargs):
        meta = kwargs["metadata"] = dict(kwargs.get("metadata") or {})
        what = f"YYYY-MM-DD, {FIRST_DAY.isoformat()}..{LAST_DAY.isoformat()}"
        meta["description"] = f"{meta['description']} ({what})" if meta.get("description") else what
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        m = _ISO_DATE.fullmatch(value) if isinstance(value, str) else None
        if m is None:
            raise ma.ValidationError([self.FORMAT])
        year, month, day = (int(g) for g in m.groups())
        if not 1 <= month <= 12:
            raise ma.ValidationError([_("{field} must be a date as YYYY-MM-DD; there is no month {month}",
                                        month=month)])
        if not FIRST_DAY.year <= year <= LAST_DAY.year:
            raise ma.ValidationError([self.RANGE])
        try:
            parsed = date(year, month, day)
        except ValueError:
            raise ma.ValidationError([_("{field} must be a date as YYYY-MM-DD; {month_name} {year} has no "
                                        "{day_ordinal} day", year=year, month=month, day=day,
                                        month_name=month_name(month), day_ordinal=ordinal(day))]) from None
        if not FIRST_DAY <= parsed <= LAST_DAY:
            raise ma.ValidationError([self.RANGE])
        return parsed


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

    # _bad_text's reasons, as messages that name the field in the reader's language
    TEXT_MESSAGES = {
        "must not contain the NUL character": _("{field} must not contain the NUL character"),
        "must be valid Unicode text (no lone surrogates)": _("{field} must be valid Unicode text (no lone surrogates)"),
    }

    @ma.pre_load(pass_collection=True)
    def _refuse_unstorable_text(self, data, **kwargs):
        errors: dict = {}
        _text_errors(data, "", errors)
        if errors:
            raise ma.ValidationError({k: [self.TEXT_MESSAGES.get(m, m) for m in v] for k, v in errors.items()})
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
    invoice_item = fields.String(validate=validate.Length(1, 100), load_default="座席外包服务费",
                                 metadata={"description": "项目名称 printed on the invoices"})
    tax_category = fields.String(validate=validate.Length(1, 100), load_default="*增值电信服务*",
                                 metadata={"description": "税收分类简称, e.g. *增值电信服务*"})


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
    invoice_item = fields.String(required=True)
    tax_category = fields.String(required=True)
    vendors_confirmed = fields.Boolean(required=True, metadata={
        "description": "every vendor named has confirmed the contract (a buyer's contract waits for them)"})


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
    original = Amount(required=True, metadata={"description": "the amount the terms in force give it"})
    cut = Amount(required=True, metadata={"description": "cut by the audit or a termination: never due"})
    paid = Amount(required=True, allow_negative=True)
    outstanding = Amount(required=True)
    refund_due = Amount(required=True, metadata={"description": "paid beyond its amount: the vendor refunds it"})
    invoiced = Amount(required=True, allow_negative=True)
    uninvoiced = Amount(required=True)
    status = fields.String(required=True, validate=validate.OneOf(TRANCHE_STATUSES))
    days_overdue = fields.Integer(required=True)
    invoice_late = fields.Boolean(required=True, metadata={"description": "5.2: invoiced after invoice_due_date"})
    invoice_overdue = fields.Boolean(required=True,
                                     metadata={"description": "5.2: invoice_due_date passed with something uninvoiced"})


class ScheduleSchema(ma.Schema):
    contract_id = fields.Integer(required=True)
    code = fields.String(required=True)
    as_of = BusinessDate(required=True)
    total_amount = Amount(required=True, metadata={"description": "the total of the terms in force"})
    value = Amount(required=True, metadata={"description": "what the buyer owes in all: the total, the audited "
                                                           "amount once binding, a termination's earned value"})
    value_basis = fields.String(required=True, validate=validate.OneOf(["contract", "audit", "termination"]))
    tranches = fields.List(fields.Nested(ScheduleLineSchema), required=True)


class EarnedMonthSchema(ma.Schema):
    month = fields.String(required=True, metadata={"example": "2026-07"})
    amount = Amount(required=True, allow_negative=True, metadata={
        "description": "negative when an agreement or the audit lowered the value after earlier months earned"})
    cumulative = Amount(required=True)
    earned = fields.Boolean(required=True, metadata={"description": "the month has begun by as_of"})


class EarnedSchema(ma.Schema):
    contract_id = fields.Integer(required=True)
    as_of = BusinessDate(required=True)
    total_amount = Amount(required=True)
    months = fields.List(fields.Nested(EarnedMonthSchema), required=True)
    earned_to_date = Amount(required=True)
