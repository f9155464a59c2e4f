"""Money: ``Decimal`` at the fen, end to end (DESIGN.md "Money").

Amounts are parsed from strings or ints only, never floats; a third decimal
place, NaN, Infinity, a negative where none is allowed, or 1万亿 and more is
refused with an :class:`AmountError` naming the rule, never silently rounded.
Amounts are stored as integer fen (:func:`to_fen` / :func:`from_fen`, both
exact) and written as strings with exactly two decimals (:func:`format_amount`).
Amounts as banks write them ("1,956,564.00", thousands separators grouped by
three) are read by :func:`parse_grouped_amount`, under the same refusals.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
LIMIT = Decimal("1000000000000")  # 1万亿: amounts must be strictly below this in absolute value

# ASCII digits only (no full-width digits), optional minus, no plus, no exponent,
# no separators, no surrounding whitespace; matched with fullmatch (``$`` would
# let a trailing newline through).
_PLAIN = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_SPECIAL = frozenset(("nan", "snan", "inf", "infinity"))
_MAX_BIGINT_DIGITS = 18  # |fen| < 10**18 fits a signed 64-bit BIGINT


class AmountError(ValueError):
    """Raised for an amount that breaks a money rule; ``str()`` names the rule.

    ``rule`` is a short machine code: ``too_many_decimals``, ``not_a_number``,
    ``negative``, ``out_of_range``, ``bad_type`` or ``bad_format``.
    """

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule


def _show(value: str) -> str:
    """A repr short enough for an error message."""
    return repr(value) if len(value) <= 40 else repr(value[:40]) + "..."


def _at_fen(d: Decimal) -> bool:
    """True when finite ``d`` has no non-zero digit below the fen (exact, any magnitude)."""
    exp = d.as_tuple().exponent
    if exp >= -2:
        return True
    # d == d.quantize(FEN) without quantize's precision limit
    return d.normalize().as_tuple().exponent >= -2 or d == 0


def _no_negative_zero(d: Decimal) -> Decimal:
    return d.copy_abs() if d == 0 else d


def parse_amount(value, *, allow_negative: bool = False) -> Decimal:
    """Parse an amount of yuan from a ``str``, ``int`` or ``Decimal``; return it at the fen.

    Rules (each refusal is an :class:`AmountError` whose ``rule`` and message name it):

    * ``bad_type``: floats (amounts must be strings), ``bool``, anything not str/int/Decimal;
    * ``not_a_number``: NaN, sNaN, Infinity;
    * ``bad_format``: anything but plain ASCII digits with an optional leading minus and
      an optional decimal part ("978282.00", "586969.2", "5"): no exponent ("1e3"), no
      thousands separators, no plus sign, no surrounding whitespace, no full-width digits;
    * ``too_many_decimals``: more than two decimal places (never rounded);
    * ``negative``: below zero unless ``allow_negative``;
    * ``out_of_range``: 1万亿 (1000000000000.00) or more in absolute value.
    """
    if isinstance(value, (bool, float)):
        raise AmountError("bad_type", 'amount must be a string such as "978282.00", not a number')
    if isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise AmountError("not_a_number", "amount must be a finite number (no NaN or Infinity)")
        d = value
    elif isinstance(value, str):
        if value.strip().lower().lstrip("+-") in _SPECIAL:
            raise AmountError("not_a_number", "amount must be a finite number (no NaN or Infinity)")
        m = _PLAIN.fullmatch(value)
        if m is None:
            raise AmountError("bad_format", f'amount {_show(value)} is not a plain decimal such as "978282.00" '
                                            "(ASCII digits, optional minus, at most two decimals, "
                                            "no exponent, separators or spaces)")
        if m.group(1) is not None and len(m.group(1)) > 3:
            raise AmountError("too_many_decimals",
                              "amount has more than two decimal places (fen); round it yourself")
        try:
            d = Decimal(value)
        except InvalidOperation:  # pragma: no cover - the regex already guards this
            raise AmountError("bad_format", f"amount {_show(value)} is not a decimal number") from None
    else:
        raise AmountError("bad_type", 'amount must be a string such as "978282.00"')
    if not _at_fen(d):
        raise AmountError("too_many_decimals",
                          "amount has more than two decimal places (fen); round it yourself")
    if d < 0 and not allow_negative:
        raise AmountError("negative", "amount must not be negative")
    if abs(d) >= LIMIT:
        raise AmountError("out_of_range", "amount must be below 1万亿 (1000000000000.00) in absolute value")
    return _no_negative_zero(d.quantize(FEN))


# An amount as banks and clerks write it: optional minus, optional ¥/￥, then ASCII digits
# either grouped by three with commas ("1,956,564") or without separators ("1956564"),
# then an optional decimal part (its length is checked after the match so that a third
# decimal gets its own refusal). Matched with fullmatch.
_GROUPED = re.compile(r"(-?)[¥￥]?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?")
_AMOUNT_CHARS = frozenset("0123456789,.-¥￥")


def parse_grouped_amount(text: str, *, allow_negative: bool = False) -> Decimal:
    """Parse an amount written with or without thousands separators; return it at the fen.

    The rule (the statement reader's, and any other place that reads amounts as
    people write them; :func:`parse_amount` stays the strict API rule):

    * with separators the digits are grouped by three with ASCII commas, the first
      group one to three digits: ``^\\d{1,3}(,\\d{3})*(\\.\\d{1,2})?$`` ("1,956,564.00");
      without separators ``^\\d+(\\.\\d{1,2})?$`` ("1956564.00"); full-width commas
      (，) count as commas; ASCII digits only;
    * an optional leading minus, then an optional ¥ or ￥ ("-¥1,000.00"); no plus,
      no parentheses, no exponent, no inner spaces (the caller strips the outside);
    * a cut or misplaced group ("1,956,5", "19,56,564", "1,956564") is refused, never
      read as another number (``bad_format``);
    * more than two decimals is refused, never rounded (``too_many_decimals``), as are
      NaN/Infinity (``not_a_number``), a negative unless ``allow_negative``
      (``negative``) and 1万亿 or more in absolute value (``out_of_range``).

    Every refusal is an :class:`AmountError` whose message quotes the text.
    """
    if not isinstance(text, str):
        raise AmountError("bad_type", "amount must be a string such as \"1,956,564.00\"")
    if "，" in text:
        text = text.replace("，", ",")
    m = _GROUPED.fullmatch(text)
    if m is None:
        shown = _show(text)
        if text.strip().lower().lstrip("+-") in _SPECIAL:
            raise AmountError("not_a_number", f"amount {shown} is not a finite number")
        if any(c.isdigit() for c in text) and all(c in _AMOUNT_CHARS for c in text):
            raise AmountError("bad_format", f"amount {shown} is not a well-formed amount: digits must be "
                                            "grouped by three (1,956,564.00) or written without separators "
                                            "(1956564.00), with at most two decimals")
        raise AmountError("bad_format", f"amount {shown} is not a number")
    sign, whole, decimals = m.groups()
    if decimals is not None and len(decimals) > 2:
        raise AmountError("too_many_decimals",
                          f"amount {_show(text)} has more than two decimal places (never rounded)")
    if len(whole) > 3 and "," in whole:
        whole = whole.replace(",", "")
    d = Decimal(f"{sign}{whole}.{decimals}" if decimals else f"{sign}{whole}")
    if d < 0 and not allow_negative:
        raise AmountError("negative", f"amount {_show(text)} must not be negative")
    if abs(d) >= LIMIT:
        raise AmountError("out_of_range",
                          f"amount {_show(text)} is not below 1万亿 (1000000000000.00) in absolute value")
    return _no_negative_zero(d.quantize(FEN))


def quantize(d: Decimal) -> Decimal:
    """Round a computed amount (e.g. a division for VAT) to the fen, ROUND_HALF_UP.

    Halves round away from zero: 1.005 -> 1.01, -1.005 -> -1.01. Only for results
    of arithmetic; input amounts are refused, not rounded (:func:`parse_amount`).
    """
    if not isinstance(d, Decimal):
        raise AmountError("bad_type", f"money must be a Decimal, got {type(d).__name__}")
    return _no_negative_zero(d.quantize(FEN, rounding=ROUND_HALF_UP))


def to_fen(d: Decimal) -> int:
    """Yuan -> integer fen, exactly (978282.00 -> 97828200).

    Raises :class:`AmountError` (``too_many_decimals``) for an amount not already at
    the fen: nothing is rounded here. Also refuses floats/bools/non-Decimals
    (``bad_type``), NaN/Infinity (``not_a_number``) and amounts whose fen do not fit
    a BIGINT (``out_of_range``). ``int`` yuan are accepted as whole yuan.
    """
    if isinstance(d, (bool, float)) or not isinstance(d, (Decimal, int)):
        raise AmountError("bad_type", f"money must be a Decimal, got {type(d).__name__}")
    d = Decimal(d)
    if not d.is_finite():
        raise AmountError("not_a_number", "money must be a finite number (no NaN or Infinity)")
    if not _at_fen(d):
        raise AmountError("too_many_decimals", f"{d} is not an amount at the fen (0.01)")
    if d != 0 and d.adjusted() + 2 >= _MAX_BIGINT_DIGITS:
        raise AmountError("out_of_range", f"{d} is too large to store as integer fen")
    # Exact: _at_fen checked, and scaleb only moves the exponent (≤ 19 digits < the context's 28).
    return int(d.scaleb(2))


def from_fen(n: int) -> Decimal:
    """Integer fen -> yuan at the fen, exactly (97828200 -> Decimal("978282.00")).

    Accepts an ``int`` (not ``bool``) or an integral ``Decimal`` (what a database
    returns for SUM over BIGINT on some backends); refuses floats and fractions of a fen.
    """
    if isinstance(n, Decimal):
        if not n.is_finite() or n != n.to_integral_value():
            raise AmountError("too_many_decimals", f"{n} is not a whole number of fen")
        n = int(n)
    elif isinstance(n, bool) or not isinstance(n, int):
        raise AmountError("bad_type", f"fen must be an int, got {type(n).__name__}")
    # Exact: scaleb only moves the exponent (a BIGINT has at most 19 digits < the context's 28).
    return Decimal(n).scaleb(-2)


def format_amount(d: Decimal) -> str:
    """Write an amount as a string with exactly two decimals: "978282.00", "-1.50".

    No thousands separators, no exponent, no "-0.00". The amount must already be
    at the fen (an ``int`` counts as whole yuan); floats and values with a digit
    below the fen raise :class:`AmountError` instead of being rounded.
    """
    return f"{from_fen(to_fen(d)):f}"


def _weight(w) -> Fraction:
    if isinstance(w, (bool, float)) or not isinstance(w, (int, Decimal)):
        raise ValueError(f"weights must be ints or Decimals, got {type(w).__name__}")
    if isinstance(w, Decimal) and not w.is_finite():
        raise ValueError("weights must be finite")
    if w < 0:
        raise ValueError("weights must not be negative")
    return Fraction(w)


def split_largest_remainder(total: Decimal, weights: Sequence[int | Decimal]) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights``; the parts sum exactly to ``total``.

    Largest-remainder (Hamilton) method in fen, computed with exact fractions:
    each part gets the floor of its exact share of ``|total|`` in fen, then the fen
    left over go one each to the largest fractional remainders (ties: the earlier
    index first). A negative total is split as its magnitude and the signs flipped,
    so every part is within one fen of its exact share. ``total`` must be at the fen.

    Raises ``ValueError`` for empty, negative, non-finite or all-zero weights.
    """
    if len(weights) == 0:
        raise ValueError("weights must not be empty")
    ws = [_weight(w) for w in weights]
    wsum = sum(ws)
    if wsum == 0:
        raise ValueError("weights must not all be zero")
    fen = to_fen(total)
    sign = -1 if fen < 0 else 1
    fen = abs(fen)
    exact = [fen * w / wsum for w in ws]
    floors = [e.numerator // e.denominator for e in exact]
    left = fen - sum(floors)  # 0 <= left < len(ws)
    order = sorted(range(len(ws)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [from_fen(sign * f) for f in floors]


def split_evenly_remainder_last(total: Decimal, n: int) -> list[Decimal]:
    """``n`` equal parts truncated toward zero to the fen, the remainder in the last part.

    DESIGN.md: monthly earned value = total / service months with the rounding
    remainder in the last month, so the months always sum exactly to the total
    (1956564.00 / 12 = 12 x 163047.00; 100.00 / 3 = 33.33, 33.33, 33.34).
    ``total`` must be at the fen; ``n`` >= 1.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise ValueError(f"n must be an int, got {type(n).__name__}")
    if n < 1:
        raise ValueError("n must be at least 1")
    fen = to_fen(total)
    part = abs(fen) // n * (-1 if fen < 0 else 1)
    return [from_fen(part)] * (n - 1) + [from_fen(fen - part * (n - 1))]
