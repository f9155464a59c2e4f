"""An OpenAPI document a REST client can use as it is ("Ready for the office", part 6), and the
Postman collection generated from it (part 7)."""
from __future__ import annotations

import importlib.util
import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from settlement.api.examples import OPERATION_IDS, QUERY_EXAMPLES, REQUEST_EXAMPLES
from tests.conftest import BUYER

ROOT = Path(__file__).resolve().parents[2]
COLLECTION = ROOT / "docs" / "postman" / "settlement.postman_collection.json"
METHODS = ("get", "post", "put", "patch", "delete")
CAMEL = re.compile(r"^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)*$")


@pytest.fixture
def spec(app):
    """The document as `flask openapi write` or the collection script see it (no request)."""
    return app.extensions["settlement"]["api"].spec.to_dict()


@pytest.fixture
def served(app):
    """The document as a client downloads it from /openapi.json."""
    resp = app.test_client().get("/openapi.json")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    return resp.get_json()


def operations(doc):
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def resolve(doc, obj):
    while isinstance(obj, dict) and "$ref" in obj:
        section, name = obj["$ref"].split("/")[-2:]
        obj = doc["components"][section][name]
    return obj


# -- a valid document with standard keywords only --------------------------------------------------

def test_document_is_valid_openapi(served):
    try:
        from openapi_spec_validator import validate
    except ImportError:  # not a dependency of the service: the OpenAPI 3.0 meta-schema schemathesis ships
        import jsonschema_rs
        from schemathesis.specs.openapi.definitions import OPENAPI_30
        errors = [str(e)[:300] for e in jsonschema_rs.Draft4Validator(OPENAPI_30).iter_errors(served)]
        assert not errors, errors[:5]
    else:
        validate(served)
    assert served["openapi"].startswith("3.0")


def test_schemathesis_loads_it(app):
    import schemathesis
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    assert len([r.ok() for r in schema.get_all_operations()]) >= 30


