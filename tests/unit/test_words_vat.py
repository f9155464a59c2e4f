"""Chinese uppercase amounts (PBOC rules) and the VAT split (clause 5.2)."""
from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, strategies as st

from settlement.domain.vat import split
from invoices.words import parse_upper, rmb_upper


@pytest.mark.parametrize("amount, words", [
    # the seed, as clause 5.1/5.1.1 writes them
    ("1956564.00", "壹佰玖拾伍万陆仟伍佰陆拾肆元整"),
    ("978282.00", "玖拾柒万捌仟贰佰捌拾贰元整"),
    ("586969.20", "伍拾捌万陆仟玖佰陆拾玖元贰角"),
    # the rules' worked examples
    ("1409.50", "壹仟肆佰零玖元伍角"),
    ("6007.14", "陆仟零柒元壹角肆分"),
    ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
    ("107000.53", "壹拾万零柒仟元伍角叁分"),
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
    ("325.04", "叁佰贰拾伍元零肆分"),
    # inner zero runs, whole zero 万 section, 壹拾
    ("100001000.00", "壹亿零壹仟元整"),
    ("1004000.00", "壹佰万零肆仟元整"),
    ("1010.00", "壹仟零壹拾元整"),
    ("10.00", "壹拾元整"),
    ("100000.00", "壹拾万元整"),
    ("0", "零元整"),
    ("0.05", "伍分"),
    ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ("-978282.00", "（负数）玖拾柒万捌仟贰佰捌拾贰元整"),
])
def test_uppercase(amount, words):
    assert rmb_upper(amount) == words
    assert rmb_upper(D(amount)) == words


@pytest.mark.parametrize("bad, message", [
    ("1.005", "more than two decimal places"), (D("1.005"), "more than two decimal places"),
    ("NaN", "finite"), ("Infinity", "finite"), (D("1000000000000"), "1万亿"), (1.5, "not float"),
])
def test_uppercase_refuses(bad, message):
    with pytest.raises(ValueError) as err:
        rmb_upper(bad)
    assert message in str(err.value) or (message == "not float" and "float" in str(err.value))


amounts = st.integers(min_value=-(10**14) + 1, max_value=10**14 - 1).map(lambda f: D(f) / 100)


@given(amounts)
def test_uppercase_parses_back_with_cn2an(value):
    words = rmb_upper(value)
    assert parse_upper(words) == value
    assert "拾" not in words or not words.lstrip("（负数）").startswith("拾")


@pytest.mark.parametrize("total, net, tax", [
    ("978282.00", "922907.55", "55374.45"),
    ("586969.20", "553744.53", "33224.67"),
    ("391312.80", "369163.02", "22149.78"),
    ("1956564.00", "1845815.09", "110748.91"),
])
def test_seed_vat_splits(total, net, tax):
    assert split(D(total), D("0.06")) == (D(net), D(tax))


def test_per_invoice_tax_differs_from_contract_tax_by_a_fen():
    per_invoice = sum(split(D(t), D("0.06"))[1] for t in ("978282.00", "586969.20", "391312.80"))
    assert per_invoice == D("110748.90")
    assert split(D("1956564.00"), D("0.06"))[1] - per_invoice == D("0.01")


@given(amounts, st.sampled_from([D("0"), D("0.06"), D("0.09"), D("0.13")]))
def test_net_plus_tax_is_total_and_reversal_negates(total, rate):
    net, tax = split(total, rate)
    assert net + tax == total
    assert split(-total, rate) == (-net, -tax)
