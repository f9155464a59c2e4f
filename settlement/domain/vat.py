"""VAT on a tax-inclusive amount (clause 5.2: the price includes VAT; 增值电信 6%).

net = total / (1 + rate) rounded half-up to the fen, tax = total − net, so
net + tax is always exactly the total. A negative (red-letter) total splits as
the exact negation of its positive counterpart, so a reversal cancels its
invoice to the fen. The per-invoice splits need not add up to the contract-level
split (seed: 110748.90 vs 110748.91); reports show that difference.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")


def split(total: Decimal, rate: Decimal) -> tuple[Decimal, Decimal]:
    """(net, tax) of a tax-inclusive ``total`` at ``rate``; net + tax == total."""
    total, rate = Decimal(total), Decimal(rate)
    if not (Decimal(0) <= rate < Decimal(1)):
        raise ValueError("rate must be at least 0 and below 1")
    if total != total.quantize(FEN):
        raise ValueError("total must be at the fen")
    magnitude = (abs(total) / (1 + rate)).quantize(FEN, rounding=ROUND_HALF_UP)
    net = magnitude if total >= 0 else -magnitude
    return net, total - net
