"""marshmallow fields for money: reject, never round."""
from __future__ import annotations

from marshmallow import ValidationError, fields

from settlement.domain.money import AmountError, format_amount, parse_amount


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
            raise ValidationError('amount must be a string such as "978282.00"')
        try:
            return parse_amount(value, allow_negative=self.allow_negative)
        except AmountError as exc:
            raise ValidationError(str(exc)) from None

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else format_amount(value)
