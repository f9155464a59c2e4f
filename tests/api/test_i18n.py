"""Problems in Chinese first, English kept ("Ready for the office", part 1).

Requests here go through ``api.client`` with explicit headers, so that the
language each test asserts is the one it asked for (no Accept-Language: Chinese).
"""
from __future__ import annotations

import ast
import json
import re
import uuid
from pathlib import Path
from string import Formatter

import pytest

from settlement.api.problem_pages import PAGES
from settlement.api.problems import TITLES, TYPE_BY_STATUS, handle_problem, problem_response
from settlement.errors import Conflict, Invalid, NotFound, Problem
from settlement.i18n import Text, _, catalogue, label, render
from tests.conftest import BUYER, VENDOR

ROOT = Path(__file__).resolve().parents[2]
BASE = "http://localhost/problems/"
PAY = {"amount": "586969.20", "paid_on": "2026-11-20", "bank_reference": "ICBC20261120001"}


def send(api, method, path, *, as_=BUYER, lang=None, json_body=None, data=None, headers=None):
    hdrs = {"Authorization": f"Bearer {api.token(*as_)}"} if as_ else {}
    if method == "POST":
        hdrs["Idempotency-Key"] = uuid.uuid4().hex
    if lang:
        hdrs["Accept-Language"] = lang
    hdrs.update(headers or {})
    return api.client.open(path, method=method, json=json_body, data=data, headers=hdrs)


def problem(resp, status):
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert set(body) >= {"type", "title", "status", "detail", "errors"} and body["status"] == status
    return body


def pay(api, seeded, body, lang=None):
    return send(api, "POST", f"/api/v1/contracts/{seeded}/payments", lang=lang, json_body=body)


# -- the language ---------------------------------------------------------------------------------

@pytest.mark.parametrize("header, locale, title", [
    (None, "zh-CN", "无法处理的内容"),
    ("zh-CN", "zh-CN", "无法处理的内容"),
    ("zh-TW,zh;q=0.9", "zh-CN", "无法处理的内容"),
    ("fr", "zh-CN", "无法处理的内容"),
    ("en", "en", "Unprocessable Content"),
    ("en-US,en;q=0.9", "en", "Unprocessable Content"),
    ("fr, en;q=0.5", "en", "Unprocessable Content"),
    ("en;q=0.5, zh-CN", "zh-CN", "无法处理的内容"),
])
def test_accept_language_picks_the_language(api, seeded, header, locale, title):
    r = pay(api, seeded, {**PAY, "paid_on": "2027-02-30"}, lang=header)
    body = problem(r, 422)
    assert body["title"] == title
    assert r.headers["Content-Language"] == locale
    assert "Accept-Language" in r.headers["Vary"]
    assert body["type"] == BASE + "validation-error"  # machine fields never change with the language


# -- dates: the field's label, the expected format and the reason ---------------------------------

@pytest.mark.parametrize("value, zh, en", [
    ("2027-02-30", "付款日期应为 YYYY-MM-DD；2027年2月没有30日",
     "paid_on must be a date as YYYY-MM-DD; February 2027 has no 30th day"),
    ("2026-02-29", "付款日期应为 YYYY-MM-DD；2026年2月没有29日",
     "paid_on must be a date as YYYY-MM-DD; February 2026 has no 29th day"),
    ("2026-04-31", "付款日期应为 YYYY-MM-DD；2026年4月没有31日",
     "paid_on must be a date as YYYY-MM-DD; April 2026 has no 31st day"),
    ("2026-13-01", "付款日期应为 YYYY-MM-DD；没有13月", "paid_on must be a date as YYYY-MM-DD; there is no month 13"),
    ("2026/11/20", "付款日期应为 YYYY-MM-DD 格式（例如 2026-11-20）",
     "paid_on must be a date as YYYY-MM-DD (e.g. 2026-11-20)"),
    ("2026年11月20日", "付款日期应为 YYYY-MM-DD 格式（例如 2026-11-20）",
     "paid_on must be a date as YYYY-MM-DD (e.g. 2026-11-20)"),
    ("2026-11-5", "付款日期应为 YYYY-MM-DD 格式（例如 2026-11-20）",
     "paid_on must be a date as YYYY-MM-DD (e.g. 2026-11-20)"),
    (20261120, "付款日期应为 YYYY-MM-DD 格式（例如 2026-11-20）",
     "paid_on must be a date as YYYY-MM-DD (e.g. 2026-11-20)"),
    ("１９９９-０１-０１", "付款日期应为 YYYY-MM-DD 格式（例如 2026-11-20）",
     "paid_on must be a date as YYYY-MM-DD (e.g. 2026-11-20)"),
    ("1999-12-31", "付款日期应在 2000-01-01 至 2090-12-31 之间", "paid_on must be between 2000-01-01 and 2090-12-31"),
])
def test_date_messages_name_the_field_format_and_reason(api, seeded, value, zh, en):
    body = problem(pay(api, seeded, {**PAY, "paid_on": value}), 422)
    assert body["errors"] == {"paid_on": [zh]}
    assert body["detail"] == zh
    body = problem(pay(api, seeded, {**PAY, "paid_on": value}, lang="en"), 422)
    assert body["errors"] == {"paid_on": [en]}
    assert body["detail"] == en


