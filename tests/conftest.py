"""Test fixtures: a migrated database (SQLite file, or PostgreSQL from TEST_DATABASE_URL),
an app built by the factory, and an API client that speaks with bearer tokens.

The schema comes from the Alembic migrations, never from ``create_all``.
"""
from __future__ import annotations

import os
import uuid
from datetime import datetime

import pytest
import time_machine
from sqlalchemy import create_engine, text

from settlement import create_app, migrate
from settlement.models import Base

PG_URL = os.environ.get("TEST_DATABASE_URL")


def _pg_reachable(url: str) -> str | None:
    try:
        eng = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with eng.connect() as conn:
            conn.execute(text("select 1"))
        eng.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        return f"PostgreSQL at {url} cannot be reached: {type(exc).__name__}: {str(exc).splitlines()[0]}"


DEFAULT_TODAY = "2027-12-31"   # after the seed contract's life: a test may record any of its facts


def shanghai(day: str) -> datetime:
    """10:00 on ``day`` in Asia/Shanghai (a business day's morning)."""
    return datetime.fromisoformat(f"{day}T10:00:00+08:00")


@pytest.fixture(autouse=True)
def today(request):
    """Freeze "today" (time-machine): ``@pytest.mark.today("2026-11-27")`` or the default; the
    fixture's ``move_to(shanghai("2027-08-02"))`` moves it within a test. Facts may not be dated
    after today (DESIGN.md), so tests say which day they live on."""
    marker = request.node.get_closest_marker("today")
    with time_machine.travel(shanghai(marker.args[0] if marker else DEFAULT_TODAY), tick=True) as traveller:
        yield traveller


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A freshly migrated database for the whole session."""
    if PG_URL:
        why = _pg_reachable(PG_URL)
        if why:
            pytest.skip(why)
        schema = f"t_{uuid.uuid4().hex[:10]}"
        base = PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
        admin = create_engine(base)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in base else "?"
        url = f"{base}{sep}options=-csearch_path%3D{schema}"
        migrate.upgrade(url)
        yield url
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("db") / "test.db"
        url = f"sqlite:///{path}"
        migrate.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    os.environ.setdefault("INSTANCE_PATH", str(tmp_path_factory.mktemp("instance")))
    application = create_app({"DATABASE_URL": database_url, "TESTING": True})
    yield application
    application.extensions["settlement"]["engine"].dispose()


@pytest.fixture(autouse=True)
def clean_tables(request):
    """Empty every table before each test that uses the database."""
    if "app" not in request.fixturenames:
        yield
        return
    reset_database(request.getfixturevalue("app"))
    yield


def reset_database(application) -> None:
    """Every table emptied, the calendar and the read cache forgotten."""
    engine = application.extensions["settlement"]["engine"]
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for t in tables:
                conn.execute(text(f'DELETE FROM "{t}"'))
    from settlement.services import calendar as calendar_svc
    calendar_svc.forget()
    # Ids and journal seqs restart with the tables, so a cached response of an earlier test
    # could carry the same validator: start each test with an empty read cache.
    application.extensions["settlement"].pop("response_cache", None)


class Api:
    """A test client that sends JSON with a bearer token and returns (status, json)."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self.tokens: dict[str, str] = {}
        # The suite's older assertions read English problems; Chinese (the service's default)
        # is asserted where it is the point (tests/api/test_i18n.py sets api.language).
        self.language = "en"

    def token(self, role: str, party: str | None = None) -> str:
        key = f"{role}:{party}"
        if key not in self.tokens:
            from settlement.services.tokens import create_token
            s = self.app.extensions["settlement"]["sessions"]()
            _, plain = create_token(s, role, party)
            s.commit()
            s.close()
            self.tokens[key] = plain
        return self.tokens[key]

    def call(self, method, path, *, as_=("admin", None), json=None, data=None, headers=None, key="auto", **kw):
        """``key``: the Idempotency-Key for a POST ("auto": a fresh one; None: no header)."""
        hdrs = {"Authorization": f"Bearer {self.token(*as_)}"} if as_ else {}
        if method == "POST" and key is not None:
            hdrs["Idempotency-Key"] = uuid.uuid4().hex if key == "auto" else key
        hdrs.update(headers or {})
        hdrs.setdefault("Accept-Language", self.language)
        resp = self.client.open(path, method=method, json=json, data=data, headers=hdrs, **kw)
        return resp

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.call("POST", path, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self.call("PATCH", path, json=json, **kw)


@pytest.fixture
def api(app):
    return Api(app)


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def seeded(api, runner):
    """The seed contract loaded with ``flask seed demo``; returns its id."""
    result = runner.invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    resp = api.get("/api/v1/contracts?code=DS-12345-2026")
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()["items"][0]["id"]


BUYER = ("buyer", "desheng")
VENDOR = ("vendor", "unicom-bj")
MEMBER = ("vendor", "bj-telecom-dev")
