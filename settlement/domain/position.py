"""A contract's position on a date: the one answer every reader shows.

:func:`position` is a pure function of the contract's history (terms, agreements,
payments and refunds with their allocations, invoices, audit opinions,
terminations, rectifications, delay notices, penalties), the working-day calendar
and a date. The schedule, earned value, settlement, rights, VAT summary, the
payment and invoice caps, the reconciliation report, the sweep, the bank matcher
and the event payloads all read it; nothing else re-aggregates payments or
invoices. Each rule lives in the module named in its step and cites its clause.

The contract's **value** is what the buyer owes in all: the total of the terms in
force (12.3), the audited amount once the audit binds (5.1.1), the termination's
earned value from its notice (6.2, 6.3, 10.2). Tranche amounts are fitted to it
(:func:`settlement.domain.schedule.fit_to_value`) and earned value sums to it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from settlement.domain import alerts as alert_rules
from settlement.domain import audit as audit_rules
from settlement.domain import termination as term_rules
from settlement.domain.agreements import agreed_earned_table, terms_in_force
from settlement.domain.contract import WORKING_DAYS_AFTER_AUDIT, ContractTerms, rate_on
from settlement.domain.earned import (
    EarnedMonth, adjust_to, earned_table, earned_through, stop_after, table_total,
)
from settlement.domain.history import History, InvoiceFact, PaymentFact
from settlement.domain.periods import ComputedDate, working_days_after
from settlement.domain.rights import OverdueTranche, Right, buyer_rights, vendor_rights
from settlement.domain.schedule import (
    ScheduleLine, fit_to_value, invoice_due, invoice_late, tranche_due, tranche_status,
)
from settlement.domain.vat import split

ZERO = Decimal("0.00")
FAR_FUTURE = date(9998, 12, 31)
CONTRACT, AUDIT, TERMINATION = "contract", "audit", "termination"


@dataclass(frozen=True)
class TerminationPosition:
    kind: str
    notice_on: date
    effective_on: date
    value: Decimal                 # earned through the effective month: what the buyer owes in all
    penalty: Decimal               # 6.3 liquidated damages claimed with it
    settlement_due: ComputedDate   # the balance either way: 15 working days after the effective date


@dataclass(frozen=True)
class Penalties:
    """6.3: the buyer's claims on the vendor, and how they were met."""

    claimed: Decimal = ZERO
    set_off: Decimal = ZERO        # deducted from the buyer's payments
    paid: Decimal = ZERO           # refunded by the vendor beyond any overpayment
    outstanding: Decimal = ZERO


@dataclass(frozen=True)
class SettlementPosition:
    status: str
    balance: Decimal | None        # value − paid once the value is final (audit binding, termination)
    direction: str | None
    final_due: ComputedDate | None
    final_amount: Decimal | None


@dataclass(frozen=True)
class VatPosition:
    rate: Decimal
    contract_net: Decimal
    contract_tax: Decimal
    tranche_tax_total: Decimal
    rounding_difference: Decimal
    invoiced_net: Decimal
    invoiced_tax: Decimal


@dataclass(frozen=True)
class Position:
    as_of: date
    terms: ContractTerms
    value: Decimal
    value_basis: str                                  # contract / audit / termination
    lines: tuple[ScheduleLine, ...]
    paid_entries: tuple[tuple[date, Decimal], ...]    # what each payment or refund settled, by date
    invoices: tuple[InvoiceFact, ...]                 # issued by as_of (red-letter included)
    opinions: tuple[audit_rules.OpinionPosition, ...]
    termination: TerminationPosition | None
    earned: tuple[EarnedMonth, ...]
    penalties: Penalties
    rights: tuple[Right, ...]
    settlement: SettlementPosition
    vat: VatPosition
    alerts: tuple[alert_rules.Alert, ...]

    # -- what every reader asks ---------------------------------------------------------
    @property
    def paid_total(self) -> Decimal:
        return sum((amount for _, amount in self.paid_entries), ZERO)

    @property
    def payable_total(self) -> Decimal:
        """The most the buyer may pay in all (payments plus set-offs, net of refunds)."""
        return self.value

    @property
    def overpaid(self) -> Decimal:
        return sum((ln.refund_due for ln in self.lines), ZERO)

    @property
    def refundable(self) -> Decimal:
        """What the vendor owes back: the overpayment and the penalties not yet met (6.3)."""
        return self.overpaid + self.penalties.outstanding

    @property
    def earned_to_date(self) -> Decimal:
        return earned_through(self.earned, self.as_of)

    @property
    def opinion(self) -> audit_rules.OpinionPosition | None:
        return self.opinions[-1] if self.opinions else None

    @property
    def audit_binding(self) -> bool:
        return self.opinion is not None and self.opinion.binding

    def line(self, seq: int) -> ScheduleLine | None:
        return next((ln for ln in self.lines if ln.seq == seq), None)

    def paid_between(self, first: date, last: date) -> Decimal:
        return sum((a for d, a in self.paid_entries if first <= d <= last), ZERO)