def _keys(node, path=""):
    if isinstance(node, dict):
        for k, v in node.items():
            yield f"{path}/{k}", k
            if k not in ("example", "examples"):  # example values are data, not keywords
                yield from _keys(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _keys(v, f"{path}/{i}")


def test_standard_keywords_only(served):
    extensions = [p for p, k in _keys(served) if isinstance(k, str) and k.startswith("x-")]
    assert not extensions, extensions[:10]
    paid_on = served["components"]["schemas"]["PaymentCreate"]["properties"]["paid_on"]
    assert paid_on == {"type": "string", "format": "date", "description": "YYYY-MM-DD, 2000-01-01..2090-12-31"}


# -- operationIds ------------------------------------------------------------------------------------

def test_every_operation_has_a_stable_camel_case_operation_id(spec):
    ids = [op.get("operationId") for _, _, op in operations(spec)]
    assert all(ids) and len(ids) == len(set(ids)), ids
    bad = [i for i in ids if not CAMEL.match(i)]
    assert not bad, bad
    by_route = {(method, path): op["operationId"] for path, method, op in operations(spec)}
    assert by_route[("post", "/api/v1/contracts/{contract_id}/payments")] == "createPayment"
    assert by_route[("get", "/api/v1/contracts/{contract_id}/schedule")] == "getSchedule"
    assert by_route[("get", "/api/v1/contracts")] == "listContracts"
    assert by_route[("get", "/api/v1/invoices/{invoice_id}/pdf")] == "getInvoicePdf"
    assert by_route[("post", "/api/v1/invoices/{invoice_id}/reverse")] == "reverseInvoice"
    table = {opid for (endpoint, method), opid in OPERATION_IDS.items()}
    assert len(table) == len(OPERATION_IDS), "two endpoints share an operationId in the table"


def test_an_endpoint_missing_from_the_table_still_gets_a_camel_case_id():
    from settlement.api.examples import operation_id
    assert operation_id("invoices.PlatformInvoices", "post") == "createPlatformInvoices"
    assert operation_id("settlement.Payments", "post") == "createPayment"


# -- servers -------------------------------------------------------------------------------------------

def test_servers(spec, served, app, monkeypatch):
    assert spec["servers"] == [{"url": "/"}]
    assert served["servers"] == [{"url": "http://localhost", "description": "this service"}]
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://settlement.example.gov.cn/")
    doc = app.test_client().get("/openapi.json").get_json()
    assert doc["servers"][0]["url"] == "https://settlement.example.gov.cn"


# -- examples --------------------------------------------------------------------------------------------

def _request_schema(app, path, method):
    """The marshmallow schema that really validates the operation's JSON body."""
    rule = next(r for r in app.url_map.iter_rules()
                if re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", r.rule) == path and method.upper() in r.methods)
    view = app.view_functions[rule.endpoint]
    func = getattr(view.view_class, method)
    params = func._apidoc["arguments"]["parameters"]
    schema = next(p["schema"] for p in params if p.get("location", "json") == "json")
    return schema() if isinstance(schema, type) else schema


def test_every_write_has_a_realistic_example_the_api_accepts(app, spec):
    seen = set()
    for path, method, op in operations(spec):
        content = (op.get("requestBody") or {}).get("content", {})
        if method not in ("post", "patch", "put") or "application/json" not in content:
            continue   # a file upload (PUT /invoices/{id}/file) has no JSON example
        example = content["application/json"].get("example")
        assert example is not None, f"add an example for {op['operationId']} to settlement/api/examples.py"
        schema = _request_schema(app, path, method)
        schema.load(example)  # raises if the example would be refused
        seen.add(op["operationId"])
    assert {"createPayment", "createContract", "createInvoice", "respondToAuditOpinion"} <= seen
    pay = REQUEST_EXAMPLES["createPayment"]
    assert pay == {"tranche_seq": 2, "amount": "586969.20", "paid_on": "2026-11-30", "bank_reference": "ICBC20261130001"}
    assert re.search(r"[\u4e00-\u9fff]", REQUEST_EXAMPLES["respondToAuditOpinion"]["reason"])


def test_the_payment_example_records_a_payment_on_the_seed(api, seeded):
    import time_machine
    with time_machine.travel(datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        r = api.post(f"/api/v1/contracts/{seeded}/payments", json=REQUEST_EXAMPLES["createPayment"], as_=BUYER)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["allocations"] == [{"tranche_seq": 2, "amount": "586969.20"}]


def test_query_parameters_have_examples(spec):
    for path, method, op in operations(spec):
        for p in op.get("parameters", []):
            p = resolve(spec, p)
            if p.get("in") == "query" and p["name"] in QUERY_EXAMPLES:
                assert p["example"] == QUERY_EXAMPLES[p["name"]], (path, p)


# -- responses and headers ----------------------------------------------------------------------------------

def test_pdf_responses_are_binary(spec):
    pdf = spec["paths"]["/api/v1/invoices/{invoice_id}/pdf"]["get"]["responses"]["200"]
    assert pdf["content"] == {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
    for path, method, op in operations(spec):
        if path.endswith("/pdf"):
            ok = op["responses"]["200"]["content"]
            assert list(ok) == ["application/pdf"] and ok["application/pdf"]["schema"]["format"] == "binary", path


def test_idempotency_key_and_language_are_documented(spec):
    for path, method, op in operations(spec):
        params = [resolve(spec, p) for p in op.get("parameters", [])]
        names = {(p["in"], p["name"]) for p in params}
        assert ("header", "Accept-Language") in names, (method, path)
        if method == "post":
            key = next(p for p in params if p["name"] == "Idempotency-Key")
            assert key["in"] == "header" and key["schema"] == {"type": "string", "minLength": 1, "maxLength": 255}
        if method in ("post", "patch") and "requestBody" in op:
            assert "415" in op["responses"], (method, path)
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert spec["security"] == [{"bearer": []}]


def test_problem_responses_are_problem_json(spec):
    problem = spec["components"]["schemas"]["Problem"]
    assert problem["properties"]["type"]["example"].endswith("/problems/validation-error")
    unprocessable = spec["components"]["responses"]["UNPROCESSABLE_ENTITY"]
    assert unprocessable["description"] == "Unprocessable Content"
    assert list(unprocessable["content"]) == ["application/problem+json"]


# -- the Postman collection -----------------------------------------------------------------------------------

def _collection_script():
    spec_ = importlib.util.spec_from_file_location("make_collection", ROOT / "scripts" / "make-collection.py")
    module = importlib.util.module_from_spec(spec_)
    spec_.loader.exec_module(module)
    return module


def test_postman_collection_is_up_to_date(spec):
    script = _collection_script()
    expected = script.render(script.build_collection(spec))
    assert COLLECTION.exists(), "run: python scripts/make-collection.py"
    assert COLLECTION.read_text(encoding="utf-8") == expected, \
        "docs/postman/settlement.postman_collection.json is out of date: run python scripts/make-collection.py"


def test_postman_collection_is_ready_to_import():
    col = json.loads(COLLECTION.read_text(encoding="utf-8"))
    assert col["info"]["schema"] == "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
    assert col["auth"] == {"type": "bearer", "bearer": [{"key": "token", "value": "{{token}}", "type": "string"}]}
    variables = {v["key"]: v["value"] for v in col["variable"]}
    assert variables["baseUrl"] == "http://127.0.0.1:8000" and variables["contract_id"] == "1"
    requests = [r for folder in col["item"] for r in folder["item"]]
    assert len(requests) >= 30
    for r in requests:
        req = r["request"]
        assert "auth" not in req  # inherits the collection's bearer auth
        assert req["url"]["raw"].startswith("{{baseUrl}}/")
        headers = {h["key"]: h["value"] for h in req["header"]}
        if req["method"] == "POST":
            assert headers["Idempotency-Key"] == "{{$guid}}", r["name"]
        if "body" in req:
            assert headers["Content-Type"] == "application/json"
            assert req["body"]["options"]["raw"]["language"] == "json"
            json.loads(req["body"]["raw"])
    payment = next(r for r in requests if r["request"]["method"] == "POST"
                   and r["request"]["url"]["raw"] == "{{baseUrl}}/api/v1/contracts/{{contract_id}}/payments")
    assert json.loads(payment["request"]["body"]["raw"])["bank_reference"] == "ICBC20261130001"
