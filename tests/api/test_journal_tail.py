"""The journal's tail is remembered within a transaction (services/journal.py ``_next_link``):
the chain stays gapless and verifiable across commits, rollbacks and savepoints."""
from __future__ import annotations

from settlement.db import write_intent
from settlement.services import journal
from settlement.services.actors import Actor

ADMIN = Actor(role="admin", party_id=None, party_code=None, token_id="test")


def test_appends_across_commit_rollback_and_savepoint_keep_one_chain(app):
    s = app.extensions["settlement"]["sessions"]()
    try:
        with write_intent():
            seqs = [journal.append(s, ADMIN, "test.noted", "test", i, {"i": i}).seq for i in range(3)]
            s.commit()
        assert seqs == [1, 2, 3]
        with write_intent():
            assert journal.append(s, ADMIN, "test.noted", "test", 3, {}).seq == 4
            s.rollback()                       # seq 4 never happened
        with write_intent():
            assert journal.append(s, ADMIN, "test.noted", "test", 4, {}).seq == 4
            with s.begin_nested() as sp:
                assert journal.append(s, ADMIN, "test.noted", "test", 5, {}).seq == 5
                sp.rollback()                  # seq 5 rolled back with its savepoint
            assert journal.append(s, ADMIN, "test.noted", "test", 6, {}).seq == 5
            with s.begin_nested():
                assert journal.append(s, ADMIN, "test.noted", "test", 7, {}).seq == 6
            assert journal.append(s, ADMIN, "test.noted", "test", 8, {}).seq == 7
            s.commit()
        checked, broken, why = journal.verify(s)
        assert (checked, broken, why) == (7, None, None)
    finally:
        s.close()