def position(history: History, cal, as_of: date, *, facts_through: date | None = None,
             terms_day: date | None = None) -> Position:
    """The contract on ``as_of``, from the facts dated up to ``facts_through`` (default ``as_of``).

    A write asks "as known now": ``as_of`` today, every fact counted (``facts_through`` far
    ahead) and the terms of every agreement on file (``terms_day`` far ahead), so a backdated
    payment cannot slip under a cap that an agreement, an audit or a termination lowered."""
    through = facts_through or as_of
    base = history.terms
    terms = terms_in_force(base, history.agreements, terms_day or as_of, as_of)
    payments = tuple(p for p in history.payments if p.paid_on <= through)
    invoices = tuple(i for i in history.invoices if i.issued_on <= through)
    opinions = audit_rules.opinions_as_of(history.opinions, base.terms.objection_window_working_days, cal, as_of)
    current = opinions[-1] if opinions else None

    # Earned value and the contract's value (earned.py, agreements.py, termination.py, audit.py).
    table = agreed_earned_table(earned_table(base.total, base.service_start, base.service_end),
                                history.agreements, as_of)
    value, basis, termination = terms.total, CONTRACT, None
    t = history.termination
    if t is not None and t.notice_on <= as_of:
        effective = term_rules.effective_on(t.kind, t.notice_on, base.terms.termination_notice_months)
        table = stop_after(table, effective)
        at_notice = terms_in_force(base, history.agreements, FAR_FUTURE, t.notice_on)
        termination = TerminationPosition(
            t.kind, t.notice_on, effective, table_total(table),
            term_rules.penalty(t.kind, at_notice.total, base.terms.penalty_rate),
            working_days_after(effective, term_rules.SETTLEMENT_WORKING_DAYS, cal, label="effective_on"))
        value, basis = termination.value, TERMINATION
    elif current is not None and current.binding:
        value, basis = current.fact.audited_amount, AUDIT
        # The difference is earned in the month the audit bound (or the last service month if later):
        # a completion recorded later must not move it out of a month already reported.
        table = adjust_to(table, value, current.binding_on)

    # Tranches: paid per tranche, amounts fitted to the value, refunds applied to what was overpaid.
    seqs = [tr.seq for tr in terms.tranches]
    paid = {s: ZERO for s in seqs}
    for p in payments:
        if p.kind == "payment":
            for seq, amount in p.allocations:
                paid[seq if seq in paid else seqs[-1]] += amount
    amounts = fit_to_value({tr.seq: tr.amount for tr in terms.tranches}, paid, value)
    entries, refund_to_penalty = _apply_refunds(payments, amounts, paid)

    completed_on = current.completed_on if current is not None else None
    final_seq = terms.final_tranche.seq
    invoiced = {s: ZERO for s in seqs}
    for inv in invoices:
        if inv.tranche_seq in invoiced:
            invoiced[inv.tranche_seq] += inv.total
    effective_invoices = _effective_invoices(invoices)
    paid_days = _paid_days(payments)
    lines = []
    for tr in sorted(terms.tranches, key=lambda tr: tr.seq):
        amount = amounts[tr.seq]
        hangs_on_audit = tr.due.kind == WORKING_DAYS_AFTER_AUDIT
        if hangs_on_audit and termination is not None:
            due = termination.settlement_due
        else:
            due = tranche_due(terms, tr, cal, completed_on)
        inv_due = invoice_due(terms, due, cal)
        status, days = tranche_status(amount, paid[tr.seq], due, inv_due, as_of, original=tr.amount)
        uninvoiced = max(amount - invoiced[tr.seq], ZERO)
        lines.append(ScheduleLine(
            seq=tr.seq, amount=amount, original=tr.amount,
            nominal=hangs_on_audit and tr.seq == final_seq and basis == CONTRACT,
            due=due, invoice_due=inv_due, paid=paid[tr.seq],
            outstanding=max(amount - paid[tr.seq], ZERO), refund_due=max(paid[tr.seq] - amount, ZERO),
            cut=max(tr.amount - amount, ZERO) if basis != CONTRACT else ZERO,
            invoiced=invoiced[tr.seq], uninvoiced=uninvoiced, status=status, days_overdue=days,
            invoice_late=any(invoice_late(i.issued_on, inv_due) for i in effective_invoices
                             if i.tranche_seq == tr.seq),
            invoice_overdue=bool(inv_due and uninvoiced > 0 and as_of > inv_due.date and status != "cut"),
            paid_in_full_on=_reached(paid_days.get(tr.seq, ()), amount)))
    lines = tuple(lines)

    # Penalties (6.3) and remedies (6.2, 6.3): a terminated contract gives no further remedies.
    claimed = sum((p.amount for p in history.penalties if p.claimed_on <= through), ZERO)
    set_off = sum((p.set_off for p in payments if p.kind == "payment"), ZERO)
    penalties = Penalties(claimed, set_off, refund_to_penalty, claimed - set_off - refund_to_penalty)
    rights: tuple[Right, ...] = ()
    if termination is None:
        rights = tuple(_vendor_rights(lines, history, terms, cal, as_of)
                       + buyer_rights(list(history.rectifications), terms.terms.rectification_limit, as_of))

    paid_total = sum((a for _, a in entries), ZERO)
    settlement = _settlement(current, termination, value, basis, paid_total, lines[-1] if lines else None)
    rate = rate_on(terms.tax_rates, as_of) or terms.tax_rates[0].rate
    c_net, c_tax = split(value, rate)
    tranche_tax = sum((split(ln.amount, rate)[1] for ln in lines), ZERO)
    vat = VatPosition(rate, c_net, c_tax, tranche_tax, c_tax - tranche_tax,
                      sum((i.net for i in invoices), ZERO), sum((i.tax for i in invoices), ZERO))
    alerts = alert_rules.alerts(lines, rights, current.state if current else audit_rules.AWAITING_OPINION,
                                vat.rounding_difference, penalties.outstanding)
    return Position(as_of, terms, value, basis, lines, entries, invoices, opinions, termination, table,
                    penalties, rights, settlement, vat, alerts)


