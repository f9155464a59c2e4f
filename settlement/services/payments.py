"""Payments and refunds (clause 5.1.1, 5.3): allocate, cap, record, journal."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from settlement.domain.payments import OverPayment, Outstanding, allocate, check_cap
from settlement.errors import Conflict, Invalid
from settlement.models import Contract, DelayNotice, Payment, PaymentAllocation
from settlement.services import journal
from settlement.services.actors import Actor
from settlement.services.pages import paginate
from settlement.services.months import ensure_open
from settlement.services.state import FAR_FUTURE, ContractState, load_state

ZERO = Decimal("0.00")


def payment_dict(p: Payment) -> dict:
    return {"id": p.id, "contract_id": p.contract_id, "kind": p.kind, "amount": p.amount,
            "paid_on": p.paid_on, "bank_reference": p.bank_reference, "payer_account": p.payer_account,
            "source": p.source,
            "allocations": [{"tranche_seq": a.tranche_seq, "amount": a.amount} for a in p.allocations]}


def _unique_reference(session: Session, contract: Contract, ref: str) -> None:
    if session.scalar(select(Payment.id).where(Payment.contract_id == contract.id,
                                               Payment.bank_reference == ref)) is not None:
        raise Conflict(f"bank_reference {ref!r} is already recorded on contract {contract.code}",
                       errors={"bank_reference": ["already recorded on this contract"]})


def record_payment(session: Session, actor: Actor, contract: Contract, data: dict,
                   source: str = "api", state: ContractState | None = None) -> Payment:
    """Record a buyer's payment, allocated to tranches; refuse one that exceeds the payable total.

    ``state``: the contract's state on ``paid_on`` with every payment counted
    (``payments_through=FAR_FUTURE``), loaded in this transaction after the contract's last
    payment; a caller recording many payments at once (bank import) loads them in bulk."""
    amount: Decimal = data["amount"]
    if amount <= 0:
        raise Invalid("amount must be greater than 0.00", errors={"amount": ["must be greater than 0.00"]})
    paid_on: date = data["paid_on"]
    if paid_on < contract.signed_on:
        raise Invalid("paid_on is before the contract was signed",
                      errors={"paid_on": [f"must not be before signed_on {contract.signed_on.isoformat()}"]})
    ensure_open(session, paid_on, "payment")
    _unique_reference(session, contract, data["bank_reference"])
    # The cap counts every payment recorded, whatever its date: a backdated one must not slip under it.
    st = state or load_state(session, contract, paid_on, payments_through=FAR_FUTURE)
    seq = data.get("tranche_seq")
    if seq is not None and st.line(seq) is None:
        raise Invalid(f"the contract has no tranche {seq}", errors={"tranche_seq": [f"no tranche {seq}"]})
    try:
        check_cap(amount, st.paid_total, st.payable_total)
    except OverPayment as exc:
        why = str(exc)
        if st.termination is not None:
            why += (f" (contract terminated, effective {st.termination.effective_on.isoformat()}: "
                    "payments beyond its settlement are refused)")
        raise Conflict(why, type_slug="over-payment", extra={
            "amount": f"{exc.amount:.2f}", "paid_total": f"{exc.paid:.2f}",
            "payable_total": f"{exc.payable:.2f}",
            "remaining": f"{max(exc.payable - exc.paid, ZERO):.2f}"}) from None
    lines = [Outstanding(ln.seq, ln.amount - ln.paid) for ln in st.lines]
    parts = allocate(amount, lines, seq)
    # Every refusal above comes before the first write (the bank import relies on it).
    payment = Payment(contract_id=contract.id, kind="payment", amount=amount, paid_on=paid_on,
                      bank_reference=data["bank_reference"], payer_account=data.get("payer_account"),
                      source=source, created_at=datetime.now(timezone.utc))
    for s, a in parts:
        payment.allocations.append(PaymentAllocation(contract_id=contract.id, tranche_seq=s, amount=a))
    session.add(payment)
    session.flush()
    journal.append(session, actor, "payment.recorded", "payment", payment.id,
                   {"after": payment_dict(payment)}, contract_id=contract.id)
    return payment


def record_refund(session: Session, actor: Actor, contract: Contract, data: dict) -> Payment:
    """Record the vendor's refund of an overpayment (audit below what was paid, or termination)."""
    amount: Decimal = data["amount"]
    if amount <= 0:
        raise Invalid("amount must be greater than 0.00", errors={"amount": ["must be greater than 0.00"]})
    ensure_open(session, data["refunded_on"], "refund")
    _unique_reference(session, contract, data["bank_reference"])
    st = load_state(session, contract, data["refunded_on"], payments_through=FAR_FUTURE)
    refundable = st.paid_total - st.payable_total
    if amount > refundable:
        raise Conflict(f"refunding {amount:.2f} exceeds the refund due {max(refundable, ZERO):.2f} "
                       f"(paid {st.paid_total:.2f}, payable {st.payable_total:.2f})", type_slug="over-refund")
    payment = Payment(contract_id=contract.id, kind="refund", amount=amount, paid_on=data["refunded_on"],
                      bank_reference=data["bank_reference"], payer_account=data.get("payer_account"),
                      source="api", created_at=datetime.now(timezone.utc))
    session.add(payment)
    session.flush()
    journal.append(session, actor, "refund.recorded", "payment", payment.id,
                   {"after": payment_dict(payment)}, contract_id=contract.id)
    return payment


def list_payments(session: Session, contract: Contract, page: int, page_size: int):
    return paginate(session, select(Payment).where(Payment.contract_id == contract.id), page, page_size,
                    Payment.paid_on, Payment.id)


def record_delay_notice(session: Session, actor: Actor, contract: Contract, data: dict) -> DelayNotice:
    """6.2: the buyer's written explanation for paying a tranche late."""
    st = load_state(session, contract, data["given_on"])
    if st.line(data["tranche_seq"]) is None:
        raise Invalid(f"the contract has no tranche {data['tranche_seq']}",
                      errors={"tranche_seq": [f"no tranche {data['tranche_seq']}"]})
    notice = DelayNotice(contract_id=contract.id, tranche_seq=data["tranche_seq"], given_on=data["given_on"],
                         explanation=data["explanation"], expected_payment_on=data.get("expected_payment_on"))
    session.add(notice)
    session.flush()
    journal.append(session, actor, "delay_notice.recorded", "delay_notice", notice.id,
                   {"after": delay_notice_dict(notice)}, contract_id=contract.id)
    return notice


def delay_notice_dict(n: DelayNotice) -> dict:
    return {"id": n.id, "tranche_seq": n.tranche_seq, "given_on": n.given_on, "explanation": n.explanation,
            "expected_payment_on": n.expected_payment_on}
