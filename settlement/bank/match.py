"""Matching a bank credit to a contract: by the contract code in the memo, by the payer's
account, and by the amount against what is outstanding (in that order).

A memo names a contract only by a whole token of at least 6 characters, and only when
the payer is the contract's buyer (an account or the name on file): a buyer cannot
hijack another contract's credits by choosing a short or look-alike code (issue 15).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

MIN_MEMO_CODE = 6
TOKEN = re.compile(r"[A-Z0-9][A-Z0-9._-]*[A-Z0-9]|[A-Z0-9]")


@dataclass(frozen=True)
class Match:
    contract_id: int | None
    tranche_seq: int | None
    status: str          # matched / unmatched / ignored
    reason: str


class Directory(Protocol):
    codes: dict[str, int]                     # upper-cased code (≥ 6 characters) → contract id

    def buyer_contracts(self, account: str | None) -> set[int]: ...
    def payer_is_buyer(self, contract_id: int, name: str | None, account: str | None) -> bool: ...
    def with_outstanding(self, amount: Decimal, ids: Iterable[int] | None) -> list[tuple[int, int]]: ...


def contracts_in_memo(memo: str | None, codes: dict[str, int]) -> list[int]:
    """Contracts whose code is a whole token of the memo (case-insensitive, at least 6 characters)."""
    if not memo:
        return []
    return sorted({codes[tok] for tok in TOKEN.findall(memo.upper())
                   if len(tok) >= MIN_MEMO_CODE and tok in codes})


def match_credit(credit: Decimal, debit: Decimal, memo: str | None, counterparty_name: str | None,
                 counterparty_account: str | None, d: Directory) -> Match:
    """Decide where an incoming amount belongs."""
    if credit <= 0:
        return Match(None, None, "ignored", "outgoing payment (支出)" if debit > 0 else "no amount")
    named = contracts_in_memo(memo, d.codes)
    if len(named) > 1:
        return Match(None, None, "unmatched", f"the memo names {len(named)} contracts")
    if len(named) == 1:
        if d.payer_is_buyer(named[0], counterparty_name, counterparty_account):
            return Match(named[0], None, "matched", "contract code in the memo, paid by its buyer")
        return Match(None, None, "unmatched", "the memo names a contract but the payer is not its buyer "
                                              "(no account or name on file matches)")
    from_account = sorted(d.buyer_contracts(counterparty_account))
    if len(from_account) == 1:
        return Match(from_account[0], None, "matched", "payer account is the buyer's")
    hits = d.with_outstanding(credit, from_account or None)
    if len(hits) == 1:
        return Match(hits[0][0], hits[0][1], "matched", f"amount equals tranche {hits[0][1]}'s outstanding")
    if len(hits) > 1:
        return Match(None, None, "unmatched",
                     f"ambiguous: {len(hits)} tranches of {len({c for c, _ in hits})} contract(s) have "
                     f"{credit:.2f} outstanding")
    if from_account:
        return Match(None, None, "unmatched", f"the payer account pays {len(from_account)} contracts and "
                                              "no tranche has this amount outstanding")
    return Match(None, None, "unmatched", "no contract code in the memo, unknown payer account, "
                                          "and no tranche has this amount outstanding")