def test_nested_date_is_named_by_its_path(api, runner, seeded):
    contract = {"code": "C-9", "title": "测试", "buyer": "desheng", "vendors": ["unicom-bj"],
                "total_amount": "100.00", "signed_on": "2026-06-11", "service_start": "2026-07-01",
                "service_end": "2027-06-30",
                "tranches": [{"seq": 1, "amount": "100.00", "due": {"kind": "on_or_before", "date": "2026-11-31"}}]}
    r = send(api, "POST", "/api/v1/contracts", as_=("admin", None), json_body=contract)
    assert problem(r, 422)["errors"] == {"tranches.0.due.date": ["分期第1项的付款期限的日期应为 YYYY-MM-DD；2026年11月没有31日"]}
    r = send(api, "POST", "/api/v1/contracts", as_=("admin", None), json_body=contract, lang="en")
    assert problem(r, 422)["errors"] == {
        "tranches.0.due.date": ["tranches.0.due.date must be a date as YYYY-MM-DD; November 2026 has no 31st day"]}


# -- marshmallow's own messages --------------------------------------------------------------------

@pytest.mark.parametrize("body, field, zh, en", [
    ({"amount": "1.00", "paid_on": "2026-11-20"}, "bank_reference", "缺少必填项：银行流水号",
     "Missing data for required field."),
    ({**PAY, "tranche_seq": "二"}, "tranche_seq", "期次应为整数", "Not a valid integer."),
    ({**PAY, "colour": "red"}, "colour", "未知字段：colour", "Unknown field."),
    ({**PAY, "bank_reference": 12345}, "bank_reference", "银行流水号应为字符串", "Not a valid string."),
    ({**PAY, "bank_reference": ""}, "bank_reference", "银行流水号的长度应在 1 到 64 之间",
     "Length must be between 1 and 64."),
    ({**PAY, "tranche_seq": 100}, "tranche_seq", "期次应大于或等于 1 且小于或等于 99",
     "Must be greater than or equal to 1 and less than or equal to 99."),
    ({**PAY, "payer_account": None, "tranche_seq": None}, "tranche_seq", "期次不能为 null", "Field may not be null."),
])
def test_marshmallow_messages_are_translated(api, seeded, body, field, zh, en):
    assert problem(pay(api, seeded, body), 422)["errors"][field] == [zh]
    assert problem(pay(api, seeded, body, lang="en"), 422)["errors"][field] == [en]


def test_one_of_and_the_detail_of_several_errors(api, seeded):
    url = f"/api/v1/contracts/{seeded}/invoices"
    bad = {"tranche_seq": 1, "type": "bogus", "issued_on": "2026/07/06", "number": "26112000000012345678",
           "total": "978282.00", "net": "922907.55", "tax": "55374.45", "rate": "0.06",
           "buyer": {"name": "北京市西城区人民政府德胜街道办事处"}, "seller": {"name": "中国联合网络通信有限公司北京市分公司"}}
    body = problem(send(api, "POST", url, as_=VENDOR, json_body=bad), 422)
    assert body["errors"] == {"type": ["发票类型应为以下之一：ordinary, special"],
                              "issued_on": ["开票日期应为 YYYY-MM-DD 格式（例如 2026-11-20）"]}
    assert body["detail"] == "发票类型应为以下之一：ordinary, special。开票日期应为 YYYY-MM-DD 格式（例如 2026-11-20）"
    body = problem(send(api, "POST", url, as_=VENDOR, json_body=bad, lang="en"), 422)
    assert body["errors"] == {"type": ["Must be one of: ordinary, special."],
                              "issued_on": ["issued_on must be a date as YYYY-MM-DD (e.g. 2026-11-20)"]}
    assert body["detail"] == ("type: Must be one of: ordinary, special.; "
                              "issued_on must be a date as YYYY-MM-DD (e.g. 2026-11-20)")


