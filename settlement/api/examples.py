"""What makes the OpenAPI document usable as it is in a REST client (Postman, Bruno, Insomnia).

:class:`ClientDocPlugin` (an apispec plugin) gives every operation

* a stable camelCase ``operationId`` (:data:`OPERATION_IDS`, keyed by the
  flask-smorest endpoint ``<blueprint>.<MethodView class>`` and the HTTP method;
  an endpoint missing from the table gets ``<verb><Class>``, e.g. ``createPlatformInvoices``);
* a realistic Chinese example request body (:data:`REQUEST_EXAMPLES`, keyed by
  operationId; values from the seed contract DS-12345-2026), and an example for
  each query parameter (:data:`QUERY_EXAMPLES`);
* binary responses (``type: string, format: binary``) for the operations that
  answer a file (PDF, XLSX…) instead of JSON.

The request schemas are not touched: examples live here only.
"""
from __future__ import annotations

import re

from apispec import BasePlugin

# (endpoint, method) → operationId. Endpoint = blueprint name + "." + MethodView class name.
OPERATION_IDS: dict[tuple[str, str], str] = {
    ("parties.Parties", "post"): "createParty",
    ("parties.PartyByCode", "patch"): "updateParty",
    ("contracts.Contracts", "get"): "listContracts",
    ("contracts.Contracts", "post"): "createContract",
    ("contracts.ContractById", "get"): "getContract",
    ("contracts.Schedule", "get"): "getSchedule",
    ("contracts.Earned", "get"): "getEarned",
    ("settlement.Payments", "get"): "listPayments",
    ("settlement.Payments", "post"): "createPayment",
    ("settlement.Refunds", "post"): "createRefund",
    ("settlement.DelayNotices", "post"): "createDelayNotice",
    ("settlement.Rights", "get"): "getRights",
    ("settlement.Opinions", "get"): "listAuditOpinions",
    ("settlement.Opinions", "post"): "createAuditOpinion",
    ("settlement.OpinionResponse", "post"): "respondToAuditOpinion",
    ("settlement.OpinionComplete", "post"): "completeAudit",
    ("settlement.Settlement", "get"): "getSettlement",
    ("settlement.Rectifications", "get"): "listRectifications",
    ("settlement.Rectifications", "post"): "createRectification",
    ("settlement.RectificationOutcome", "post"): "recordRectificationOutcome",
    ("settlement.Terminations", "post"): "createTermination",
    ("settlement.TerminationView", "get"): "getTermination",
    ("settlement.Amendments", "get"): "listAmendments",
    ("settlement.Amendments", "post"): "createAmendment",
    ("invoices.ContractInvoices", "get"): "listInvoices",
    ("invoices.ContractInvoices", "post"): "createInvoice",
    ("invoices.ContractVat", "get"): "getVatSummary",
    ("invoices.InvoiceById", "get"): "getInvoice",
    ("invoices.InvoicePdf", "get"): "getInvoicePdf",
    ("invoices.InvoiceReverse", "post"): "reverseInvoice",
    ("feed.Events", "get"): "listEvents",
    ("feed.ContractJournal", "get"): "listJournalEntries",
    ("reports.Reconciliation", "get"): "getReconciliationReport",
    ("reports.BankLines", "get"): "listBankLines",
    ("reports.BankLineMatch", "post"): "matchBankLine",
    ("reports.BankLineUnmatch", "post"): "unmatchBankLine",
    ("contracts.ContractConfirm", "post"): "confirmContract",
    ("settlement.PaymentReverse", "post"): "reversePayment",
    ("settlement.RefundReverse", "post"): "reverseRefund",
    ("settlement.Penalties", "get"): "listPenalties",
    ("settlement.Penalties", "post"): "createPenalty",
    ("settlement.AmendmentConfirm", "post"): "confirmAmendment",
    ("invoices.InvoiceRequest", "get"): "getInvoiceRequest",
    ("invoices.InvoiceRequestPdf", "get"): "getInvoiceRequestPdf",
    ("invoices.InvoiceFile", "get"): "getInvoiceFile",
    ("invoices.InvoiceFile", "put"): "attachInvoiceFile",
    ("operations.healthz", "get"): "getHealth",
    ("operations.readyz", "get"): "getReadiness",
    ("operations.version", "get"): "getVersion",
}

