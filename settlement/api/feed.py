"""/api/v1/events (the integration feed) and /api/v1/contracts/{id}/journal (issue 5).

Events are the journal entries of the caller's contracts whose action is an
event type; the cursor is the journal sequence. Sequence numbers are assigned
under the journal lock and committed in order, so a consumer that reads
``after=<its last cursor>`` never misses or repeats an event.
"""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate
from sqlalchemy import select

from settlement.api import context
from settlement.schemas.common import PageArgsSchema, StrictSchema
from settlement.models import JournalEntry
from settlement.services.contracts import get_contract, visible_contracts
from settlement.services.pages import paginate

EVENT_TYPES = {
    "invoice.issued": "invoice.issued", "invoice.reversed": "invoice.reversed",
    "invoice.file_attached": "invoice.file_attached",
    "payment.recorded": "payment.recorded", "refund.recorded": "payment.refunded",
    "payment.reversed": "payment.reversed", "refund.reversed": "refund.reversed",
    "audit.opinion_delivered": "audit.opinion_delivered", "audit.opinion_superseded": "audit.opinion_superseded",
    "audit.accepted": "audit.accepted", "audit.deemed_accepted": "audit.deemed_accepted",
    "audit.disputed": "audit.disputed", "settlement.completed": "settlement.completed",
    "amendment.proposed": "amendment.proposed", "contract.amended": "contract.amended",
    "contract.confirmed": "contract.confirmed", "contract.terminated": "contract.terminated",
    "penalty.claimed": "penalty.claimed", "right.arose": "right.arose",
}

blp = Blueprint("feed", __name__, description="Event feed and journal")


class EventArgsSchema(StrictSchema):
    after = fields.String(load_default="0", validate=validate.Regexp(r"^\d{1,18}$", error="must be a cursor"),
                          metadata={"description": "the `next` of the previous page; 0 for the beginning"})
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))


class EventSchema(ma.Schema):
    id = fields.String(required=True, metadata={"description": "stable event id"})
    cursor = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(sorted(set(EVENT_TYPES.values()))))
    occurred_at = fields.DateTime(required=True)
    contract_id = fields.Integer(required=True)
    entity = fields.String(required=True)
    entity_id = fields.String(required=True)
    data = fields.Dict(required=True, metadata={"description": "the resource's new state"})


class EventPageSchema(ma.Schema):
    items = fields.List(fields.Nested(EventSchema), required=True)
    next = fields.String(required=True, metadata={"description": "pass as `after` to continue"})


class JournalEntrySchema(ma.Schema):
    seq = fields.Integer(required=True)
    recorded_at = fields.DateTime(required=True)
    actor = fields.Dict(required=True)
    action = fields.String(required=True)
    entity = fields.String(required=True)
    entity_id = fields.String(required=True)
    change = fields.Dict(required=True)
    prev_hash = fields.String(required=True)
    hash = fields.String(required=True)


class JournalPageSchema(ma.Schema):
    items = fields.List(fields.Nested(JournalEntrySchema), required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    total = fields.Integer(required=True)


@blp.route("/events")
class Events(MethodView):
    @blp.arguments(EventArgsSchema, location="query")
    @blp.response(200, EventPageSchema)
    def get(self, args):
        """Events of the caller's contracts in order, from a cursor"""
        after = int(args["after"])
        rows = context.session().scalars(
            select(JournalEntry)
            .where(JournalEntry.seq > after, JournalEntry.action.in_(list(EVENT_TYPES)),
                   JournalEntry.contract_id.in_(visible_contracts(context.actor())))
            .order_by(JournalEntry.seq).limit(args["limit"])).all()
        items = [{"id": f"evt-{e.seq}", "cursor": str(e.seq), "type": EVENT_TYPES[e.action],
                  "occurred_at": e.recorded_at, "contract_id": e.contract_id, "entity": e.entity,
                  "entity_id": e.entity_id, "data": e.change.get("after") or {}} for e in rows]
        return {"items": items, "next": items[-1]["cursor"] if items else str(after)}


@blp.route("/contracts/<int(max=2147483647):contract_id>/journal")
class ContractJournal(MethodView):
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, JournalPageSchema)
    @blp.alt_response(404, description="no such contract, or not the caller's")
    def get(self, args, contract_id):
        """The contract's journal entries (append-only, hash-chained)"""
        s = context.session()
        contract = get_contract(s, context.actor(), contract_id)
        rows, total = paginate(s, select(JournalEntry).where(JournalEntry.contract_id == contract.id),
                               args["page"], args["page_size"], JournalEntry.seq)
        return {"items": [{"seq": e.seq, "recorded_at": e.recorded_at, "actor": e.actor, "action": e.action,
                           "entity": e.entity, "entity_id": e.entity_id, "change": e.change,
                           "prev_hash": e.prev_hash, "hash": e.hash} for e in rows],
                "page": args["page"], "page_size": args["page_size"], "total": total}
