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
    AmendmentConfirmSchema, AmendmentCreateSchema, AmendmentSchema, DelayNoticeCreateSchema, DelayNoticeSchema,
    ListArgsSchema, OpinionCompleteSchema, OpinionCreateSchema, OpinionResponseSchema, OpinionSchema,
    PaymentCreateSchema, PaymentPageSchema, PaymentSchema, PenaltyCreateSchema, PenaltySchema,
    RectificationCreateSchema, RectificationOutcomeSchema, RectificationSchema, RefundCreateSchema,
    ReversalCreateSchema, RightsSchema, SettlementSchema, TerminationCreateSchema, TerminationSchema,
)
from settlement.models import Rectification
from settlement.services import amendments as amend_svc
from settlement.services import audit as audit_svc
from settlement.services import payments as pay_svc
from settlement.services import remedies as rem_svc
from settlement.services.contracts import get_contract

SETTLEMENT = SettlementSchema()

blp = Blueprint("settlement", __name__, description="Payments, audit and final settlement, remedies, amendments")


def _read(contract_id):
    return get_contract(context.session(), context.actor(), contract_id)


def _write(contract_id, *roles):
    """The one write path: the contract locked, 404 if not the caller's, 403 for the role."""
    return context.write(contract_id, *roles)


def _as_of(args):
    return args.get("as_of") or context.today()


ID = "<int(max=2147483647):contract_id>"


@blp.route(f"/{ID}/payments")
class Payments(MethodView):
    @blp.arguments(ListArgsSchema, location="query")
    @blp.response(200, PaymentPageSchema)
    @blp.alt_response(404, description="no such contract, or not the caller's")
    def get(self, args, contract_id):
        """Payments and refunds on the contract (paginated; reversed ones say so)"""
        s, contract = context.session(), _read(contract_id)
        items, total = pay_svc.list_payments(s, contract, args["page"], args["page_size"])
        return {"items": [pay_svc.payment_data(s, p) for p in items], "page": args["page"],
                "page_size": args["page_size"], "total": total}

    @blp.arguments(PaymentCreateSchema)
    @blp.response(201, PaymentSchema)
    @blp.alt_response(403, description="not the contract's buyer")
    @blp.alt_response(404, description="no such contract, or not the caller's")
    @blp.alt_response(409, description="over the payable total, bank_reference already recorded, or a closed period")
    def post(self, data, contract_id):
        """Record a payment by the buyer (allocated to tranches, earliest outstanding first)"""
        w = _write(contract_id, "buyer", "admin")
        return pay_svc.payment_data(w.session, pay_svc.record_payment(w, data))


@blp.route(f"/{ID}/payments/<int(max=2147483647):payment_id>/reverse")
class PaymentReverse(MethodView):
    @blp.arguments(ReversalCreateSchema)
    @blp.response(201, PaymentSchema)
    @blp.alt_response(403, description="not the contract's buyer")
    @blp.alt_response(404, description="no such contract or payment")
    @blp.alt_response(409, description="already reversed, bank-matched, or in a closed period")
    def post(self, data, contract_id, payment_id):
        """Reverse a mistaken payment in full (冲正): a journaled correcting entry, never a deletion"""
        w = _write(contract_id, "buyer", "admin")
        return pay_svc.payment_data(w.session, pay_svc.reverse(w, payment_id, "payment", data))


@blp.route(f"/{ID}/refunds")
class Refunds(MethodView):
    @blp.arguments(RefundCreateSchema)
    @blp.response(201, PaymentSchema)
    @blp.alt_response(403, description="not a party to the contract")
    @blp.alt_response(404, description="no such contract, or not the caller's")
    @blp.alt_response(409, description="more than the vendor owes back")
    def post(self, data, contract_id):
        """Record the vendor's refund of an overpayment or a penalty (buyer or vendor)"""
        w = _write(contract_id, "buyer", "vendor", "admin")
        return pay_svc.payment_data(w.session, pay_svc.record_refund(w, data))


@blp.route(f"/{ID}/refunds/<int(max=2147483647):payment_id>/reverse")
class RefundReverse(MethodView):
    @blp.arguments(ReversalCreateSchema)
    @blp.response(201, PaymentSchema)
    @blp.alt_response(403, description="not a party to the contract")
    @blp.alt_response(404, description="no such contract or refund")
    @blp.alt_response(409, description="already reversed, or in a closed period")
    def post(self, data, contract_id, payment_id):
        """Reverse a mistaken refund in full (冲正)"""
        w = _write(contract_id, "buyer", "vendor", "admin")
        return pay_svc.payment_data(w.session, pay_svc.reverse(w, payment_id, "refund", data))