_VERBS = {"get": "get", "post": "create", "put": "replace", "patch": "update", "delete": "delete"}

# operationId → example request body (Chinese where a person writes text).
REQUEST_EXAMPLES: dict[str, dict] = {
    "createParty": {
        "code": "xicheng-audit",
        "name": "北京市西城区审计局",
        "general_taxpayer": False,
        "bank_accounts": [],
    },
    "updateParty": {
        "taxpayer_id": "11110102MB0000000X",
        "general_taxpayer": False,
    },
    "createContract": {
        "code": "DS-12345-2027",
        "title": "德胜街道接诉即办（座席外包）项目服务协议（2027—2028年度）",
        "buyer": "desheng",
        "vendors": ["unicom-bj", "bj-telecom-dev"],
        "auditors": [],
        "total_amount": "1956564.00",
        "signed_on": "2027-06-10",
        "service_start": "2027-07-01",
        "service_end": "2028-06-30",
        "tax_rates": [{"rate": "0.06", "effective_from": "2027-06-10"}],
        "tranches": [
            {"seq": 1, "amount": "978282.00", "due": {"kind": "months_after_signing", "months": 1}},
            {"seq": 2, "amount": "586969.20", "due": {"kind": "on_or_before", "date": "2027-11-30"}},
            {"seq": 3, "amount": "remainder", "due": {"kind": "working_days_after_audit", "days": 15}},
        ],
        "terms": {"invoice_lead_working_days": 3, "objection_window_working_days": 5,
                  "overdue_termination_days": 60, "penalty_rate": "0.01", "rectification_limit": 3,
                  "termination_notice_months": 3},
    },
    "createPayment": {
        "tranche_seq": 2,
        "amount": "586969.20",
        "paid_on": "2026-11-30",
        "bank_reference": "ICBC20261130001",
    },
    "createRefund": {
        "amount": "56564.00",
        "refunded_on": "2027-08-20",
        "bank_reference": "ICBC20270820001",
    },
    "createDelayNotice": {
        "tranche_seq": 2,
        "given_on": "2026-12-01",
        "explanation": "区财政国库集中支付审批尚未完成，第二期款项预计于12月15日前支付。",
        "expected_payment_on": "2026-12-15",
    },
    "createAuditOpinion": {
        "audited_amount": "1900000.00",
        "delivered_on": "2027-07-15",
        "reference": "西审字〔2027〕第15号",
    },
    "respondToAuditOpinion": {
        "decision": "object",
        "responded_on": "2027-07-19",
        "reason": "审定金额未计入2027年春节期间按甲方要求加开的夜间座席服务费用。",
    },
    "completeAudit": {
        "completed_on": "2027-07-23",
    },
    "createRectification": {
        "noticed_on": "2026-08-10",
        "description": "8月第一周夜间时段（22:00—次日8:00）来电接通率低于合同约定的95%，请于10日内整改。",
    },
    "recordRectificationOutcome": {
        "outcome": "fixed",
        "outcome_on": "2026-08-20",
    },
    "createTermination": {
        "kind": "buyer_convenience",
        "notice_on": "2026-11-24",
    },
    "createAmendment": {
        "signed_on": "2026-12-01",
        "effective_from": "2027-01-01",
        "approval_reference": "德胜街道办〔2026〕45号",
        "description": "补充协议一：2027年起夜间增设2个座席，合同总价不变。",
    },
    "createInvoice": {
        "tranche_seq": 1, "type": "ordinary", "number": "26112000000012345678", "issued_on": "2026-07-06",
        "total": "978282.00", "net": "922907.55", "tax": "55374.45", "rate": "0.06",
        "buyer": {"name": "北京市西城区人民政府德胜街道办事处", "taxpayer_id": "11110102000013004J"},
        "seller": {"name": "中国联合网络通信有限公司北京市分公司", "taxpayer_id": "91110000MA00UNC01Q"},
    },
    "reverseInvoice": {
        "number": "26112000000012345679", "issued_on": "2026-07-20", "amount": "100000.00",
        "reason": "服务量调整，部分红冲",
    },
    "matchBankLine": {
        "contract_id": 1,
        "tranche_seq": 2,
    },
    "unmatchBankLine": {
        "reason": "该笔收款误匹配到本合同，实为其他项目的款项",
    },
    "reversePayment": {
        "reason": "同一笔第二期付款重复登记，冲正重复的一笔",
        "reversed_on": "2026-12-01",
    },
    "reverseRefund": {
        "reason": "退款金额登记有误，冲正后按银行回单重新登记",
        "reversed_on": "2027-08-21",
    },
    "createPenalty": {
        "amount": "19565.64",
        "claimed_on": "2027-03-15",
        "clause": "6.3",
        "reason": "累计3次整改仍未达到服务标准，按合同总价的1%主张违约金",
    },
    "confirmAmendment": {
        "confirmed_on": "2026-12-03",
    },
}

