"""The shapes of the numbers the tax platform gives an invoice, checked before one is recorded.

Only the platform (电子发票服务平台) numbers an invoice; this module never makes one up.

- **数电票 (全面数字化的电子发票)**: 20 digits. Digits 1-2 are the last two digits of
  the year the invoice was issued, digits 3-4 the province-level region (省、自治区、
  直辖市) code of the issuing tax bureau (GB/T 2260: 11 Beijing, 31 Shanghai, 44
  Guangdong, …), digit 5 the issuing channel, digits 6-20 a sequence number
  (published by the State Taxation Administration with the 数电票 roll-out; e.g.
  24442000000036916313 is a 2024 Guangdong invoice). The published wording also
  names the 计划单列市 (Dalian, Qingdao, Ningbo, Xiamen, Shenzhen); which two digits
  their bureaus use was not found, so only the 31 province-level codes are accepted:
  add theirs to :data:`PROVINCES` once confirmed.
- **Legacy invoices** (税控 / 增值税电子普通发票, and 数电纸质发票): an 8-digit 发票号码 with
  its 发票代码 of 10 digits (paper 专票/普票: digits 1-2 the province) or 12 digits
  (digit 1 the issuing administration: 0 the State Taxation Administration, 1 a
  national-tax, 2 a former local-tax bureau; digits 2-5 the region, 2-3 its
  province; 6-7 the year printed). A legacy number is unique only together with
  its code.
- **红字发票信息确认单 / 红字信息表 number**, required to record the red-letter invoice of a
  special invoice: digits, 16 to 20 of them (the 税控 红字信息表 number has 16; the
  数电 确认单's is longer). Only the shape is checked: the platform keeps the form.
"""
from __future__ import annotations

import re
from datetime import date

from settlement.i18n import Text, _

# Province-level administrative division codes (GB/T 2260), mainland China: the regions whose
# tax bureaus issue invoices.
PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
    "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区", "46": "海南省",
    "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
    "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
}

DIGITAL, LEGACY = "digital", "legacy"   # 数电票 / 发票代码 + 8-digit number
_DIGITS = re.compile(r"[0-9]+")
CONFIRMATION = re.compile(r"[0-9]{16,20}")


def kind_of(number: str) -> str | None:
    """``digital`` for 20 digits, ``legacy`` for 8, else None."""
    if not isinstance(number, str) or not _DIGITS.fullmatch(number):
        return None
    return {20: DIGITAL, 8: LEGACY}.get(len(number))


def number_errors(number: str, code: str | None, issued_on: date) -> dict[str, list[Text]]:
    """What is wrong with an invoice number (and its 发票代码) for an invoice issued on ``issued_on``.

    Empty when the shape is one the platform gives; keys are the request's field names."""
    errors: dict[str, list[Text]] = {}
    kind = kind_of(number)
    if kind is None:
        errors["number"] = [_("must be the tax platform's invoice number: 20 digits (数电票), or 8 digits "
                              "with its 10- or 12-digit 发票代码 in code")]
        return errors
    if kind == DIGITAL:
        if code:
            errors["code"] = [_("a 20-digit 数电票 number has no 发票代码: leave code out")]
        year = f"{issued_on:%y}"
        if number[:2] != year:
            errors.setdefault("number", []).append(_(
                "digits 1-2 of a 数电票 number are the year it was issued: {expected} for an invoice issued "
                "on {issued_on}, not {got}", expected=year, issued_on=issued_on.isoformat(), got=number[:2]))
        if number[2:4] not in PROVINCES:
            errors.setdefault("number", []).append(_(
                "digits 3-4 of a 数电票 number are a province-level region code (11 Beijing, 31 Shanghai, "
                "44 Guangdong, …); {got} is not one", got=number[2:4]))
        return errors
    # legacy: the 8-digit number needs its code
    if not code:
        errors["code"] = [_("an 8-digit invoice number needs its 发票代码 (10 or 12 digits)")]
        return errors
    if not _DIGITS.fullmatch(code) or len(code) not in (10, 12):
        errors["code"] = [_("a 发票代码 has 10 or 12 digits")]
        return errors
    region = code[1:3] if len(code) == 12 else code[0:2]
    if len(code) == 12 and code[0] not in "012":
        errors["code"] = [_("a 12-digit 发票代码 starts with 0, 1 or 2")]
    elif region not in PROVINCES:
        errors["code"] = [_("a 发票代码 names a province-level region code (digits {digits}); {got} is not one",
                            digits="2-3" if len(code) == 12 else "1-2", got=region)]
    return errors


def confirmation_errors(value: str | None) -> list[Text]:
    """What is wrong with a 红字发票信息确认单 (红字信息表) number."""
    if not value or not CONFIRMATION.fullmatch(value):
        return [_("must be the number of the 红字发票信息确认单 (红字信息表): 16 to 20 digits")]
    return []


def display(number: str, code: str | None) -> str:
    """How a person quotes the invoice: the 20-digit number, or 发票代码 + number."""
    return f"{code} {number}" if code else number
