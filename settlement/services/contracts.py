"""Parties and contracts: create, load with object-level authorisation, convert to domain terms."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from settlement.db import is_postgres
from settlement.domain.contract import (
    ContractTerms, DueRule, TaxRateTerm, Terms, TrancheTerms, contract_errors, resolve_remainder,
)
from settlement.errors import Conflict, Forbidden, Invalid, NotFound
from settlement.i18n import _
from settlement.models import BankAccount, Contract, ContractParty, Party, TaxRate, Tranche
from settlement.services import journal
from settlement.services.actors import Actor
from settlement.services.pages import paginate


CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def validate_taxpayer_id(value: str | None) -> str | None:
    """统一社会信用代码 (GB 32100-2015): 18 characters with a check digit (python-stdnum)."""
    if value in (None, ""):
        return None
    try:
        return uscc.validate(value)
    except StdnumError as exc:
        raise Invalid("taxpayer_id is not a valid unified social credit code (统一社会信用代码)",
                      errors={"taxpayer_id": [f"not a valid 统一社会信用代码: {exc}"]}) from None


def party_dict(p: Party) -> dict:
    return {
        "code": p.code, "name": p.name, "taxpayer_id": p.taxpayer_id,
        "general_taxpayer": p.general_taxpayer,
        "bank_accounts": [{"bank": a.bank, "account_name": a.account_name, "account_no": a.account_no}
                          for a in p.bank_accounts],
    }


def _distinct_accounts(accounts: list[dict]) -> list[dict]:
    """A party lists each bank account once (409 naming the duplicate)."""
    seen = set()
    for i, acct in enumerate(accounts):
        if acct["account_no"] in seen:
            raise Conflict(_("account {account} is listed twice", account=acct["account_no"]),
                           errors={f"bank_accounts.{i}.account_no": [_("listed twice")]})
        seen.add(acct["account_no"])
    return accounts


def create_party(session: Session, actor: Actor, data: dict) -> Party:
    if session.scalar(select(Party.id).where(Party.code == data["code"])) is not None:
        raise Conflict(f"a party with code {data['code']!r} already exists",
                       errors={"code": ["already exists"]})
    party = Party(code=data["code"], name=data["name"],
                  taxpayer_id=validate_taxpayer_id(data.get("taxpayer_id")),
                  general_taxpayer=bool(data.get("general_taxpayer", False)))
    for acct in _distinct_accounts(data.get("bank_accounts", [])):
        party.bank_accounts.append(BankAccount(**acct))
    session.add(party)
    session.flush()
    journal.append(session, actor, "party.created", "party", party.code, {"after": party_dict(party)})
    return party


def update_party(session: Session, actor: Actor, code: str, data: dict) -> Party:
    party = session.scalar(select(Party).where(Party.code == code)) if CODE_PATTERN.match(code) else None
    if party is None:
        raise NotFound(f"no party with code {code!r}")
    before = party_dict(party)
    if "name" in data:
        party.name = data["name"]
    if "taxpayer_id" in data:
        party.taxpayer_id = validate_taxpayer_id(data["taxpayer_id"])
    if "general_taxpayer" in data:
        party.general_taxpayer = data["general_taxpayer"]
    if "bank_accounts" in data:
        accounts = _distinct_accounts(data["bank_accounts"])
        party.bank_accounts.clear()
        session.flush()   # old rows go before new ones with the same numbers arrive
        party.bank_accounts.extend(BankAccount(**a) for a in accounts)
    session.flush()
    journal.append(session, actor, "party.updated", "party", party.code,
                   {"before": before, "after": party_dict(party)})
    return party


def terms_from_request(data: dict) -> ContractTerms:
    """Build the domain contract from validated request data; raises Invalid for broken rules."""
    amounts = [None if t["amount"] == "remainder" else t["amount"] for t in data["tranches"]]
    errors: dict[str, list[str]] = {}
    if sum(1 for a in amounts if a is None) > 1:
        errors["tranches"] = ["only one tranche may be the remainder"]
        raise Invalid("only one tranche may have amount \"remainder\"", errors=errors)
    resolved = resolve_remainder(data["total_amount"], amounts)
    tranches = tuple(
        TrancheTerms(seq=t["seq"], amount=amt, remainder=raw is None,
                     due=DueRule(kind=t["due"]["kind"], months=t["due"].get("months"),
                                 date=t["due"].get("date"), days=t["due"].get("days")))
        for t, raw, amt in zip(data["tranches"], amounts, resolved))
    rates = tuple(TaxRateTerm(rate=r["rate"], effective_from=r.get("effective_from") or data["signed_on"])
                  for r in data.get("tax_rates") or [{"rate": Decimal("0.06")}])
    terms = Terms(**(data.get("terms") or {}))
    c = ContractTerms(code=data["code"], total=data["total_amount"], signed_on=data["signed_on"],
                      service_start=data["service_start"], service_end=data["service_end"],
                      tranches=tranches, tax_rates=rates, terms=terms)
    errors = contract_errors(c)
    if errors:
        raise Invalid("the contract breaks " + ("a rule" if len(errors) == 1 else f"{len(errors)} rules")
                      + ": " + "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()),
                      errors=errors)
    return c


def terms_of(contract: Contract) -> ContractTerms:
    """The domain view of a stored contract."""
    return ContractTerms(
        code=contract.code, total=contract.total_amount, signed_on=contract.signed_on,
        service_start=contract.service_start, service_end=contract.service_end,
        tranches=tuple(TrancheTerms(seq=t.seq, amount=t.amount, remainder=t.is_remainder,
                                    due=DueRule(t.due_kind, t.due_months, t.due_date, t.due_days))
                       for t in contract.tranches),
        tax_rates=tuple(TaxRateTerm(r.rate, r.effective_from) for r in contract.tax_rates),
        terms=Terms(contract.invoice_lead_working_days, contract.objection_window_working_days,
                    contract.overdue_termination_days, contract.penalty_rate,
                    contract.rectification_limit, contract.termination_notice_months))


def _party_by_code(session: Session, code: str, field: str) -> Party:
    party = session.scalar(select(Party).where(Party.code == code))
    if party is None:
        raise Invalid(f"{field}: no party with code {code!r}", errors={field: [f"unknown party {code!r}"]})
    return party


def contract_dict(c: Contract) -> dict:
    t = terms_of(c)
    return {
        "id": c.id, "code": c.code, "title": c.title, "total_amount": c.total_amount,
        "signed_on": c.signed_on, "service_start": c.service_start, "service_end": c.service_end,
        "buyer": next((p.party.code for p in c.parties if p.role == "buyer"), None),
        "vendors": [p.party.code for p in c.parties if p.role == "vendor"],
        "auditors": [p.party.code for p in c.parties if p.role == "auditor"],
        "tax_rates": [{"rate": r.rate, "effective_from": r.effective_from} for r in c.tax_rates],
        "tranches": [{"seq": tr.seq, "amount": tr.amount, "remainder": tr.remainder,
                      "due": {k: v for k, v in (("kind", tr.due.kind), ("months", tr.due.months),
                                                ("date", tr.due.date), ("days", tr.due.days))
                              if v is not None},
                      "due_rule": tr.due.describe()} for tr in t.tranches],
        "invoice_item": c.invoice_item, "tax_category": c.tax_category,
        "vendors_confirmed": all(p.confirmed_on is not None for p in c.parties if p.role == "vendor"),
        "terms": {"invoice_lead_working_days": c.invoice_lead_working_days,
                  "objection_window_working_days": c.objection_window_working_days,
                  "overdue_termination_days": c.overdue_termination_days,
                  "penalty_rate": c.penalty_rate, "rectification_limit": c.rectification_limit,
                  "termination_notice_months": c.termination_notice_months},
    }


def create_contract(session: Session, actor: Actor, data: dict, today: date) -> Contract:
    c = terms_from_request(data)
    if session.scalar(select(Contract.id).where(Contract.code == c.code)) is not None:
        raise Conflict(f"a contract with code {c.code!r} already exists", errors={"code": ["already exists"]})
    buyer = _party_by_code(session, data["buyer"], "buyer")
    if actor.role == "buyer" and actor.party_id != buyer.id:
        raise Forbidden("a buyer may only create contracts on which it is the buyer")
    if not data["vendors"]:
        raise Invalid("at least one vendor is required", errors={"vendors": ["at least one vendor"]})
    if len(set(data["vendors"])) != len(data["vendors"]):
        raise Invalid("a vendor is listed twice", errors={"vendors": ["listed twice"]})
    vendors = [_party_by_code(session, code, f"vendors.{i}") for i, code in enumerate(data["vendors"])]
    if buyer.id in {v.id for v in vendors}:
        raise Invalid("the buyer cannot also be a vendor", errors={"vendors": ["includes the buyer"]})
    auditors = [_party_by_code(session, code, f"auditors.{i}")
                for i, code in enumerate(data.get("auditors") or [])]
    contract = Contract(
        code=c.code, title=data["title"], total_amount=c.total, signed_on=c.signed_on,
        service_start=c.service_start, service_end=c.service_end,
        invoice_lead_working_days=c.terms.invoice_lead_working_days,
        objection_window_working_days=c.terms.objection_window_working_days,
        overdue_termination_days=c.terms.overdue_termination_days,
        penalty_rate=c.terms.penalty_rate, rectification_limit=c.terms.rectification_limit,
        termination_notice_months=c.terms.termination_notice_months,
        invoice_item=data.get("invoice_item") or "座席外包服务费",
        tax_category=data.get("tax_category") or "*增值电信服务*",
        created_at=datetime.now(timezone.utc))
    # Issue 15: a buyer cannot name another party its vendor on its own say-so: each vendor
    # confirms (POST /contracts/{id}/confirm); an admin's contract is confirmed as created.
    vouched = today if actor.role == "admin" else None
    contract.parties.append(ContractParty(party=buyer, role="buyer", position=0, confirmed_on=today))
    for i, v in enumerate(vendors):
        contract.parties.append(ContractParty(party=v, role="vendor", position=i, confirmed_on=vouched))
    for i, a in enumerate(auditors):
        contract.parties.append(ContractParty(party=a, role="auditor", position=i, confirmed_on=vouched))
    for t in c.tranches:
        contract.tranches.append(Tranche(seq=t.seq, amount=t.amount, is_remainder=t.remainder,
                                         due_kind=t.due.kind, due_months=t.due.months,
                                         due_date=t.due.date, due_days=t.due.days))
    for r in c.tax_rates:
        contract.tax_rates.append(TaxRate(rate=r.rate, effective_from=r.effective_from))
    session.add(contract)
    session.flush()
    journal.append(session, actor, "contract.created", "contract", contract.id,
                   {"after": contract_dict(contract)}, contract_id=contract.id)
    return contract


def confirm_contract(session: Session, actor: Actor, contract: Contract, today: date) -> Contract:
    """A vendor (or auditor) named on a contract confirms it: only then is it named there for good."""
    mine = [cp for cp in contract.parties if cp.party_id == actor.party_id and cp.role == actor.role]
    if not mine or actor.role not in ("vendor", "auditor"):
        raise Forbidden(_("only a vendor or auditor named on contract {code} confirms it", code=contract.code))
    if all(cp.confirmed_on is not None for cp in mine):
        raise Conflict(_("party {party} already confirmed contract {code}", party=actor.party_code,
                         code=contract.code), type_slug="confirmed")
    before = contract_dict(contract)
    for cp in mine:
        cp.confirmed_on = cp.confirmed_on or today
    session.flush()
    journal.append(session, actor, "contract.confirmed", "contract", contract.id,
                   {"before": before, "after": contract_dict(contract)}, contract_id=contract.id)
    return contract


def may_see(actor: Actor, party_ids) -> bool:
    """The rule of :func:`visible_contracts` for a contract whose parties are known (clause 7)."""
    return actor.role == "admin" or actor.party_id in party_ids


def visible_contracts(actor: Actor):
    """A select of the contract ids the actor may see (admin: all; a party: its own, clause 7)."""
    q = select(Contract.id)
    if actor.role != "admin":
        q = q.where(Contract.id.in_(select(ContractParty.contract_id)
                                    .where(ContractParty.party_id == actor.party_id)))
    return q


def get_contract(session: Session, actor: Actor, contract_id: int, *, for_update: bool = False) -> Contract:
    """Load a contract the actor may see; another party's contract is a 404, not a 403."""
    q = select(Contract).where(Contract.id == contract_id, Contract.id.in_(visible_contracts(actor)))
    if for_update and is_postgres(session):
        # FOR NO KEY UPDATE: serialises writers of this contract, leaves other transactions'
        # foreign-key checks (KEY SHARE) free, so an insert referencing it never waits on us.
        contract = session.scalar(q.with_for_update(of=Contract, key_share=True))
    else:
        # One query for a read: the contract with its parties, tranches and rates joined in.
        q = q.options(joinedload(Contract.parties).joinedload(ContractParty.party),
                      joinedload(Contract.tranches), joinedload(Contract.tax_rates))
        contract = session.execute(q).unique().scalar_one_or_none()
    if contract is None:
        raise NotFound(f"no contract {contract_id}")
    return contract


def require_role(contract: Contract, actor: Actor, *roles: str) -> None:
    """403 unless the actor acts in one of ``roles`` and (admin aside) holds that role on the contract."""
    if actor.role == "admin" and "admin" in roles:
        return
    if actor.role not in roles:
        raise Forbidden(f"the {actor.role} role may not do this; it needs: {', '.join(roles)}")
    if actor.role == "admin":
        return
    if not any(p.party_id == actor.party_id and p.role == actor.role for p in contract.parties):
        raise Forbidden(f"party {actor.party_code!r} is not the {actor.role} on contract {contract.code}")


def list_contracts(session: Session, actor: Actor, page: int, page_size: int, code: str | None):
    q = select(Contract).where(Contract.id.in_(visible_contracts(actor)))
    if code:
        q = q.where(Contract.code == code)
    return paginate(session, q, page, page_size, Contract.id)
