"""Payments, refunds, their corrections (冲正) and delay notices (clauses 5.1.1, 5.3, 6.2, 6.3).

Each function takes a :class:`~settlement.services.uow.ContractWrite`: it cannot
run without the contract's lock, and it checks against the position as known now.
"""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from settlement.domain.history import PaymentFact
from settlement.domain.payments import OverPayment, Outstanding, allocate, check_cap
from settlement.errors import Conflict, Invalid, NotFound
from settlement.i18n import _
from settlement.models import BankLine, Contract, DelayNotice, Payment, PaymentAllocation, PaymentReversal
from settlement.schemas.settlement import DelayNoticeSchema, PaymentSchema
from settlement.services.pages import paginate
from settlement.services.uow import ContractWrite

ZERO = Decimal("0.00")
PAYMENT, DELAY_NOTICE = PaymentSchema(), DelayNoticeSchema()


def payment_dict(p: Payment, reversal: PaymentReversal | None = None) -> dict:
    return {"id": p.id, "contract_id": p.contract_id, "kind": p.kind, "amount": p.amount, "set_off": p.set_off,
            "paid_on": p.paid_on, "bank_reference": p.bank_reference, "payer_account": p.payer_account,
            "source": p.source,
            "allocations": [{"tranche_seq": a.tranche_seq, "amount": a.amount} for a in p.allocations],
            "reversal": ({"reversed_on": reversal.reversed_on, "reason": reversal.reason}
                         if reversal is not None else None)}


def _reversal(session: Session, payment_id: int) -> PaymentReversal | None:
    return session.scalar(select(PaymentReversal).where(PaymentReversal.payment_id == payment_id))


def payment_data(session: Session, p: Payment) -> dict:
    """A payment as ``GET`` shows it, before serialisation."""
    return payment_dict(p, _reversal(session, p.id))


def payment_view(session: Session, p: Payment) -> dict:
    """What ``GET`` returns for a payment, serialised (what its events carry)."""
    return PAYMENT.dump(payment_data(session, p))


def _positive(amount: Decimal, field: str = "amount") -> None:
    if amount <= 0:
        raise Invalid(_("{field} must be greater than 0.00", field=field),
                      errors={field: [_("must be greater than 0.00")]})


def _unique_reference(session: Session, contract: Contract, ref: str) -> None:
    if session.scalar(select(Payment.id).where(Payment.contract_id == contract.id,
                                               Payment.bank_reference == ref)) is not None:
        raise Conflict(_("bank_reference {ref} is already recorded on contract {code}", ref=ref, code=contract.code),
                       errors={"bank_reference": [_("already recorded on this contract")]})


def check_payment(w: ContractWrite, data: dict) -> None:
    """Every rule a payment must pass, before anything is written (the bank import relies on it)."""
    amount: Decimal = data["amount"]
    set_off: Decimal = data.get("set_off") or ZERO
    _positive(amount)
    w.ensure_dated(data["paid_on"], "paid_on", _("a payment"))
    _unique_reference(w.session, w.contract, data["bank_reference"])
    pos = w.position
    seq = data.get("tranche_seq")
    if seq is not None and pos.line(seq) is None:
        raise Invalid(_("the contract has no tranche {seq}", seq=seq), errors={"tranche_seq": [_("no tranche {seq}", seq=seq)]})
    if set_off < 0 or set_off > pos.penalties.outstanding:
        raise Conflict(_("set_off {amount} exceeds the penalties outstanding ({outstanding})",
                         amount=f"{set_off:.2f}", outstanding=f"{pos.penalties.outstanding:.2f}"),
                       type_slug="over-set-off", errors={"set_off": [_("more than the penalties outstanding")]})
    try:
        # 5.1.1: the cap is what is payable as known now (every agreement on file, a binding audit,
        # a termination) with every payment counted, whatever the payment's own date.
        check_cap(amount + set_off, pos.paid_total, pos.payable_total)
    except OverPayment as exc:
        why = _("paying {amount} would exceed the payable total {payable}: {paid} is paid, {remaining} remains",
                amount=f"{exc.amount:.2f}", payable=f"{exc.payable:.2f}", paid=f"{exc.paid:.2f}",
                remaining=f"{max(exc.payable - exc.paid, ZERO):.2f}")
        if pos.termination is not None:
            why = _("{why} (the contract was terminated effective {day}: its value is the earned {value})",
                    why=why, day=pos.termination.effective_on.isoformat(), value=f"{pos.value:.2f}")
        elif pos.value_basis == "audit":
            why = _("{why} (the audited amount {value} is binding)", why=why, value=f"{pos.value:.2f}")
        raise Conflict(why, type_slug="over-payment", extra={
            "amount": f"{exc.amount:.2f}", "paid_total": f"{exc.paid:.2f}",
            "payable_total": f"{exc.payable:.2f}", "value_basis": pos.value_basis,
            "remaining": f"{max(exc.payable - exc.paid, ZERO):.2f}"}) from None


