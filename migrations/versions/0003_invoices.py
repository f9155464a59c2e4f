"""invoices

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 10:04:32.546619
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('invoices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('tranche_seq', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('net', sa.BigInteger(), nullable=False),
    sa.Column('tax', sa.BigInteger(), nullable=False),
    sa.Column('rate', sa.Integer(), nullable=False),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('buyer', sa.JSON(), nullable=False),
    sa.Column('seller', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("type IN ('ordinary', 'special')", name='ck_invoices_type'),
    sa.CheckConstraint('(reverses_id IS NULL AND total > 0) OR (reverses_id IS NOT NULL AND total < 0)', name='ck_invoices_sign'),
    sa.CheckConstraint('net + tax = total', name='ck_invoices_net_tax_total'),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], ),
    sa.ForeignKeyConstraint(['reverses_id'], ['invoices.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number'),
    sa.UniqueConstraint('reverses_id')
    )
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index('ix_invoices_contract_tranche', ['contract_id', 'tranche_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoices_issued_on'), ['issued_on'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoices_issued_on'))
        batch_op.drop_index('ix_invoices_contract_tranche')

    op.drop_table('invoices')
    
