"""Amounts in Chinese uppercase (大写) as written on bills and invoices.

Rules of 《正确填写票据和结算凭证的基本规定》 (PBOC) implemented here:

- 元 then 整 when there are no 角 and 分 (壹拾元整); 0 reads 零元整.
- A run of zeros inside the yuan part reads as a single 零, including a whole
  zero 万 section: 100001000.00 → 壹亿零壹仟元整, 1004000.00 → 壹佰万零肆仟元整.
  (The rules also allow leaving that 零 out when the 万 digit is 0; we always
  write it, as the issue asks.)
- 壹拾 is never shortened to 拾: 10.00 → 壹拾元整, 100000.00 → 壹拾万元整.
- 零 after 元 when 角 is zero and 分 is not: 16409.02 → 壹万陆仟肆佰零玖元零贰分.
- Choice: when the 元 digit is 0 and 角 is not (¥1680.32), the rules allow
  壹仟陆佰捌拾元零叁角贰分 or 壹仟陆佰捌拾元叁角贰分; we write the latter
  (no 零 after 元), so that ¥107000.53 reads 壹拾万零柒仟元伍角叁分 — one of the
  two forms the rules give, consistent with always writing the inner 零.
- Choice: an amount that ends in 角 takes no 整 (the rules say 整 "可以不写"
  after 角); this is how the seed contract writes 伍拾捌万陆仟玖佰陆拾玖元贰角.
- Below one yuan there is no 零元 prefix: 0.05 → 伍分, 0.50 → 伍角.
- A red-letter (negative) amount prints as the tax platform does: （负数） and
  the uppercase of the absolute value.

``cn2an`` converts each four-digit section; the service guards its input (cn2an
silently truncates "1.005") and joins the sections itself (cn2an drops the 零
for a whole zero 万 section).
"""
from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from settlement.domain.money import AmountError, parse_amount

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SECTIONS = ("", "万", "亿")
NEGATIVE = "（负数）"


@lru_cache(maxsize=None)
def _cn2an():
    """cn2an, imported on first use: it takes ~0.1 s to import, which every CLI command paid."""
    import cn2an
    return cn2an


def _yuan_words(n: int) -> str:
    """The uppercase of a whole number of yuan (n > 0), sections joined with a single 零 for zero runs."""
    sections = []
    while n:
        n, rest = divmod(n, 10000)
        sections.append(rest)
    out, pending_zero, previous = "", False, None
    for index in range(len(sections) - 1, -1, -1):
        value = sections[index]
        if value == 0:
            pending_zero = bool(out)
            previous = value
            continue
        # A zero run crosses into this section: a zero section before it, its own leading
        # zeros (value < 1000), or the trailing zeros of the section above (壹佰万零肆仟).
        if out and (pending_zero or value < 1000 or previous % 10 == 0):
            out += "零"
        out += _cn2an().an2cn(value, "up") + SECTIONS[index]
        pending_zero, previous = False, value
    return out


def rmb_upper(amount) -> str:
    """The Chinese uppercase of an amount of yuan at the fen, e.g. "978282.00" → 玖拾柒万捌仟贰佰捌拾贰元整.

    ``amount`` is a Decimal or a decimal string already at the fen; a third
    decimal place, NaN, Infinity, a float, or 1万亿 and more raises ValueError
    naming the rule. Negative amounts read （负数）… (red-letter invoices).
    """
    if isinstance(amount, Decimal) and amount.is_finite() and amount != amount.quantize(Decimal("0.01")):
        raise AmountError("too_many_decimals", "amount has more than two decimal places (fen); round it yourself")
    value = parse_amount(amount if isinstance(amount, (Decimal, str)) else _refuse(amount), allow_negative=True)
    if value < 0:
        return NEGATIVE + rmb_upper(-value)
    fen = int(value * 100)
    yuan, rest = divmod(fen, 100)
    jiao, cents = divmod(rest, 10)
    words = _yuan_words(yuan) + "元" if yuan else ""
    if jiao == 0 and cents == 0:
        return (words or "零元") + "整"
    if jiao:
        words += DIGITS[jiao] + "角"
    if cents:
        words += ("零" if jiao == 0 and yuan else "") + DIGITS[cents] + "分"
    return words


def _refuse(value):
    raise AmountError("bad_type", f"amount must be a Decimal or a decimal string, not {type(value).__name__}")


def parse_upper(words: str) -> Decimal:
    """Read an uppercase amount back (for checks): the yuan part with cn2an's own parser, then 角 and 分."""
    negative = words.startswith(NEGATIVE)
    words = words.removeprefix(NEGATIVE).removesuffix("整")
    yuan_words, _, frac = words.rpartition("元") if "元" in words else ("", "", words)
    yuan = Decimal(_cn2an().cn2an(yuan_words, "normal")) if yuan_words not in ("", "零") else Decimal(0)
    frac = frac.lstrip("零")
    jiao = cents = 0
    if "角" in frac:
        head, _, frac = frac.partition("角")
        jiao = DIGITS.index(head)
        frac = frac.lstrip("零")
    if "分" in frac:
        cents = DIGITS.index(frac.partition("分")[0])
    value = yuan + Decimal(jiao) / 10 + Decimal(cents) / 100
    return (-value if negative else value).quantize(Decimal("0.01"))
