"""The seed contract (../shared/seed/desheng-hotline-contract.txt) as API-shaped data.

Organisation names, amounts and dates are the contract's; no personal names or
phone numbers. Taxpayer IDs are not in the contract, so none is on file: an
admin adds them with PATCH /api/v1/parties/{code} before a special invoice.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

PARTIES = [
    {"code": "desheng", "name": "北京市西城区人民政府德胜街道办事处", "taxpayer_id": None,
     "general_taxpayer": False, "bank_accounts": []},
    {"code": "unicom-bj", "name": "中国联合网络通信有限公司北京市分公司", "taxpayer_id": None,
     "general_taxpayer": True,
     # clause 5.3: the payee account
     "bank_accounts": [{"bank": "工商银行北京分行长安支行",
                        "account_name": "中国联合网络通信有限公司北京市分公司",
                        "account_no": "0200003319210012727"}]},
    {"code": "bj-telecom-dev", "name": "北京电信发展有限公司", "taxpayer_id": None,
     "general_taxpayer": False, "bank_accounts": []},
]

CONTRACT = {
    "code": "DS-12345-2026",
    "title": "德胜街道接诉即办（座席外包）项目服务协议",
    "buyer": "desheng",
    "vendors": ["unicom-bj", "bj-telecom-dev"],
    "auditors": [],
    "total_amount": Decimal("1956564.00"),                       # 5.1
    "signed_on": date(2026, 6, 11),
    "service_start": date(2026, 7, 1),                           # 3
    "service_end": date(2027, 6, 30),
    "tax_rates": [{"rate": Decimal("0.06"), "effective_from": date(2026, 6, 11)}],  # 5.2 增值电信 6%
    "tranches": [                                                # 5.1.1
        {"seq": 1, "amount": Decimal("978282.00"), "due": {"kind": "months_after_signing", "months": 1}},
        {"seq": 2, "amount": Decimal("586969.20"), "due": {"kind": "on_or_before", "date": date(2026, 11, 30)}},
        {"seq": 3, "amount": "remainder", "due": {"kind": "working_days_after_audit", "days": 15}},
    ],
    "terms": {"invoice_lead_working_days": 3, "objection_window_working_days": 5,
              "overdue_termination_days": 60, "penalty_rate": Decimal("0.01"),
              "rectification_limit": 3, "termination_notice_months": 3},
}