@pytest.mark.parametrize("value, zh, en", [
    (586969.2, '金额应为字符串，例如 "978282.00"，不能是 JSON 数字',
     'amount must be a string such as "978282.00", not a JSON number'),
    ("1.001", "金额超过两位小数（精确到分），请自行四舍五入",
     "amount has more than two decimal places (fen); round it yourself"),
    ("NaN", "金额应为有限数值（不能是 NaN 或 Infinity）", "amount must be a finite number (no NaN or Infinity)"),
    ("-5.00", "金额不能为负数", "amount must not be negative"),
    ("1000000000000.00", "金额的绝对值须小于1万亿（1000000000000.00）",
     "amount must be below 1万亿 (1000000000000.00) in absolute value"),
])
def test_amount_messages(api, seeded, value, zh, en):
    assert problem(pay(api, seeded, {**PAY, "amount": value}), 422)["errors"] == {"amount": [zh]}
    assert problem(pay(api, seeded, {**PAY, "amount": value}, lang="en"), 422)["errors"] == {"amount": [en]}


def test_unstorable_text_names_the_field(api, seeded):
    body = problem(pay(api, seeded, {**PAY, "bank_reference": "a\x00b"}), 422)
    assert body["errors"] == {"bank_reference": ["银行流水号不能包含 NUL 字符"]}


def test_query_arguments_are_translated_too(api, seeded):
    body = problem(send(api, "GET", f"/api/v1/contracts/{seeded}/schedule?as_of=2026-11-31"), 422)
    assert body["errors"] == {"as_of": ["截至日期应为 YYYY-MM-DD；2026年11月没有31日"]}
    body = problem(send(api, "GET", "/api/v1/contracts?page=0", lang="en"), 422)
    assert body["errors"] == {"page": ["Must be greater than or equal to 1 and less than or equal to 1000000."]}


# -- service problems: Text rendered, str shown as it is -------------------------------------------

def _render_problem(app, exc, lang=None):
    headers = {"Accept-Language": lang} if lang else {}
    with app.test_request_context("/api/v1/x", headers=headers):
        resp = handle_problem(exc)
        return resp.status_code, json.loads(resp.get_data(as_text=True))


def test_a_text_detail_is_rendered_in_the_request_language(app):
    exc = Conflict(_("month {month} is already closed", month="2026-11"), type_slug="month-closed",
                   errors={"paid_on": [_("must not be after today ({today})", today="2026-11-27")]},
                   extra={"closed_through": "2026-11"})
    status, body = _render_problem(app, exc)
    assert status == 409
    assert body == {"type": BASE + "month-closed", "title": "冲突", "status": 409,
                    "detail": "会计月份 2026-11 已结账", "errors": {"paid_on": ["不能晚于今天（2026-11-27）"]},
                    "closed_through": "2026-11"}
    status, body = _render_problem(app, exc, "en")
    assert body["title"] == "Conflict" and body["detail"] == "month 2026-11 is already closed"
    assert body["errors"] == {"paid_on": ["must not be after today (2026-11-27)"]}


def test_a_field_named_in_a_detail_reads_as_its_label(app):
    exc = Invalid(_("{field} {day} is after today ({today}): record a fact once it has happened",
                    field="paid_on", day="2026-12-01", today="2026-11-27"))
    assert _render_problem(app, exc)[1]["detail"] == "付款日期 2026-12-01 晚于今天（2026-11-27）：请在事情发生后再登记"
    assert _render_problem(app, exc, "en")[1]["detail"] == \
        "paid_on 2026-12-01 is after today (2026-11-27): record a fact once it has happened"


