"""Matching a bank credit to a contract: by the contract code in the memo, by the payer's
account, and by the amount against what is outstanding (in that order)."""
from __future__ import annotations

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
    """Contracts whose code appears in the memo (case-insensitive), longest codes first."""
    if not memo:
        return []
    text = memo.upper()
    return sorted({cid for code, cid in codes.items() if code.upper() in text})


def match_credit(credit: Decimal, debit: Decimal, memo: str | None, counterparty_account: str | None,
                 codes: Mapping[str, int], by_account: Mapping[str, set[int]],
                 outstanding: Callable[[list[int] | None], dict[int, list[tuple[int, Decimal]]]]) -> Match:
    """Decide where an incoming amount belongs. ``outstanding(ids)`` gives, for the given contracts
    (None: every open contract), their tranches' outstanding amounts."""
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
    pool = outstanding(from_account or None)
    hits = [(cid, seq) for cid, lines in pool.items() for seq, amount in lines if amount == credit]
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
