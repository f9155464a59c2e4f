"""The monthly reconciliation report (issue 6): per contract and in total, as plain data.

Sums come from SQL aggregates over a chunk of contracts at a time; each
contract's schedule, earned value and rights come from the same domain rules as
the API, so the report and the API never disagree.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger, case, extract, func, select
from sqlalchemy.orm import Session

from invoices.vat import split
from settlement.domain import reconciliation as rec
from settlement.domain.contract import rate_on
from settlement.domain.earned import earned_through
from settlement.domain.money import from_fen
from settlement.models import Contract, Invoice, Payment
from settlement.services.state import load_states, rights_for

ZERO = Decimal("0.00")
CHUNK = 500


def _sum(col):
    return func.coalesce(func.sum(col, type_=BigInteger), 0)


def _signed_payment():
    return case((Payment.kind == "refund", -Payment.amount), else_=Payment.amount)


def contract_ids(session: Session, visible=None, code: str | None = None,
                 shard: tuple[int, int] | None = None) -> list[int]:
    """The report's contracts: visible to the caller, one code, or shard K of N (id mod N = K − 1)."""
    q = select(Contract.id).order_by(Contract.id)
    if shard is not None:
        k, n = shard
        q = q.where(Contract.id % n == k - 1)
    if visible is not None:
        q = q.where(Contract.id.in_(visible))
    if code:
        q = q.where(Contract.code == code)
    return list(session.scalars(q))


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def _aggregates(session: Session, ids: list[int], first: date, as_of: date) -> dict:
    """Invoiced and paid, in the month and to date, and the month's VAT by rate, per contract."""
    inv_month = (Invoice.issued_on >= first) & (Invoice.issued_on <= as_of)
    rows = session.execute(
        select(Invoice.contract_id,
               _sum(case((inv_month, Invoice.net), else_=0)), _sum(case((inv_month, Invoice.tax), else_=0)),
               _sum(case((inv_month, Invoice.total), else_=0)),
               _sum(Invoice.net), _sum(Invoice.tax), _sum(Invoice.total))
        .where(Invoice.contract_id.in_(ids), Invoice.issued_on <= as_of).group_by(Invoice.contract_id))
    out: dict = defaultdict(lambda: {"invoiced_month": {k: ZERO for k in rec.TRIPLE},
                                     "invoiced_to_date": {k: ZERO for k in rec.TRIPLE},
                                     "paid_month": ZERO, "paid_to_date": ZERO, "vat_by_rate": []})
    for cid, mn, mt, mtot, tn, tt, ttot in rows:
        out[cid]["invoiced_month"] = {"net": from_fen(mn), "tax": from_fen(mt), "total": from_fen(mtot)}
        out[cid]["invoiced_to_date"] = {"net": from_fen(tn), "tax": from_fen(tt), "total": from_fen(ttot)}
    pay_month = (Payment.paid_on >= first) & (Payment.paid_on <= as_of)
    for cid, month_fen, total_fen in session.execute(
            select(Payment.contract_id, _sum(case((pay_month, _signed_payment()), else_=0)), _sum(_signed_payment()))
            .where(Payment.contract_id.in_(ids), Payment.paid_on <= as_of).group_by(Payment.contract_id)):
        out[cid]["paid_month"], out[cid]["paid_to_date"] = from_fen(month_fen), from_fen(total_fen)
    for cid, rate, net, tax, total in session.execute(
            select(Invoice.contract_id, Invoice.rate, _sum(Invoice.net), _sum(Invoice.tax), _sum(Invoice.total))
            .where(Invoice.contract_id.in_(ids), inv_month)
            .group_by(Invoice.contract_id, Invoice.rate).order_by(Invoice.contract_id, Invoice.rate)):
        out[cid]["vat_by_rate"].append({"rate": rate, "net": from_fen(net), "tax": from_fen(tax),
                                        "total": from_fen(total)})
    return out


def _contract_section(st, open_rights, first: date, as_of: date, agg: dict) -> dict:
    """The contract's section of the report."""
    contract = st.contract
    earned_to_date = earned_through(st.earned, as_of)
    month_row = next((m for m in st.earned if m.first_day == first), None)
    earned_month = month_row.amount if month_row and first <= as_of else ZERO
    rate = rate_on(st.terms.tax_rates, as_of) or st.terms.tax_rates[0].rate
    vat_difference = split(st.terms.total, rate)[1] - sum((split(ln.amount, rate)[1] for ln in st.lines), ZERO)
    balance = agg["paid_to_date"] - earned_to_date
    op = st.opinion
    buyer = next((p.party.code for p in contract.parties if p.role == "buyer"), None)
    vendor = next((p.party.code for p in contract.parties if p.role == "vendor" and p.position == 0), None)
    return {
        "contract_id": contract.id, "code": contract.code, "title": contract.title, "buyer": buyer,
        "vendor": vendor, "total_amount": st.terms.total,
        "earned_month": earned_month, "earned_to_date": earned_to_date,
        "invoiced_month": agg["invoiced_month"], "invoiced_to_date": agg["invoiced_to_date"],
        "paid_month": agg["paid_month"], "paid_to_date": agg["paid_to_date"],
        "balance": balance, "position": rec.position(balance),
        "uninvoiced_earned": earned_to_date - agg["invoiced_to_date"]["total"],
        "settlement_status": st.opinion_state,
        "tranches": [{"seq": ln.seq, "amount": ln.amount, "due_date": ln.due.date if ln.due else None,
                      "invoice_due_date": ln.invoice_due.date if ln.invoice_due else None,
                      "paid": ln.paid, "outstanding": ln.outstanding, "invoiced": ln.invoiced,
                      "status": ln.status, "days_overdue": ln.days_overdue, "provisional": ln.provisional}
                     for ln in st.lines],
        "deadlines": rec.deadlines(st.lines, op.objection_deadline if op else None,
                                   st.opinion_state == "awaiting_vendor", as_of),
        "alerts": rec.alerts(st.lines, open_rights, st.opinion_state, vat_difference),
        "vat_by_rate": agg["vat_by_rate"],
    }


