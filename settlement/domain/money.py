"""Money: ``Decimal`` at the fen, end to end (DESIGN.md "Money").

Amounts are parsed from strings or ints only, never floats; a third decimal
place, NaN, Infinity, a negative where none is allowed, or 1万亿 and more is
refused with an :class:`AmountError` naming the rule, never silently rounded.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
LIMIT = Decimal("1000000000000")  # 1万亿: amounts must be strictly below this in absolute value

_PLAIN = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


class AmountError(ValueError):
    """An amount that breaks a money rule; ``rule`` is a short code, ``str()`` explains it."""

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule


def parse_amount(value, *, allow_negative: bool = False) -> Decimal:
    """Parse an amount of yuan from a string, int or Decimal, at the fen.

    Rules: strings of plain ASCII digits with an optional minus and at most two
    decimals ("978282.00", "586969.2"); no floats, exponents, separators or
    whitespace; no NaN/Infinity; no negatives unless ``allow_negative``;
    |amount| < 1万亿.
    """
    if isinstance(value, bool) or isinstance(value, float):
        raise AmountError("bad_type", 'amount must be a string such as "978282.00", not a number')
    if isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise AmountError("not_a_number", "amount must be a finite number (no NaN or Infinity)")
        d = value
    elif isinstance(value, str):
        if value.strip().lower().lstrip("+-") in ("nan", "snan", "inf", "infinity"):
            raise AmountError("not_a_number", "amount must be a finite number (no NaN or Infinity)")
        if not _PLAIN.match(value):
            raise AmountError("bad_format", f'amount {value!r} is not a plain decimal such as "978282.00" '
                                            "(digits, optional minus, at most two decimals)")
        try:
            d = Decimal(value)
        except InvalidOperation:  # pragma: no cover - the regex already guards this
            raise AmountError("bad_format", f"amount {value!r} is not a decimal number") from None
    else:
        raise AmountError("bad_type", 'amount must be a string such as "978282.00"')
    if d.as_tuple().exponent < -2 and d != d.quantize(FEN):
        raise AmountError("too_many_decimals",
                          "amount has more than two decimal places (fen); round it yourself")
    if d < 0 and not allow_negative:
        raise AmountError("negative", "amount must not be negative")
    if abs(d) >= LIMIT:
        raise AmountError("out_of_range", "amount must be below 1万亿 (1000000000000.00)")
    return d.quantize(FEN)


def quantize(d: Decimal) -> Decimal:
    """Round to the fen, half up (the rounding rule for computed amounts such as VAT)."""
    return d.quantize(FEN, rounding=ROUND_HALF_UP)


def to_fen(d: Decimal) -> int:
    """Yuan -> integer fen, exactly; refuses an amount that is not already at the fen."""
    if isinstance(d, (float, bool)) or not isinstance(d, (Decimal, int)):
        raise AmountError("bad_type", "money must be a Decimal")
    d = Decimal(d)
    if not d.is_finite() or d != d.quantize(FEN):
        raise AmountError("too_many_decimals", f"{d} is not an amount at the fen")
    return int(d * 100)


def from_fen(n: int) -> Decimal:
    """Integer fen -> yuan at the fen."""
    return (Decimal(int(n)) / 100).quantize(FEN)


def format_amount(d: Decimal) -> str:
    """"978282.00": two decimals, no thousands separators."""
    return f"{quantize(Decimal(d)):.2f}"


def split_largest_remainder(total: Decimal, weights: Sequence[int | Decimal]) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights`` so that the parts sum exactly to ``total``.

    Largest-remainder (Hamilton) method in fen: each part gets the floor of its
    exact share, then the fen left over go one each to the largest fractional
    remainders (ties: the earlier part first).
    """
    if not weights:
        raise ValueError("weights must not be empty")
    ws = [Decimal(w) for w in weights]
    if any(w < 0 for w in ws):
        raise ValueError("weights must not be negative")
    wsum = sum(ws)
    if wsum == 0:
        raise ValueError("weights must not all be zero")
    fen = to_fen(total)
    sign = -1 if fen < 0 else 1
    fen = abs(fen)
    exact = [Decimal(fen) * w / wsum for w in ws]
    floors = [int(e.to_integral_value(rounding=ROUND_DOWN)) for e in exact]
    left = fen - sum(floors)
    order = sorted(range(len(ws)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [from_fen(sign * f) for f in floors]


def split_evenly_remainder_last(total: Decimal, n: int) -> list[Decimal]:
    """``n`` equal parts cut to the fen, the rounding remainder in the last part.

    DESIGN.md: monthly earned value = total / service months with the remainder
    in the last month, so the months always sum to the total.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    part = (Decimal(total) / n).quantize(FEN, rounding=ROUND_DOWN)
    return [part] * (n - 1) + [Decimal(total) - part * (n - 1)]
