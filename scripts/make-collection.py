#!/usr/bin/env python3
"""Write the Postman (v2.1) collection of the API from its OpenAPI document.

    .venv/bin/python scripts/make-collection.py            # writes docs/postman/settlement.postman_collection.json
    .venv/bin/python scripts/make-collection.py --check    # exit 1 when the committed file is out of date

The collection is what a finance clerk imports (Postman: Import → File; Bruno and
Insomnia import Postman collections too): one folder per tag, one request per
operation named by its summary, bearer auth set once on the collection
(``{{token}}``), ``Idempotency-Key: {{$guid}}`` on every POST, the example
bodies of ``settlement/api/examples.py``, and collection variables for the base
URL and the ids in paths (``{{contract_id}}`` = 1, the seed contract).
The output is deterministic: regenerating it gives the same bytes
(tests/api/test_openapi_doc.py checks that the committed file is up to date).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "postman" / "settlement.postman_collection.json"
SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"

# Collection variables: the base URL and the ids in paths (the seed contract's, after `make run`).
VARIABLES = [
    ("baseUrl", "http://127.0.0.1:8000", "where the service runs (make run serves on port 8000)"),
    ("token", "", "your bearer token (flask tokens create --party desheng --role buyer prints one)"),
    ("contract_id", "1", "DS-12345-2026, the seed contract"),
    ("invoice_id", "1", ""),
    ("opinion_id", "1", ""),
    ("rect_id", "1", ""),
    ("line_id", "1", ""),
    ("payment_id", "1", ""),
    ("amendment_id", "1", ""),
    ("code", "desheng", "a party's code"),
]
METHODS = ("get", "post", "put", "patch", "delete")


def openapi_document() -> dict:
    """The service's OpenAPI document, built by the application factory (no server, a throw-away database)."""
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("INSTANCE_PATH", tmp)
        from settlement import create_app
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/spec.db", "PUBLIC_URL": None})
        doc = app.extensions["settlement"]["api"].spec.to_dict()
        app.extensions["settlement"]["engine"].dispose()
        return doc


def _resolve(doc: dict, obj):
    while isinstance(obj, dict) and "$ref" in obj:
        section, name = obj["$ref"].split("/")[-2:]
        obj = doc["components"][section][name]
    return obj


def _url(path: str, query: list[dict]) -> dict:
    segments = [re.sub(r"^\{(\w+)\}$", r"{{\1}}", s) for s in path.strip("/").split("/")]
    raw = "{{baseUrl}}/" + "/".join(segments)
    enabled = [q for q in query if not q.get("disabled")]
    if enabled:
        raw += "?" + "&".join(f"{q['key']}={q['value']}" for q in enabled)
    url = {"raw": raw, "host": ["{{baseUrl}}"], "path": segments}
    if query:
        url["query"] = query
    return url


def _query(doc: dict, params: list) -> list[dict]:
    out = []
    for p in params:
        p = _resolve(doc, p)
        if p.get("in") != "query":
            continue
        example = p.get("example", (p.get("schema") or {}).get("default", ""))
        entry = {"key": p["name"], "value": str(example).lower() if isinstance(example, bool) else str(example)}
        desc = p.get("description") or (p.get("schema") or {}).get("description")
        if desc:
            entry["description"] = desc
        if not p.get("required"):
            entry["disabled"] = True
        out.append(entry)
    return out


def _request(doc: dict, path: str, method: str, op: dict, path_params: list) -> dict:
    params = [_resolve(doc, p) for p in path_params + (op.get("parameters") or [])]
    headers = [{"key": "Accept-Language", "value": "zh-CN",
                "description": "problem messages in Chinese; en for English"}]
    body = None
    content = (op.get("requestBody") or {}).get("content") or {}
    if "application/json" in content:
        headers.insert(0, {"key": "Content-Type", "value": "application/json"})
        example = content["application/json"].get("example", {})
        body = {"mode": "raw", "raw": json.dumps(example, ensure_ascii=False, indent=2),
                "options": {"raw": {"language": "json"}}}
    if any(p.get("name") == "Idempotency-Key" and p.get("in") == "header" for p in params):
        headers.append({"key": "Idempotency-Key", "value": "{{$guid}}",
                        "description": "a new key per request; reuse it only to retry the same request"})
    request = {"method": method.upper(), "header": headers, "url": _url(path, _query(doc, params))}
    if body is not None:
        request["body"] = body
    description = op.get("description") or op.get("summary") or ""
    if description:
        request["description"] = description
    return request


def build_collection(doc: dict) -> dict:
    """The Postman v2.1 collection for an OpenAPI 3 document (folders by tag, in the document's order)."""
    folders: dict[str, list] = {}
    for path, item in doc["paths"].items():
        path_params = item.get("parameters") or []
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            tag = (op.get("tags") or ["api"])[0]
            folders.setdefault(tag, []).append({
                "name": op.get("summary") or op.get("operationId") or f"{method.upper()} {path}",
                "request": _request(doc, path, method, op, path_params),
            })
    tag_docs = {t["name"]: t.get("description", "") for t in doc.get("tags", [])}
    title = doc["info"]["title"]
    return {
        "info": {
            "_postman_id": str(uuid.uuid5(uuid.NAMESPACE_URL, "settlement:" + title)),
            "name": title,
            "description": (doc["info"].get("description", "") + "\n\nGenerated from /openapi.json by "
                            "scripts/make-collection.py. Set the collection variable `token` (Authorization: "
                            "Bearer Token is set on the collection) and `baseUrl`."),
            "schema": SCHEMA,
        },
        "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{token}}", "type": "string"}]},
        "variable": [{"key": k, "value": v, "type": "string", **({"description": d} if d else {})}
                     for k, v, d in VARIABLES],
        "item": [{"name": tag, "description": tag_docs.get(tag, ""), "item": items} for tag, items in folders.items()],
    }


def render(collection: dict) -> str:
    return json.dumps(collection, ensure_ascii=False, indent=2) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed collection is out of date")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    text = render(build_collection(openapi_document()))
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date: run python scripts/make-collection.py", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
