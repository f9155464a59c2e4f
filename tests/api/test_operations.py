"""Operations (issue "Ready for the office", parts 4 and 5): serving, health and readiness,
JSON logs with a request id, the container files, tokens for people, exit codes.

Everything here runs without PostgreSQL: the "database unreachable" cases point at
127.0.0.1:1, where nothing listens.
"""
from __future__ import annotations

import io
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import date, datetime, timedelta, timezone
from importlib import metadata
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, event, text

from settlement import config, create_app, logs, migrate
from settlement.models import Party
from settlement.services import tokens as tokens_svc

ROOT = Path(__file__).resolve().parents[2]
SHANGHAI = ZoneInfo("Asia/Shanghai")
UNREACHABLE = "postgresql://postgres@127.0.0.1:1/x"
UNREACHABLE_LINE = "error: cannot connect to the database postgresql+psycopg://postgres@127.0.0.1:1/x: "
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$")
EN = {"Accept-Language": "en"}   # the wording asserted here is the English one (problems default to Chinese)
CLI = [sys.executable, "-c", "from settlement.cli import main; main()"]


def head() -> str:
    from alembic.script import ScriptDirectory
    return ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_current_head()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "HOST", "PORT", "WORKERS", "LOG_LEVEL", "GUNICORN_CMD_ARGS", "FLASK_APP")}
    env.update(extra)
    return env


def needs_psycopg():
    pytest.importorskip("psycopg", reason="the PostgreSQL driver is not installed ([postgres] extra)")


