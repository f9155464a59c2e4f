"""bank lines and closed months

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 10:15:18.111904
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('closed_months',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('report', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('month')
    )
    op.create_table('bank_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('serial', sa.String(length=64), nullable=False),
    sa.Column('account_no', sa.String(length=64), nullable=True),
    sa.Column('txn_date', sa.Date(), nullable=False),
    sa.Column('counterparty_name', sa.String(length=200), nullable=True),
    sa.Column('counterparty_account', sa.String(length=64), nullable=True),
    sa.Column('credit', sa.BigInteger(), nullable=False),
    sa.Column('debit', sa.BigInteger(), nullable=False),
    sa.Column('memo', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('contract_id', sa.Integer(), nullable=True),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('source_file', sa.String(length=300), nullable=True),
    sa.Column('line_no', sa.Integer(), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('matched', 'unmatched', 'ignored')", name='ck_bank_lines_status'),
    sa.CheckConstraint('credit >= 0 AND debit >= 0', name='ck_bank_lines_amounts'),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], ),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('serial', name='uq_bank_lines_serial')
    )
    with op.batch_alter_table('bank_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_lines_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index('ix_bank_lines_status', ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_bank_lines_txn_date'), ['txn_date'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('bank_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_lines_txn_date'))
        batch_op.drop_index('ix_bank_lines_status')
        batch_op.drop_index(batch_op.f('ix_bank_lines_contract_id'))

    op.drop_table('bank_lines')
    op.drop_table('closed_months')
    
