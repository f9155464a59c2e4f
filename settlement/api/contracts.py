"""/api/v1/contracts: contracts, their schedule and earned value."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from settlement.api import context
from settlement.api.cached import cached_view
from settlement.schemas.common import (
    AsOfArgsSchema, ContractCreateSchema, ContractListArgsSchema, ContractPageSchema, ContractSchema,
    EarnedSchema, ScheduleSchema,
)
from settlement.errors import Forbidden
from settlement.services import contracts as svc
from settlement.services import views

SCHEDULE, EARNED = ScheduleSchema(), EarnedSchema()

blp = Blueprint("contracts", __name__, description="Contracts, payment schedule, earned value")


@blp.route("")
class Contracts(MethodView):
    @blp.arguments(ContractListArgsSchema, location="query")
    @blp.response(200, ContractPageSchema)
    def get(self, args):
        """List the contracts the caller may see (paginated, filter by code)"""
        items, total = svc.list_contracts(context.session(), context.actor(), args["page"],
                                          args["page_size"], args.get("code"))
        return {"items": [svc.contract_dict(c) for c in items], "page": args["page"],
                "page_size": args["page_size"], "total": total}

    @blp.arguments(ContractCreateSchema)
    @blp.response(201, ContractSchema)
    @blp.alt_response(403, description="not an admin or the buyer")
    @blp.alt_response(409, description="the code exists")
    def post(self, data):
        """Create a contract (admin, or the buyer for itself)"""
        actor = context.actor()
        if actor.role not in ("admin", "buyer"):
            raise Forbidden(f"the {actor.role} role may not create contracts; it needs admin or buyer")
        s = context.session()
        contract = svc.create_contract(s, actor, data, context.today())
        s.flush()
        return svc.contract_dict(contract)


@blp.route("/<int(max=2147483647):contract_id>")
class ContractById(MethodView):
    @blp.response(200, ContractSchema)
    @blp.alt_response(404, description="no such contract, or not the caller's")
    def get(self, contract_id):
        """One contract"""
        return svc.contract_dict(svc.get_contract(context.session(), context.actor(), contract_id))


@blp.route("/<int(max=2147483647):contract_id>/confirm")
class ContractConfirm(MethodView):
    @blp.response(200, ContractSchema)
    @blp.alt_response(403, description="not a vendor or auditor named on the contract")
    @blp.alt_response(404, description="no such contract, or not the caller's")
    @blp.alt_response(409, description="already confirmed")
    def post(self, contract_id):
        """A vendor (or auditor) named on the contract confirms it"""
        w = context.write(contract_id, "vendor", "auditor")
        return svc.contract_dict(svc.confirm_contract(w.session, w.actor, w.contract, w.today))


@blp.route("/<int(max=2147483647):contract_id>/schedule")
class Schedule(MethodView):
    @blp.arguments(AsOfArgsSchema, location="query")
    @blp.response(200, ScheduleSchema)
    @blp.alt_response(404, description="no such contract, or not the caller's")
    def get(self, args, contract_id):
        """The payment schedule as of a date: due dates, invoice dates, status"""
        return cached_view(context.session(), context.actor(), "schedule", contract_id,
                           args.get("as_of") or context.today(), SCHEDULE, views.schedule_view)


@blp.route("/<int(max=2147483647):contract_id>/earned")
class Earned(MethodView):
    @blp.arguments(AsOfArgsSchema, location="query")
    @blp.response(200, EarnedSchema)
    @blp.alt_response(404, description="no such contract, or not the caller's")
    def get(self, args, contract_id):
        """The monthly earned-value table"""
        return cached_view(context.session(), context.actor(), "earned", contract_id,
                           args.get("as_of") or context.today(), EARNED, views.earned_view)
