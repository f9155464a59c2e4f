"""Schemas for payments, audit, remedies and amendments (issue 4)."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from settlement.domain import audit as audit_rules
from settlement.domain.termination import KINDS as TERMINATION_KINDS
from settlement.schemas.fields import Amount
from settlement.schemas.common import BusinessDate, PageArgsSchema, StrictSchema, TrancheInSchema

REF = validate.Length(1, 64)


class PaymentCreateSchema(StrictSchema):
    amount = Amount(required=True)
    paid_on = BusinessDate(required=True)
    bank_reference = fields.String(required=True, validate=REF, metadata={"description": "unique per contract"})
    payer_account = fields.String(validate=validate.Length(1, 64), allow_none=True)
    tranche_seq = fields.Integer(validate=validate.Range(1, 99),
                                 metadata={"description": "default: the earliest tranche with anything outstanding"})
    set_off = Amount(metadata={"description": "6.3: a penalty the buyer deducts from what it owes (抵扣); "
                                              "settles the tranche together with amount"})


class ReversalCreateSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(1, 4000))
    reversed_on = BusinessDate(metadata={"description": "default: today"})


class RefundCreateSchema(StrictSchema):
    amount = Amount(required=True)
    refunded_on = BusinessDate(required=True)
    bank_reference = fields.String(required=True, validate=REF)
    payer_account = fields.String(validate=validate.Length(1, 64), allow_none=True)


class ReversalSchema(ma.Schema):
    reversed_on = BusinessDate(required=True)
    reason = fields.String(required=True)


class AllocationSchema(ma.Schema):
    tranche_seq = fields.Integer(required=True)
    amount = Amount(required=True)


class PaymentSchema(ma.Schema):
    id = fields.Integer(required=True)
    contract_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["payment", "refund"]))
    amount = Amount(required=True)
    set_off = Amount(required=True)
    paid_on = BusinessDate(required=True)
    bank_reference = fields.String(required=True)
    payer_account = fields.String(allow_none=True)
    source = fields.String(required=True)
    allocations = fields.List(fields.Nested(AllocationSchema), required=True)
    reversal = fields.Nested(ReversalSchema, allow_none=True, metadata={
        "description": "set when the entry was reversed (冲正): it then counts as nothing"})


class PaymentPageSchema(ma.Schema):
    items = fields.List(fields.Nested(PaymentSchema), required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    total = fields.Integer(required=True)


class DelayNoticeCreateSchema(StrictSchema):
    tranche_seq = fields.Integer(required=True, validate=validate.Range(1, 99))
    given_on = BusinessDate(required=True)
    explanation = fields.String(required=True, validate=validate.Length(1, 4000))
    expected_payment_on = BusinessDate()


class DelayNoticeSchema(ma.Schema):
    id = fields.Integer(required=True)
    tranche_seq = fields.Integer(required=True)
    given_on = BusinessDate(required=True)
    explanation = fields.String(required=True)
    expected_payment_on = BusinessDate(allow_none=True)


class RightSchema(ma.Schema):
    holder = fields.String(required=True, validate=validate.OneOf(["buyer", "vendor"]))
    right = fields.String(required=True)
    arose_on = BusinessDate(required=True)
    tranche_seq = fields.Integer(allow_none=True)
    basis = fields.String(required=True)
    provisional = fields.Boolean(required=True)


class RightsSchema(ma.Schema):
    contract_id = fields.Integer(required=True)
    as_of = BusinessDate(required=True)
    rights = fields.List(fields.Nested(RightSchema), required=True)


class OpinionCreateSchema(StrictSchema):
    audited_amount = Amount(required=True, metadata={"description": "审定金额"})
    delivered_on = BusinessDate(required=True, metadata={"description": "the day the vendor received it"})
    reference = fields.String(validate=validate.Length(1, 200), allow_none=True)


class OpinionResponseSchema(StrictSchema):
    decision = fields.String(required=True, validate=validate.OneOf(["accept", "object"]))
    responded_on = BusinessDate(required=True)
    reason = fields.String(validate=validate.Length(0, 4000), allow_none=True)


class OpinionCompleteSchema(StrictSchema):
    completed_on = BusinessDate(metadata={"description": "default: the acceptance or deemed-acceptance date"})


class OpinionSchema(ma.Schema):
    id = fields.Integer(required=True)
    contract_id = fields.Integer(required=True)
    audited_amount = Amount(required=True)
    delivered_on = BusinessDate(required=True)
    reference = fields.String(allow_none=True)
    objection_deadline = BusinessDate(allow_none=True, metadata={
        "description": "last day to answer: N working days after delivery, computed with the calendar in force"})
    objection_deadline_rule = fields.String(allow_none=True)
    provisional = fields.Boolean(required=True)
    decision = fields.String(allow_none=True)
    responded_on = BusinessDate(allow_none=True)
    reason = fields.String(allow_none=True)
    status = fields.String(required=True)
    binding_on = BusinessDate(allow_none=True)
    completable_from = BusinessDate(allow_none=True, metadata={"description": "first day completion can be recorded"})
    completed_on = BusinessDate(allow_none=True)


SETTLEMENT_STATUSES = [audit_rules.AWAITING_OPINION, audit_rules.AWAITING_VENDOR, audit_rules.ACCEPTED,
                       audit_rules.DEEMED_ACCEPTED, audit_rules.DISPUTED, audit_rules.COMPLETED,
                       audit_rules.SETTLED, audit_rules.TERMINATED]


class PenaltyTotalsSchema(ma.Schema):
    claimed = Amount(required=True)
    set_off = Amount(required=True)
    paid = Amount(required=True)
    outstanding = Amount(required=True, allow_negative=True)


class SettlementSchema(ma.Schema):
    contract_id = fields.Integer(required=True)
    as_of = BusinessDate(required=True)
    status = fields.String(required=True, validate=validate.OneOf(SETTLEMENT_STATUSES))
    value = Amount(required=True)
    value_basis = fields.String(required=True, validate=validate.OneOf(["contract", "audit", "termination"]))
    opinion_id = fields.Integer(allow_none=True)
    audited_amount = Amount(allow_none=True)
    paid_total = Amount(required=True, allow_negative=True)
    balance = Amount(allow_none=True, allow_negative=True,
                     metadata={"description": "audited − paid: positive, the buyer pays; negative, the vendor refunds"})
    direction = fields.String(allow_none=True)
    objection_deadline = BusinessDate(allow_none=True)
    provisional = fields.Boolean(required=True)
    completed_on = BusinessDate(allow_none=True)
    final_tranche_due_date = BusinessDate(allow_none=True)
    final_tranche_amount = Amount(allow_none=True, allow_negative=True)
    penalties = fields.Nested(PenaltyTotalsSchema, required=True)
    refundable = Amount(required=True, metadata={"description": "what the vendor owes back: overpaid + penalties"})


class RectificationCreateSchema(StrictSchema):
    noticed_on = BusinessDate(required=True)
    description = fields.String(required=True, validate=validate.Length(1, 4000))


class RectificationOutcomeSchema(StrictSchema):
    outcome = fields.String(required=True, validate=validate.OneOf(["fixed", "failed", "refused"]))
    outcome_on = BusinessDate(required=True)


class RectificationSchema(ma.Schema):
    id = fields.Integer(required=True)
    noticed_on = BusinessDate(required=True)
    description = fields.String(required=True)
    outcome = fields.String(allow_none=True)
    outcome_on = BusinessDate(allow_none=True)


class TerminationCreateSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(TERMINATION_KINDS))
    notice_on = BusinessDate(required=True)


class TerminationSchema(ma.Schema):
    contract_id = fields.Integer(required=True)
    kind = fields.String(required=True)
    notice_on = BusinessDate(required=True)
    effective_on = BusinessDate(required=True)
    earned = Amount(required=True)
    paid_total = Amount(required=True)
    refund_due = Amount(required=True)
    balance_due = Amount(required=True)
    settlement_due_on = BusinessDate(required=True, metadata={
        "description": "the balance either way is settled 15 working days after the effective date"})
    penalty = Amount(required=True)
    penalties_outstanding = Amount(required=True, allow_negative=True)


class PenaltyCreateSchema(StrictSchema):
    amount = Amount(required=True)
    claimed_on = BusinessDate(required=True)
    clause = fields.String(required=True, validate=validate.Length(1, 40), metadata={"example": "6.3"})
    reason = fields.String(required=True, validate=validate.Length(1, 4000))


class PenaltySchema(ma.Schema):
    id = fields.Integer(required=True)
    contract_id = fields.Integer(required=True)
    amount = Amount(required=True)
    claimed_on = BusinessDate(required=True)
    clause = fields.String(required=True)
    reason = fields.String(required=True)
    termination_id = fields.Integer(allow_none=True)


class AmendmentCreateSchema(StrictSchema):
    signed_on = BusinessDate(required=True)
    effective_from = BusinessDate(required=True)
    approval_reference = fields.String(required=True, validate=validate.Length(1, 200),
                                       metadata={"description": "the buyer's written approval (4.2.2)"})
    description = fields.String(validate=validate.Length(0, 4000), allow_none=True)
    total_amount = Amount()
    tranches = fields.List(fields.Nested(TrancheInSchema), validate=validate.Length(1, 24))


class AmendmentTrancheSchema(ma.Schema):
    seq = fields.Integer(required=True)
    amount = Amount(required=True)
    remainder = fields.Boolean(required=True)
    due = fields.Dict(required=True)


class AmendmentSchema(ma.Schema):
    id = fields.Integer(required=True)
    seq = fields.Integer(required=True)
    signed_on = BusinessDate(required=True)
    effective_from = BusinessDate(required=True)
    approval_reference = fields.String(required=True)
    description = fields.String(allow_none=True)
    total_amount = Amount(required=True)
    vendor_confirmed_on = BusinessDate(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(["awaiting_vendor", "in_force"]))
    tranches = fields.List(fields.Nested(AmendmentTrancheSchema), required=True)


class AmendmentConfirmSchema(StrictSchema):
    confirmed_on = BusinessDate(metadata={"description": "default: today"})


class ListArgsSchema(PageArgsSchema):
    pass


class BankLineSchema(ma.Schema):
    id = fields.Integer(required=True)
    serial = fields.String(required=True)
    account_no = fields.String(allow_none=True)
    txn_date = BusinessDate(required=True)
    counterparty_name = fields.String(allow_none=True)
    counterparty_account = fields.String(allow_none=True)
    credit = Amount(required=True)
    debit = Amount(required=True)
    memo = fields.String(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(["matched", "unmatched", "ignored"]))
    reason = fields.String(allow_none=True)
    contract_id = fields.Integer(allow_none=True)
    payment_id = fields.Integer(allow_none=True)
    line_no = fields.Integer(allow_none=True)
