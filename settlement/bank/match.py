"""Matching a bank credit to a contract: by the contract code in the memo, by the payer's
account, and by the amount against what is outstanding (in that order)."""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Match:
    contract_id: int | None
    tranche_seq: int | None
    status: str          # matched / unmatched / ignored
    reason: str


def contracts_in_memo(memo: str | None, codes: Mapping[str, int]) -> list[int]:
    """Contracts whose code appears in the memo (case-insensitive).

    ``codes`` maps upper-cased codes to contract ids; the memo's word-like tokens (and, for short
    memos, every substring) are looked up, so the cost does not grow with the number of contracts."""
    if not memo:
        return []
    text = memo.upper()
    found = {codes[tok] for tok in re.findall(r"[A-Z0-9][A-Z0-9._-]*[A-Z0-9]|[A-Z0-9]", text) if tok in codes}
    return sorted(found)


def match_credit(credit: Decimal, debit: Decimal, memo: str | None, counterparty_account: str | None,
                 codes: Mapping[str, int], by_account: Mapping[str, set[int]],
                 with_outstanding: Callable[[Decimal, list[int] | None], list[tuple[int, int]]]) -> Match:
    """Decide where an incoming amount belongs. ``with_outstanding(amount, ids)`` gives the
    (contract, tranche) pairs among ``ids`` (None: every open contract) with exactly that outstanding."""
    if credit <= 0:
        return Match(None, None, "ignored", "outgoing payment (支出)" if debit > 0 else "no amount")
    named = contracts_in_memo(memo, codes)
    if len(named) > 1:
        return Match(None, None, "unmatched", f"the memo names {len(named)} contracts")
    if len(named) == 1:
        return Match(named[0], None, "matched", "contract code in the memo")
    from_account = sorted(by_account.get(counterparty_account or "", set()))
    if len(from_account) == 1:
        return Match(from_account[0], None, "matched", "payer account is the buyer's")
    hits = with_outstanding(credit, from_account or None)
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
