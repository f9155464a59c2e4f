"""/api/v1/contracts/{id}/...: payments, delay notices, rights, audit, settlement,
rectifications, termination and amendments (issue 4)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from settlement.api import context
from settlement.api.cached import cached_view
from settlement.schemas.common import AsOfArgsSchema
from settlement.schemas.settlement import (
    AmendmentCreateSchema, AmendmentSchema, DelayNoticeCreateSchema, DelayNoticeSchema, ListArgsSchema,
    OpinionCompleteSchema, OpinionCreateSchema, OpinionResponseSchema, OpinionSchema, PaymentCreateSchema,
    PaymentPageSchema, PaymentSchema, RectificationCreateSchema, RectificationOutcomeSchema,
    RectificationSchema, RefundCreateSchema, RightsSchema, SettlementSchema, TerminationCreateSchema,
    TerminationSchema,
)
from settlement.models import Amendment, AuditOpinion, Rectification
from settlement.services import amendments as amend_svc
from settlement.services import audit as audit_svc
from settlement.services import payments as pay_svc
from settlement.services import remedies as rem_svc
from settlement.services.contracts import get_contract, require_role

SETTLEMENT = SettlementSchema()

blp = Blueprint("settlement", __name__, description="Payments, audit and final settlement, remedies, amendments")


def _read(contract_id):
    return get_contract(context.session(), context.actor(), contract_id)


def _write(contract_id, *roles):
    """Load the contract for a write: row-locked on PostgreSQL, 404 if not the caller's, 403 for the role."""
    contract = get_contract(context.session(), context.actor(), contract_id, for_update=True)
    require_role(contract, context.actor(), *roles)
    return contract


def _as_of(args):
    return args.get("as_of") or context.today()


@blp.route("/<int(max=2147483647):contract_id>/payments")
class Payments(MethodView):
    @blp.arguments(ListArgsSchema, location="query")
    @blp.response(200, PaymentPageSchema)
    @blp.alt_response(404, description="no such contract, or not the caller's")
    def get(self, args, contract_id):
        """Payments and refunds on the contract (paginated)"""
        contract = _read(contract_id)
        items, total = pay_svc.list_payments(context.session(), contract, args["page"], args["page_size"])
        return {"items": [pay_svc.payment_dict(p) for p in items], "page": args["page"],
                "page_size": args["page_size"], "total": total}

    @blp.arguments(PaymentCreateSchema)
    @blp.response(201, PaymentSchema)
    @blp.alt_response(403, description="not the contract's buyer")
    @blp.alt_response(404, description="no such contract, or not the caller's")
    @blp.alt_response(409, description="over the payable total, or bank_reference already recorded")
    def post(self, data, contract_id):
        """Record a payment by the buyer (allocated to tranches, earliest outstanding first)"""
        contract = _write(contract_id, "buyer", "admin")
        s = context.session()
        p = pay_svc.record_payment(s, context.actor(), contract, data)
        s.flush()
        return pay_svc.payment_dict(p)


@blp.route("/<int(max=2147483647):contract_id>/refunds")
class Refunds(MethodView):
    @blp.arguments(RefundCreateSchema)
    @blp.response(201, PaymentSchema)
    @blp.alt_response(403, description="not a party to the contract")
    @blp.alt_response(404, description="no such contract, or not the caller's")
    @blp.alt_response(409, description="more than the refund due")
    def post(self, data, contract_id):
        """Record the vendor's refund of an overpayment (buyer or vendor)"""
        contract = _write(contract_id, "buyer", "vendor", "admin")
        s = context.session()
        p = pay_svc.record_refund(s, context.actor(), contract, data)
        s.flush()
        return pay_svc.payment_dict(p)


@blp.route("/<int(max=2147483647):contract_id>/delay-notices")
class DelayNotices(MethodView):
    @blp.arguments(DelayNoticeCreateSchema)
    @blp.response(201, DelayNoticeSchema)
    @blp.alt_response(403, description="not the contract's buyer")
    @blp.alt_response(404, description="no such contract, or not the caller's")
    def post(self, data, contract_id):
        """Record the buyer's written explanation for paying a tranche late (6.2)"""
        contract = _write(contract_id, "buyer", "admin")
        s = context.session()
        n = pay_svc.record_delay_notice(s, context.actor(), contract, data)
        s.flush()
        return pay_svc.delay_notice_dict(n)


