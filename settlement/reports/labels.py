"""Chinese labels for the report files (CSV, XLSX, PDF), from the ``reports`` catalogue.

Codes (statuses, alert kinds, rights, deadline kinds) stay English in JSON; files
meant for clerks show them in Chinese through ``settlement/translations/zh_CN/
LC_MESSAGES/reports.po`` (msgid = the code or the English heading). A code the
catalogue does not know is shown as it is, never dropped.

Figures that can change sign are shown by direction, never as a minus under a
positive label: :func:`balance` (paid − earned: 预收 / 应收) and :func:`invoicing`
(earned − invoiced: 已应计未开票 / 超开票) give the label and the absolute value; a tranche
paid beyond its amount shows what is to be refunded (应退), never a negative outstanding.
"""
from __future__ import annotations

import functools
import re
from decimal import Decimal

from settlement.i18n import DEFAULT_LOCALE, gettext

DOMAIN = "reports"

TRANCHE_STATUSES = ("not_due", "due", "partially_paid", "paid", "overdue", "cut", "refund_due")
SETTLEMENT_STATUSES = ("awaiting_opinion", "awaiting_vendor", "accepted", "deemed_accepted", "disputed",
                       "completed", "settled", "terminated")
ALERT_KINDS = ("invoice_late", "invoice_overdue", "payment_overdue", "provisional_date", "right_arose",
               "deemed_acceptance", "vat_rounding_difference", "refund_due", "penalty_outstanding")
RIGHTS = ("vendor_suspend_service", "vendor_terminate", "buyer_terminate_for_cause")
DEADLINE_KINDS = ("invoice_due", "payment_due", "objection_window_closes")
DIRECTIONS = ("prepaid", "receivable", "even", "uninvoiced", "invoiced_ahead", "refund")
VALUE_BASES = ("contract", "audit", "termination")
PARTIES = ("buyer", "vendor")
#: every code a report file shows in words (a test checks the catalogue translates each one)
CODES = (TRANCHE_STATUSES + SETTLEMENT_STATUSES + ALERT_KINDS + RIGHTS + DEADLINE_KINDS + DIRECTIONS
         + VALUE_BASES + PARTIES)


def t(msgid: str, locale: str = DEFAULT_LOCALE, **params) -> str:
    """``msgid`` from the reports catalogue (headings, sentences), formatted with ``params``."""
    return gettext(msgid, locale, DOMAIN, **params)


@functools.lru_cache(maxsize=1024)
def label(code: str | None, locale: str = DEFAULT_LOCALE) -> str:
    """A code in words; ``""`` for no code; the code itself when the catalogue has no entry."""
    if not code:
        return ""
    return gettext(code, locale, DOMAIN)


status_label = label            # tranche and settlement statuses
basis_label = label             # what the contract's value rests on (contract / audit / termination)
alert_label = label             # alert kinds
right_label = label             # rights (vendor_suspend_service ...)
deadline_label = label          # deadline kinds (invoice_due ...)


def money(value) -> str:
    """``1234567.8`` → ``"1,234,567.80"`` (as written in the PDF)."""
    return f"{Decimal(value):,.2f}"


def _directed(value, positive: str, negative: str, locale: str) -> tuple[str, Decimal]:
    amount = Decimal(value)
    code = positive if amount > 0 else negative if amount < 0 else "even"
    return label(code, locale), abs(amount)


def balance(value, locale: str = DEFAULT_LOCALE) -> tuple[str, Decimal]:
    """Paid − earned: (预收, x) when positive, (应收, |x|) when negative, (持平, 0)."""
    return _directed(value, "prepaid", "receivable", locale)


def invoicing(value, locale: str = DEFAULT_LOCALE) -> tuple[str, Decimal]:
    """Earned − invoiced: (已应计未开票, x) when positive, (超开票, |x|) when negative, (持平, 0)."""
    return _directed(value, "uninvoiced", "invoiced_ahead", locale)


def refund_due(tranche: dict) -> Decimal:
    """What was paid on a tranche beyond its amount (owed back by the vendor), else 0."""
    over = Decimal(tranche.get("paid") or 0) - Decimal(tranche.get("amount") or 0)
    return over if over > 0 else Decimal("0.00")


def directed_text(pair: tuple[str, Decimal]) -> str:
    """(超开票, 750016.20) → ``"超开票 750,016.20"``; an even figure → ``"持平"``."""
    word, amount = pair
    return word if amount == 0 else f"{word} {money(amount)}"


# -- alerts in words ------------------------------------------------------------------------

_RIGHT = re.compile(r"^(?P<holder>\S+) may (?P<right>[a-z_ ]+?) since (?P<date>\d{4}-\d\d-\d\d)$")
_VAT = re.compile(r"by (?P<amount>-?\d+(?:\.\d+)?)\s*$")


def _tranche(contract: dict | None, seq) -> dict | None:
    if not contract or seq is None:
        return None
    return next((tr for tr in contract.get("tranches") or () if tr.get("seq") == seq), None)