# Query parameter name → an example value (the seed contract, late November 2026).
QUERY_EXAMPLES: dict[str, object] = {
    "as_of": "2026-11-24",
    "code": "DS-12345-2026",
    "month": "2026-11",
    "page": 1,
    "page_size": 50,
    "status": "unmatched",
    "after": "0",
    "limit": 100,
}

# A 2xx response without a JSON schema that answers one of these is a file.
BINARY_TYPES = ("application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "text/csv", "application/octet-stream", "application/zip")


def default_operation_id(endpoint: str, method: str) -> str:
    """``<verb><Class>`` for an endpoint missing from :data:`OPERATION_IDS` (camelCase)."""
    view = endpoint.rsplit(".", 1)[-1]
    view = re.sub(r"[^0-9A-Za-z]", "", view) or "Resource"
    return _VERBS.get(method, method.lower()) + view[0].upper() + view[1:]


def operation_id(endpoint: str, method: str) -> str:
    return OPERATION_IDS.get((endpoint, method)) or default_operation_id(endpoint, method)


def _declared_content_types(rule, method: str, app) -> dict[str, str]:
    """status → the content_type the view declared with ``@blp.response(..., content_type=...)``."""
    if app is None or rule is None:
        return {}
    view = app.view_functions.get(rule.endpoint)
    cls = getattr(view, "view_class", None)
    func = getattr(cls, method, None) if cls is not None else view
    responses = ((getattr(func, "_apidoc", None) or {}).get("response") or {}).get("responses") or {}
    out = {}
    for status, docs in responses.items():
        for doc in docs if isinstance(docs, list) else [docs]:
            if isinstance(doc, dict) and doc.get("content_type"):
                out[str(status)] = doc["content_type"]
    return out


class ClientDocPlugin(BasePlugin):
    """operationId, example bodies and query values, binary file responses (see the module doc)."""

    def __init__(self):
        self.app = None
        self.seen: dict[str, str] = {}

    def operation_helper(self, path=None, operations=None, **kwargs):
        rule = kwargs.get("rule")
        endpoint = getattr(rule, "endpoint", None) or (path or "")
        for method, op in (operations or {}).items():
            if method not in _VERBS:
                continue
            opid = op.get("operationId") or operation_id(endpoint, method)
            owner = f"{endpoint} {method}"
            if self.seen.get(opid, owner) != owner:  # two endpoints would share an id: keep both unique
                opid = re.sub(r"[^0-9A-Za-z]", "", endpoint.split(".", 1)[0]) + opid[0].upper() + opid[1:]
            self.seen[opid] = owner
            op["operationId"] = opid

            example = REQUEST_EXAMPLES.get(opid)
            content = (op.get("requestBody") or {}).get("content") or {}
            if example is not None:
                for media in content.values():
                    media.setdefault("example", example)

            for param in op.get("parameters") or []:
                if isinstance(param, dict) and param.get("in") == "query" and param.get("name") in QUERY_EXAMPLES:
                    param.setdefault("example", QUERY_EXAMPLES[param["name"]])

            declared = _declared_content_types(rule, method, self.app)
            for status, resp in (op.get("responses") or {}).items():
                if not isinstance(resp, dict) or not str(status).startswith("2") or resp.get("content"):
                    continue
                ctype = declared.get(str(status))
                if ctype in BINARY_TYPES or (ctype and not ctype.endswith("json")):
                    resp["content"] = {ctype: {"schema": {"type": "string", "format": "binary"}}}
