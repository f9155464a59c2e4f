"""one position per contract, the lifecycle to the end

- contracts: invoice item (项目名称) and tax category (税收分类), fields not constants;
- derived dates are derived: the opinion's objection deadline and the termination's
  earned value and penalty are computed when read (columns dropped);
- payments carry a penalty set-off; reversals (冲正) and penalties get their tables;
- amendments and a buyer's contract take effect once the vendor confirms them;
- bank serial numbers are unique per account.

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
    with op.batch_alter_table('contract_parties', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmed_on', sa.Date(), nullable=True))
    op.execute("UPDATE contract_parties SET confirmed_on = "
               "(SELECT signed_on FROM contracts WHERE contracts.id = contract_parties.contract_id)")
    with op.batch_alter_table('amendments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vendor_confirmed_on', sa.Date(), nullable=True))
    op.execute("UPDATE amendments SET vendor_confirmed_on = signed_on")
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('set_off', sa.BigInteger(), nullable=False, server_default='0'))
        batch_op.create_check_constraint('ck_payments_set_off', 'set_off >= 0')
    with op.batch_alter_table('audit_opinions', schema=None) as batch_op:
        batch_op.drop_column('objection_deadline')
        batch_op.drop_column('deadline_provisional')
    op.create_table('payment_reversals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('payment_id', sa.Integer(), nullable=False),
        sa.Column('contract_id', sa.Integer(), nullable=False),
        sa.Column('reversed_on', sa.Date(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['payment_id'], ['payments.id']),
        sa.ForeignKeyConstraint(['contract_id'], ['contracts.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('payment_id'))
    op.create_index('ix_payment_reversals_contract_id', 'payment_reversals', ['contract_id'])
    op.create_table('penalties',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contract_id', sa.Integer(), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('claimed_on', sa.Date(), nullable=False),
        sa.Column('clause', sa.String(length=40), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('termination_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('amount > 0', name='ck_penalties_amount_positive'),
        sa.ForeignKeyConstraint(['contract_id'], ['contracts.id']),
        sa.ForeignKeyConstraint(['termination_id'], ['terminations.id']),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_penalties_contract_id', 'penalties', ['contract_id'])
    # the 1% of a termination for cause becomes a penalty row (it was a column of the termination)
    op.execute("INSERT INTO penalties (contract_id, amount, claimed_on, clause, reason, termination_id, created_at) "
               "SELECT contract_id, penalty, notice_on, '6.3', 'termination for cause', id, CURRENT_TIMESTAMP "
               "FROM terminations WHERE penalty > 0")
    with op.batch_alter_table('terminations', schema=None) as batch_op:
        batch_op.drop_column('earned')
        batch_op.drop_column('penalty')
    op.execute("UPDATE bank_lines SET account_no = '' WHERE account_no IS NULL")
    with op.batch_alter_table('bank_lines', schema=None) as batch_op:
        batch_op.alter_column('account_no', existing_type=sa.String(length=64), nullable=False, server_default='')
        batch_op.drop_constraint('uq_bank_lines_serial', type_='unique')
        batch_op.create_unique_constraint('uq_bank_lines_account_serial', ['serial', 'account_no'])
        batch_op.create_index('ix_bank_lines_payment_id', ['payment_id'])


def downgrade() -> None:
    with op.batch_alter_table('bank_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_bank_lines_payment_id')
        batch_op.drop_constraint('uq_bank_lines_account_serial', type_='unique')
        batch_op.create_unique_constraint('uq_bank_lines_serial', ['serial'])
        batch_op.alter_column('account_no', existing_type=sa.String(length=64), nullable=True, server_default=None)
    with op.batch_alter_table('terminations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('earned', sa.BigInteger(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('penalty', sa.BigInteger(), nullable=False, server_default='0'))
    op.drop_index('ix_penalties_contract_id', table_name='penalties')
    op.drop_table('penalties')
    op.drop_index('ix_payment_reversals_contract_id', table_name='payment_reversals')
    op.drop_table('payment_reversals')
    with op.batch_alter_table('audit_opinions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('objection_deadline', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('deadline_provisional', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_constraint('ck_payments_set_off', type_='check')
        batch_op.drop_column('set_off')
    with op.batch_alter_table('amendments', schema=None) as batch_op:
        batch_op.drop_column('vendor_confirmed_on')
    with op.batch_alter_table('contract_parties', schema=None) as batch_op:
        batch_op.drop_column('confirmed_on')
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_column('tax_category')
        batch_op.drop_column('invoice_item')