@blp.route("/<int(max=2147483647):contract_id>/rights")
class Rights(MethodView):
    @blp.arguments(AsOfArgsSchema, location="query")
    @blp.response(200, RightsSchema)
    @blp.alt_response(404, description="no such contract, or not the caller's")
    def get(self, args, contract_id):
        """Remedies open to each side on a date, with the date each arose (6.2, 6.3)"""
        return rem_svc.rights_view(context.session(), _read(contract_id), _as_of(args))


@blp.route("/<int(max=2147483647):contract_id>/audit-opinions")
class Opinions(MethodView):
    @blp.arguments(AsOfArgsSchema, location="query")
    @blp.response(200, OpinionSchema(many=True))
    @blp.alt_response(404, description="no such contract, or not the caller's")
    def get(self, args, contract_id):
        """Every audit opinion delivered on the contract"""
        contract = _read(contract_id)
        ops = context.session().scalars(select(AuditOpinion).where(AuditOpinion.contract_id == contract.id)
                                        .order_by(AuditOpinion.id)).all()
        return [audit_svc.opinion_dict(op, _as_of(args)) for op in ops]

    @blp.arguments(OpinionCreateSchema)
    @blp.response(201, OpinionSchema)
    @blp.alt_response(403, description="not the buyer or an auditor on the contract")
    @blp.alt_response(404, description="no such contract, or not the caller's")
    @blp.alt_response(409, description="a binding or completed opinion is on file")
    def post(self, data, contract_id):
        """Deliver an audit opinion (审定金额) to the vendor; opens the objection window"""
        contract = _write(contract_id, "buyer", "auditor", "admin")
        s = context.session()
        op = audit_svc.deliver_opinion(s, context.actor(), contract, data)
        s.flush()
        return audit_svc.opinion_dict(op, data["delivered_on"])


@blp.route("/<int(max=2147483647):contract_id>/audit-opinions/<int(max=2147483647):opinion_id>/response")
class OpinionResponse(MethodView):
    @blp.arguments(OpinionResponseSchema)
    @blp.response(200, OpinionSchema)
    @blp.alt_response(403, description="not the contract's vendor")
    @blp.alt_response(404, description="no such contract or opinion")
    @blp.alt_response(409, description="window closed (deemed accepted), already answered or superseded")
    def post(self, data, contract_id, opinion_id):
        """The vendor accepts or objects to the opinion within the window"""
        contract = _write(contract_id, "vendor")
        s = context.session()
        op = audit_svc.respond(s, context.actor(), contract, audit_svc.get_opinion(s, contract, opinion_id), data)
        s.flush()
        return audit_svc.opinion_dict(op, data["responded_on"])


@blp.route("/<int(max=2147483647):contract_id>/audit-opinions/<int(max=2147483647):opinion_id>/complete")
class OpinionComplete(MethodView):
    @blp.arguments(OpinionCompleteSchema)
    @blp.response(200, OpinionSchema)
    @blp.alt_response(403, description="not the buyer or an auditor on the contract")
    @blp.alt_response(404, description="no such contract or opinion")
    @blp.alt_response(409, description="the opinion is not binding")
    def post(self, data, contract_id, opinion_id):
        """Record the audit's completion; the final tranche falls due N working days later"""
        contract = _write(contract_id, "buyer", "auditor", "admin")
        s = context.session()
        op = audit_svc.complete(s, context.actor(), contract, audit_svc.get_opinion(s, contract, opinion_id), data)
        s.flush()
        return audit_svc.opinion_dict(op, op.completed_on)


@blp.route("/<int(max=2147483647):contract_id>/settlement")
class Settlement(MethodView):
    @blp.arguments(AsOfArgsSchema, location="query")
    @blp.response(200, SettlementSchema)
    @blp.alt_response(404, description="no such contract, or not the caller's")
    def get(self, args, contract_id):
        """The final settlement: audited amount, paid, balance and who owes whom"""
        return cached_view(context.session(), context.actor(), "settlement", contract_id, _as_of(args),
                           SETTLEMENT, audit_svc.settlement_view)