@pytest.fixture
def json_lines():
    """The service's log lines (JSON) written while the test runs, as dicts and as raw text."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    logger = logging.getLogger("settlement")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


def parse(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


# -- /healthz, /readyz, /api/v1/version -------------------------------------------------------------

def test_healthz_answers_without_token_or_database():
    needs_psycopg()
    app = create_app({"DATABASE_URL": config.database_url("", {"DATABASE_URL": UNREACHABLE}), "TESTING": True})
    try:
        client = app.test_client()
        resp = client.get("/healthz")
        assert resp.status_code == 200
        assert resp.get_json() == {"status": "ok"}
        assert resp.headers["Cache-Control"] == "no-store"

        resp = client.get("/readyz", headers=EN)
        assert resp.status_code == 503
        assert resp.mimetype == "application/problem+json"
        body = resp.get_json()
        assert body["detail"] == "the database does not answer"
        assert body["checks"] == {"database": "unreachable", "head": head()}
        assert body["type"].endswith("/unavailable")
        assert resp.headers["Retry-After"] == "5"
    finally:
        app.extensions["settlement"]["engine"].dispose()


def test_readyz_ready_when_migrated_to_head(app):
    resp = app.test_client().get("/readyz")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ready", "database": "ok", "revision": head(), "head": head()}


@pytest.mark.parametrize("revision", [None, "0007"])
def test_readyz_says_the_database_is_not_at_the_head(tmp_path, revision):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    if revision:
        migrate.upgrade(url, revision)
    app = create_app({"DATABASE_URL": url, "TESTING": True})
    try:
        resp = app.test_client().get("/readyz", headers=EN)
    finally:
        app.extensions["settlement"]["engine"].dispose()
    assert resp.status_code == 503
    body = resp.get_json()
    if revision is None:
        assert body["detail"] == (f"the database is not migrated (no Alembic revision; the code needs {head()}): "
                                  "run `settlement db upgrade`")
        assert body["checks"] == {"database": "ok", "revision": None, "head": head()}
    else:
        assert body["detail"] == (f"the database is at revision 0007, the code needs {head()}: run `settlement db "
                                  "upgrade` (or deploy the code that matches the database)")
        assert body["checks"] == {"database": "ok", "revision": "0007", "head": head()}


def test_version_needs_a_token_and_names_package_commit_and_schema(app, api):
    assert app.test_client().get("/api/v1/version").status_code == 401
    app.config["GIT_COMMIT"] = "abc1234"
    try:
        resp = api.get("/api/v1/version")
    finally:
        app.config["GIT_COMMIT"] = None
    assert resp.status_code == 200
    assert resp.get_json() == {"version": metadata.version("contract-settlement"), "git_commit": "abc1234",
                               "alembic_head": head()}


def test_git_commit_comes_from_the_environment():
    assert config.from_environment("/tmp", {"GIT_COMMIT": " 9d57966 "})["GIT_COMMIT"] == "9d57966"
    assert config.from_environment("/tmp", {})["GIT_COMMIT"] is None


# -- request id and JSON logs -----------------------------------------------------------------------

@pytest.mark.parametrize("incoming, kept", [
    ("abc-123", True), ("0af7651916cd43dd8448eb211c80319c", True), ("Root=1-5759e988-bd862e3fe1be46a994272793", True),
    ("x" * 128, True), ("x" * 129, False), ("has space", False), ("请求", False), ("a\"b", False), ("", False),
])
def test_request_id_is_echoed_when_sane_else_generated(app, incoming, kept):
    resp = app.test_client().get("/healthz", headers={"X-Request-Id": incoming})
    if kept:
        assert resp.headers["X-Request-Id"] == incoming
    else:
        assert re.fullmatch(r"[0-9a-f]{32}", resp.headers["X-Request-Id"])


def test_every_response_has_a_request_id_even_a_401(app):
    a = app.test_client().get("/api/v1/contracts").headers["X-Request-Id"]
    b = app.test_client().get("/api/v1/contracts").headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", a) and re.fullmatch(r"[0-9a-f]{32}", b) and a != b


def test_log_lines_of_a_request_carry_its_id_and_never_the_token(tmp_path, json_lines):
    url = f"sqlite:///{tmp_path / 'empty.db'}"   # not migrated: /readyz logs a warning
    app = create_app({"DATABASE_URL": url, "TESTING": True})
    token = "st_0123456789abcdef_SuperSecretValue-xyz"
    try:
        resp = app.test_client().get("/readyz", headers={"X-Request-Id": "req-42",
                                                         "Authorization": f"Bearer {token}"})
        resp2 = app.test_client().get("/api/v1/contracts", headers={"X-Request-Id": "req-43",
                                                                    "Authorization": f"Bearer {token}"})
        app.logger.warning("presented %s", f"Bearer {token}")   # even a careless message is masked
    finally:
        app.extensions["settlement"]["engine"].dispose()
    assert resp.status_code == 503 and resp2.status_code in (401, 500, 503)
    raw = json_lines.getvalue()
    assert "SuperSecretValue" not in raw and token not in raw
    lines = parse(json_lines)
    readyz = [ln for ln in lines if ln.get("request_id") == "req-42"]
    assert readyz, lines
    for ln in readyz:
        assert ln["method"] == "GET" and ln["path"] == "/readyz" and ln["remote_addr"] == "127.0.0.1"
        assert TS.match(ln["ts"]) and ln["level"] == "WARNING" and ln["logger"] == "settlement.api.health"
        assert list(ln)[:4] == ["ts", "level", "logger", "message"]
    assert lines[-1]["message"] == "presented Bearer ***"


def test_json_formatter_line():
    record = logging.LogRecord("settlement.x", logging.ERROR, __file__, 1, "收到 %s", ("st_aa_bb",), None)
    record.created = datetime(2026, 11, 27, 1, 2, 3, 456000, tzinfo=timezone.utc).timestamp()
    out = json.loads(logs.JsonFormatter().format(record))
    assert out == {"ts": "2026-11-27T09:02:03.456+08:00", "level": "ERROR", "logger": "settlement.x",
                   "message": "收到 st_aa_***"}
    assert "\n" not in logs.JsonFormatter().format(record)


def test_query_secrets_are_masked_in_the_access_line():
    assert logs.mask_query("as_of=2026-11-01&access_token=abc&api_key=z") == "as_of=2026-11-01&access_token=***&api_key=***"


# -- settlement serve / make serve: real gunicorn -----------------------------------------------------

def _get(url, headers=None, timeout=5):
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def test_settlement_serve_migrates_serves_and_logs_json_lines(tmp_path):
    port = free_port()
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}", INSTANCE_PATH=str(tmp_path / "inst"),
                    HOST="127.0.0.1", PORT=str(port), WORKERS="1")
    out, err = open(tmp_path / "out.log", "w+"), open(tmp_path / "err.log", "w+")
    proc = subprocess.Popen(CLI + ["serve"], cwd=tmp_path, env=env, stdout=out, stderr=err)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                if _get(base + "/healthz", timeout=1)[0] == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, (tmp_path / "err.log").read_text()
            time.sleep(0.1)
        # migrated by serve: ready; a token made from another directory works against it
        status, _, body = _get(base + "/readyz")
        assert status == 200, body
        made = subprocess.run(CLI + ["tokens", "create", "--holder", "运维 ops", "--role", "admin"], cwd="/",
                              env=env, capture_output=True, text=True, timeout=60)
        assert made.returncode == 0, made.stderr
        token = made.stdout.strip().splitlines()[-1]
        status, headers, body = _get(base + "/api/v1/version?as_of=2026-11-01",
                                     {"Authorization": f"Bearer {token}", "X-Request-Id": "ops-test-1"})
        assert status == 200 and headers["X-Request-Id"] == "ops-test-1"
        assert _get(base + "/api/v1/version", {"Authorization": "Bearer st_00_wrong"})[0] == 401
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        out.close(), err.close()
    stdout, stderr = (tmp_path / "out.log").read_text(), (tmp_path / "err.log").read_text()
    assert token not in stdout + stderr and token.split("_", 2)[2] not in stdout + stderr
    lines = [json.loads(ln) for ln in (stdout + stderr).splitlines() if ln.strip()]   # every line is JSON
    assert all(TS.match(ln["ts"]) for ln in lines)
    assert any(ln["logger"] == "settlement.cli" and ln["message"].endswith(f"at revision {head()}") for ln in lines)
    access = [ln for ln in lines if ln["logger"] == "gunicorn.access" and ln.get("request_id") == "ops-test-1"]
    assert len(access) == 1
    line = access[0]
    assert {k: line[k] for k in ("level", "message", "method", "path", "query", "status", "remote_addr")} == {
        "level": "INFO", "message": "GET /api/v1/version 200", "method": "GET", "path": "/api/v1/version",
        "query": "as_of=2026-11-01", "status": 200, "remote_addr": "127.0.0.1"}
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert proc.returncode == 0


def _one_error_line(stderr: str, expected_start: str):
    lines = [ln for ln in stderr.splitlines() if ln.strip() and not ln.startswith(("make: ***", "make["))]
    assert len(lines) == 1, stderr
    assert lines[0].startswith(expected_start), stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize("args", [["db", "upgrade"], ["serve"], ["journal", "verify"], ["tokens", "list"]])
def test_unreachable_database_is_one_line_and_exit_2(tmp_path, args):
    needs_psycopg()
    proc = subprocess.run(CLI + args, cwd=tmp_path, env=clean_env(DATABASE_URL=UNREACHABLE), capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    _one_error_line(proc.stderr, UNREACHABLE_LINE)
    assert proc.stdout == ""


def test_flask_db_upgrade_unreachable_is_one_line_and_exit_2(tmp_path):
    needs_psycopg()
    proc = subprocess.run([sys.executable, "-m", "flask", "--app", str(ROOT / "wsgi.py"), "db", "upgrade"],
                          cwd=tmp_path, env=clean_env(DATABASE_URL=UNREACHABLE), capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2, proc.stderr
    _one_error_line(proc.stderr, UNREACHABLE_LINE)


def test_make_serve_unreachable_is_one_line_and_exit_2():
    needs_psycopg()
    if not (ROOT / ".venv" / "bin" / "settlement").exists() or shutil.which("make") is None:
        pytest.skip("make serve needs the project's .venv (make install) and make")
    # -o .venv/.installed: this test is about the serve recipe, not about reinstalling the venv
    proc = subprocess.run(["make", "-s", "-o", ".venv/.installed", "serve"], cwd=ROOT,
                          env=clean_env(DATABASE_URL=UNREACHABLE), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    _one_error_line(proc.stderr, UNREACHABLE_LINE)
    assert "psycopg" not in proc.stdout and "seed" not in proc.stdout


def test_not_migrated_database_is_one_line_and_exit_2(tmp_path):
    proc = subprocess.run(CLI + ["journal", "verify"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env=clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'new.db'}"))
    assert proc.returncode == 2, proc.stderr
    _one_error_line(proc.stderr, f"error: the database sqlite:///{tmp_path / 'new.db'} is not migrated, "
                                 f"the code needs {head()}: run `settlement db upgrade`")


@pytest.mark.parametrize("env, line", [
    ({"PORT": "abc"}, "error: PORT must be a whole number, got 'abc'"),
    ({"WORKERS": "0"}, "error: WORKERS must be between 1 and 64, got 0"),
    ({"LOG_LEVEL": "loud"}, "error: LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'loud'"),
    ({"DATABASE_URL": "nonsense"}, "error: DATABASE_URL is not a database URL this service can use: "),
])
def test_bad_settings_are_one_line_and_exit_2(tmp_path, env, line):
    proc = subprocess.run(CLI + ["serve"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env=clean_env(INSTANCE_PATH=str(tmp_path), **env))
    assert proc.returncode == 2, proc.stderr
    _one_error_line(proc.stderr, line)


def test_serve_settings_defaults_and_overrides():
    d = config.serve_settings({})
    assert (d["bind"], d["workers"], d["timeout"], d["loglevel"]) == (["0.0.0.0:8000"], 2, 120, "info")
    assert d["logger_class"] == "settlement.logs.GunicornLogger"
    d = config.serve_settings({"HOST": "127.0.0.1", "PORT": "9000", "WORKERS": "3", "LOG_LEVEL": "debug"})
    assert (d["bind"], d["workers"], d["loglevel"]) == (["127.0.0.1:9000"], 3, "debug")
    assert config.serve_settings({"HOST": "::1"})["bind"] == ["[::1]:8000"]


def test_gunicorn_conf_file_gives_the_same_settings():
    ns: dict = {}
    exec(compile((ROOT / "deploy" / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), ns)
    assert ns["wsgi_app"] == "settlement:create_app()"
    for key, value in config.serve_settings().items():
        assert ns[key] == value


def test_make_run_still_seeds_and_serve_does_not():
    make = (ROOT / "Makefile").read_text()
    run = make.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    serve = make.split("\nserve:", 1)[1].split("\n\n", 1)[0]
    assert "seed demo" in run and "tokens bootstrap" in run
    assert serve.strip() == "install\n\t@$(BIN)/settlement serve"


# -- container files ----------------------------------------------------------------------------------

def test_dockerfile():
    text_ = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim$", text_, re.M)
    assert "fonts-wqy-zenhei" in text_
    users = re.findall(r"^USER (\S+)$", text_, re.M)
    assert users and users[-1] not in ("root", "0")
    assert 'ENTRYPOINT ["settlement"]' in text_ and 'CMD ["serve"]' in text_


def test_docker_compose():
    yaml = pytest.importorskip("yaml")
    doc = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    db, app_ = doc["services"]["db"], doc["services"]["app"]
    assert db["image"] == "postgres:15"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert db["volumes"] == ["pgdata:/var/lib/postgresql/data"] and "pgdata" in doc["volumes"]
    assert app_["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert app_["environment"]["DATABASE_URL"].startswith("postgresql://settlement:")
    assert "@db:5432/settlement" in app_["environment"]["DATABASE_URL"]
    tool = shutil.which("docker-compose")
    if tool:  # the engine is not needed to validate the file
        proc = subprocess.run([tool, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"], capture_output=True,
                              text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr


# -- tokens for people --------------------------------------------------------------------------------

def width(text_: str) -> int:
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text_)


def _party(app, code="desheng"):
    s = app.extensions["settlement"]["sessions"]()
    s.add(Party(code=code, name="北京市西城区人民政府德胜街道办事处"))
    s.commit()
    s.close()


def test_tokens_create_needs_a_holder(runner):
    result = runner.invoke(args=["tokens", "create", "--role", "admin"])
    assert result.exit_code == 2
    assert "Missing option '--holder'" in result.output


@pytest.mark.parametrize("extra, message", [
    (["--expires", "2099-01-01", "--days", "3"], "give --expires or --days, not both"),
    (["--expires", "2020-01-01"], "the expiry date 2020-01-01 is already past"),
    (["--days", "0"], "0 is not in the range 1<=x<=3660"),
    (["--expires", "30/06/2027"], "'30/06/2027' does not match the format '%Y-%m-%d'"),
])
def test_tokens_create_refuses_bad_expiry(runner, extra, message):
    result = runner.invoke(args=["tokens", "create", "--holder", "x", "--role", "admin"] + extra)
    assert result.exit_code == 2
    assert message in result.output


def test_tokens_create_list_revoke(app, runner):
    _party(app)
    today = tokens_svc.shanghai_today()
    made = runner.invoke(args=["tokens", "create", "--holder", "张会计", "--party", "desheng", "--role", "buyer",
                               "--expires", "2099-06-30"])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip().splitlines()[-1]
    public_id = token.split("_")[1]
    assert made.stderr.strip() == f"token {public_id} for 张会计: desheng as buyer, valid through 2099-06-30"
    days = runner.invoke(args=["tokens", "create", "--holder", "unicom billing", "--role", "admin", "--days", "90"])
    assert days.exit_code == 0
    other = days.stdout.strip().splitlines()[-1].split("_")[1]

    listed = runner.invoke(args=["tokens", "list"])
    assert listed.exit_code == 0
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["ID", "HOLDER", "PARTY", "ROLE", "CREATED", "EXPIRES", "REVOKED", "STATUS"]
    rows = {ln.split()[0]: ln.split() for ln in lines[1:]}
    created = datetime.now(SHANGHAI).strftime("%Y-%m-%d")
    assert rows[public_id][:5] == [public_id, "张会计", "desheng", "buyer", created]
    assert rows[public_id][6:] == ["2099-06-30", "-", "active"]
    assert rows[other][1:4] == ["unicom", "billing", "-"]
    assert rows[other][-3:] == [(today + timedelta(days=90)).isoformat(), "-", "active"]
    assert token.split("_", 2)[2] not in listed.output
    # the columns line up on a terminal, where a Chinese character is two columns wide
    row = next(ln for ln in lines if ln.startswith(public_id))
    assert width(lines[0][:lines[0].index("PARTY")]) == width(row[:row.index("desheng")])

    assert runner.invoke(args=["tokens", "revoke", public_id]).exit_code == 0
    rows = {ln.split()[0]: ln.split() for ln in runner.invoke(args=["tokens", "list"]).stdout.splitlines()[1:]}
    assert rows[public_id][-1] == "revoked" and rows[public_id][-3] == created
    active = runner.invoke(args=["tokens", "list", "--active"]).stdout
    assert public_id not in active and other in active


def test_an_expired_token_is_401_saying_when(app, time_machine):
    time_machine.move_to(datetime(2027, 7, 1, 0, 30, tzinfo=SHANGHAI))   # just after midnight in Beijing
    s = app.extensions["settlement"]["sessions"]()
    _, expired = tokens_svc.create_token(s, "admin", None, holder="张会计", expires_on=date(2027, 6, 30),
                                         today=date(2027, 6, 1))
    _, last_day = tokens_svc.create_token(s, "admin", None, holder="李出纳", expires_on=date(2027, 7, 1))
    s.commit()
    s.close()
    client = app.test_client()
    resp = client.get("/api/v1/version", headers={"Authorization": f"Bearer {expired}", **EN})
    assert resp.status_code == 401
    assert resp.get_json()["detail"] == ("the token expired at the end of 2027-06-30 (Asia/Shanghai), its last "
                                         "valid day; ask an administrator for a new one")
    assert resp.headers["WWW-Authenticate"] == 'Bearer error="invalid_token", error_description="token expired"'
    assert client.get("/api/v1/version", headers={"Authorization": f"Bearer {last_day}"}).status_code == 200
    # a wrong secret for an expired token learns nothing about the expiry
    wrong = expired.rsplit("_", 1)[0] + "_wrong"
    resp = client.get("/api/v1/version", headers={"Authorization": f"Bearer {wrong}", **EN})
    assert resp.get_json()["detail"] == "the token is unknown, malformed or revoked"


def test_token_lookup_is_one_query(app):
    s = app.extensions["settlement"]["sessions"]()
    _, plain = tokens_svc.create_token(s, "admin", None, holder="x", expires_on=date(2099, 1, 1))
    s.commit()
    statements = []
    engine = app.extensions["settlement"]["engine"]

    def count(conn, cursor, statement, *a):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        actor = tokens_svc.authenticate(s, plain, today=date(2098, 12, 31))
    finally:
        event.remove(engine, "before_cursor_execute", count)
        s.close()
    assert actor is not None and actor.role == "admin"
    assert len(statements) == 1


def test_migration_0008_gives_existing_tokens_an_unknown_holder(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    migrate.upgrade(url, "0007")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO api_tokens (public_id, secret_hash, role, created_at) "
                          "VALUES ('abcd', :h, 'admin', '2026-01-01 00:00:00')"), {"h": "0" * 64})
    migrate.upgrade(url, "0008")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT holder, expires_on FROM api_tokens")).one() == ("(unknown)", None)
    migrate.downgrade(url, "0007")
    with engine.connect() as conn:
        cols = [r[1] for r in conn.execute(text("PRAGMA table_info(api_tokens)"))]
    engine.dispose()
    assert "holder" not in cols and "expires_on" not in cols


# -- the README's Operations section ----------------------------------------------------------------

OS_ENVIRON = re.compile(r"""os\.(?:environ\.get\(|environ\[|getenv\()\s*["']([A-Z][A-Z0-9_]+)["']""")
# settlement/config.py reads a mapping passed in as ``environ``
CONFIG_ENVIRON = re.compile(r"""(?:environ\.get\(|environ\[|_int\(environ,)\s*["']([A-Z][A-Z0-9_]+)["']""")


def test_readme_operations_documents_every_environment_variable():
    readme = (ROOT / "README.md").read_text()
    assert readme.index("## Benchmarks") < readme.index("## Operations")
    ops = readme.split("## Operations", 1)[1].split("\n## ", 1)[0]
    read = set()
    for folder in ("settlement", "invoices"):
        for path in (ROOT / folder).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            read |= set(OS_ENVIRON.findall(source))
            if path == ROOT / "settlement" / "config.py":
                read |= set(CONFIG_ENVIRON.findall(source))
    read |= {"HOST", "PORT", "WORKERS", "DATABASE_URL", "GUNICORN_CMD_ARGS"}
    assert read, "the scan found no environment variable"
    missing = sorted(v for v in read if f"`{v}`" not in ops)
    assert not missing, f"README 'Operations' does not document {missing}"