def known_now(history: History, cal, today: date) -> Position:
    """The position a write checks against: today, with every fact and every agreement on file."""
    return position(history, cal, today, facts_through=FAR_FUTURE, terms_day=FAR_FUTURE)


def _apply_refunds(payments: tuple[PaymentFact, ...], amounts: dict[int, Decimal], paid: dict[int, Decimal]
                   ) -> tuple[tuple[tuple[date, Decimal], ...], Decimal]:
    """Refunds first repay what tranches were overpaid (latest tranche first), the rest meets penalties.

    Returns what each entry settled of the contract price, by date, and what went to penalties.
    ``paid`` is reduced in place by the refunds applied to each tranche."""
    entries, to_penalty = [], ZERO
    for p in sorted(payments, key=lambda p: (p.paid_on, p.id)):
        if p.kind == "payment":
            entries.append((p.paid_on, p.settles))
            continue
        left = p.amount
        for seq in sorted(paid, reverse=True):
            take = min(max(paid[seq] - amounts[seq], ZERO), left)
            paid[seq] -= take
            left -= take
        entries.append((p.paid_on, -(p.amount - left)))
        to_penalty += left
    return tuple(entries), to_penalty


def _effective_invoices(invoices: tuple[InvoiceFact, ...]) -> list[InvoiceFact]:
    """Blue invoices not reversed in full by red-letter ones (a partial red leaves the invoice in force)."""
    red = {}
    for i in invoices:
        if i.reverses_id is not None:
            red[i.reverses_id] = red.get(i.reverses_id, ZERO) + i.total
    return [i for i in invoices if i.reverses_id is None and i.total + red.get(i.id, ZERO) > 0]


def _paid_days(payments) -> dict[int, list[tuple[date, Decimal]]]:
    """What each payment put on each tranche, by date (refunds are not allocated)."""
    by_seq: dict[int, list[tuple[date, Decimal]]] = {}
    for p in sorted(payments, key=lambda p: (p.paid_on, p.id)):
        if p.kind == "payment":
            for seq, amount in p.allocations:
                by_seq.setdefault(seq, []).append((p.paid_on, amount))
    return by_seq


def _reached(days, amount: Decimal) -> date | None:
    """The day the running total paid on a tranche first reached its amount (None for nothing due)."""
    if amount <= 0:
        return None
    running = ZERO
    for day, paid in days:
        running += paid
        if running >= amount:
            return day
    return None


def _vendor_rights(lines, history: History, terms: ContractTerms, cal, as_of: date) -> list[Right]:
    """6.2: each tranche with an amount and a due date, the day it was paid in full, any explanation."""
    explained: dict[int, date] = {}
    for n in history.delay_notices:
        if n.given_on <= as_of:
            explained[n.tranche_seq] = min(n.given_on, explained.get(n.tranche_seq, n.given_on))
    overdue = [OverdueTranche(ln.seq, ln.due.date, ln.paid_in_full_on, explained.get(ln.seq))
               for ln in lines if ln.due is not None and ln.amount > 0]
    return vendor_rights(overdue, as_of, terms.terms.overdue_termination_days, cal)


def _settlement(current, termination, value, basis, paid_total, final) -> SettlementPosition:
    """5.1.1 final settlement: status, and once the value is final, the balance and who owes whom."""
    final_due = final.due if final is not None else None
    if termination is not None:
        balance = value - paid_total
        return SettlementPosition(audit_rules.TERMINATED, balance, audit_rules.direction(balance),
                                  termination.settlement_due, final.amount if final else None)
    if current is None:
        return SettlementPosition(audit_rules.AWAITING_OPINION, None, None, None, None)
    status = current.state
    if basis != AUDIT:
        return SettlementPosition(status, None, None, None, None)
    balance = value - paid_total
    if current.completed_on is not None:
        status = audit_rules.SETTLED if balance == 0 else audit_rules.COMPLETED
    return SettlementPosition(status, balance, audit_rules.direction(balance),
                              final_due if current.completed_on is not None else None,
                              final.amount if final else None)
