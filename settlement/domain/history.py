"""What has happened on a contract: immutable facts, loaded once, read by every rule.

A contract's position on any date (:mod:`settlement.domain.position`) is a pure
function of its terms, these facts and the working-day calendar. Facts carry
their own dates; nothing derived (deadlines, amounts due, statuses) is stored.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from settlement.domain.contract import ContractTerms

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class AgreementFact:
    """A supplementary agreement (补充协议, 12.2-12.3): the whole terms it puts in force."""

    seq: int
    signed_on: date
    effective_from: date
    terms: ContractTerms


@dataclass(frozen=True)
class PaymentFact:
    """Money that moved: the buyer's payment (with any penalty set off against it) or the vendor's refund.

    ``allocations`` (tranche seq → amount) cover ``amount + set_off`` for a payment; a refund
    is not allocated (the position applies it to what was overpaid). A reversed entry (冲正)
    counts as nothing: the loader leaves it out."""

    id: int
    kind: str                      # payment / refund
    amount: Decimal
    paid_on: date
    allocations: tuple[tuple[int, Decimal], ...] = ()
    set_off: Decimal = ZERO
    source: str = "api"

    @property
    def settles(self) -> Decimal:
        """What the entry settles of the contract price: cash plus the penalty set off."""
        return self.amount + self.set_off


@dataclass(frozen=True)
class InvoiceFact:
    """An invoice as the tax platform issued it; a red-letter one is negative and names its original."""

    id: int
    tranche_seq: int
    issued_on: date
    total: Decimal
    net: Decimal
    tax: Decimal
    rate: Decimal
    reverses_id: int | None = None


@dataclass(frozen=True)
class OpinionFact:
    """An audit opinion (评审审计意见) and what the vendor and the buyer did with it (5.1.1)."""

    id: int
    audited_amount: Decimal
    delivered_on: date
    decision: str | None = None       # accept / object
    responded_on: date | None = None
    completed_on: date | None = None


@dataclass(frozen=True)
class TerminationFact:
    """Notice of termination (6.2, 6.3, 10.2)."""

    kind: str
    notice_on: date


@dataclass(frozen=True)
class RectificationFact:
    noticed_on: date
    outcome: str | None = None
    outcome_on: date | None = None


@dataclass(frozen=True)
class DelayNoticeFact:
    tranche_seq: int
    given_on: date


@dataclass(frozen=True)
class PenaltyFact:
    """A claim of the buyer on the vendor (违约金, 6.3 or another clause)."""

    id: int
    amount: Decimal
    claimed_on: date
    clause: str


@dataclass(frozen=True)
class History:
    """A contract's terms as signed and everything recorded on it."""

    terms: ContractTerms
    agreements: tuple[AgreementFact, ...] = ()
    payments: tuple[PaymentFact, ...] = ()
    invoices: tuple[InvoiceFact, ...] = ()
    opinions: tuple[OpinionFact, ...] = ()
    termination: TerminationFact | None = None
    rectifications: tuple[RectificationFact, ...] = ()
    delay_notices: tuple[DelayNoticeFact, ...] = ()
    penalties: tuple[PenaltyFact, ...] = field(default=())
