"""Amounts in Chinese uppercase (大写) as written on bills and invoices.

Public API: :func:`rmb_upper` (amount → words) and :func:`parse_upper` (words →
amount, used to check the words).

Rules of 《正确填写票据和结算凭证的基本规定》 (PBOC) implemented here:

1. Digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟万亿, then 元角分.
2. 元 then 整 when there are no 角 and 分: 1000.00 → 壹仟元整; 0 → 零元整.
3. 壹拾 is never shortened to 拾: 10.00 → 壹拾元整, 100000.00 → 壹拾万元整.
4. Zeros inside the yuan part: one 零 for a run of zeros, however long, including
   a whole zero 万 section (cn2an drops that 零; it is written here):
   1010.00 → 壹仟零壹拾元整, 6007.14 → 陆仟零柒元壹角肆分,
   1004000.00 → 壹佰万零肆仟元整, 100001000.00 → 壹亿零壹仟元整.
   Trailing zeros of the yuan part are not read: 1680.00 → 壹仟陆佰捌拾元整.
5. 角 zero and 分 not: 零 after 元: 16409.02 → 壹万陆仟肆佰零玖元零贰分,
   325.04 → 叁佰贰拾伍元零肆分.
6. Below one yuan there is no 零元: 0.05 → 伍分, 0.50 → 伍角, 0.07 → 柒分.
7. Red-letter (negative) amounts: 「（负数）」 (full-width parentheses) and the
   uppercase of the absolute value: -978282.00 → （负数）玖拾柒万捌仟贰佰捌拾贰元整.

Choices between two forms the rules allow:

A. Amount ending in 角: no 整 (the rules: 到"角"为止的，在"角"之后可以不写"整"
   字), as the seed contract writes it: 586969.20 → 伍拾捌万陆仟玖佰陆拾玖元贰角,
   1409.50 → 壹仟肆佰零玖元伍角.
B. 元 digit zero, 角 not zero: 零 after 元 (the rules allow writing it or not):
   1680.32 → 壹仟陆佰捌拾元零叁角贰分 (not 壹仟陆佰捌拾元叁角贰分),
   1000.50 → 壹仟元零伍角.
C. 万 digit and 元 digit both zero, 千 and 角 not zero: the rules say 可以只写一个
   零字; the one 零 goes after 元 (consistent with B) and the 万 零 is left out:
   107000.53 → 壹拾万柒仟元零伍角叁分 (not 壹拾万零柒仟元伍角叁分),
   1004000.50 → 壹佰万肆仟元零伍角. This applies only when the 万 section itself
   is not zero: a whole zero 万 section always keeps its 零 (rule 4), e.g.
   100007000.50 → 壹亿零柒仟元零伍角 (cn2an cannot read 壹亿柒仟).
D. 元 digit zero, 角 zero, 分 not zero: one 零 after 元 for the whole run
   (1680.02 → 壹仟陆佰捌拾元零贰分).
E. Zero: 零元整 (an amount below one yuan has no 零元, rule 6).

cn2an is used for every four-digit section (``cn2an.an2cn(n, "up")``); the
sections, 零 between them, 元角分, 整 and the sign are joined here, because
``cn2an.an2cn(value, "rmb")`` drops the 零 of a zero 万 section, writes 负 for
negatives and silently truncates a third decimal.
"""
from __future__ import annotations

from decimal import Decimal

import cn2an

from settlement.domain.money import AmountError, parse_amount

__all__ = ["rmb_upper", "parse_upper", "NEGATIVE"]

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SECTIONS = ("", "万", "亿")
NEGATIVE = "（负数）"


def _section_words(value: int) -> str:
    """One four-digit section (1..9999) in uppercase, via cn2an: 1010 → 壹仟零壹拾, 10 → 壹拾."""
    return cn2an.an2cn(value, "up")


