"""2027 dates are provisional until the official schedule is loaded with ``flask calendar load``."""
from __future__ import annotations

import copy
from pathlib import Path

from tests.api.test_contracts_api import SEED_CONTRACT

FIXTURE = str(Path(__file__).parent.parent / "fixtures" / "calendar-2027-example.json")


def test_2027_dates_provisional_then_official(api, runner):
    for code in ("b1", "v1"):
        assert api.post("/api/v1/parties", json={"code": code, "name": code}).status_code == 201
    body = copy.deepcopy(SEED_CONTRACT)
    body["tranches"][1]["due"]["date"] = "2027-02-20"  # Saturday: estimated rest day, official make-up day
    r = api.post("/api/v1/contracts", json=body)
    assert r.status_code == 201, r.get_json()
    cid = r.get_json()["id"]

    t2 = api.get(f"/api/v1/contracts/{cid}/schedule?as_of=2026-12-01").get_json()["tranches"][1]
    assert (t2["due_date"], t2["provisional"]) == ("2027-02-22", True)
    assert t2["due_date_rule"] == "fixed date 2027-02-20, rolled past rest day"

    shown = runner.invoke(args=["calendar", "show", "2027"])
    assert shown.exit_code == 0 and "PROVISIONAL" in shown.output

    loaded = runner.invoke(args=["calendar", "load", FIXTURE])
    assert loaded.exit_code == 0, loaded.output
    assert "loaded 2027: 17 holidays, 3 make-up working days" in loaded.output

    t2 = api.get(f"/api/v1/contracts/{cid}/schedule?as_of=2026-12-01").get_json()["tranches"][1]
    assert (t2["due_date"], t2["provisional"], t2["invoice_due_date"]) == ("2027-02-20", False, "2027-02-17")

    shown = runner.invoke(args=["calendar", "show", "2027"])
    assert "2027: official" in shown.output
    assert "2027-02-20 Sat working (make-up)" in shown.output


def test_calendar_load_refuses_a_bad_file(runner, app, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"year": 2027, "source": "x", "holidays": {"2027-02-30": "x"}}', encoding="utf-8")
    result = runner.invoke(args=["calendar", "load", str(bad)])
    assert result.exit_code != 0 and "not an ISO date" in result.output
