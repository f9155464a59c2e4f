"""schemathesis over every operation of the OpenAPI document, in-process against the WSGI app (issue 5).

Every response must be non-5xx and conform to the documented schema (status
code, content type, body). Examples are bounded and derandomized so CI is
repeatable; the seed contract is loaded so that valid ids are hit too.
"""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings, strategies as st

from schemathesis.checks import positive_data_acceptance

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
# Schema-valid data may still break a business rule (tranches must sum to the total, a taxpayer
# ID's check digit, ...): a 4xx for it is correct, so "positive data acceptance" is not checked.
EXCLUDED = [positive_data_acceptance]


@pytest.fixture
def fuzz_schema(app):
    return schemathesis.openapi.from_wsgi("/openapi.json", app)


@pytest.fixture
def real_ids(api, seeded):
    """Objects on the seed contract, so that half the examples hit real resources."""
    from tests.api.test_invoice_platform import recorded, register_ids
    register_ids(api)
    inv = recorded(api, seeded, 1, "2026-07-06", "978282.00")
    op = api.post(f"/api/v1/contracts/{seeded}/audit-opinions",
                  json={"audited_amount": "1900000.00", "delivered_on": "2027-07-15"}).get_json()
    rect = api.post(f"/api/v1/contracts/{seeded}/rectifications",
                    json={"noticed_on": "2026-08-10", "description": "x"}).get_json()
    return {"contract_id": seeded, "invoice_id": inv["id"], "opinion_id": op["id"], "rect_id": rect["id"]}


def test_fuzz_every_operation(app, api, real_ids, fuzz_schema):
    operations = [result.ok() for result in fuzz_schema.get_all_operations()]
    assert len(operations) >= 30
    headers = {"Authorization": f"Bearer {api.token('admin')}"}
    failures, calls = [], {"n": 0, "real": 0}

    for op in operations:
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy(), real=st.booleans())
        def run(case, real):
            calls["n"] += 1
            if real and case.path_parameters:
                case.path_parameters = {k: real_ids.get(k, v) for k, v in case.path_parameters.items()}
                calls["real"] += 1
            case.call_and_validate(headers=headers, excluded_checks=EXCLUDED)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collect every operation's finding
            failures.append(f"{op.method.upper()} {op.path}: {str(exc)[:1500]}")
    print(f"schemathesis: {len(operations)} operations, {calls['n']} examples "
          f"({calls['real']} on real ids), {len(failures)} failing")
    assert not failures, "\n\n".join(failures)
