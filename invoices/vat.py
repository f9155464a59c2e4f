"""VAT on a tax-inclusive amount (clause 5.2: the price includes VAT; 增值电信 6%).

Public API: :func:`split`.

net = total / (1 + rate) rounded half-up to the fen, tax = total − net, so
net + tax is always exactly the total. A negative (red-letter) total splits as
the exact negation of its positive counterpart (rounding half away from zero),
so a reversal cancels its invoice to the fen. The per-invoice splits need not
add up to the contract-level split (seed: 110748.90 vs 110748.91); reports show
that difference.
"""
from __future__ import annotations

from decimal import Decimal

from settlement.domain.money import parse_amount, quantize

__all__ = ["split"]


def split(total: Decimal, rate: Decimal) -> tuple[Decimal, Decimal]:
    """(net, tax) of a tax-inclusive ``total`` at ``rate``; ``net + tax == total``.

    ``total`` is a Decimal (or decimal string) at the fen, negative for a
    red-letter invoice; ``rate`` a Decimal in [0, 1), e.g. Decimal("0.06").
    ``split(-x, r) == (-net, -tax)`` where ``split(x, r) == (net, tax)``.

    >>> split(Decimal("978282.00"), Decimal("0.06"))
    (Decimal('922907.55'), Decimal('55374.45'))

    Raises ValueError for a total that is not an amount at the fen or a rate
    that is not a finite Decimal in [0, 1).
    """
    total = parse_amount(total, allow_negative=True)
    if isinstance(rate, (bool, float)) or not isinstance(rate, (Decimal, int, str)):
        raise ValueError("rate must be a Decimal such as Decimal('0.06'), not a float")
    try:
        rate = Decimal(rate)
    except ArithmeticError:
        raise ValueError(f"rate {rate!r} is not a decimal number") from None
    if not rate.is_finite() or not (0 <= rate < 1):
        raise ValueError("rate must be at least 0 and below 1")
    magnitude = quantize(abs(total) / (1 + rate))  # ROUND_HALF_UP on the magnitude
    net = magnitude if total >= 0 else -magnitude
    return net, total - net
