"""The monthly reconciliation report (issue 6): per contract and in total, as plain data.

Every figure of a contract comes from its position on the report's date
(:mod:`settlement.domain.position`), so the report, the schedule, the settlement
and the earned-value endpoint never disagree. Contracts are read a chunk at a time
(a fixed number of queries per chunk).
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from settlement.domain import reconciliation as rec
from settlement.domain.position import Position
from settlement.i18n import render
from settlement.models import BankLine, Contract, ContractParty, Payment, PaymentReversal
from settlement.reports.labels import label
from settlement.services import months as months_svc
from settlement.services.positions import positions_of

ZERO = Decimal("0.00")
CHUNK = 500
DUPLICATE_WINDOW_DAYS = 3    # a bank credit and an API payment this close, same amount: probably one transfer
REPORT_LOCALE = "zh_CN"      # the files are for clerks; codes stay English beside the words


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


def _triple(invoices) -> dict:
    return {"net": sum((i.net for i in invoices), ZERO), "tax": sum((i.tax for i in invoices), ZERO),
            "total": sum((i.total for i in invoices), ZERO)}


def _party(contract: Contract, role: str) -> ContractParty | None:
    return next((p for p in contract.parties if p.role == role and p.position == 0), None)


def contract_section(contract: Contract, pos: Position, first: date) -> dict:
    """The contract's section of the month's report, from its position on the report's date."""
    as_of = pos.as_of
    earned_to_date = pos.earned_to_date
    month_row = next((m for m in pos.earned if m.first_day == first), None)
    earned_month = month_row.amount if month_row and first <= as_of else ZERO
    in_month = [i for i in pos.invoices if i.issued_on >= first]
    by_rate: dict[Decimal, list] = defaultdict(list)
    for i in in_month:
        by_rate[i.rate].append(i)
    invoiced_to_date = _triple(pos.invoices)
    paid_to_date = pos.paid_total
    balance = paid_to_date - earned_to_date
    op = pos.opinion
    buyer, vendor = _party(contract, "buyer"), _party(contract, "vendor")
    return {
        "contract_id": contract.id, "code": contract.code, "title": contract.title,
        "buyer": buyer.party.code if buyer else None, "buyer_name": buyer.party.name if buyer else None,
        "vendor": vendor.party.code if vendor else None, "vendor_name": vendor.party.name if vendor else None,
        "total_amount": pos.terms.total, "value": pos.value, "value_basis": pos.value_basis,
        "earned_month": earned_month, "earned_to_date": earned_to_date,
        "invoiced_month": _triple(in_month), "invoiced_to_date": invoiced_to_date,
        "paid_month": pos.paid_between(first, as_of), "paid_to_date": paid_to_date,
        "balance": balance, "position": rec.position(balance),
        "uninvoiced_earned": earned_to_date - invoiced_to_date["total"],
        "settlement_status": pos.settlement.status, "settlement_status_label": label(pos.settlement.status),
        "penalties": {"claimed": pos.penalties.claimed, "set_off": pos.penalties.set_off,
                      "outstanding": pos.penalties.outstanding},
        "tranches": [{"seq": ln.seq, "amount": ln.amount, "due_date": ln.due.date if ln.due else None,
                      "invoice_due_date": ln.invoice_due.date if ln.invoice_due else None,
                      "paid": ln.paid, "outstanding": ln.outstanding, "invoiced": ln.invoiced,
                      "status": ln.status, "status_label": label(ln.status), "days_overdue": ln.days_overdue,
                      "provisional": ln.provisional}
                     for ln in pos.lines],
        "deadlines": [dict(d, label=label(d["kind"])) for d in rec.deadlines(
            pos.lines, op.deadline if op else None, bool(op and op.state == "awaiting_vendor"), as_of)],
        "alerts": [{"kind": a.kind, "label": label(a.kind), "tranche_seq": a.tranche_seq,
                    "detail": render(a.detail, REPORT_LOCALE)} for a in pos.alerts],
        "vat_by_rate": [{"rate": r, **_triple(by_rate[r])} for r in sorted(by_rate)],
    }


