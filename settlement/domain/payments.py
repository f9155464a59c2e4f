"""Allocating a payment to tranches (clause 5.1.1) and the cap on what may be paid."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Outstanding:
    seq: int
    outstanding: Decimal


class OverPayment(ValueError):
    def __init__(self, amount: Decimal, paid: Decimal, payable: Decimal):
        super().__init__(f"paying {amount:.2f} would exceed the payable total {payable:.2f}: "
                         f"{paid:.2f} is paid, {max(payable - paid, ZERO):.2f} remains")
        self.amount, self.paid, self.payable = amount, paid, payable


def allocate(amount: Decimal, lines: list[Outstanding], start_seq: int | None = None) -> list[tuple[int, Decimal]]:
    """Split a payment over tranches: from ``start_seq`` (default the earliest tranche with
    anything outstanding), filling each tranche's outstanding amount and spilling into the next.
    Whatever is left after the last tranche goes to the last tranche (the caller caps the total)."""
    order = sorted(lines, key=lambda ln: ln.seq)
    if start_seq is not None:
        order = [ln for ln in order if ln.seq >= start_seq]
    left, out = amount, []
    for ln in order:
        if left <= 0:
            break
        take = min(left, max(ln.outstanding, ZERO))
        if take > 0:
            out.append((ln.seq, take))
            left -= take
    if left > 0:
        last = order[-1].seq if order else max(ln.seq for ln in lines)
        merged = dict(out)
        merged[last] = merged.get(last, ZERO) + left
        out = sorted(merged.items())
    return out


def check_cap(amount: Decimal, paid_total: Decimal, payable_total: Decimal) -> None:
    """Refuse a payment that would take the net paid total above the payable total."""
    if paid_total + amount > payable_total:
        raise OverPayment(amount, paid_total, payable_total)