def _yuan_words(n: int, drop_wan_zero: bool = False) -> str:
    """The uppercase of a whole number of yuan (n > 0); one 零 for each run of inner zeros.

    ``drop_wan_zero`` leaves out the 零 for a zero 万 digit inside a non-zero 万
    section (choice C in the module docstring).
    """
    sections = []
    while n:
        n, rest = divmod(n, 10000)
        sections.append(rest)
    out, zero_section_between, previous = "", False, None
    for index in range(len(sections) - 1, -1, -1):
        value = sections[index]
        if value == 0:
            zero_section_between = bool(out)
            continue
        if out:
            # A run of zeros crosses into this section: a whole zero section above it,
            # its own leading zeros (value < 1000), or the trailing zeros of the
            # section above (壹佰万零肆仟).
            crossing = zero_section_between or value < 1000 or previous % 10 == 0
            wan_zero_only = (index == 0 and not zero_section_between and previous % 10 == 0
                             and value >= 1000)
            if crossing and not (drop_wan_zero and wan_zero_only):
                out += "零"
        out += _section_words(value) + SECTIONS[index]
        zero_section_between, previous = False, value
    return out


def _check_type(amount):
    if isinstance(amount, bool) or not isinstance(amount, (Decimal, str, int)):
        raise AmountError("bad_type", "amount must be a Decimal or a decimal string such as "
                                      f'"978282.00", not {type(amount).__name__}')
    return amount


def rmb_upper(amount) -> str:
    """The Chinese uppercase (大写) of an amount of yuan, by the PBOC bill-filling rules.

    ``amount`` is a Decimal or a decimal string already at the fen ("978282.00",
    Decimal("586969.20"); an int of whole yuan is accepted too). Negative
    amounts (red-letter invoices) read （负数）… .

    >>> rmb_upper("978282.00")
    '玖拾柒万捌仟贰佰捌拾贰元整'
    >>> rmb_upper("586969.20")
    '伍拾捌万陆仟玖佰陆拾玖元贰角'

    Raises ValueError (:class:`settlement.domain.money.AmountError`, whose
    message names the rule) for a third decimal place, NaN/Infinity, a float,
    or an absolute value of 1万亿 (10**12) or more.
    """
    value = parse_amount(_check_type(amount), allow_negative=True)
    if value < 0:
        return NEGATIVE + rmb_upper(-value)
    fen = int(value * 100)
    yuan, rest = divmod(fen, 100)
    jiao, cents = divmod(rest, 10)
    if jiao == 0 and cents == 0:
        return (_yuan_words(yuan) if yuan else "零") + "元整"
    words = ""
    if yuan:
        yuan_zero = yuan % 10 == 0
        wan_digit, thousand_digit = (yuan // 10000) % 10, (yuan // 1000) % 10
        drop_wan_zero = (yuan_zero and jiao != 0 and yuan >= 10000
                         and wan_digit == 0 and thousand_digit != 0)
        words = _yuan_words(yuan, drop_wan_zero) + "元"
        if yuan_zero or jiao == 0:  # choice B (元零叁角) and rule 5 (元零贰分)
            words += "零"
    if jiao:
        words += DIGITS[jiao] + "角"
    if cents:
        words += DIGITS[cents] + "分"
    return words


def parse_upper(words: str) -> Decimal:
    """Read words written by :func:`rmb_upper` back into a Decimal at the fen.

    cn2an's own parser cannot read 元零叁角 or 元零贰分 (nor 伍角/伍分 alone), so
    the part before 元 is read with ``cn2an.cn2an(part, "normal")`` and the
    角/分 digits after it are read here. Raises ValueError for words it cannot read.
    """
    negative = words.startswith(NEGATIVE)
    body = words.removeprefix(NEGATIVE)
    if body.endswith("整"):
        body = body[:-1]
    if "元" in body:
        yuan_words, _, frac = body.partition("元")
        yuan = Decimal(cn2an.cn2an(yuan_words, "normal")) if yuan_words != "零" else Decimal(0)
    else:
        yuan, frac = Decimal(0), body
    frac = frac.removeprefix("零")
    jiao = cents = 0
    try:
        if "角" in frac:
            head, _, frac = frac.partition("角")
            jiao = DIGITS.index(head)
        if frac:
            head, sep, tail = frac.partition("分")
            if not sep or tail:
                raise ValueError(f"cannot read {words!r}")
            cents = DIGITS.index(head)
    except ValueError:
        raise ValueError(f"cannot read {words!r}") from None
    value = (yuan + Decimal(jiao) / 10 + Decimal(cents) / 100).quantize(Decimal("0.01"))
    return -value if negative else value