def _add_series(acc: dict, pos: Position) -> None:
    """Add a contract's earned, invoiced and paid by month to the report's running series."""
    for m in pos.earned:
        acc[m.month]["earned"] += m.amount
    for i in pos.invoices:
        acc[f"{i.issued_on:%Y-%m}"]["invoiced"] += i.total
    for day, amount in pos.paid_entries:
        acc[f"{day:%Y-%m}"]["paid"] += amount


def _series(acc: dict, last_month: str) -> list[dict]:
    """Cumulative earned, invoiced and paid by month (for the chart), through the report's month."""
    out, run = [], {"earned": ZERO, "invoiced": ZERO, "paid": ZERO}
    for m in sorted(k for k in acc if k <= last_month):
        for k in run:
            run[k] += acc[m][k]
        out.append({"month": m, **run})
    return out


def _new_series() -> dict:
    return defaultdict(lambda: {"earned": ZERO, "invoiced": ZERO, "paid": ZERO})


def bank_section(session: Session, first: date, last: date, accounts: list[str] | None) -> dict:
    """未达账项: the month's unmatched and ignored statement lines with totals, and the credits that
    look like a payment also entered through the API (same amount, same payer, within a few days).
    ``accounts``: the statement accounts the reader holds (None: all)."""
    q = select(BankLine).where(BankLine.txn_date >= first, BankLine.txn_date <= last,
                               BankLine.status.in_(("unmatched", "ignored"))).order_by(BankLine.txn_date, BankLine.id)
    if accounts is not None:
        q = q.where(BankLine.account_no.in_(accounts))
    lines = session.scalars(q).all()
    out = {"unmatched": [], "ignored": [], "unmatched_total": ZERO, "ignored_total": ZERO}
    for b in lines:
        out[b.status].append(bank_line_row(b))
        out[f"{b.status}_total"] += b.credit if b.status == "unmatched" else b.credit + b.debit
    duplicates = []
    credits = [b for b in lines if b.status == "unmatched" and b.credit > 0]
    if credits:
        window = timedelta(days=DUPLICATE_WINDOW_DAYS)
        reversed_ids = select(PaymentReversal.payment_id)
        for p, code in session.execute(
                select(Payment, Contract.code).join(Contract, Contract.id == Payment.contract_id)
                .where(Payment.source == "api", Payment.kind == "payment", Payment.id.not_in(reversed_ids),
                       Payment.paid_on >= first - window, Payment.paid_on <= last + window,
                       Payment.amount.in_({b.credit for b in credits}))):
            for b in credits:
                if (b.credit == p.amount and abs((b.txn_date - p.paid_on).days) <= DUPLICATE_WINDOW_DAYS
                        and (not p.payer_account or not b.counterparty_account
                             or p.payer_account == b.counterparty_account)):
                    duplicates.append({"bank_line_id": b.id, "bank_line_serial": b.serial, "payment_id": p.id,
                                       "contract_code": code, "amount": b.credit, "bank_date": b.txn_date,
                                       "payment_date": p.paid_on})
    out["probable_duplicates"] = duplicates
    return out


def bank_line_row(b: BankLine) -> dict:
    return {"id": b.id, "serial": b.serial, "account_no": b.account_no, "txn_date": b.txn_date,
            "counterparty_name": b.counterparty_name, "counterparty_account": b.counterparty_account,
            "credit": b.credit, "debit": b.debit, "memo": b.memo, "reason": b.reason}


