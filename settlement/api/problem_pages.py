"""``GET /problems/<slug>``: what a problem ``type`` means, in Chinese and English (no token needed).

Every problem's ``type`` is ``<base>/problems/<slug>`` (``settlement.api.problems``);
opening it in a browser shows this page (HTML), and ``Accept: application/json``
gives the same as JSON. ``GET /problems/`` lists them all. An unknown slug is a 404.
A new ``type_slug`` in the code needs an entry in :data:`PAGES` (a test checks).
"""
from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify, request
from markupsafe import escape

from settlement.errors import NotFound
from settlement.i18n import _


def _page(status, zh_title, en_title, zh, en):
    return {"status": status, "title": {"zh-CN": zh_title, "en": en_title}, "description": {"zh-CN": zh, "en": en}}


PAGES: dict[str, dict] = {
    "bad-request": _page(
        400, "请求无效", "Bad Request",
        "服务无法理解这个请求，例如请求体不是合法的 JSON。请检查请求体的括号、引号和逗号。",
        "The request could not be understood, e.g. its body is not valid JSON. Check the body's brackets, "
        "quotes and commas."),
    "unauthorized": _page(
        401, "未认证", "Unauthorized",
        "请求缺少 Authorization: Bearer <令牌> 请求头，或令牌无效、已吊销。请向系统管理员申请令牌，"
        "在 REST 客户端的集合（collection）上把认证方式设为 Bearer Token。",
        "The request has no Authorization: Bearer <token> header, or the token is unknown or revoked. Ask "
        "the administrator for a token and set the collection's auth to Bearer Token in your REST client."),
    "forbidden": _page(
        403, "无权操作", "Forbidden",
        "令牌所属的角色不能执行这个操作，例如只有甲方可以登记付款，只有牵头乙方可以开具发票。detail 说明需要哪个角色。",
        "The token's role may not do this: e.g. only the buyer records payments and only the lead vendor "
        "issues invoices. The detail says which role it needs."),
    "not-found": _page(
        404, "未找到", "Not Found",
        "资源不存在，或者它属于令牌所属单位不参与的合同（为不泄露其他单位的信息，这种情况也答复 404）。"
        "请检查路径中的编号。",
        "There is no such resource, or it belongs to a contract the token's party is not on (that is a 404 "
        "too, so that nothing leaks about other parties' contracts). Check the ids in the path."),
    "method-not-allowed": _page(
        405, "方法不允许", "Method Not Allowed",
        "这个地址不支持该 HTTP 方法；响应头 Allow 列出可用的方法。",
        "This URL does not take this HTTP method; the Allow header lists the ones it takes."),
    "not-acceptable": _page(
        406, "无法提供所需格式", "Not Acceptable",
        "服务无法按 Accept 请求头要求的格式答复。",
        "The service cannot answer in a format the Accept header allows."),
    "conflict": _page(
        409, "冲突", "Conflict",
        "请求与合同当前的状态冲突，例如编号已存在或者操作已经做过。detail 说明原因。",
        "The request conflicts with the contract's current state, e.g. the code exists or it was already "
        "done. The detail says why."),
    "payload-too-large": _page(
        413, "请求体过大", "Content Too Large",
        "请求体超过服务允许的大小（默认 1 MiB）。",
        "The request body is larger than the service allows (1 MiB by default)."),
    "unsupported-media-type": _page(
        415, "不支持的媒体类型", "Unsupported Media Type",
        "写操作的请求体须为 JSON，并带请求头 Content-Type: application/json（可带 charset=utf-8）。"
        "在 Postman 中请选择 Body → raw → JSON，而不是 Text。",
        "A write's body must be JSON sent with Content-Type: application/json (charset=utf-8 is fine). In "
        "Postman choose Body → raw → JSON, not Text."),
    "validation-error": _page(
        422, "无法处理的内容", "Unprocessable Content",
        "请求体或查询参数中有字段不符合要求。errors 按字段路径（如 tranches.0.amount）列出每个问题，"
        "并说明应有的格式，例如日期应为 YYYY-MM-DD，金额应为两位小数的字符串 \"586969.20\"。",
        "A field of the body or the query does not meet its rules. errors lists each problem by field path "
        "(e.g. tranches.0.amount) with the expected format: dates as YYYY-MM-DD, amounts as strings with "
        "at most two decimals such as \"586969.20\"."),
    "too-many-requests": _page(
        429, "请求过多", "Too Many Requests",
        "短时间内请求过多（例如多次认证失败）。请按响应头 Retry-After 的秒数稍后重试。",
        "Too many requests in a short time (e.g. failed authentications). Retry after the number of seconds "
        "in the Retry-After header."),
    "server-error": _page(
        500, "服务器内部错误", "Internal Server Error",
        "服务出现意外错误，已记录日志。请稍后重试；如果持续出现，请把请求时间告诉系统管理员。",
        "The service met an unexpected error; it has been logged. Retry later, and if it persists tell the "
        "administrator when it happened."),
    "unavailable": _page(
        503, "服务不可用", "Service Unavailable",
        "服务暂时无法完成这个请求，请稍后重试。",
        "The service cannot complete this request for now; retry later."),
    "idempotency-key-required": _page(
        400, "缺少幂等键", "Idempotency-Key required",
        "乙方角色的每个 POST 请求都须带 Idempotency-Key 请求头（1-255 个字符，每个新请求用一个新值，"
        "重试时用原值），以免网络重试造成重复开票或重复登记。",
        "The vendor role must send an Idempotency-Key header (1-255 characters) on every POST: a new value "
        "for each new request, the same value when retrying, so that a retry never records anything twice."),
    "idempotency-in-flight": _page(
        409, "请求仍在处理中", "Request still in progress",
        "带同一个 Idempotency-Key 的请求仍在处理中。请按 Retry-After 稍后用同一个键重试，会得到第一次的结果。",
        "A request with this Idempotency-Key is still being processed. Retry with the same key after "
        "Retry-After seconds to get the first request's response."),
    "idempotency-mismatch": _page(
        422, "幂等键已用于另一请求", "Idempotency-Key used for another request",
        "这个 Idempotency-Key 已经用于一个不同的请求（方法、路径或请求体不同）。新的请求请使用新的键。",
        "This Idempotency-Key was already used with a different request (method, path or body). Use a new "
        "key for a new request."),
    "write-conflict": _page(
        409, "并发修改冲突", "Concurrent change",
        "同时有另一个修改，本次写入未能保存，没有任何数据被改动。请重试这个请求。",
        "Another change happened at the same time and this write could not be saved; nothing was changed. "
        "Retry the request."),
    "month-closed": _page(
        409, "会计月份已结账", "Month closed",
        "日期落在已结账月份（及其之前）的付款、退款、发票和红字发票会被拒绝，已结账月份的对账报告保持不变。"
        "如确需补录，请联系负责月末结账的财务人员重新打开该月份。",
        "A payment, refund, invoice or red-letter invoice dated in a closed month (or before it) is refused, "
        "so that the month's reconciliation stays as it was closed. To record it anyway, ask the finance "
        "staff who close the month to reopen it."),
    "no-such-right": _page(
        409, "该权利尚未产生", "No such right",
        "合同规定的这项权利（例如违约解除）在该日期尚未产生。GET /contracts/{id}/rights 列出各方已有的权利及产生日期。",
        "The contract gives no such right (e.g. termination for cause) on that date. GET "
        "/contracts/{id}/rights lists the rights each side has and the date each arose."),
    "over-payment": _page(
        409, "超额付款", "Over-payment",
        "这笔付款会使已付总额超过合同应付总额。响应中给出已付和应付金额，请核对金额或期次。",
        "The payment would take the amount paid above the contract's payable total. The response gives "
        "the figures; check the amount or the tranche."),
    "over-refund": _page(
        409, "超额退款", "Over-refund",
        "退款金额超过应退金额（已付超过审定金额或解除结算金额的部分）。",
        "The refund is more than the refund due (what was paid beyond the audited or termination amount)."),
    "window-closed": _page(
        409, "异议期已过", "Objection window closed",
        "审计意见的异议期（送达后 5 个工作日）已经结束，乙方未答复的视为接受，意见已生效。",
        "The audit opinion's objection window (5 working days after delivery) has closed: without an "
        "answer it is deemed accepted and binding."),
    "not-binding": _page(
        409, "审计意见尚未生效", "Audit opinion not binding",
        "审计意见尚未生效（乙方尚未接受，或异议期尚未结束，或有异议），不能记录审计完成。",
        "The audit opinion is not binding yet (not accepted, its window still open, or disputed), so the "
        "audit cannot be recorded as complete."),
    "awaiting-audit": _page(
        409, "待审计完成", "Awaiting the audit",
        "最后一期按审定金额结算，须在审计意见生效后才能开票。",
        "The final tranche is settled by the audited amount and can be invoiced only once the audit "
        "opinion is binding."),
    "invoice-mismatch": _page(
        422, "发票与开票信息不一致", "Invoice does not match",
        "登记的发票与系统计算的开票信息不一致（金额、税额、税率、购买方或销售方）。errors 逐项列出两边的值。",
        "The invoice recorded differs from the invoice request the service computed (amounts, tax, rate, "
        "buyer or seller). errors lists each field with both values."),
    "taxpayer-id-missing": _page(
        422, "缺少税务登记信息", "Taxpayer registration missing",
        "登记发票需要销售方的统一社会信用代码（专用发票还需要购买方的代码和一般纳税人资格）。missing 给出当事方、"
        "字段和 PATCH 的路径。",
        "Recording an invoice needs the seller's unified social credit code (a special invoice also the "
        "buyer's and its general-taxpayer status). missing gives the party, the field and the PATCH path."),
    "number-generated": _page(
        409, "系统生成的号码", "Number generated by the service",
        "这张发票的号码是 0009 迁移之前由系统生成的，不是电子发票服务平台的号码；请上传平台的 XML 文件加以证明。",
        "The invoice's number was made up by the service before migration 0009, not issued by the tax "
        "platform; attach the platform's XML to prove it."),
    "over-invoicing": _page(
        409, "超额开票", "Over-invoicing",
        "这张发票会使该期次的开票金额超过期次金额。detail 给出该期次尚可开票的金额。",
        "The invoice would take the tranche's invoiced amount above the tranche. The detail gives what is "
        "left to invoice."),
    "terminated": _page(
        409, "合同已解除", "Contract terminated",
        "合同已经解除，自解除生效日起合同价款以解除结算为准，不能再签补充协议或出具新的审计意见。"
        "GET /contracts/{id}/termination 给出解除结算的金额。",
        "The contract was terminated: from the effective date its value is the termination's settlement, and "
        "no supplementary agreement or new audit opinion can change it. GET /contracts/{id}/termination "
        "gives the figures."),
    "binding": _page(
        409, "审计意见已生效", "Audit opinion binding",
        "已有生效的审计意见，审定金额即为合同价款；出具新的审计意见或变更价款须签订补充协议。",
        "An audit opinion is binding and the audited amount is the contract's value; a new opinion or a "
        "change of value needs a supplementary agreement."),
    "superseded": _page(
        409, "审计意见已被取代", "Audit opinion superseded",
        "这份审计意见已被修订后的意见取代，请对最新的意见进行答复。",
        "This audit opinion was superseded by a revised one; answer the latest opinion instead."),
    "answered": _page(
        409, "审计意见已答复", "Audit opinion already answered",
        "乙方已经答复过这份审计意见（接受或提出异议），不能再次答复。",
        "The vendor already answered this audit opinion (accepted or objected); it cannot be answered twice."),
    "completed": _page(
        409, "审计已完成", "Audit completed",
        "审计已经完成（审定金额已确定），不能再出具新的审计意见或再次记录完成。",
        "The audit is complete (the audited amount is final): no new opinion, and completion is recorded once."),
    "confirmed": _page(
        409, "已确认", "Already confirmed",
        "该单位已经确认过这份合同或补充协议，无需再次确认。",
        "This party already confirmed the contract or the supplementary agreement."),
    "over-set-off": _page(
        409, "抵扣金额超额", "Set-off above the penalties",
        "付款中抵扣的违约金（set_off）超过了尚未结清的违约金。",
        "The penalty set off against the payment (set_off) is more than the penalties outstanding."),
    "bank-matched": _page(
        409, "付款来自银行流水", "Payment from a bank statement",
        "这笔付款是从银行流水匹配登记的，不能直接冲销；请取消该银行流水的匹配。",
        "This payment was recorded by matching a bank statement line; unmatch the bank line instead of "
        "reversing the payment."),
    "already-matched": _page(
        409, "银行流水已匹配", "Bank line already matched",
        "这条银行流水已经匹配到一笔付款，不能再次匹配。",
        "This bank statement line is already matched to a payment."),
    "not-matched": _page(
        409, "银行流水未匹配", "Bank line not matched",
        "这条银行流水尚未匹配任何付款，无需取消匹配。",
        "This bank statement line is not matched to any payment."),
    "payer-not-buyer": _page(
        409, "付款人不是甲方", "Payer is not the buyer",
        "银行流水的付款人不是合同登记的甲方。如确认这笔款项属于该合同，请在请求中加上 \"confirm\": true 重新提交。",
        "The bank line's payer is not the contract's buyer on file. If the money does belong to the contract, "
        "send the request again with \"confirm\": true."),
    "not-ready": _page(
        503, "服务尚未就绪", "Not ready",
        "服务正在启动或无法连接数据库，暂时不能处理请求。请稍后重试。",
        "The service is starting or cannot reach its database, so it cannot take requests yet. Retry later."),
    "font-unavailable": _page(
        503, "PDF 字体不可用", "PDF font unavailable",
        "服务器没有可嵌入的中文 TrueType 字体，暂时无法生成 PDF；其他功能不受影响。请联系系统管理员配置 INVOICE_FONT。",
        "The server has no CJK TrueType font to embed, so PDFs cannot be made for now; everything else "
        "works. Ask the administrator to set INVOICE_FONT."),
}