def _series(session: Session, ids: list[int], contracts_earned: dict[str, Decimal], last_month: str) -> list[dict]:
    """Cumulative earned, invoiced and paid by month (for the chart), over the report's contracts."""
    def by_month(col_date, amount, where):
        rows = session.execute(select(extract("year", col_date), extract("month", col_date), _sum(amount))
                               .where(where).group_by(extract("year", col_date), extract("month", col_date)))
        return {f"{int(y):04d}-{int(m):02d}": from_fen(v) for y, m, v in rows}
    if not ids:
        return []
    invoiced = by_month(Invoice.issued_on, Invoice.total, Invoice.contract_id.in_(ids))
    paid = by_month(Payment.paid_on, _signed_payment(), Payment.contract_id.in_(ids))
    months = sorted(m for m in set(contracts_earned) | set(invoiced) | set(paid) if m <= last_month)
    out, e, i, p = [], ZERO, ZERO, ZERO
    for m in months:
        e += contracts_earned.get(m, ZERO)
        i += invoiced.get(m, ZERO)
        p += paid.get(m, ZERO)
        out.append({"month": m, "earned": e, "invoiced": i, "paid": p})
    return out


def build_report(session: Session, month: str, as_of: date | None = None, *, ids: list[int] | None = None,
                 progress: Callable[[int], None] | None = None) -> dict:
    """The reconciliation for ``month`` as of ``as_of`` (default: the month's last day)."""
    first, last = rec.month_bounds(month)
    as_of = as_of or last
    ids = contract_ids(session) if ids is None else ids
    sections, earned_by_month, grand_total = [], defaultdict(lambda: ZERO), ZERO
    for chunk in _chunks(ids):
        agg = _aggregates(session, chunk, first, as_of)
        contracts = session.scalars(select(Contract).where(Contract.id.in_(chunk)).order_by(Contract.id)).all()
        states = load_states(session, contracts, as_of)
        open_rights = rights_for(session, list(states.values()))
        for contract in contracts:
            st = states[contract.id]
            section = _contract_section(st, open_rights[contract.id], first, as_of, agg[contract.id])
            sections.append(section)
            grand_total += section["total_amount"]
            for m in st.earned:
                earned_by_month[m.month] += m.amount
        if progress:
            progress(len(contracts))
        session.expunge_all()
    return {"month": month, "as_of": as_of, "contracts": sections, "totals": rec.totals(sections),
            "contract_total": grand_total, "series": _series(session, ids, earned_by_month, month)}


def _plain(value):
    if isinstance(value, Decimal):
        return f"{value:.2f}" if value.as_tuple().exponent >= -2 else format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def to_jsonable(report: dict) -> dict:
    """Amounts as two-decimal strings (rates as plain decimals), dates ISO."""
    plain = _plain(report)
    for section in [*plain["contracts"], plain["totals"]]:
        for row in section["vat_by_rate"]:
            row["rate"] = format(Decimal(row["rate"]).normalize(), "f")
    return plain


def to_json(report: dict) -> str:
    """Deterministic JSON: the same data gives byte-identical output."""
    return json_text(to_jsonable(report))


def json_text(plain: dict) -> str:
    """The JSON file's text for a report already in its plain form (:func:`to_jsonable`)."""
    return json.dumps(plain, ensure_ascii=False, indent=2) + "\n"


def write_json(plain: dict, fh) -> None:
    """:func:`json_text` written to a text file piece by piece (same characters, no big string)."""
    json.dump(plain, fh, ensure_ascii=False, indent=2)
    fh.write("\n")


def filter_contracts(plain_report: dict, visible_ids: set[int]) -> dict:
    """A stored (closed) report cut down to the caller's contracts, totals recomputed."""
    from settlement.domain.reconciliation import totals
    kept = [c for c in plain_report["contracts"] if c["contract_id"] in visible_ids]
    if len(kept) == len(plain_report["contracts"]):
        return plain_report
    parsed = [_parse_section(c) for c in kept]
    out = dict(plain_report, contracts=kept)
    out["totals"] = to_jsonable({"contracts": [], "totals": totals(parsed)})["totals"]
    return out


def _parse_section(c: dict) -> dict:
    d = dict(c)
    for f in rec.MONEY_FIELDS:
        d[f] = Decimal(c[f])
    for key in ("invoiced_month", "invoiced_to_date"):
        d[key] = {k: Decimal(v) for k, v in c[key].items()}
    d["vat_by_rate"] = [{"rate": Decimal(r["rate"]), **{k: Decimal(r[k]) for k in rec.TRIPLE}}
                        for r in c["vat_by_rate"]]
    return d