def alert_text(alert: dict, contract: dict | None = None, locale: str = DEFAULT_LOCALE) -> str:
    """The alert's detail as a sentence in the reader's language, built from the report's own
    figures (the tranche, the penalties); the computed (English) detail when it cannot be."""
    kind, seq, detail = alert.get("kind"), alert.get("tranche_seq"), alert.get("detail") or ""
    tr = _tranche(contract, seq)
    try:
        if kind == "invoice_late" and tr and tr.get("invoice_due_date"):
            return t("tranche {seq}: invoiced after its invoice due date {date}", locale, seq=seq,
                     date=tr["invoice_due_date"])
        if kind == "invoice_overdue" and tr and tr.get("invoice_due_date"):
            left = Decimal(tr["amount"]) - Decimal(tr.get("invoiced") or 0)
            return t("tranche {seq}: {amount} not invoiced by {date}", locale, seq=seq, amount=money(left),
                     date=tr["invoice_due_date"])
        if kind == "payment_overdue" and tr:
            return t("tranche {seq}: {amount} overdue {days} days", locale, seq=seq,
                     amount=money(tr["outstanding"]), days=tr.get("days_overdue", 0))
        if kind == "provisional_date" and seq is not None:
            return t("tranche {seq}: a date depends on a year without an official calendar", locale, seq=seq)
        if kind == "right_arose":
            m = _RIGHT.match(detail)
            if m:
                code = m.group("right").replace(" ", "_")
                return t("{right} since {date}", locale, right=right_label(code, locale), date=m.group("date"))
        if kind == "deemed_acceptance":
            return t("the audit opinion was deemed accepted (no response in the window)", locale)
        if kind == "vat_rounding_difference":
            m = _VAT.search(detail)
            if m:
                diff = Decimal(m.group("amount"))
                msgid = ("contract-level VAT is {amount} more than the sum of the per-tranche VAT" if diff >= 0
                         else "contract-level VAT is {amount} less than the sum of the per-tranche VAT")
                return t(msgid, locale, amount=money(abs(diff)))
        if kind == "refund_due" and tr and refund_due(tr) > 0:
            return t("tranche {seq}: {amount} paid beyond its amount is to be refunded by the vendor", locale,
                     seq=seq, amount=money(refund_due(tr)))
        if kind == "penalty_outstanding" and contract and contract.get("penalties"):
            p = contract["penalties"]
            return t("penalty outstanding {outstanding} (claimed {claimed}, set off {set_off})", locale,
                     outstanding=money(p["outstanding"]), claimed=money(p["claimed"]), set_off=money(p["set_off"]))
    except (ArithmeticError, KeyError, TypeError, ValueError):
        pass
    return detail


def alert_line(alert: dict, contract: dict | None = None, locale: str = DEFAULT_LOCALE) -> str:
    """``"付款逾期：第2笔：586,969.20 元逾期未付 3 天"`` (label, then the sentence)."""
    text = alert_text(alert, contract, locale)
    return f"{alert_label(alert.get('kind'), locale)}：{text}" if text else alert_label(alert.get("kind"), locale)


# -- bank line reasons (settlement/bank/match.py) -----------------------------------------------

_REASONS = [
    (re.compile(r"^the memo names (?P<n>\d+) contracts$"), "the memo names {n} contracts"),
    (re.compile(r"^amount equals tranche (?P<seq>\d+)'s outstanding$"), "amount equals tranche {seq}'s outstanding"),
    (re.compile(r"^ambiguous: (?P<tranches>\d+) tranches of (?P<contracts>\d+) contract\(s\) have "
                r"(?P<amount>[\d.,-]+) outstanding$"),
     "ambiguous: {tranches} tranches of {contracts} contract(s) have {amount} outstanding"),
    (re.compile(r"^the payer account pays (?P<n>\d+) contracts and no tranche has this amount outstanding$"),
     "the payer account pays {n} contracts and no tranche has this amount outstanding"),
]


def reason_label(reason: str | None, locale: str = DEFAULT_LOCALE) -> str:
    """Why a bank line is unmatched or ignored, in words (the English reason when unknown)."""
    if not reason:
        return ""
    head, sep, refused = reason.partition(", but refused: ")
    if sep:
        return t("{reason}, but refused: {detail}", locale, reason=reason_label(head, locale), detail=refused)
    exact = t(reason, locale)
    if exact != reason:
        return exact
    for pattern, msgid in _REASONS:
        m = pattern.match(reason)
        if m:
            return t(msgid, locale, **m.groupdict())
    return reason


def party(contract: dict, role: str) -> str:
    """The buyer's or vendor's name (``buyer_name``), falling back to its code (``buyer``)."""
    return contract.get(f"{role}_name") or contract.get(role) or ""


def rate_text(rate) -> str:
    """``"0.06"`` → ``"6%"``."""
    return f"{(Decimal(rate) * 100).normalize():f}%"