def record_payment(w: ContractWrite, data: dict, source: str = "api") -> Payment:
    """Record a buyer's payment (with any penalty set off against it, 6.3), allocated to tranches:
    from the named tranche or the earliest with anything outstanding, spilling into the next."""
    check_payment(w, data)
    amount, set_off = data["amount"], data.get("set_off") or ZERO
    pos = w.position
    parts = allocate(amount + set_off, [Outstanding(ln.seq, ln.outstanding) for ln in pos.lines],
                     data.get("tranche_seq"))
    payment = Payment(contract_id=w.contract.id, kind="payment", amount=amount, set_off=set_off,
                      paid_on=data["paid_on"], bank_reference=data["bank_reference"],
                      payer_account=data.get("payer_account"), source=source, created_at=datetime.now(timezone.utc))
    for s, a in parts:
        payment.allocations.append(PaymentAllocation(contract_id=w.contract.id, tranche_seq=s, amount=a))
    w.session.add(payment)
    w.session.flush()
    w.added_payment(PaymentFact(payment.id, "payment", amount, data["paid_on"], tuple(parts), set_off, source))
    w.journal("payment.recorded", "payment", payment.id, PAYMENT.dump(payment_dict(payment)))
    return payment


def record_refund(w: ContractWrite, data: dict) -> Payment:
    """The vendor's refund: at most what it owes back (the overpayment and penalties not met, 6.3)."""
    amount: Decimal = data["amount"]
    _positive(amount)
    w.ensure_dated(data["refunded_on"], "refunded_on", _("a refund"))
    _unique_reference(w.session, w.contract, data["bank_reference"])
    pos = w.position
    if amount > pos.refundable:
        raise Conflict(_("refunding {amount} exceeds what the vendor owes back, {refundable} "
                         "(overpaid {overpaid}, penalties outstanding {penalties})",
                         amount=f"{amount:.2f}", refundable=f"{pos.refundable:.2f}", overpaid=f"{pos.overpaid:.2f}",
                         penalties=f"{pos.penalties.outstanding:.2f}"), type_slug="over-refund",
                       extra={"refundable": f"{pos.refundable:.2f}"})
    payment = Payment(contract_id=w.contract.id, kind="refund", amount=amount, set_off=ZERO,
                      paid_on=data["refunded_on"], bank_reference=data["bank_reference"],
                      payer_account=data.get("payer_account"), source="api", created_at=datetime.now(timezone.utc))
    w.session.add(payment)
    w.changed()
    w.journal("refund.recorded", "payment", payment.id, payment_view(w.session, payment))
    return payment


def reverse(w: ContractWrite, payment_id: int, kind: str, data: dict) -> Payment:
    """冲正: reverse a mistaken payment or refund in full with a journaled correcting entry (never a
    deletion); every reader then counts the pair as nothing. Refused in a closed period and for a
    payment a bank line paid (unmatch the line instead)."""
    p = w.session.scalar(select(Payment).where(Payment.id == payment_id, Payment.contract_id == w.contract.id,
                                               Payment.kind == kind))
    if p is None:
        raise NotFound(_("no {kind} {id} on contract {contract}", kind=kind, id=payment_id, contract=w.contract.id))
    if _reversal(w.session, p.id) is not None:
        raise Conflict(_("{kind} {id} was already reversed", kind=kind, id=p.id))
    if w.session.scalar(select(BankLine.id).where(BankLine.payment_id == p.id)) is not None:
        raise Conflict(_("payment {id} was recorded from a bank statement line: unmatch the bank line instead",
                         id=p.id), type_slug="bank-matched")
    on = data.get("reversed_on") or w.today
    w.ensure_not_future(on, "reversed_on")
    w.ensure_open(p.paid_on, _("the reversed entry"), "reversed_on")
    w.ensure_open(on, _("a reversal"), "reversed_on")
    if kind == "refund" and w.position.paid_total + p.amount > w.position.payable_total:
        raise Conflict(_("reversing refund {id} would take what is paid above the payable total {payable}",
                         id=p.id, payable=f"{w.position.payable_total:.2f}"), type_slug="over-payment")
    before = payment_view(w.session, p)
    w.session.add(PaymentReversal(payment_id=p.id, contract_id=w.contract.id, reversed_on=on, reason=data["reason"],
                                  created_at=datetime.now(timezone.utc)))
    w.changed()
    w.journal(f"{kind}.reversed", "payment", p.id, payment_view(w.session, p), before=before)
    return p


def list_payments(session: Session, contract: Contract, page: int, page_size: int):
    return paginate(session, select(Payment).where(Payment.contract_id == contract.id), page, page_size,
                    Payment.paid_on, Payment.id)


def get_payment(session: Session, contract: Contract, payment_id: int) -> Payment:
    p = session.scalar(select(Payment).where(Payment.id == payment_id, Payment.contract_id == contract.id))
    if p is None:
        raise NotFound(_("no payment {id} on contract {contract}", id=payment_id, contract=contract.id))
    return p


def record_delay_notice(w: ContractWrite, data: dict) -> DelayNotice:
    """6.2: the buyer's written explanation for paying a tranche late."""
    w.ensure_dated(data["given_on"], "given_on", _("a delay notice"))
    if w.position.line(data["tranche_seq"]) is None:
        raise Invalid(_("the contract has no tranche {seq}", seq=data["tranche_seq"]),
                      errors={"tranche_seq": [_("no tranche {seq}", seq=data["tranche_seq"])]})
    notice = DelayNotice(contract_id=w.contract.id, tranche_seq=data["tranche_seq"], given_on=data["given_on"],
                         explanation=data["explanation"], expected_payment_on=data.get("expected_payment_on"))
    w.session.add(notice)
    w.changed()
    w.journal("delay_notice.recorded", "delay_notice", notice.id, DELAY_NOTICE.dump(delay_notice_dict(notice)))
    return notice


def delay_notice_dict(n: DelayNotice) -> dict:
    return {"id": n.id, "tranche_seq": n.tranche_seq, "given_on": n.given_on, "explanation": n.explanation,
            "expected_payment_on": n.expected_payment_on}
