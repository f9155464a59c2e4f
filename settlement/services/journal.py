"""Append-only, hash-chained journal of every state change (DESIGN.md "Architecture")."""
from __future__ import annotations

import hashlib
import json
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


def verify(session: Session) -> tuple[int, int | None, str | None]:
    """Walk the chain. Returns (entries checked, first broken seq or None, why)."""
    prev, count, expected_seq = GENESIS, 0, 1
    rows = session.execute(select(JournalEntry).order_by(JournalEntry.seq)).scalars()
    for e in rows:
        count += 1
        if e.seq != expected_seq:
            return count, e.seq, f"sequence gap: expected {expected_seq}"
        if e.prev_hash != prev:
            return count, e.seq, "prev_hash does not match the previous entry's hash"
        recorded = e.recorded_at
        if recorded.tzinfo is None:
            recorded = recorded.replace(tzinfo=timezone.utc)
        digest = entry_hash(e.seq, recorded.isoformat(), e.actor, e.action, e.entity, e.entity_id,
                            e.contract_id, e.change, e.prev_hash)
        if digest != e.hash:
            return count, e.seq, "hash does not match the entry's content"
        prev, expected_seq = e.hash, expected_seq + 1
        session.expunge(e)
    return count, None, None
