"""Supplementary agreements (补充协议, clauses 4.2.2, 5.1.2, 12.2-12.3).

- 12.3 "以最后签订的为准": of the agreements in force on a day, the latest SIGNED
  prevails (ties: the later recorded).
- An as-of question is answered with the agreements signed on or before that
  date, so a past figure does not change when a later agreement is signed.
"""
from __future__ import annotations

from datetime import date

from settlement.domain.contract import ContractTerms
from settlement.domain.earned import respread
from settlement.domain.history import AgreementFact


def known_by(agreements, as_of: date) -> list[AgreementFact]:
    """The agreements signed on or before ``as_of``, in the order they prevail (signing, then record)."""
    return sorted((a for a in agreements if a.signed_on <= as_of), key=lambda a: (a.signed_on, a.seq))


def terms_in_force(base: ContractTerms, agreements, day: date, as_of: date) -> ContractTerms:
    """12.3: the terms on ``day``, as known on ``as_of``: the latest signed agreement in force, else the contract."""
    terms = base
    for a in known_by(agreements, as_of):
        if a.effective_from <= day:
            terms = a.terms
    return terms


def agreed_earned_table(table, agreements, as_of: date):
    """The earned table after every agreement known on ``as_of``, each re-spreading from the later
    of its effective month and its signing month (:func:`settlement.domain.earned.respread`)."""
    for a in known_by(agreements, as_of):
        table = respread(table, max(a.effective_from, a.signed_on), a.terms.total)
    return table
