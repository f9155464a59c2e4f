"""/api/v1/reports/reconciliation and /api/v1/bank-lines (issue 6)."""
from __future__ import annotations

import json

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate
from sqlalchemy import select

from settlement.api import context
from settlement.schemas.fields import Amount
from settlement.schemas.common import BusinessDate, PageArgsSchema, StrictSchema
from settlement.schemas.settlement import PaymentSchema
from settlement.errors import Forbidden, NotFound
from settlement.models import BankLine
from settlement.services import months as months_svc
from settlement.services import reconciliation as rec_svc
from settlement.services.bank import bank_line_dict, match_by_hand
from settlement.services.contracts import get_contract, visible_contracts
from settlement.services.pages import paginate
from settlement.services.payments import payment_dict

blp = Blueprint("reports", __name__, description="Monthly reconciliation and bank statement lines")


class ReconciliationArgsSchema(StrictSchema):
    month = fields.String(required=True, validate=validate.Regexp(r"^20\d\d-(0[1-9]|1[0-2])$",
                                                                  error="must be YYYY-MM (2000-2099)"))
    as_of = BusinessDate(metadata={"description": "default: the month's last day"})


class BankLineArgsSchema(PageArgsSchema):
    status = fields.String(validate=validate.OneOf(["matched", "unmatched", "ignored"]))


class BankLineSchema(ma.Schema):
    id = fields.Integer(required=True)
    serial = fields.String(required=True)
    account_no = fields.String(allow_none=True)
    txn_date = fields.Date(required=True)
    counterparty_name = fields.String(allow_none=True)
    counterparty_account = fields.String(allow_none=True)
    credit = Amount(required=True)
    debit = Amount(required=True)
    memo = fields.String(allow_none=True)
    status = fields.String(required=True)
    reason = fields.String(allow_none=True)
    contract_id = fields.Integer(allow_none=True)
    payment_id = fields.Integer(allow_none=True)
    line_no = fields.Integer(allow_none=True)


class BankLinePageSchema(ma.Schema):
    items = fields.List(fields.Nested(BankLineSchema), required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    total = fields.Integer(required=True)


class MatchSchema(StrictSchema):
    contract_id = fields.Integer(required=True, validate=validate.Range(1, 2147483647))
    tranche_seq = fields.Integer(validate=validate.Range(1, 99))


class MatchResultSchema(ma.Schema):
    bank_line = fields.Nested(BankLineSchema, required=True)
    payment = fields.Nested(PaymentSchema, required=True)


@blp.route("/reports/reconciliation")
class Reconciliation(MethodView):
    @blp.arguments(ReconciliationArgsSchema, location="query")
    @blp.response(200, description="the month's reconciliation of the caller's contracts (as `flask reconcile` writes it)")
    def get(self, args):
        """The month's reconciliation (a closed month's report is served as it was when closed)"""
        s = context.session()
        actor = context.actor()
        ids = rec_svc.contract_ids(s, visible_contracts(actor) if actor.role != "admin" else None)
        stored = months_svc.closed_report(s, args["month"]) if "as_of" not in args else None
        if stored is not None:
            return rec_svc.filter_contracts(json.loads(stored), set(ids))
        return rec_svc.to_jsonable(rec_svc.build_report(s, args["month"], args.get("as_of"), ids=ids))


def _admin():
    if context.actor().role != "admin":
        raise Forbidden("bank statement lines are for the admin (the account holder's operator)")


@blp.route("/bank-lines")
class BankLines(MethodView):
    @blp.arguments(BankLineArgsSchema, location="query")
    @blp.response(200, BankLinePageSchema)
    @blp.alt_response(403, description="not an admin")
    def get(self, args):
        """Imported bank statement lines, e.g. ?status=unmatched (admin)"""
        _admin()
        s = context.session()
        q = select(BankLine)
        if args.get("status"):
            q = q.where(BankLine.status == args["status"])
        rows, total = paginate(s, q, args["page"], args["page_size"], BankLine.txn_date, BankLine.id)
        return {"items": [bank_line_dict(b) for b in rows], "page": args["page"],
                "page_size": args["page_size"], "total": total}


@blp.route("/bank-lines/<int(max=2147483647):line_id>/match")
class BankLineMatch(MethodView):
    @blp.arguments(MatchSchema)
    @blp.response(200, MatchResultSchema)
    @blp.alt_response(403, description="not an admin")
    @blp.alt_response(404, description="no such line or contract")
    @blp.alt_response(409, description="already matched, not a credit, or over the payable total")
    def post(self, data, line_id):
        """Match an unmatched line to a contract (and tranche) by hand: records the payment (admin)"""
        _admin()
        s = context.session()
        line = s.get(BankLine, line_id)
        if line is None:
            raise NotFound(f"no bank line {line_id}")
        contract = get_contract(s, context.actor(), data["contract_id"], for_update=True)
        payment = match_by_hand(s, context.actor(), line, contract, data.get("tranche_seq"))
        return {"bank_line": bank_line_dict(line), "payment": payment_dict(payment)}