@blp.route("/<int(max=2147483647):contract_id>/rectifications")
class Rectifications(MethodView):
    @blp.response(200, RectificationSchema(many=True))
    @blp.alt_response(404, description="no such contract, or not the caller's")
    def get(self, contract_id):
        """Rectification notices (6.3)"""
        contract = _read(contract_id)
        rows = context.session().scalars(select(Rectification).where(Rectification.contract_id == contract.id)
                                         .order_by(Rectification.noticed_on, Rectification.id)).all()
        return [rem_svc.rectification_dict(r) for r in rows]

    @blp.arguments(RectificationCreateSchema)
    @blp.response(201, RectificationSchema)
    @blp.alt_response(403, description="not the contract's buyer")
    @blp.alt_response(404, description="no such contract, or not the caller's")
    def post(self, data, contract_id):
        """Notice a rectification of non-conforming service (buyer)"""
        contract = _write(contract_id, "buyer", "admin")
        s = context.session()
        r = rem_svc.notice_rectification(s, context.actor(), contract, data)
        s.flush()
        return rem_svc.rectification_dict(r)


@blp.route("/<int(max=2147483647):contract_id>/rectifications/<int(max=2147483647):rect_id>/outcome")
class RectificationOutcome(MethodView):
    @blp.arguments(RectificationOutcomeSchema)
    @blp.response(200, RectificationSchema)
    @blp.alt_response(403, description="not the contract's buyer")
    @blp.alt_response(404, description="no such contract or rectification")
    @blp.alt_response(409, description="already has an outcome")
    def post(self, data, contract_id, rect_id):
        """Record a rectification's outcome: fixed, failed or refused (buyer)"""
        contract = _write(contract_id, "buyer", "admin")
        s = context.session()
        r = rem_svc.record_outcome(s, context.actor(), contract, rect_id, data)
        s.flush()
        return rem_svc.rectification_dict(r)


@blp.route("/<int(max=2147483647):contract_id>/terminations")
class Terminations(MethodView):
    @blp.arguments(TerminationCreateSchema)
    @blp.response(201, TerminationSchema)
    @blp.alt_response(403, description="the kind belongs to the other side")
    @blp.alt_response(404, description="no such contract, or not the caller's")
    @blp.alt_response(409, description="no such right on that date, or already terminated")
    def post(self, data, contract_id):
        """Terminate: buyer_convenience (10.2), buyer_for_cause (6.3), vendor_nonpayment (6.2)"""
        contract = _write(contract_id, "buyer", "vendor", "admin")
        s = context.session()
        t = rem_svc.terminate(s, context.actor(), contract, data)
        s.flush()
        return rem_svc.termination_dict(s, contract, t)


@blp.route("/<int(max=2147483647):contract_id>/termination")
class TerminationView(MethodView):
    @blp.response(200, TerminationSchema)
    @blp.alt_response(404, description="not terminated, or not the caller's")
    def get(self, contract_id):
        """The termination and its settlement figures"""
        s = context.session()
        contract = _read(contract_id)
        return rem_svc.termination_dict(s, contract, rem_svc.get_termination(s, contract))


@blp.route("/<int(max=2147483647):contract_id>/amendments")
class Amendments(MethodView):
    @blp.response(200, AmendmentSchema(many=True))
    @blp.alt_response(404, description="no such contract, or not the caller's")
    def get(self, contract_id):
        """The contract's supplementary agreements, oldest first"""
        contract = _read(contract_id)
        rows = context.session().scalars(select(Amendment).where(Amendment.contract_id == contract.id)
                                         .order_by(Amendment.seq)).all()
        return [amend_svc.amendment_dict(a) for a in rows]

    @blp.arguments(AmendmentCreateSchema)
    @blp.response(201, AmendmentSchema)
    @blp.alt_response(403, description="not the buyer or an admin")
    @blp.alt_response(404, description="no such contract, or not the caller's")
    def post(self, data, contract_id):
        """Record a supplementary agreement approved in writing by the buyer"""
        contract = _write(contract_id, "buyer", "admin")
        s = context.session()
        a = amend_svc.amend(s, context.actor(), contract, data)
        s.flush()
        return amend_svc.amendment_dict(a)
