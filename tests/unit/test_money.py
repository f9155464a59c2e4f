"""Money rules: parse, fen storage, the marshmallow field, splits (DESIGN.md "Money")."""
from __future__ import annotations

import re
from decimal import Decimal as D

import marshmallow as ma
import pytest
from hypothesis import given, strategies as st
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select, text

from settlement.schemas.fields import Amount
from settlement.dbtypes import Fen
from settlement.domain.money import (
    AmountError, format_amount, from_fen, parse_amount, split_evenly_remainder_last,
    split_largest_remainder, to_fen,
)


@pytest.mark.parametrize("raw, expected", [
    ("978282.00", D("978282.00")), ("586969.2", D("586969.20")), (5, D("5.00")),
    ("0", D("0.00")), ("999999999999.99", D("999999999999.99")), (D("1.50"), D("1.50")),
])
def test_parse_accepts(raw, expected):
    value = parse_amount(raw)
    assert value == expected and value.as_tuple().exponent == -2


@pytest.mark.parametrize("raw, rule, words", [
    ("1.005", "too_many_decimals", "more than two decimal places"),
    (1.5, "bad_type", "must be a string"),
    (True, "bad_type", "must be a string"),
    ("NaN", "not_a_number", "finite"),
    ("Infinity", "not_a_number", "finite"),
    ("-1.00", "negative", "must not be negative"),
    ("1000000000000.00", "out_of_range", "1万亿"),
    ("1e3", "bad_format", "plain decimal"),
    (" 1.00", "bad_format", "plain decimal"),
    ("１２", "bad_format", "plain decimal"),
    ("1,234.50", "bad_format", "plain decimal"),
    ("1.00\n", "bad_format", "plain decimal"),
    ("+1.00", "bad_format", "plain decimal"),
    ("1.000", "too_many_decimals", "more than two decimal places"),
    (D("1.005"), "too_many_decimals", "more than two decimal places"),
    (D("NaN"), "not_a_number", "finite"),
    ("-Infinity", "not_a_number", "finite"),
    (None, "bad_type", "must be a string"),
])
def test_parse_refuses_with_the_rule(raw, rule, words):
    with pytest.raises(AmountError) as err:
        parse_amount(raw)
    assert err.value.rule == rule and words in str(err.value)


def test_negative_allowed_when_asked():
    assert parse_amount("-978282.00", allow_negative=True) == D("-978282.00")
    with pytest.raises(AmountError, match="1万亿"):
        parse_amount("-1000000000000", allow_negative=True)


def test_negative_zero_is_zero():
    assert str(parse_amount("-0.00")) == "0.00"
    assert format_amount(D("-0.00")) == "0.00"


def test_fen_round_trip_and_refusal():
    assert to_fen(D("978282.00")) == 97828200
    assert to_fen(D("-1.5")) == -150
    assert from_fen(97828200) == D("978282.00")
    assert str(from_fen(-150)) == "-1.50"
    assert str(from_fen(D("97828200"))) == "978282.00"  # SUM(bigint) comes back as Decimal on PostgreSQL
    with pytest.raises(AmountError) as err:
        to_fen(D("0.001"))
    assert err.value.rule == "too_many_decimals"
    for bad in (1.5, True):
        with pytest.raises(AmountError):
            to_fen(bad)
        with pytest.raises(AmountError):
            from_fen(bad)


def test_format_amount_never_rounds():
    assert format_amount(D("978282")) == "978282.00"
    assert format_amount(D("-1.5")) == "-1.50"
    assert format_amount(D("1E+3")) == "1000.00"
    with pytest.raises(AmountError):
        format_amount(D("1.005"))
    with pytest.raises(AmountError):
        format_amount(1.5)


