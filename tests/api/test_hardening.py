"""Issue 15, part 8: JSON depth, idempotency scope and canonical body, stale temp files, throttled
authentication (each test fails on the code before it)."""
from __future__ import annotations

import json
import os
import time

import pytest
from flask import Flask

from settlement.api import throttle
from settlement.api.limits import json_depth_exceeds
from settlement.cli.batch import remove_stale_temp_files, write_atomically
from tests.api.test_contracts_api import problem
from tests.conftest import BUYER

PAY = {"amount": "1000.00", "paid_on": "2026-07-10", "bank_reference": "B-1"}


# -- JSON nested too deep: 400, not 500 ------------------------------------------------------------------

def nested(depth: int) -> str:
    return '{"amount": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


@pytest.mark.parametrize("depth", [65, 1000, 100_000])
def test_json_nested_deeper_than_64_is_400(api, seeded, depth):
    r = api.post(f"/api/v1/contracts/{seeded}/payments", data=nested(depth), as_=BUYER,
                 headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    body = problem(r)
    assert body["type"].endswith("/problems/bad-request")
    assert body["detail"] == "the JSON body is nested deeper than 64 levels"
    assert body["errors"] == {"body": ["the JSON body is nested deeper than 64 levels"]}


def test_json_64_deep_is_parsed_and_judged_by_the_schema(api, seeded):
    r = api.post(f"/api/v1/contracts/{seeded}/payments", data=nested(64), as_=BUYER,
                 headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.get_json()


def test_brackets_inside_strings_do_not_count(api, seeded):
    r = api.post(f"/api/v1/contracts/{seeded}/payments", as_=BUYER,
                 json={**PAY, "bank_reference": "[" * 40, "payer_account": "{\"[" * 20})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["bank_reference"] == "[" * 40


def test_depth_scan():
    assert not json_depth_exceeds(b"[" * 64 + b"]" * 64)
    assert json_depth_exceeds(b"[" * 65 + b"]" * 65)
    assert json_depth_exceeds(b'{"a":' * 65 + b"1" + b"}" * 65)
    assert not json_depth_exceeds(b'["' + b"[" * 500 + b'"]')
    assert not json_depth_exceeds(b'["\\"' + b"[" * 500 + b'"]')          # an escaped quote stays in the string
    assert not json_depth_exceeds(b"[]" * 100_000)                         # wide is fine
    assert json_depth_exceeds(b'[' * 10 + b'"\\\\"' + b"[" * 60)            # an escaped backslash ends nothing


# -- idempotency: scoped per party and role; the body by its meaning --------------------------------------

def test_another_role_of_the_same_party_gets_no_replay(api, seeded):
    url = f"/api/v1/contracts/{seeded}/payments"
    first = api.post(url, json=PAY, as_=BUYER, key="shared-key")
    assert first.status_code == 201
    # the same party's vendor token (desheng is no vendor on this contract): its own answer, 403
    r = api.post(url, json=PAY, as_=("vendor", "desheng"), key="shared-key")
    assert r.status_code == 403 and "Idempotent-Replayed" not in r.headers
    again = api.post(url, json=PAY, as_=BUYER, key="shared-key")
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_data() == first.get_data()


def test_reordered_keys_and_whitespace_are_the_same_body(api, seeded):
    url = f"/api/v1/contracts/{seeded}/payments"
    compact = json.dumps(PAY, separators=(",", ":"))
    reordered = '{\n  "bank_reference" : "B-1",\n  "paid_on": "2026-07-10",   "amount": "1000.00"\n}'
    first = api.post(url, data=compact, as_=BUYER, key="k-order", headers={"Content-Type": "application/json"})
    assert first.status_code == 201
    again = api.post(url, data=reordered, as_=BUYER, key="k-order", headers={"Content-Type": "application/json"})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_data() == first.get_data()
    other = api.post(url, data=reordered.replace("1000.00", "1000.01"), as_=BUYER, key="k-order",
                     headers={"Content-Type": "application/json"})
    assert other.status_code == 422 and problem(other)["type"].endswith("/problems/idempotency-mismatch")


# -- temp files of killed runs ------------------------------------------------------------------------------

def test_stale_temp_files_are_removed_at_the_next_write(tmp_path):
    hours_ago = time.time() - 2 * 3600
    stale = [tmp_path / ".reconciliation-2026-10.xlsx.k3j9x0_q", tmp_path / ".reconciliation-2026-11.json.abcd1234"]
    fresh = tmp_path / ".reconciliation-2026-11.pdf.zz99yy88"       # a run writing it now
    keep = [tmp_path / ".gitignore", tmp_path / ".reconciliation-notes", tmp_path / "reconciliation-2026-10.json",
            tmp_path / ".env.local.backup"]
    for p in stale + [fresh] + keep:
        p.write_bytes(b"half a file")
    for p in stale + keep:
        os.utime(p, (hours_ago, hours_ago))
    os.utime(fresh, (time.time(), time.time()))   # "now" is the test's frozen clock
    write_atomically(tmp_path / "reconciliation-2026-11.json", b"{}")
    assert (tmp_path / "reconciliation-2026-11.json").read_bytes() == b"{}"
    assert not any(p.exists() for p in stale)
    assert fresh.exists() and all(p.exists() for p in keep)
    assert remove_stale_temp_files(tmp_path) == []
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".reconciliation-2026-11.json."))
    assert leftovers == []     # the write's own temp file was renamed


