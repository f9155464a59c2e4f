"""marshmallow fields for money: reject, never round.

Messages are :class:`settlement.i18n.Text` that name their field as ``{field}``:
the HTTP layer renders them in the reader's language with the field's label
(``金额应为字符串…`` / ``amount must be a string…``).
"""
from __future__ import annotations

from marshmallow import ValidationError, fields

from settlement.domain.money import AmountError, format_amount, parse_amount
from settlement.i18n import _

# AmountError.rule → the message shown to a person.
AMOUNT_MESSAGES = {
    "bad_type": _('{field} must be a string such as "978282.00", not a JSON number'),
    "not_a_number": _("{field} must be a finite number (no NaN or Infinity)"),
    "bad_format": _('{field} must be a plain decimal such as "978282.00" (ASCII digits, optional minus, '
                    "at most two decimals, no exponent, separators or spaces)"),
    "too_many_decimals": _("{field} has more than two decimal places (fen); round it yourself"),
    "negative": _("{field} must not be negative"),
    "out_of_range": _("{field} must be below 1万亿 (1000000000000.00) in absolute value"),
}


def amount_error(exc: AmountError):
    """The message for a refused amount (the domain's English text when the rule is new)."""
    return AMOUNT_MESSAGES.get(exc.rule) or str(exc)


class Amount(fields.String):
    """An amount in JSON: a string with at most two decimals, e.g. "978282.00".

    Rejects (marshmallow's own Decimal field would round "1.005") a third
    decimal place, JSON numbers, NaN, Infinity, negatives unless
    ``allow_negative``, and 1万亿 or more. Serialises with exactly two decimals.
    """

    def __init__(self, *, allow_negative: bool = False, **kwargs):
        self.allow_negative = allow_negative
        meta = kwargs["metadata"] = dict(kwargs.get("metadata") or {})
        meta.setdefault("pattern", r"^-?\d{1,12}(\.\d{1,2})?$" if allow_negative else r"^\d{1,12}(\.\d{1,2})?$")
        meta.setdefault("example", "978282.00")
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        # Only JSON strings: a JSON number has already been through float in the decoder.
        if not isinstance(value, str):
            raise ValidationError([AMOUNT_MESSAGES["bad_type"]])
        try:
            return parse_amount(value, allow_negative=self.allow_negative)
        except AmountError as exc:
            raise ValidationError([amount_error(exc)]) from None

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else format_amount(value)
