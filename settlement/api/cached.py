"""Per-process cache of computed read responses (schedule, earned value, settlement).

A read recomputes the contract's position from every stored fact and the working-day
calendar (8 queries, the Civil Code date arithmetic, serialisation: ~6 ms). Its result
depends only on the contract's stored facts, the calendar in force and ``as_of``:

- every change to a contract's facts appends a journal entry carrying its ``contract_id``
  in the same transaction (services/journal.py), so the contract's newest journal ``seq``
  names its facts (one probe of ``ix_journal_entries_contract_seq``);
- ``calendar_stamp`` names the calendar (services/calendar.py).

A hit therefore costs one indexed query and returns the stored body. The validator is read
BEFORE the view is computed, so a write committed in between can only make an entry look
older than it is (a needless recompute), never newer (a stale answer). Visibility is checked
on every hit against the parties stored with the entry (another party's contract is a 404,
as in ``get_contract``).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import Callable

from flask import current_app
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from settlement.errors import NotFound
from settlement.models import JournalEntry
from settlement.services.actors import Actor
from settlement.services.calendar import calendar_stamp
from settlement.services.contracts import get_contract, may_see


@dataclass(frozen=True)
class Entry:
    validator: tuple
    party_ids: frozenset
    body: bytes


class ResponseCache:
    """A bounded LRU map (view, contract id, as_of) → Entry, safe across threads."""

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple, validator: tuple) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.validator != validator:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: tuple, entry: Entry) -> None:
        if self.max_entries <= 0:
            return
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


def cache_for(app) -> ResponseCache:
    ext = app.extensions["settlement"]
    if "response_cache" not in ext:
        ext["response_cache"] = ResponseCache(int(app.config.get("READ_CACHE_ENTRIES", 4096)))
    return ext["response_cache"]


_JOURNAL_HEAD = select(func.max(JournalEntry.seq)).where(JournalEntry.contract_id == bindparam("contract_id"))


def contract_validator(session: Session, contract_id: int) -> tuple:
    """(the contract's newest journal seq, the calendar's stamp): changes with any fact the views read."""
    head = session.scalar(_JOURNAL_HEAD, {"contract_id": contract_id})
    return head, calendar_stamp(session)


def cached_view(session: Session, actor: Actor, name: str, contract_id: int, as_of: date, schema,
                compute: Callable):
    """The JSON response of ``compute(session, contract, as_of)`` dumped with ``schema``, from
    the cache when the contract's validator is unchanged."""
    cache = cache_for(current_app)
    key = (name, contract_id, as_of)
    validator = contract_validator(session, contract_id)
    entry = cache.get(key, validator)
    if entry is None:
        contract = get_contract(session, actor, contract_id)
        data = schema.dump(compute(session, contract, as_of))
        body = current_app.json.response(data).get_data()
        entry = Entry(validator, frozenset(p.party_id for p in contract.parties), body)
        cache.put(key, entry)
    elif not may_see(actor, entry.party_ids):
        raise NotFound(f"no contract {contract_id}")
    return current_app.response_class(entry.body, status=200, mimetype="application/json")