def test_a_killed_write_leaves_a_temp_file_the_next_run_removes(tmp_path):
    def killed(fh):
        fh.write(b"half")
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        write_atomically(tmp_path / "r.csv", killed)
    assert list(tmp_path.iterdir()) == []          # cleaned at once when the process survives
    orphan = tmp_path / ".r.csv.abc12345"          # SIGKILL: nothing runs, the temp file stays
    orphan.write_bytes(b"half")
    os.utime(orphan, (time.time() - 3601, time.time() - 3601))
    write_atomically(tmp_path / "r.csv", b"a,b\n")
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]


# -- failed authentication throttled per address -----------------------------------------------------------

@pytest.fixture
def throttled(app):
    old = app.config["AUTH_FAILURE_LIMIT"]
    app.config["AUTH_FAILURE_LIMIT"] = "3"
    throttle.reset(app)
    yield app
    app.config["AUTH_FAILURE_LIMIT"] = old
    throttle.reset(app)


def bad(api, addr="10.0.0.7", path="/api/v1/contracts"):
    return api.client.get(path, headers={"Authorization": "Bearer st_0123456789abcdef_forged"},
                          environ_base={"REMOTE_ADDR": addr})


def good(api, addr="10.0.0.7"):
    return api.client.get("/api/v1/contracts", headers={"Authorization": f"Bearer {api.token('admin')}"},
                          environ_base={"REMOTE_ADDR": addr})


def test_failed_authentication_is_throttled_per_address(api, throttled):
    assert [bad(api).status_code for _ in range(3)] == [401, 401, 401]
    r = bad(api)
    assert r.status_code == 429 and r.mimetype == "application/problem+json"
    body = r.get_json()
    assert body["type"].endswith("/problems/too-many-requests") and body["status"] == 429
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    assert good(api).status_code == 429                    # a right guess looks like a wrong one now
    assert bad(api, path="/api/v1/no-such-thing").status_code == 429
    assert good(api, addr="10.0.0.8").status_code == 200   # another address is not affected
    assert bad(api, addr="10.0.0.8").status_code == 401
    assert api.client.get("/healthz", environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 200


def test_successful_requests_are_not_counted(api, throttled):
    for _ in range(10):
        assert good(api).status_code == 200
    assert [bad(api).status_code for _ in range(4)] == [401, 401, 401, 429]


def test_failures_anywhere_under_api_count(api, throttled):
    assert bad(api, path="/api/v1/no-such-thing").status_code == 401
    no_header = api.client.get("/api/v1/contracts", environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert no_header.status_code == 401
    assert bad(api).status_code == 401
    assert bad(api).status_code == 429


def test_the_window_frees_up(api, throttled, today):
    for _ in range(3):
        bad(api)
    assert bad(api).status_code == 429
    today.shift(61)
    assert bad(api).status_code == 401


def test_throttle_off_with_zero(api, app):
    assert app.config["AUTH_FAILURE_LIMIT"] == "0"    # a test app is not throttled unless configured
    throttle.reset(app)
    assert {bad(api).status_code for _ in range(30)} == {401}


def test_limit_setting():
    assert str(throttle.parse_limit(None)) == "20 per 1 minute"
    assert str(throttle.parse_limit("20")) == "20 per 1 minute"
    assert str(throttle.parse_limit(5)) == "5 per 1 minute"
    assert str(throttle.parse_limit("100/hour")) == "100 per 1 hour"
    assert throttle.parse_limit("0") is None and throttle.parse_limit(0) is None
    with pytest.raises(ValueError, match="AUTH_FAILURE_LIMIT must be"):
        throttle.parse_limit("lots")


def test_default_is_20_a_minute_outside_tests(monkeypatch):
    monkeypatch.delenv("AUTH_FAILURE_LIMIT", raising=False)
    app = Flask("x")
    app.extensions["settlement"] = {}
    throttle.register(app)
    assert str(throttle.parse_limit(app.config["AUTH_FAILURE_LIMIT"])) == "20 per 1 minute"
    monkeypatch.setenv("AUTH_FAILURE_LIMIT", "7")
    app = Flask("y")
    app.extensions["settlement"] = {}
    throttle.register(app)
    assert app.config["AUTH_FAILURE_LIMIT"] == "7"
    monkeypatch.setenv("AUTH_FAILURE_LIMIT", "lots")
    from settlement.config import ConfigError
    with pytest.raises(ConfigError, match="AUTH_FAILURE_LIMIT"):
        throttle.register(Flask("z"))