def test_a_plain_string_detail_is_shown_as_it_is(app):
    exc = NotFound("no contract 42", errors={"tranche_seq": ["no tranche 9"]})
    status, body = _render_problem(app, exc)
    assert (status, body["title"], body["detail"], body["errors"]) == \
        (404, "未找到", "no contract 42", {"tranche_seq": ["no tranche 9"]})
    assert _render_problem(app, exc, "en")[1]["title"] == "Not Found"


def test_a_plain_string_title_gives_way_to_the_status_title(app):
    with app.test_request_context("/api/v1/x"):
        body = json.loads(problem_response(409, "Conflict", "x", type_slug="write-conflict").get_data(as_text=True))
    assert body["title"] == "冲突" and body["type"] == BASE + "write-conflict"


# -- one title style --------------------------------------------------------------------------------

@pytest.mark.parametrize("status, zh, en", [
    (400, "请求无效", "Bad Request"), (401, "未认证", "Unauthorized"), (403, "无权操作", "Forbidden"),
    (404, "未找到", "Not Found"), (405, "方法不允许", "Method Not Allowed"), (409, "冲突", "Conflict"),
    (413, "请求体过大", "Content Too Large"), (415, "不支持的媒体类型", "Unsupported Media Type"),
    (422, "无法处理的内容", "Unprocessable Content"), (429, "请求过多", "Too Many Requests"),
    (500, "服务器内部错误", "Internal Server Error"), (503, "服务不可用", "Service Unavailable"),
])
def test_titles(app, status, zh, en):
    for lang, title in ((None, zh), ("en", en)):
        status_, body = _render_problem(app, Problem("x", status=status), lang)
        assert (status_, body["title"]) == (status, title)


def test_titles_over_http(api, seeded):
    assert problem(send(api, "GET", "/api/v1/contracts", as_=None), 401)["title"] == "未认证"
    r = send(api, "GET", "/api/v1/contracts", as_=None, lang="en")
    assert problem(r, 401)["title"] == "Unauthorized" and r.headers["WWW-Authenticate"].startswith("Bearer")
    assert problem(send(api, "POST", f"/api/v1/contracts/{seeded}/payments", as_=VENDOR, json_body=PAY),
                   403)["title"] == "无权操作"
    assert problem(send(api, "GET", "/api/v1/contracts/999999"), 404)["title"] == "未找到"
    body = problem(send(api, "GET", "/api/v1/no-such-thing"), 404)
    assert body["detail"] == "/api/v1/no-such-thing 不存在"
    r = send(api, "DELETE", f"/api/v1/contracts/{seeded}", lang="en")
    body = problem(r, 405)
    assert body["title"] == "Method Not Allowed" and "GET" in r.headers["Allow"]
    body = problem(send(api, "POST", f"/api/v1/contracts/{seeded}/payments", data="{oops",
                        headers={"Content-Type": "application/json"}), 400)
    assert (body["title"], body["detail"], body["errors"]) == ("请求无效", "请求体不是合法的 JSON", {"body": ["不是合法的 JSON"]})


def test_unexpected_error_in_chinese(api, seeded, monkeypatch):
    from settlement.services import views

    def boom(*a, **k):
        raise RuntimeError("SELECT secret FROM api_tokens")

    monkeypatch.setattr(views, "schedule_view", boom)
    body = problem(send(api, "GET", f"/api/v1/contracts/{seeded}/schedule?as_of=2026-11-24"), 500)
    assert (body["title"], body["detail"]) == ("服务器内部错误", "服务出现意外错误，已记录日志")
    assert body["type"] == BASE + "server-error"


# -- 415: a write whose body is not JSON ---------------------------------------------------------------