def test_fen_column_stores_integer_fen():
    engine = create_engine("sqlite://")
    md = MetaData()
    t = Table("t", md, Column("id", Integer, primary_key=True), Column("amount", Fen))
    md.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(t), {"id": 1, "amount": D("978282.00")})
        assert conn.execute(select(t.c.amount)).scalar() == D("978282.00")
        assert conn.execute(text("select amount from t")).scalar() == 97828200
        for bad in (1.5, 100, D("0.001")):
            with pytest.raises(Exception):
                conn.execute(insert(t), {"id": 2, "amount": bad})
        conn.execute(insert(t), {"id": 3, "amount": None})
        assert conn.execute(select(t.c.amount).where(t.c.id == 3)).scalar() is None


class _S(ma.Schema):
    amount = Amount(required=True)
    delta = Amount(allow_negative=True)


def test_amount_field_rejects_instead_of_rounding():
    assert _S().load({"amount": "1.00"})["amount"] == D("1.00")
    assert _S().dump({"amount": D("586969.2"), "delta": D("-1")}) == {"amount": "586969.20", "delta": "-1.00"}
    with pytest.raises(ma.ValidationError) as err:
        _S().load({"amount": "1.005"})
    assert "more than two decimal places" in err.value.messages["amount"][0]
    with pytest.raises(ma.ValidationError) as err:
        _S().load({"amount": 1.0})
    assert 'must be a string such as "978282.00"' in str(err.value.messages["amount"][0])
    with pytest.raises(ma.ValidationError):
        _S().load({"amount": "-1.00"})
    assert _S().load({"amount": "0", "delta": "-1.00"})["delta"] == D("-1.00")


def test_largest_remainder_examples():
    assert split_largest_remainder(D("100.00"), [1, 1, 1]) == [D("33.34"), D("33.33"), D("33.33")]
    assert split_largest_remainder(D("1956564.00"), [50, 30, 20]) == \
        [D("978282.00"), D("586969.20"), D("391312.80")]
    assert split_largest_remainder(D("-0.02"), [1, 1, 1]) == [D("-0.01"), D("-0.01"), D("0.00")]
    assert split_largest_remainder(D("0.05"), [D("0.5"), D("0.5")]) == [D("0.03"), D("0.02")]
    for bad in ([0, 0], [], [1, -1], [1.5]):
        with pytest.raises(ValueError):
            split_largest_remainder(D("1.00"), bad)


def test_even_split_remainder_last():
    assert split_evenly_remainder_last(D("1956564.00"), 12) == [D("163047.00")] * 12
    assert split_evenly_remainder_last(D("100.00"), 3) == [D("33.33"), D("33.33"), D("33.34")]
    assert split_evenly_remainder_last(D("-100.00"), 3) == [D("-33.33"), D("-33.33"), D("-33.34")]
    assert split_evenly_remainder_last(D("5.00"), 1) == [D("5.00")]
    with pytest.raises(ValueError):
        split_evenly_remainder_last(D("5.00"), 0)


amounts = st.integers(min_value=-(10**14) + 1, max_value=10**14 - 1).map(lambda f: D(f) / 100)


@given(amounts, st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=24)
       .filter(lambda ws: sum(ws) > 0))
def test_largest_remainder_always_sums_to_the_whole(total, weights):
    parts = split_largest_remainder(total, weights)
    assert sum(parts) == total
    wsum = sum(weights)
    for part, w in zip(parts, weights):
        assert part == part.quantize(D("0.01"))
        assert abs(part - total * w / wsum) < D("0.01")


@given(amounts, st.integers(min_value=1, max_value=120))
def test_even_split_always_sums(total, n):
    parts = split_evenly_remainder_last(total, n)
    assert len(parts) == n and sum(parts) == total
    assert all(p == p.quantize(D("0.01")) for p in parts)
    assert len(set(parts[:-1])) <= 1


@given(amounts)
def test_format_parse_round_trip(value):
    text = format_amount(value)
    assert re.fullmatch(r"-?[0-9]{1,12}\.[0-9]{2}", text)
    assert parse_amount(text, allow_negative=True) == value
    assert from_fen(to_fen(value)) == value
