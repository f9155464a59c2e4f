"""Operations endpoints: ``/healthz`` (liveness), ``/readyz`` (readiness), ``/api/v1/version``.

``/healthz`` and ``/readyz`` are outside ``/api/`` and need no token (a load
balancer or an orchestrator calls them). ``/healthz`` never touches the
database: it says the process answers. ``/readyz`` is 200 only when the
database answers and its Alembic revision is the head of ``migrations/``;
otherwise 503 problem+json saying which. ``/api/v1/version`` is under ``/api/``
and needs a token like every API call (it names the deployed commit).
"""
from __future__ import annotations

import functools
import logging
from importlib import metadata

import marshmallow as ma
from flask import current_app
from flask_smorest import Blueprint
from sqlalchemy import text

from settlement import migrate
from settlement.api.problems import problem_response

log = logging.getLogger(__name__)
DISTRIBUTION = "contract-settlement"

blp = Blueprint("operations", __name__, description="Liveness, readiness and version (operations)")


class HealthSchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={"example": "ok"})


class ReadySchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={"example": "ready"})
    database = ma.fields.String(required=True, metadata={"example": "ok"})
    revision = ma.fields.String(required=True, metadata={"description": "the database's Alembic revision"})
    head = ma.fields.String(required=True, metadata={"description": "the newest revision in migrations/"})


class VersionSchema(ma.Schema):
    version = ma.fields.String(required=True, metadata={"description": "the package version (setup.cfg)"})
    git_commit = ma.fields.String(allow_none=True, metadata={"description": "GIT_COMMIT of the deployment, if set"})
    alembic_head = ma.fields.String(required=True, metadata={"description": "the schema revision this code needs"})


@functools.lru_cache(maxsize=1)
def alembic_head() -> str:
    """The head revision of ``migrations/`` (settlement/migrate.py)."""
    return migrate.head()


def package_version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown"


def database_revision(engine) -> tuple[str | None, str | None]:
    """(the database's revision, None) or (None, why the database cannot say)."""
    try:
        conn = engine.connect()
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "not ready"
        log.warning("readiness: the database does not answer: %s", str(exc).splitlines()[0] if str(exc) else
                    type(exc).__name__)
        return None, "unreachable"
    try:
        rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except Exception as exc:  # noqa: BLE001 - no alembic_version table: never migrated
        log.warning("readiness: no alembic_version table: %s", str(exc).splitlines()[0] if str(exc) else
                    type(exc).__name__)
        return None, "not-migrated"
    finally:
        conn.close()
    if not rows:
        return None, "not-migrated"
    return ",".join(sorted(rows)), None


def _unavailable(detail: str, checks: dict):
    resp = problem_response(503, "Service unavailable", detail,
                            headers={"Retry-After": "5", "Cache-Control": "no-store"}, extra={"checks": checks})
    return resp


@blp.route("/healthz")
@blp.response(200, HealthSchema)
@blp.doc(security=[], summary="Liveness: the process answers (no database, no token)")
def healthz():
    return {"status": "ok"}, 200, {"Cache-Control": "no-store"}


@blp.route("/readyz")
@blp.response(200, ReadySchema)
@blp.alt_response(503, description="the database does not answer or is not at the head revision")
@blp.doc(security=[], summary="Readiness: the database answers and is migrated to the head (no token)")
def readyz():
    head = alembic_head()
    engine = current_app.extensions["settlement"]["engine"]
    revision, why = database_revision(engine)
    if why == "unreachable":
        return _unavailable("the database does not answer", {"database": "unreachable", "head": head})
    if why == "not-migrated":
        return _unavailable(f"the database is not migrated (no Alembic revision; the code needs {head}): "
                            "run `settlement db upgrade`",
                            {"database": "ok", "revision": None, "head": head})
    if revision != head:
        return _unavailable(f"the database is at revision {revision}, the code needs {head}: "
                            "run `settlement db upgrade` (or deploy the code that matches the database)",
                            {"database": "ok", "revision": revision, "head": head})
    return {"status": "ready", "database": "ok", "revision": revision, "head": head}, 200, {
        "Cache-Control": "no-store"}


@blp.route("/api/v1/version")
@blp.response(200, VersionSchema)
@blp.doc(summary="The running version: package version, deployed git commit, schema revision (any token)")
def version():
    return {"version": package_version(), "git_commit": current_app.config.get("GIT_COMMIT"),
            "alembic_head": alembic_head()}


def register(api) -> None:
    api.register_blueprint(blp)