@blp.route(f"/{ID}/delay-notices")
class DelayNotices(MethodView):
    @blp.arguments(DelayNoticeCreateSchema)
    @blp.response(201, DelayNoticeSchema)
    @blp.alt_response(403, description="not the contract's buyer")
    @blp.alt_response(404, description="no such contract, or not the caller's")
    def post(self, data, contract_id):
        """Record the buyer's written explanation for paying a tranche late (6.2)"""
        w = _write(contract_id, "buyer", "admin")
        return pay_svc.delay_notice_dict(pay_svc.record_delay_notice(w, data))


@blp.route(f"/{ID}/rights")
class Rights(MethodView):
    @blp.arguments(AsOfArgsSchema, location="query")
    @blp.response(200, RightsSchema)
    @blp.alt_response(404, description="no such contract, or not the caller's")
    def get(self, args, contract_id):
        """Remedies open to each side on a date, with the date each arose (6.2, 6.3)"""
        return rem_svc.rights_view(context.session(), _read(contract_id), _as_of(args))


@blp.route(f"/{ID}/audit-opinions")
class Opinions(MethodView):
    @blp.arguments(AsOfArgsSchema, location="query")
    @blp.response(200, OpinionSchema(many=True))
    @blp.alt_response(404, description="no such contract, or not the caller's")
    def get(self, args, contract_id):
        """The audit opinions delivered by as_of, with their derived deadlines and states"""
        return audit_svc.list_opinions(context.session(), _read(contract_id), _as_of(args))

    @blp.arguments(OpinionCreateSchema)
    @blp.response(201, OpinionSchema)
    @blp.alt_response(403, description="not the buyer or an auditor on the contract")
    @blp.alt_response(404, description="no such contract, or not the caller's")
    @blp.alt_response(409, description="a binding or completed opinion is on file")
    def post(self, data, contract_id):
        """Deliver an audit opinion (审定金额) to the vendor; opens the objection window"""
        w = _write(contract_id, "buyer", "auditor", "admin")
        op = audit_svc.deliver_opinion(w, data)
        return audit_svc.opinion_data(w.session, w.contract, op, w.today)


@blp.route(f"/{ID}/audit-opinions/<int(max=2147483647):opinion_id>/response")
class OpinionResponse(MethodView):
    @blp.arguments(OpinionResponseSchema)
    @blp.response(200, OpinionSchema)
    @blp.alt_response(403, description="not the contract's vendor")
    @blp.alt_response(404, description="no such contract or opinion")
    @blp.alt_response(409, description="window closed (deemed accepted), already answered, completed or superseded")
    def post(self, data, contract_id, opinion_id):
        """The vendor accepts or objects to the opinion within the window"""
        w = _write(contract_id, "vendor")
        op = audit_svc.respond(w, audit_svc.get_opinion(w.session, w.contract, opinion_id), data)
        return audit_svc.opinion_data(w.session, w.contract, op, w.today)


@blp.route(f"/{ID}/audit-opinions/<int(max=2147483647):opinion_id>/complete")
class OpinionComplete(MethodView):
    @blp.arguments(OpinionCompleteSchema)
    @blp.response(200, OpinionSchema)
    @blp.alt_response(403, description="not the buyer or an auditor on the contract")
    @blp.alt_response(404, description="no such contract or opinion")
    @blp.alt_response(409, description="the opinion is not binding yet (the answer names the day it can be)")
    def post(self, data, contract_id, opinion_id):
        """Record the audit's completion; the final tranche falls due N working days later"""
        w = _write(contract_id, "buyer", "auditor", "admin")
        op = audit_svc.complete(w, audit_svc.get_opinion(w.session, w.contract, opinion_id), data)
        return audit_svc.opinion_data(w.session, w.contract, op, w.today)


@blp.route(f"/{ID}/settlement")
class Settlement(MethodView):
    @blp.arguments(AsOfArgsSchema, location="query")
    @blp.response(200, SettlementSchema)
    @blp.alt_response(404, description="no such contract, or not the caller's")
    def get(self, args, contract_id):
        """The final settlement: the contract's value, paid, balance, who owes whom, penalties"""
        return cached_view(context.session(), context.actor(), "settlement", contract_id, _as_of(args),
                           SETTLEMENT, audit_svc.settlement_view)


