"""invoices as the tax platform issues them: the platform's number (数电票 or 发票代码 + number),
partial red-letter invoices, replacements, the rate's basis, the platform's file

- invoices: ``code`` (发票代码, '' for a 20-digit 数电票 number) and a number unique with its
  code (legacy 8-digit numbers repeat across codes); ``reverses_id`` no longer unique (several
  partial red-letter invoices may reverse one invoice); ``replaces_id``; ``number_source``;
  ``red_confirmation_number`` (红字发票信息确认单); ``item`` and ``tax_category`` as invoiced;
  ``rate_rule`` and ``rate_date`` (the tax liability that fixed the rate);
- invoice_files: the platform's XML, PDF or OFD file, with its SHA-256.

Existing invoices keep their numbers. Before this revision the service made up a 20-digit
number whenever the vendor gave none, and it kept no trace of which numbers it made up: every
existing 20-digit number is therefore marked ``number_source = 'generated'`` (an 8-digit number
was never generated: it stays ``platform``). A real platform number among them becomes
``platform`` again when the vendor attaches the platform's XML for it (PUT /invoices/{id}/file),
which proves the number.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 15:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# SQLite keeps the 0003 unique constraints unnamed: batch mode names them by this convention.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _unique_names(bind, columns: list[str]) -> list[str]:
    """The (PostgreSQL) names of the unique constraints of invoices on exactly ``columns``."""
    found = sa.inspect(bind).get_unique_constraints("invoices")
    return [uc["name"] for uc in found if uc["column_names"] == columns and uc["name"]]


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if not sqlite:
        for name in _unique_names(bind, ["number"]) + _unique_names(bind, ["reverses_id"]):
            op.drop_constraint(name, "invoices", type_="unique")
    with op.batch_alter_table('invoices', schema=None, naming_convention=NAMING if sqlite else None,
                              recreate="always" if sqlite else "auto") as batch_op:
        if sqlite:
            batch_op.drop_constraint('uq_invoices_number', type_='unique')
            batch_op.drop_constraint('uq_invoices_reverses_id', type_='unique')
        batch_op.add_column(sa.Column('code', sa.String(length=12), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('number_source', sa.String(length=16), nullable=False,
                                      server_default='platform'))
        batch_op.add_column(sa.Column('rate_rule', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('rate_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('replaces_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('red_confirmation_number', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('item', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('tax_category', sa.String(length=100), nullable=True))
        batch_op.create_foreign_key('fk_invoices_replaces_id', 'invoices', ['replaces_id'], ['id'])
        batch_op.create_check_constraint('ck_invoices_number_source', "number_source IN ('platform', 'generated')")
        batch_op.create_unique_constraint('uq_invoices_code_number', ['code', 'number'])
        batch_op.create_index('ix_invoices_reverses_id', ['reverses_id'], unique=False)
    op.execute("UPDATE invoices SET number_source = 'generated' WHERE LENGTH(number) = 20")
    op.execute("UPDATE invoices SET item = (SELECT invoice_item FROM contracts WHERE contracts.id = invoices.contract_id), "
               "tax_category = (SELECT tax_category FROM contracts WHERE contracts.id = invoices.contract_id)")
    op.create_table('invoice_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('invoice_id', sa.Integer(), nullable=False),
        sa.Column('contract_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('xml', 'pdf', 'ofd')", name='ck_invoice_files_kind'),
        sa.CheckConstraint('size > 0', name='ck_invoice_files_size'),
        sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id']),
        sa.ForeignKeyConstraint(['contract_id'], ['contracts.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('invoice_id', name='uq_invoice_files_invoice_id'))
    op.create_index('ix_invoice_files_contract_id', 'invoice_files', ['contract_id'])


def downgrade() -> None:
    """Back to 0008. Fails (unique violation) once two legacy invoices share an 8-digit number or
    an invoice has several partial red-letter invoices: 0008 cannot hold them."""
    op.drop_index('ix_invoice_files_contract_id', table_name='invoice_files')
    op.drop_table('invoice_files')
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index('ix_invoices_reverses_id')
        batch_op.drop_constraint('uq_invoices_code_number', type_='unique')
        batch_op.drop_constraint('ck_invoices_number_source', type_='check')
        batch_op.drop_constraint('fk_invoices_replaces_id', type_='foreignkey')
        for column in ('tax_category', 'item', 'red_confirmation_number', 'replaces_id', 'rate_date',
                       'rate_rule', 'number_source', 'code'):
            batch_op.drop_column(column)
        batch_op.create_unique_constraint('uq_invoices_number', ['number'])
        batch_op.create_unique_constraint('uq_invoices_reverses_id', ['reverses_id'])
