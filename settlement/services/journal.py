"""Append-only, hash-chained journal of every state change (DESIGN.md "Architecture")."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime, timezone

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from settlement.db import is_postgres
from settlement.models import JournalEntry
from settlement.services.actors import Actor

GENESIS = "0" * 64
JOURNAL_LOCK_KEY = 7_242_001  # pg advisory lock id: one journal writer at a time


def canonical(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def digest(text: str) -> str:
    """SHA-256 of a text (a stored report, a file) as hex: what the journal keeps to prove it later."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_hash(seq: int, recorded_at: str, actor: dict, action: str, entity: str, entity_id: str,
               contract_id, change: dict, prev_hash: str) -> str:
    """SHA-256 over the canonical JSON of the entry and the previous entry's hash."""
    payload = canonical({
        "seq": seq, "recorded_at": recorded_at, "actor": actor, "action": action, "entity": entity,
        "entity_id": entity_id, "contract_id": contract_id, "change": change, "prev_hash": prev_hash,
    })
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(session: Session, actor: Actor, action: str, entity: str, entity_id, change: dict,
           contract_id: int | None = None, now: datetime | None = None) -> JournalEntry:
    """Append one entry at the end of the chain, inside the caller's transaction."""
    seq, prev = _next_link(session)
    recorded = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    change = json.loads(canonical(change))
    actor_d = actor.as_dict()
    digest = entry_hash(seq, recorded.isoformat(), actor_d, action, entity, str(entity_id),
                        contract_id, change, prev)
    entry = JournalEntry(seq=seq, recorded_at=recorded, actor=actor_d, action=action, entity=entity,
                         entity_id=str(entity_id), contract_id=contract_id, change=change,
                         prev_hash=prev, hash=digest)
    session.add(entry)
    session.flush()
    if session.in_nested_transaction():
        session.info.pop(_TAIL, None)
    else:
        session.info[_TAIL] = (session.get_transaction(), seq, digest)
    return entry


_TAIL = "journal_tail"


def _next_link(session: Session) -> tuple[int, str]:
    """The next entry's seq and the hash it chains to, with the journal locked for this transaction.

    Appends are serialised: PostgreSQL by a transaction-scoped advisory lock, SQLite by the
    write transaction (BEGIN IMMEDIATE). Once this transaction has appended, the lock is still
    held, so the entry it wrote is still the tail: it is remembered (per transaction, never
    inside a SAVEPOINT, which could roll back) instead of locked and read again. A bank import
    appends one entry per payment."""
    cached = session.info.get(_TAIL)
    if cached is not None and cached[0] is session.get_transaction() and not session.in_nested_transaction():
        return cached[1] + 1, cached[2]
    if is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": JOURNAL_LOCK_KEY})
    last = session.execute(
        select(JournalEntry.seq, JournalEntry.hash).order_by(JournalEntry.seq.desc()).limit(1)).first()
    return (last.seq + 1, last.hash) if last else (1, GENESIS)


def head(session: Session) -> str:
    """The chain's head as ``SEQ:HASH`` (the newest entry; ``0:000…`` for an empty journal).

    Printed at month end and kept offline: ``journal verify --head SEQ:HASH`` later proves that
    entry SEQ still has that hash and that the chain still runs through it (issue 15)."""
    last = session.execute(
        select(JournalEntry.seq, JournalEntry.hash).order_by(JournalEntry.seq.desc()).limit(1)).first()
    return f"{last.seq}:{last.hash}" if last else f"0:{GENESIS}"


def parse_head(value: str) -> tuple[int, str]:
    """``SEQ:HASH`` → (seq, hash); ValueError naming what is wrong."""
    seq, sep, digest_ = (value or "").strip().partition(":")
    if not sep or not seq.isdigit() or len(digest_) != 64 or any(c not in "0123456789abcdef" for c in digest_):
        raise ValueError(f"a head is SEQ:HASH as printed by `journal head` (a number, a colon and 64 lowercase "
                         f"hex digits), got {value!r}")
    return int(seq), digest_


_CHAIN_COLUMNS = (JournalEntry.seq, JournalEntry.recorded_at, JournalEntry.actor, JournalEntry.action,
                  JournalEntry.entity, JournalEntry.entity_id, JournalEntry.contract_id, JournalEntry.change,
                  JournalEntry.prev_hash, JournalEntry.hash)


class ChainWalk:
    """Walk the chain in order, streaming (``yield_per``: a large journal is never loaded at once),
    and yield ``(seq, why)`` for every broken link; with ``head`` (seq, hash) also prove that entry
    seq still has that hash and that the chain reaches it. After the walk: ``entries``, ``last``."""

    def __init__(self, session: Session, head: tuple[int, str] | None = None, batch: int = 2000):
        self.session, self.head, self.batch = session, head, batch
        self.entries = 0
        self.last: tuple[int, str] = (0, GENESIS)

    def __iter__(self) -> Iterator[tuple[int | None, str]]:
        prev, expected_seq = GENESIS, 1
        head_seen = self.head is not None and self.head[0] == 0
        if head_seen and self.head[1] != GENESIS:
            yield 0, "the head you kept is entry 0, but its hash is not the genesis hash"
        rows = self.session.execute(select(*_CHAIN_COLUMNS).order_by(JournalEntry.seq)
                                    .execution_options(yield_per=self.batch))
        for e in rows:
            self.entries += 1
            if e.seq != expected_seq:
                yield e.seq, (f"sequence gap: expected {expected_seq}" if e.seq > expected_seq
                              else f"sequence out of order: expected {expected_seq}")
            elif e.prev_hash != prev:
                yield e.seq, "prev_hash does not match the previous entry's hash"
            recorded = e.recorded_at
            if recorded.tzinfo is None:
                recorded = recorded.replace(tzinfo=timezone.utc)
            computed = entry_hash(e.seq, recorded.isoformat(), e.actor, e.action, e.entity, e.entity_id,
                                  e.contract_id, e.change, e.prev_hash)
            if computed != e.hash:
                yield e.seq, "hash does not match the entry's content"
            if self.head is not None and e.seq == self.head[0]:
                head_seen = True
                if e.hash != self.head[1]:
                    yield e.seq, (f"entry {e.seq} no longer has the hash of the head you kept ({self.head[1]}; "
                                  f"now {e.hash}): the chain was rewritten since")
            prev, expected_seq = e.hash, e.seq + 1
            self.last = (e.seq, e.hash)
        if self.head is not None and not head_seen:
            if self.last[0] > self.head[0]:
                yield self.head[0], f"entry {self.head[0]}, the head you kept, is missing: it was deleted"
            else:
                end = f"ends at entry {self.last[0]}" if self.entries else "is empty"
                yield None, (f"the journal {end}, but the head you kept is entry {self.head[0]}: "
                             "entries up to it were deleted")


def verify(session: Session) -> tuple[int, int | None, str | None]:
    """Walk the chain. Returns (entries checked, first broken seq or None, why)."""
    walk = ChainWalk(session)
    for seq, why in walk:
        return walk.entries, seq, why
    return walk.entries, None, None