def test_text_plain_body_is_415(api, seeded):
    url = f"/api/v1/contracts/{seeded}/payments"
    raw = json.dumps(PAY)
    r = send(api, "POST", url, data=raw, headers={"Content-Type": "text/plain"})
    body = problem(r, 415)
    assert body == {"type": BASE + "unsupported-media-type", "title": "不支持的媒体类型", "status": 415,
                    "detail": "请求体须为 JSON，并带请求头 Content-Type: application/json（本次请求为 text/plain；"
                              "在 Postman 中请选择 Body → raw → JSON）",
                    "errors": {"Content-Type": ["应为 application/json"]}}
    assert r.headers["Accept-Post"] == "application/json"
    body = problem(send(api, "POST", url, data=raw, lang="en", headers={"Content-Type": "text/plain"}), 415)
    assert body["title"] == "Unsupported Media Type"
    assert body["detail"] == ("the request body must be JSON: send it with the header Content-Type: "
                              "application/json (this request has text/plain)")
    # curl -d without -H sends a form content type
    body = problem(send(api, "POST", url, data=raw, lang="en",
                        headers={"Content-Type": "application/x-www-form-urlencoded"}), 415)
    assert "(this request has application/x-www-form-urlencoded)" in body["detail"]
    # a body without any Content-Type
    r = api.client.post(url, data=raw.encode(), headers={"Authorization": f"Bearer {api.token(*BUYER)}",
                                                          "Accept-Language": "en"})
    assert "(this request has no Content-Type header)" in problem(r, 415)["detail"]
    assert send(api, "GET", url).get_json()["total"] == 0  # nothing was recorded


def test_patch_with_text_is_415_and_json_with_charset_is_fine(api, seeded):
    r = send(api, "PATCH", "/api/v1/parties/desheng", as_=("admin", None), data='{"name": "x"}',
             headers={"Content-Type": "text/plain; charset=utf-8"})
    problem(r, 415)
    r = send(api, "POST", f"/api/v1/contracts/{seeded}/payments", data=json.dumps(PAY).encode("utf-8"),
             headers={"Content-Type": "application/json; charset=utf-8"})
    assert r.status_code == 201, r.get_json()
    r = send(api, "POST", f"/api/v1/contracts/{seeded}/payments", data=json.dumps({**PAY, "bank_reference": "B-2"}),
             headers={"Content-Type": "application/merge-patch+json"})
    assert r.status_code == 201, r.get_json()


def test_415_does_not_apply_to_reads_or_bodiless_writes(api, seeded):
    assert send(api, "GET", f"/api/v1/contracts/{seeded}", headers={"Content-Type": "text/plain"}).status_code == 200
    # an operation whose fields are all optional accepts a POST without a body (the schema decides)
    r = api.client.post(f"/api/v1/contracts/{seeded}/audit-opinions/999/complete",
                        headers={"Authorization": f"Bearer {api.token(*BUYER)}"})
    assert r.status_code == 404, r.get_json()


# -- problem type URIs resolve -----------------------------------------------------------------------------

def test_type_is_an_absolute_uri_that_resolves(api, seeded):
    body = problem(pay(api, seeded, {**PAY, "paid_on": "2027-02-30"}), 422)
    assert body["type"] == "http://localhost/problems/validation-error"
    page = api.client.get("/problems/validation-error")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "无法处理的内容" in html and "Unprocessable Content" in html and 'lang="zh-CN"' in html
    page = api.client.get("/problems/validation-error", headers={"Accept": "application/json"})
    assert page.status_code == 200 and page.mimetype == "application/json"
    data = page.get_json()
    assert data["type"] == body["type"] and data["status"] == 422
    assert data["title"] == {"zh-CN": "无法处理的内容", "en": "Unprocessable Content"}
    assert data["description"]["zh-CN"] and data["description"]["en"]


def test_unknown_problem_page_is_404(api):
    body = problem(api.client.get("/problems/no-such-problem"), 404)
    assert body["detail"] == "没有问题类型 no-such-problem"
    body = problem(api.client.get("/problems/no-such-problem", headers={"Accept-Language": "en"}), 404)
    assert body["detail"] == "there is no problem type no-such-problem"


def test_problem_index_lists_every_page(api):
    page = api.client.get("/problems/", headers={"Accept": "application/json"})
    assert [p["slug"] for p in page.get_json()["items"]] == list(PAGES)
    assert api.client.get("/problems/").status_code == 200