def page_json(slug: str, base: str) -> dict:
    page = PAGES[slug]
    return {"type": base + slug, "slug": slug, **page}


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json", "application/problem+json"])
    return best in ("application/json", "application/problem+json")


_STYLE = ("body{font-family:system-ui,'PingFang SC','Microsoft YaHei',sans-serif;max-width:46rem;margin:2rem auto;"
          "padding:0 1rem;line-height:1.6;color:#222}code{background:#f3f3f3;padding:0 .25em}"
          ".en{color:#555}h1 small{font-weight:normal;color:#777}")


def _html(slug: str, page: dict, uri: str) -> str:
    t, d = page["title"], page["description"]
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{escape(t['zh-CN'])} · {escape(t['en'])}</title><style>{_STYLE}</style></head><body>"
            f"<h1>{escape(t['zh-CN'])} <small>HTTP {page['status']}</small></h1>"
            f"<p>{escape(d['zh-CN'])}</p>"
            f'<h2 class="en" lang="en">{escape(t["en"])}</h2><p class="en" lang="en">{escape(d["en"])}</p>'
            f"<p><code>type</code>: <code>{escape(uri)}</code></p>"
            f'<p><a href="./">所有问题类型 · All problem types</a></p></body></html>')


def _index_html(base: str) -> str:
    rows = "".join(f'<li><a href="{escape(slug)}">{escape(p["title"]["zh-CN"])} · {escape(p["title"]["en"])}</a>'
                   f" <small>HTTP {p['status']} · <code>{escape(slug)}</code></small></li>"
                   for slug, p in PAGES.items())
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>问题类型 · Problem types'
            f"</title><style>{_STYLE}</style></head><body><h1>问题类型 <small>Problem types</small></h1>"
            f"<ul>{rows}</ul></body></html>")


def register(app: Flask) -> None:
    bp = Blueprint("problem_pages", __name__)

    @bp.route("/problems/")
    def index():
        from settlement.api.problems import problem_base
        base = problem_base()
        if _wants_json():
            return jsonify({"items": [page_json(slug, base) for slug in PAGES]})
        return Response(_index_html(base), mimetype="text/html")

    @bp.route("/problems/<slug>")
    def page(slug):
        from settlement.api.problems import problem_base
        if slug not in PAGES:
            raise NotFound(_("there is no problem type {slug}", slug=slug))
        base = problem_base()
        if _wants_json():
            resp = jsonify(page_json(slug, base))
        else:
            resp = Response(_html(slug, PAGES[slug], base + slug), mimetype="text/html")
        resp.vary.add("Accept")
        resp.headers["Cache-Control"] = "public, max-age=3600"
        return resp

    app.register_blueprint(bp)
