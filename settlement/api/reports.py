"""/api/v1/reports/reconciliation and /api/v1/bank-lines (issue 6)."""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate
from sqlalchemy import select

from settlement.api import context
from settlement.errors import Forbidden
from settlement.i18n import _
from settlement.models import BankLine
from settlement.schemas.common import BusinessDate, PageArgsSchema, StrictSchema
from settlement.schemas.settlement import BankLineSchema, PaymentSchema
from settlement.services import reconciliation as rec_svc
from settlement.services.bank import bank_line_dict, held_accounts, line_for, match_by_hand, unmatch
from settlement.services.contracts import visible_contracts
from settlement.services.pages import paginate
from settlement.services.payments import payment_data

blp = Blueprint("reports", __name__, description="Monthly reconciliation and bank statement lines")


class ReconciliationArgsSchema(StrictSchema):
    month = fields.String(required=True, validate=validate.Regexp(r"^20\d\d-(0[1-9]|1[0-2])$",
                                                                  error="must be YYYY-MM (2000-2099)"))
    as_of = BusinessDate(metadata={"description": "default: the month's last day"})


class BankLineArgsSchema(PageArgsSchema):
    status = fields.String(validate=validate.OneOf(["matched", "unmatched", "ignored"]))


class BankLinePageSchema(ma.Schema):
    items = fields.List(fields.Nested(BankLineSchema), required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    total = fields.Integer(required=True)


class MatchSchema(StrictSchema):
    contract_id = fields.Integer(required=True, validate=validate.Range(1, 2147483647))
    tranche_seq = fields.Integer(validate=validate.Range(1, 99))
    confirm = fields.Boolean(load_default=False, metadata={
        "description": "true to match a credit whose payer is not the contract's buyer on file"})


class UnmatchSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(1, 4000))


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
        admin = actor.role == "admin"
        ids = rec_svc.contract_ids(s, None if admin else visible_contracts(actor))
        plain, _ = rec_svc.report_for(s, args["month"], args.get("as_of"), ids, everything=admin,
                                      bank_accounts=None if admin else held_accounts(s, actor))
        return plain


def _admin():
    if context.actor().role != "admin":
        raise Forbidden(_("matching bank lines is for the admin (the account holder's operator)"))


@blp.route("/bank-lines")
class BankLines(MethodView):
    @blp.arguments(BankLineArgsSchema, location="query")
    @blp.response(200, BankLinePageSchema)
    def get(self, args):
        """Imported bank statement lines, e.g. ?status=unmatched (admin, or the account holder's users)"""
        s, actor = context.session(), context.actor()
        q = select(BankLine)
        if actor.role != "admin":
            q = q.where(BankLine.account_no.in_(held_accounts(s, actor)))
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
    @blp.alt_response(409, description="already matched, not a credit, over the payable total, or the payer is "
                                       "not the buyer (send confirm: true)")
    def post(self, data, line_id):
        """Match an unmatched line to a contract (and tranche) by hand: records the payment (admin)"""
        _admin()
        w = context.write(data["contract_id"], "admin")
        line = line_for(w.session, w.actor, line_id)
        payment = match_by_hand(w, line, data.get("tranche_seq"), data["confirm"])
        return {"bank_line": bank_line_dict(line), "payment": payment_data(w.session, payment)}


@blp.route("/bank-lines/<int(max=2147483647):line_id>/unmatch")
class BankLineUnmatch(MethodView):
    @blp.arguments(UnmatchSchema)
    @blp.response(200, BankLineSchema)
    @blp.alt_response(403, description="not an admin")
    @blp.alt_response(404, description="no such line")
    @blp.alt_response(409, description="not matched, or its payment is in a closed period")
    def post(self, data, line_id):
        """Undo a match: its payment is reversed (冲正) and the line is unmatched again (admin)"""
        _admin()
        s = context.session()
        line = line_for(s, context.actor(), line_id)
        if line.contract_id is None:
            from settlement.errors import Conflict
            raise Conflict(_("bank line {id} is not matched", id=line_id), type_slug="not-matched")
        w = context.write(line.contract_id, "admin")
        return bank_line_dict(unmatch(w, line, data["reason"]))