@blp.route(f"/{ID}/rectifications")
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
        w = _write(contract_id, "buyer", "admin")
        return rem_svc.rectification_dict(rem_svc.notice_rectification(w, data))


@blp.route(f"/{ID}/rectifications/<int(max=2147483647):rect_id>/outcome")
class RectificationOutcome(MethodView):
    @blp.arguments(RectificationOutcomeSchema)
    @blp.response(200, RectificationSchema)
    @blp.alt_response(403, description="not the contract's buyer")
    @blp.alt_response(404, description="no such contract or rectification")
    @blp.alt_response(409, description="already has an outcome")
    def post(self, data, contract_id, rect_id):
        """Record a rectification's outcome: fixed, failed or refused (buyer)"""
        w = _write(contract_id, "buyer", "admin")
        return rem_svc.rectification_dict(rem_svc.record_outcome(w, rect_id, data))


@blp.route(f"/{ID}/terminations")
class Terminations(MethodView):
    @blp.arguments(TerminationCreateSchema)
    @blp.response(201, TerminationSchema)
    @blp.alt_response(403, description="the kind belongs to the other side")
    @blp.alt_response(404, description="no such contract, or not the caller's")
    @blp.alt_response(409, description="no such right on that date, or already terminated")
    def post(self, data, contract_id):
        """Terminate: buyer_convenience (10.2), buyer_for_cause (6.3), vendor_nonpayment (6.2)"""
        w = _write(contract_id, "buyer", "vendor", "admin")
        rem_svc.terminate(w, data)
        return rem_svc.termination_dict(w.contract, w.position)


@blp.route(f"/{ID}/termination")
class TerminationView(MethodView):
    @blp.arguments(AsOfArgsSchema, location="query")
    @blp.response(200, TerminationSchema)
    @blp.alt_response(404, description="not terminated, or not the caller's")
    def get(self, args, contract_id):
        """The termination and its settlement figures"""
        return rem_svc.termination_view(context.session(), _read(contract_id), _as_of(args))


@blp.route(f"/{ID}/penalties")
class Penalties(MethodView):
    @blp.response(200, PenaltySchema(many=True))
    @blp.alt_response(404, description="no such contract, or not the caller's")
    def get(self, contract_id):
        """Penalties (违约金) claimed by the buyer"""
        return [rem_svc.penalty_dict(p) for p in rem_svc.list_penalties(context.session(), _read(contract_id))]

    @blp.arguments(PenaltyCreateSchema)
    @blp.response(201, PenaltySchema)
    @blp.alt_response(403, description="not the contract's buyer")
    @blp.alt_response(404, description="no such contract, or not the caller's")
    def post(self, data, contract_id):
        """Claim liquidated damages under a clause (buyer); set off against a payment or refunded"""
        w = _write(contract_id, "buyer", "admin")
        return rem_svc.penalty_dict(rem_svc.claim_penalty(w, data))


@blp.route(f"/{ID}/amendments")
class Amendments(MethodView):
    @blp.response(200, AmendmentSchema(many=True))
    @blp.alt_response(404, description="no such contract, or not the caller's")
    def get(self, contract_id):
        """The contract's supplementary agreements, oldest first"""
        return [amend_svc.amendment_dict(a) for a in amend_svc.list_amendments(context.session(), _read(contract_id))]

    @blp.arguments(AmendmentCreateSchema)
    @blp.response(201, AmendmentSchema)
    @blp.alt_response(403, description="not the buyer or an admin")
    @blp.alt_response(404, description="no such contract, or not the caller's")
    def post(self, data, contract_id):
        """Record a supplementary agreement approved in writing by the buyer (in force once the vendor confirms)"""
        w = _write(contract_id, "buyer", "admin")
        return amend_svc.amendment_dict(amend_svc.amend(w, data))


@blp.route(f"/{ID}/amendments/<int(max=2147483647):amendment_id>/confirm")
class AmendmentConfirm(MethodView):
    @blp.arguments(AmendmentConfirmSchema)
    @blp.response(200, AmendmentSchema)
    @blp.alt_response(403, description="not the contract's lead vendor")
    @blp.alt_response(404, description="no such contract or amendment")
    @blp.alt_response(409, description="already confirmed, or it would break the money invariants now")
    def post(self, data, contract_id, amendment_id):
        """The lead vendor confirms a supplementary agreement: from then on it is in force"""
        w = _write(contract_id, "vendor", "admin")
        return amend_svc.amendment_dict(amend_svc.confirm(w, amendment_id, data))
