"""The contract as plain value objects, and the rules that make a contract well-formed.

Nothing here knows about Flask or SQLAlchemy. Defaults are the seed contract's
terms (DESIGN.md, clause table).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

MONTHS_AFTER_SIGNING = "months_after_signing"
ON_OR_BEFORE = "on_or_before"
WORKING_DAYS_AFTER_AUDIT = "working_days_after_audit"
DUE_KINDS = (MONTHS_AFTER_SIGNING, ON_OR_BEFORE, WORKING_DAYS_AFTER_AUDIT)


@dataclass(frozen=True)
class DueRule:
    """When a tranche falls due (clause 5.1.1)."""

    kind: str
    months: int | None = None
    date: date | None = None
    days: int | None = None

    def describe(self) -> str:
        if self.kind == MONTHS_AFTER_SIGNING:
            return f"within {self.months} month(s) of signing"
        if self.kind == ON_OR_BEFORE:
            return f"on or before {self.date.isoformat()}"
        return f"within {self.days} working days after the audit is complete"


@dataclass(frozen=True)
class TrancheTerms:
    seq: int
    amount: Decimal
    due: DueRule
    remainder: bool = False


@dataclass(frozen=True)
class Terms:
    """Per-contract parameters; defaults are the seed contract's."""

    invoice_lead_working_days: int = 3        # 5.2
    objection_window_working_days: int = 5    # 5.1.1
    overdue_termination_days: int = 60        # 6.2
    penalty_rate: Decimal = Decimal("0.01")   # 6.3
    rectification_limit: int = 3              # 6.3
    termination_notice_months: int = 3        # 10.2


@dataclass(frozen=True)
class TaxRateTerm:
    rate: Decimal
    effective_from: date


@dataclass(frozen=True)
class ContractTerms:
    code: str
    total: Decimal
    signed_on: date
    service_start: date
    service_end: date
    tranches: tuple[TrancheTerms, ...]
    tax_rates: tuple[TaxRateTerm, ...] = ()
    terms: Terms = field(default_factory=Terms)

    def tranche(self, seq: int) -> TrancheTerms | None:
        return next((t for t in self.tranches if t.seq == seq), None)

    @property
    def final_tranche(self) -> TrancheTerms:
        return max(self.tranches, key=lambda t: t.seq)


def resolve_remainder(total: Decimal, amounts: list[Decimal | None]) -> list[Decimal]:
    """Fill the one ``None`` amount (the ``"remainder"`` tranche) with total minus the others."""
    known = sum((a for a in amounts if a is not None), Decimal("0.00"))
    return [total - known if a is None else a for a in amounts]


def contract_errors(c: ContractTerms) -> dict[str, list[str]]:
    """Field-level errors that make a contract ill-formed (empty when it is well-formed)."""
    errors: dict[str, list[str]] = {}

    def add(path: str, message: str) -> None:
        errors.setdefault(path, []).append(message)

    if c.total <= 0:
        add("total_amount", "must be greater than 0.00")
    if c.service_start > c.service_end:
        add("service_end", "must not be before service_start")
    if c.signed_on > c.service_end:
        add("signed_on", "must not be after service_end")
    if not c.tranches:
        add("tranches", "at least one tranche is required")
    seqs = [t.seq for t in c.tranches]
    for i, t in enumerate(c.tranches):
        if seqs.count(t.seq) > 1:
            add(f"tranches.{i}.seq", f"seq {t.seq} is used more than once")
        if t.amount < 0:
            add(f"tranches.{i}.amount", "the remainder is negative: the other tranches exceed the total"
                if t.remainder else "must not be negative")
        if t.due.kind == ON_OR_BEFORE and t.due.date < c.signed_on:
            add(f"tranches.{i}.due.date", "must not be before signed_on")
    if sum(1 for t in c.tranches if t.remainder) > 1:
        add("tranches", "only one tranche may be the remainder")
    if c.tranches and sum(t.amount for t in c.tranches) != c.total:
        total = sum(t.amount for t in c.tranches)
        add("tranches", f"tranche amounts sum to {total:.2f}, not the total {c.total:.2f}")
    audit = [t for t in c.tranches if t.due.kind == WORKING_DAYS_AFTER_AUDIT]
    if len(audit) > 1:
        add("tranches", "only one tranche may hang on the audit")
    if audit and c.tranches and audit[0].seq != max(seqs):
        add("tranches", "the tranche due after the audit must be the last one")
    dates = [r.effective_from for r in c.tax_rates]
    if len(set(dates)) != len(dates):
        add("tax_rates", "two rates take effect on the same day")
    for i, r in enumerate(c.tax_rates):
        if not (Decimal(0) <= r.rate < Decimal(1)):
            add(f"tax_rates.{i}.rate", "must be at least 0 and below 1")
    if not c.tax_rates:
        add("tax_rates", "at least one VAT rate is required")
    elif min(dates) > c.signed_on:
        add("tax_rates", "the first rate must take effect on or before signed_on")
    if not (Decimal(0) <= c.terms.penalty_rate <= Decimal(1)):
        add("terms.penalty_rate", "must be between 0 and 1")
    return errors


def rate_on(tax_rates: tuple[TaxRateTerm, ...], day: date) -> Decimal | None:
    """The VAT rate in force on ``day`` (clause 5.2: a tax-policy change applies from its effective date)."""
    current = None
    for r in sorted(tax_rates, key=lambda r: r.effective_from):
        if r.effective_from <= day:
            current = r.rate
    return current