def build_report(session: Session, month: str, as_of: date | None = None, *, ids: list[int] | None = None,
                 bank_accounts: list[str] | None = None,
                 progress: Callable[[int], None] | None = None,
                 on_positions: Callable[[dict[int, Position]], None] | None = None) -> dict:
    """The reconciliation for ``month`` as of ``as_of`` (default: the month's last day) over ``ids``
    (default: every contract); every total, the series and ``contract_total`` cover those contracts only.
    ``on_positions`` sees each chunk's positions (the reconcile finds there what its sweep must publish)."""
    first, last = rec.month_bounds(month)
    as_of = as_of or last
    ids = contract_ids(session) if ids is None else ids
    sections, series = [], _new_series()
    for chunk in _chunks(ids):
        contracts = session.scalars(select(Contract).where(Contract.id.in_(chunk)).order_by(Contract.id)
                                    .options(selectinload(Contract.parties))).all()
        positions = positions_of(session, contracts, as_of)
        if on_positions:
            on_positions(positions)
        for contract in contracts:
            pos = positions[contract.id]
            sections.append(contract_section(contract, pos, first))
            _add_series(series, pos)
        if progress:
            progress(len(contracts))
        session.expunge_all()
    bank = bank_section(session, first, min(last, as_of), bank_accounts)
    return {"month": month, "as_of": as_of, "contracts": sections, "totals": rec.totals(sections),
            "contract_total": sum((c["total_amount"] for c in sections), ZERO),
            "series": _series(series, month),
            "bank_lines": {k: v for k, v in bank.items() if k != "probable_duplicates"},
            "probable_duplicates": bank["probable_duplicates"]}


def report_for(session: Session, month: str, as_of: date | None, ids: list[int], *, everything: bool,
               bank_accounts: list[str] | None) -> tuple[dict, str | None]:
    """The month's report for a reader (API or CLI): a closed month's stored report when no other
    date is asked, cut to ``ids`` unless the reader sees ``everything``; else built now.
    Returns (plain report, the stored JSON text when it is served unchanged)."""
    stored = months_svc.closed_report(session, month) if as_of is None else None
    if stored is None:
        return to_jsonable(build_report(session, month, as_of, ids=ids, bank_accounts=bank_accounts)), None
    plain = json.loads(stored)
    if everything:
        return plain, stored
    return cut_report(session, plain, ids, bank_accounts), None


def cut_report(session: Session, plain: dict, ids: list[int], bank_accounts: list[str] | None) -> dict:
    """A stored (closed) report cut down to ``ids``: its sections as they were frozen; totals,
    ``contract_total``, the series and the bank lines recomputed for those contracts only (a closed
    period cannot change, so the series rebuilt from the facts is the series frozen)."""
    keep = set(ids)
    kept = [c for c in plain["contracts"] if c["contract_id"] in keep]
    as_of = date.fromisoformat(plain["as_of"])
    first, last = rec.month_bounds(plain["month"])
    series = _new_series()
    for chunk in _chunks([c["contract_id"] for c in kept]):
        contracts = session.scalars(select(Contract).where(Contract.id.in_(chunk))).all()
        for pos in positions_of(session, contracts, as_of).values():
            _add_series(series, pos)
    bank = bank_section(session, first, min(last, as_of), bank_accounts)
    rebuilt = {"month": plain["month"], "as_of": as_of, "contracts": [], "totals": rec.totals(
        [_parse_section(c) for c in kept]), "contract_total": sum((Decimal(c["total_amount"]) for c in kept), ZERO),
        "series": _series(series, plain["month"]),
        "bank_lines": {k: v for k, v in bank.items() if k != "probable_duplicates"},
        "probable_duplicates": bank["probable_duplicates"]}
    out = to_jsonable(rebuilt)
    out["contracts"] = kept
    return out


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


def _parse_section(c: dict) -> dict:
    d = dict(c)
    for f in rec.MONEY_FIELDS:
        d[f] = Decimal(c[f])
    for key in ("invoiced_month", "invoiced_to_date"):
        d[key] = {k: Decimal(v) for k, v in c[key].items()}
    d["vat_by_rate"] = [{"rate": Decimal(r["rate"]), **{k: Decimal(r[k]) for k in rec.TRIPLE}}
                        for r in c["vat_by_rate"]]
    return d
