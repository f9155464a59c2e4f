"""api tokens: the holder (who uses the token) and an optional last day

Existing tokens get the holder '(unknown)' and no expiry.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holder', sa.String(length=100), nullable=False,
                                      server_default='(unknown)'))
        # the last Asia/Shanghai calendar day on which the token is accepted; NULL: no expiry
        batch_op.add_column(sa.Column('expires_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_on')
        batch_op.drop_column('holder')
