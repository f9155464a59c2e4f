"""/api/v1/parties: the organisations on contracts (admin only)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from settlement.api import context
from settlement.schemas.common import PartyCreateSchema, PartySchema, PartyUpdateSchema
from settlement.errors import Forbidden
from settlement.services import contracts as svc

blp = Blueprint("parties", __name__, description="Parties: buyers, vendors, auditors")


def _admin_only():
    if context.actor().role != "admin":
        raise Forbidden("only an admin token may manage parties")


@blp.route("")
class Parties(MethodView):
    @blp.arguments(PartyCreateSchema)
    @blp.response(201, PartySchema)
    @blp.alt_response(403, description="not an admin")
    @blp.alt_response(409, description="the code exists")
    def post(self, data):
        """Register a party (admin)"""
        _admin_only()
        s = context.session()
        party = svc.create_party(s, context.actor(), data)
        s.flush()
        return svc.party_dict(party)


@blp.route("/<string:code>")
class PartyByCode(MethodView):
    @blp.arguments(PartyUpdateSchema)
    @blp.response(200, PartySchema)
    @blp.alt_response(403, description="not an admin")
    @blp.alt_response(404, description="no such party")
    def patch(self, data, code):
        """Update a party's name, taxpayer ID, general-taxpayer status or bank accounts (admin)"""
        _admin_only()
        s = context.session()
        party = svc.update_party(s, context.actor(), code, data)
        s.flush()
        return svc.party_dict(party)
