"""SQLAlchemy models: a thin persistence layer around the domain.

Money columns use :class:`settlement.dbtypes.Fen` (integer fen). The schema
itself is created by the Alembic revisions in ``migrations/``; keep both in step.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON, BigInteger, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer,
    LargeBinary, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from settlement.dbtypes import Fen, UtcDateTime


class Rate(TypeDecorator):
    """A rate (VAT 0.06, penalty 0.01) as an exact Decimal, stored as integer millionths."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        scaled = Decimal(value) * 1_000_000
        if scaled != scaled.to_integral_value():
            raise ValueError(f"rate {value} has more than six decimal places")
        return int(scaled)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(value) / 1_000_000).normalize()


class Base(DeclarativeBase):
    pass


class Party(Base):
    __tablename__ = "parties"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    taxpayer_id: Mapped[str | None] = mapped_column(String(18))
    general_taxpayer: Mapped[bool] = mapped_column(Boolean, default=False)
    bank_accounts: Mapped[list["BankAccount"]] = relationship(
        back_populates="party", order_by="BankAccount.id", cascade="all, delete-orphan")


class BankAccount(Base):
    __tablename__ = "bank_accounts"
    __table_args__ = (UniqueConstraint("party_id", "account_no"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    bank: Mapped[str] = mapped_column(String(200))
    account_name: Mapped[str] = mapped_column(String(200))
    account_no: Mapped[str] = mapped_column(String(64))
    party: Mapped[Party] = relationship(back_populates="bank_accounts")


class Contract(Base):
    __tablename__ = "contracts"
    __table_args__ = (
        CheckConstraint("total_amount > 0", name="ck_contracts_total_positive"),
        CheckConstraint("service_start <= service_end", name="ck_contracts_service_period"),
        CheckConstraint("signed_on <= service_end", name="ck_contracts_signed_before_end"),
        CheckConstraint("penalty_rate >= 0 AND penalty_rate <= 1000000", name="ck_contracts_penalty_rate"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    total_amount: Mapped[Decimal] = mapped_column(Fen)
    signed_on: Mapped[date] = mapped_column(Date)
    service_start: Mapped[date] = mapped_column(Date)
    service_end: Mapped[date] = mapped_column(Date)
    invoice_lead_working_days: Mapped[int] = mapped_column(Integer)
    objection_window_working_days: Mapped[int] = mapped_column(Integer)
    overdue_termination_days: Mapped[int] = mapped_column(Integer)
    penalty_rate: Mapped[Decimal] = mapped_column(Rate)
    rectification_limit: Mapped[int] = mapped_column(Integer)
    termination_notice_months: Mapped[int] = mapped_column(Integer)
    invoice_item: Mapped[str] = mapped_column(String(100), default="座席外包服务费")     # 项目名称
    tax_category: Mapped[str] = mapped_column(String(100), default="*增值电信服务*")    # 税收分类简称
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    parties: Mapped[list["ContractParty"]] = relationship(
        order_by="ContractParty.position", cascade="all, delete-orphan", lazy="selectin")
    tranches: Mapped[list["Tranche"]] = relationship(
        order_by="Tranche.seq", cascade="all, delete-orphan", lazy="selectin")
    tax_rates: Mapped[list["TaxRate"]] = relationship(
        order_by="TaxRate.effective_from", cascade="all, delete-orphan", lazy="selectin")


class ContractParty(Base):
    """A party's role on a contract: the buyer, the vendors (position 0 is the lead), auditors."""

    __tablename__ = "contract_parties"
    __table_args__ = (
        UniqueConstraint("contract_id", "party_id", "role"),
        CheckConstraint("role IN ('buyer', 'vendor', 'auditor')", name="ck_contract_parties_role"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # A vendor named by a buyer's contract confirms it (issue 15: no one is named a vendor
    # without consent); an admin's contract is confirmed when created.
    confirmed_on: Mapped[date | None] = mapped_column(Date)
    party: Mapped[Party] = relationship(lazy="joined")


class Tranche(Base):
    __tablename__ = "tranches"
    __table_args__ = (
        UniqueConstraint("contract_id", "seq"),
        CheckConstraint("seq >= 1", name="ck_tranches_seq"),
        CheckConstraint("amount >= 0", name="ck_tranches_amount"),
        CheckConstraint(
            "(due_kind = 'months_after_signing' AND due_months IS NOT NULL AND due_months >= 0)"
            " OR (due_kind = 'on_or_before' AND due_date IS NOT NULL)"
            " OR (due_kind = 'working_days_after_audit' AND due_days IS NOT NULL AND due_days >= 1)",
            name="ck_tranches_due_rule"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Fen)
    is_remainder: Mapped[bool] = mapped_column(Boolean, default=False)
    due_kind: Mapped[str] = mapped_column(String(32))
    due_months: Mapped[int | None] = mapped_column(Integer)
    due_date: Mapped[date | None] = mapped_column(Date)
    due_days: Mapped[int | None] = mapped_column(Integer)


class TaxRate(Base):
    __tablename__ = "tax_rates"
    __table_args__ = (
        UniqueConstraint("contract_id", "effective_from"),
        CheckConstraint("rate >= 0 AND rate < 1000000", name="ck_tax_rates_rate"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    rate: Mapped[Decimal] = mapped_column(Rate)
    effective_from: Mapped[date] = mapped_column(Date)


class ApiToken(Base):
    """A bearer token: only the SHA-256 of its secret is stored."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint("role IN ('buyer', 'vendor', 'auditor', 'admin')", name="ck_api_tokens_role"),
        CheckConstraint("role = 'admin' OR party_id IS NOT NULL", name="ck_api_tokens_party"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"))
    role: Mapped[str] = mapped_column(String(16))
    # Who uses it ("张会计", "unicom billing"); rows from before 0008 read '(unknown)'.
    holder: Mapped[str] = mapped_column(String(100), server_default="(unknown)")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The last Asia/Shanghai day it is accepted (None: no expiry).
    expires_on: Mapped[date | None] = mapped_column(Date)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    party: Mapped[Party | None] = relationship(lazy="joined")


class CalendarYear(Base):
    """An official working-day schedule loaded from a data file (``flask calendar load``)."""

    __tablename__ = "calendar_years"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON)
    loaded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class JournalEntry(Base):
    """Append-only journal: every state change, chained by SHA-256 (never updated or deleted)."""

    __tablename__ = "journal_entries"
    # (contract_id, seq): a contract's entries in order, and its newest entry (the read cache's
    # validator, api/cached.py) by one index probe.
    __table_args__ = (Index("ix_journal_entries_contract_seq", "contract_id", "seq"),)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                     autoincrement=False)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[dict] = mapped_column(JSON)
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    change: Mapped[dict] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class Payment(Base):
    """Money that moved: the buyer's payment (kind ``payment``) or the vendor's refund (``refund``)."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("contract_id", "bank_reference"),
        CheckConstraint("amount > 0", name="ck_payments_amount_positive"),
        CheckConstraint("set_off >= 0", name="ck_payments_set_off"),
        CheckConstraint("kind IN ('payment', 'refund')", name="ck_payments_kind"),
        CheckConstraint("source IN ('api', 'bank')", name="ck_payments_source"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="payment")
    amount: Mapped[Decimal] = mapped_column(Fen)
    set_off: Mapped[Decimal] = mapped_column(Fen, default=Decimal("0.00"))   # 6.3 penalty deducted (payments)
    paid_on: Mapped[date] = mapped_column(Date, index=True)
    bank_reference: Mapped[str] = mapped_column(String(64))
    payer_account: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16), default="api")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    allocations: Mapped[list["PaymentAllocation"]] = relationship(
        order_by="PaymentAllocation.tranche_seq", cascade="all, delete-orphan", lazy="selectin")


class PaymentAllocation(Base):
    __tablename__ = "payment_allocations"
    __table_args__ = (
        UniqueConstraint("payment_id", "tranche_seq"),
        CheckConstraint("amount > 0", name="ck_payment_allocations_amount_positive"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    tranche_seq: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Fen)


class DelayNotice(Base):
    """The buyer's written explanation for paying a tranche late (clause 6.2)."""

    __tablename__ = "delay_notices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    tranche_seq: Mapped[int] = mapped_column(Integer)
    given_on: Mapped[date] = mapped_column(Date)
    explanation: Mapped[str] = mapped_column(Text)
    expected_payment_on: Mapped[date | None] = mapped_column(Date)


class AuditOpinion(Base):
    """An audit opinion (评审审计意见) with its 审定金额 and the vendor's response (clause 5.1.1)."""

    __tablename__ = "audit_opinions"
    __table_args__ = (
        CheckConstraint("audited_amount >= 0", name="ck_audit_opinions_amount"),
        CheckConstraint("decision IS NULL OR decision IN ('accept', 'object')", name="ck_audit_opinions_decision"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    audited_amount: Mapped[Decimal] = mapped_column(Fen)
    delivered_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(200))
    decision: Mapped[str | None] = mapped_column(String(16))
    responded_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    deemed_accepted_on: Mapped[date | None] = mapped_column(Date)   # published by the sweep (an event, not a rule input)
    completed_on: Mapped[date | None] = mapped_column(Date)
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Rectification(Base):
    """A rectification notice (整改) for non-conforming service (clause 6.3)."""

    __tablename__ = "rectifications"
    __table_args__ = (
        CheckConstraint("outcome IS NULL OR outcome IN ('fixed', 'failed', 'refused')",
                        name="ck_rectifications_outcome"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    noticed_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(16))
    outcome_on: Mapped[date | None] = mapped_column(Date)


class Termination(Base):
    """The contract's termination (clauses 6.2, 6.3, 10.2); at most one per contract."""

    __tablename__ = "terminations"
    __table_args__ = (
        CheckConstraint("kind IN ('buyer_convenience', 'buyer_for_cause', 'vendor_nonpayment')",
                        name="ck_terminations_kind"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    notice_on: Mapped[date] = mapped_column(Date)
    effective_on: Mapped[date] = mapped_column(Date)   # derived from notice_on (no calendar), kept for queries


class Amendment(Base):
    """A supplementary agreement (补充协议): the terms in force from ``effective_from`` (12.3: the latest prevails)."""

    __tablename__ = "amendments"
    __table_args__ = (
        UniqueConstraint("contract_id", "seq"),
        CheckConstraint("total_amount > 0", name="ck_amendments_total_positive"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    signed_on: Mapped[date] = mapped_column(Date)
    effective_from: Mapped[date] = mapped_column(Date)
    approval_reference: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    total_amount: Mapped[Decimal] = mapped_column(Fen)
    tranches: Mapped[list] = mapped_column(JSON)   # [{seq, amount_fen, remainder, due{...}}]
    # Takes effect only once the lead vendor has confirmed it too (issue 15; admin: at once).
    vendor_confirmed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PaymentReversal(Base):
    """A correcting entry (冲正) that reverses a mistaken payment or refund in full; never a deletion."""

    __tablename__ = "payment_reversals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), unique=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    reversed_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Penalty(Base):
    """A penalty (违约金) the buyer claims from the vendor: 6.3's 1% with a termination for cause, or
    other liquidated damages with their clause and reason."""

    __tablename__ = "penalties"
    __table_args__ = (CheckConstraint("amount > 0", name="ck_penalties_amount_positive"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Fen)
    claimed_on: Mapped[date] = mapped_column(Date)
    clause: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    termination_id: Mapped[int | None] = mapped_column(ForeignKey("terminations.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RightArisen(Base):
    """A remedy recorded by the sweep when it arose (for the event feed and the reports)."""

    __tablename__ = "rights_arisen"
    __table_args__ = (UniqueConstraint("contract_id", "right", "tranche_seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    right: Mapped[str] = mapped_column(String(48))
    tranche_seq: Mapped[int] = mapped_column(Integer, default=0)
    arose_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Invoice(Base):
    """An invoice (发票) the tax platform issued for a tranche, as recorded here; a red-letter invoice
    (红字发票) is negative and ``reverses`` one, in full or in part (several partial reds may).

    ``number`` is the platform's: 20 digits (数电票), or 8 digits with its ``code`` (发票代码; ''
    for a 数电票). ``number_source`` is ``generated`` for a number the service made up before
    migration 0009 (it never does now). ``replaces_id``: the reversed invoice this one replaces
    (it keeps that invoice's rate); ``rate_rule``/``rate_date``: why the rate is what it is.
    """

    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint("type IN ('ordinary', 'special')", name="ck_invoices_type"),
        CheckConstraint("net + tax = total", name="ck_invoices_net_tax_total"),
        CheckConstraint("(reverses_id IS NULL AND total > 0) OR (reverses_id IS NOT NULL AND total < 0)",
                        name="ck_invoices_sign"),
        CheckConstraint("number_source IN ('platform', 'generated')", name="ck_invoices_number_source"),
        UniqueConstraint("code", "number", name="uq_invoices_code_number"),
        Index("ix_invoices_contract_tranche", "contract_id", "tranche_seq"),
        Index("ix_invoices_reverses_id", "reverses_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    tranche_seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(12), default="", server_default="")
    number_source: Mapped[str] = mapped_column(String(16), default="platform", server_default="platform")
    type: Mapped[str] = mapped_column(String(16))
    issued_on: Mapped[date] = mapped_column(Date, index=True)
    total: Mapped[Decimal] = mapped_column(Fen)
    net: Mapped[Decimal] = mapped_column(Fen)
    tax: Mapped[Decimal] = mapped_column(Fen)
    rate: Mapped[Decimal] = mapped_column(Rate)
    rate_rule: Mapped[str | None] = mapped_column(String(16))
    rate_date: Mapped[date | None] = mapped_column(Date)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    red_confirmation_number: Mapped[str | None] = mapped_column(String(20))   # 红字发票信息确认单编号
    reason: Mapped[str | None] = mapped_column(Text)
    item: Mapped[str | None] = mapped_column(String(100))            # 项目名称, as invoiced
    tax_category: Mapped[str | None] = mapped_column(String(100))    # 税收分类简称, as invoiced
    buyer: Mapped[dict] = mapped_column(JSON)
    seller: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class IdempotencyKey(Base):
    """A POST's ``Idempotency-Key`` and the response it produced, stored with the write it guards."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(80))           # the token's party and role (desheng:buyer), or admin:<token id>
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))    # SHA-256 of method, path and body
    status: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class BankLine(Base):
    """One line of an imported bank statement, stored once per bank serial number."""

    __tablename__ = "bank_lines"
    __table_args__ = (
        # a bank's serial numbers are unique per account, not across banks; serial leads the index so
        # the import's "already stored?" probe (serial IN (...) for one account) is an index lookup
        # whatever the planner believes about the account's row count
        UniqueConstraint("serial", "account_no", name="uq_bank_lines_account_serial"),
        CheckConstraint("credit >= 0 AND debit >= 0", name="ck_bank_lines_amounts"),
        CheckConstraint("status IN ('matched', 'unmatched', 'ignored')", name="ck_bank_lines_status"),
        Index("ix_bank_lines_status", "status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    serial: Mapped[str] = mapped_column(String(64))
    account_no: Mapped[str] = mapped_column(String(64), default="")
    txn_date: Mapped[date] = mapped_column(Date, index=True)
    counterparty_name: Mapped[str | None] = mapped_column(String(200))
    counterparty_account: Mapped[str | None] = mapped_column(String(64))
    credit: Mapped[Decimal] = mapped_column(Fen)
    debit: Mapped[Decimal] = mapped_column(Fen)
    memo: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    source_file: Mapped[str | None] = mapped_column(String(300))
    line_no: Mapped[int | None] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ClosedMonth(Base):
    """A closed accounting month: its report is frozen; nothing may be dated in it."""

    __tablename__ = "closed_months"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)   # "2026-11"
    closed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    report: Mapped[str] = mapped_column(Text)                          # the JSON report as it was


class InvoiceFile(Base):
    """The tax platform's file of an issued invoice (XML, PDF or OFD), stored byte for byte with its SHA-256."""

    __tablename__ = "invoice_files"
    __table_args__ = (
        CheckConstraint("kind IN ('xml', 'pdf', 'ofd')", name="ck_invoice_files_kind"),
        CheckConstraint("size > 0", name="ck_invoice_files_size"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), unique=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime)
