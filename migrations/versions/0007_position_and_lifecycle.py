"""one position per contract: invoice item and tax category on the contract

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        # 项目名称 and 税收分类 printed on the contract's invoices (issue 11: a field, not a constant)
        batch_op.add_column(sa.Column('invoice_item', sa.String(length=100), nullable=False,
                                      server_default='座席外包服务费'))
        batch_op.add_column(sa.Column('tax_category', sa.String(length=100), nullable=False,
                                      server_default='*增值电信服务*'))


def downgrade() -> None:
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_column('tax_category')
        batch_op.drop_column('invoice_item')