def test_public_url_is_the_base_of_problem_types(api, app, seeded, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://settlement.example.gov.cn/")
    body = problem(pay(api, seeded, {**PAY, "paid_on": "x"}), 422)
    assert body["type"] == "https://settlement.example.gov.cn/problems/validation-error"


def _emitted_slugs() -> dict[str, str]:
    """Every type slug the code can emit: type_slug="..." (and class attributes), TYPE_BY_STATUS."""
    found = {slug: "TYPE_BY_STATUS" for slug in TYPE_BY_STATUS.values()}
    keyword = re.compile(r"""type_slug=\s*["']([a-z0-9-]+)["']""")           # Problem(..., type_slug="x")
    attribute = re.compile(r"""^\s*[\w, ]*\btype_slug\s*=.*["']([a-z0-9-]+)["']\s*$""", re.M)  # class attrs
    for root in ("settlement", "invoices"):
        for path in sorted((ROOT / root).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            for m in [*keyword.finditer(text), *attribute.finditer(text)]:
                found.setdefault(m.group(1), str(path.relative_to(ROOT)))
    return found


def test_every_slug_the_code_can_emit_has_a_page():
    slugs = _emitted_slugs()
    assert {"month-closed", "over-payment", "idempotency-key-required", "unauthorized"} <= set(slugs)
    missing = {slug: where for slug, where in slugs.items() if slug not in PAGES}
    assert not missing, f"add a page to settlement/api/problem_pages.py PAGES for: {missing}"
    for slug, page in PAGES.items():
        assert page["title"]["zh-CN"] and page["title"]["en"] and page["description"]["zh-CN"], slug


# -- the catalogue guards everyone's messages ---------------------------------------------------------------

def _msgids() -> dict[str, str]:
    """Every _("...") msgid in the code base (the first argument, a string literal), with where it is."""
    found = {}
    for root in ("settlement", "invoices"):
        for path in sorted((ROOT / root).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"
                        and node.args and isinstance(node.args[0], ast.Constant)
                        and isinstance(node.args[0].value, str)):
                    found.setdefault(node.args[0].value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


# Translations that use parameters the English id does not show (the date's numbers).
EXTRA_PARAMS = {
    "{field} must be a date as YYYY-MM-DD; {month_name} {year} has no {day_ordinal} day": {"month", "day"},
}


def test_every_message_has_a_chinese_translation():
    ids = _msgids()
    assert len(ids) > 50
    zh = catalogue("zh_CN")
    missing = {msgid: where for msgid, where in ids.items() if msgid not in zh}
    assert not missing, ("add these msgids with their Chinese to settlement/translations/zh_CN/LC_MESSAGES/"
                         f"messages.po: {json.dumps(missing, ensure_ascii=False, indent=1)}")


def test_translations_use_only_known_parameters():
    zh = catalogue("zh_CN")
    for msgid, msgstr in zh.items():
        if "\x04" in msgid:
            continue
        allowed = _placeholders(msgid) | {"field"} | EXTRA_PARAMS.get(msgid, set())
        assert _placeholders(msgstr) <= allowed, (msgid, msgstr)


def test_every_input_field_has_a_chinese_label(app):
    spec = app.extensions["settlement"]["api"].spec.to_dict()
    schemas = spec["components"]["schemas"]
    names: set[str] = set()

    def walk(schema, seen=()):
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                walk(schemas[name], seen + (name,))
            return
        for key, value in schema.get("properties", {}).items():
            names.add(key)
            walk(value, seen)
        if "items" in schema:
            walk(schema["items"], seen)

    for item in spec["paths"].values():
        for method, op in item.items():
            if method == "parameters":
                continue
            for media in (op.get("requestBody") or {}).get("content", {}).values():
                walk(media["schema"])
            names.update(p["name"] for p in op.get("parameters", []) if isinstance(p, dict) and p.get("in") == "query")
    missing = sorted(n for n in names if label(n) == n)
    assert not missing, f'add msgctxt "field" labels to messages.po for: {missing}'
    assert label("tranches.1.amount") == "分期第2项的金额" and label("tranches.1.amount", "en") == "tranches.1.amount"


def test_text_api():
    t = _("{field} must not be negative")
    assert str(t) == "value must not be negative"
    assert t.render("zh_CN", field="amount") == "金额不能为负数"
    assert t.render("en", field="amount") == "amount must not be negative"
    assert render({"a": [t]}, "en", field="x") == {"a": ["x must not be negative"]}
    assert isinstance(t, Text) and t == "value must not be negative"
    assert _("a {brace").render("zh_CN") == "a {brace"  # a stray brace never raises
    assert TITLES[422].render("zh_CN") == "无法处理的内容"
