"""initial schema: parties, contracts, tranches, tax rates, tokens, calendar, journal.

Money columns are integer fen (BIGINT); rates are integer millionths.

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 09:54:19.876753
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('calendar_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('year')
    )
    op.create_table('contracts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('total_amount', sa.BigInteger(), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('service_start', sa.Date(), nullable=False),
    sa.Column('service_end', sa.Date(), nullable=False),
    sa.Column('invoice_lead_working_days', sa.Integer(), nullable=False),
    sa.Column('objection_window_working_days', sa.Integer(), nullable=False),
    sa.Column('overdue_termination_days', sa.Integer(), nullable=False),
    sa.Column('penalty_rate', sa.Integer(), nullable=False),
    sa.Column('rectification_limit', sa.Integer(), nullable=False),
    sa.Column('termination_notice_months', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('penalty_rate >= 0 AND penalty_rate <= 1000000', name='ck_contracts_penalty_rate'),
    sa.CheckConstraint('service_start <= service_end', name='ck_contracts_service_period'),
    sa.CheckConstraint('signed_on <= service_end', name='ck_contracts_signed_before_end'),
    sa.CheckConstraint('total_amount > 0', name='ck_contracts_total_positive'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('parties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('taxpayer_id', sa.String(length=18), nullable=True),
    sa.Column('general_taxpayer', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role = 'admin' OR party_id IS NOT NULL", name='ck_api_tokens_party'),
    sa.CheckConstraint("role IN ('buyer', 'vendor', 'auditor', 'admin')", name='ck_api_tokens_role'),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('public_id')
    )
    op.create_table('bank_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('bank', sa.String(length=200), nullable=False),
    sa.Column('account_name', sa.String(length=200), nullable=False),
    sa.Column('account_no', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('party_id', 'account_no')
    )
    op.create_table('contract_parties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("role IN ('buyer', 'vendor', 'auditor')", name='ck_contract_parties_role'),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], ),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('contract_id', 'party_id', 'role')
    )
    with op.batch_alter_table('contract_parties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_parties_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contract_parties_party_id'), ['party_id'], unique=False)

    op.create_table('journal_entries',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.JSON(), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('entity', sa.String(length=64), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=True),
    sa.Column('change', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], ),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('hash')
    )
    with op.batch_alter_table('journal_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journal_entries_contract_id'), ['contract_id'], unique=False)

    op.create_table('tax_rates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('rate', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.CheckConstraint('rate >= 0 AND rate < 1000000', name='ck_tax_rates_rate'),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('contract_id', 'effective_from')
    )
    with op.batch_alter_table('tax_rates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tax_rates_contract_id'), ['contract_id'], unique=False)

    op.create_table('tranches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('is_remainder', sa.Boolean(), nullable=False),
    sa.Column('due_kind', sa.String(length=32), nullable=False),
    sa.Column('due_months', sa.Integer(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('due_days', sa.Integer(), nullable=True),
    sa.CheckConstraint("(due_kind = 'months_after_signing' AND due_months IS NOT NULL AND due_months >= 0) OR (due_kind = 'on_or_before' AND due_date IS NOT NULL) OR (due_kind = 'working_days_after_audit' AND due_days IS NOT NULL AND due_days >= 1)", name='ck_tranches_due_rule'),
    sa.CheckConstraint('amount >= 0', name='ck_tranches_amount'),
    sa.CheckConstraint('seq >= 1', name='ck_tranches_seq'),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('contract_id', 'seq')
    )
    with op.batch_alter_table('tranches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tranches_contract_id'), ['contract_id'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('tranches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tranches_contract_id'))

    op.drop_table('tranches')
    with op.batch_alter_table('tax_rates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tax_rates_contract_id'))

    op.drop_table('tax_rates')
    with op.batch_alter_table('journal_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_entries_contract_id'))

    op.drop_table('journal_entries')
    with op.batch_alter_table('contract_parties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_parties_party_id'))
        batch_op.drop_index(batch_op.f('ix_contract_parties_contract_id'))

    op.drop_table('contract_parties')
    op.drop_table('bank_accounts')
    op.drop_table('api_tokens')
    op.drop_table('parties')
    op.drop_table('contracts')
    op.drop_table('calendar_years')
    
