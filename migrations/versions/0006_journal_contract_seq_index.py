"""journal: index (contract_id, seq) replaces (contract_id)

A contract's newest journal entry validates the read cache (settlement/api/cached.py);
the composite index answers it with one probe and still serves lookups by contract.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 13:10:00
"""
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('journal_entries', schema=None) as batch_op:
        batch_op.create_index('ix_journal_entries_contract_seq', ['contract_id', 'seq'], unique=False)
        batch_op.drop_index('ix_journal_entries_contract_id')


def downgrade() -> None:
    with op.batch_alter_table('journal_entries', schema=None) as batch_op:
        batch_op.create_index('ix_journal_entries_contract_id', ['contract_id'], unique=False)
        batch_op.drop_index('ix_journal_entries_contract_seq')
