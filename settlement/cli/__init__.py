"""``flask`` commands registered on the app (Flask tutorial style), ``settlement serve``,
and the ``settlement`` console script.

Exit codes, for cron and the operator: 0 success, 1 failure, 2 usage or a
database that cannot be used (missing, unreachable, not migrated) -- the
latter always as one line on stderr, never a traceback.
"""
from __future__ import annotations

import logging
import sys
from contextlib import contextmanager

import click
from flask import Flask, current_app
from flask.cli import ScriptInfo, with_appcontext

EXIT_FAILURE = 1
EXIT_USAGE = 2
log = logging.getLogger(__name__)


def register_cli(app: Flask) -> None:
    from settlement.cli import admin, batch
    for group in admin.GROUPS + batch.COMMANDS:
        app.cli.add_command(guard_database(group))
    app.cli.add_command(guard_database(serve_command))


# -- the database cannot be used: one line, exit 2 ------------------------------------------------

def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip()
    return text.splitlines()[0].strip() if text else type(orig).__name__


def redact(url: str | None) -> str:
    """The URL without its password (safe for a log line or an error message)."""
    if not url:
        return "(none)"
    try:
        from sqlalchemy.engine import make_url
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a URL at all: say nothing of it
        return "(unparseable DATABASE_URL)"


def database_problem(url: str, *, check_revision: bool = True) -> str | None:
    """Why the database at ``url`` cannot be used (one line), or None when it answers
    (and, with ``check_revision``, is at the head of ``migrations/``)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError
    from sqlalchemy.pool import NullPool
    try:
        engine = create_engine(url, poolclass=NullPool)
    except (ArgumentError, NoSuchModuleError) as exc:
        return f"DATABASE_URL is not a database URL this service can use: {_first_line(exc)}"
    except ModuleNotFoundError as exc:
        return (f"the database driver {exc.name} is not installed "
                "(PostgreSQL: pip install 'contract-settlement[postgres]')")
    try:
        try:
            conn = engine.connect()
        except Exception as exc:  # noqa: BLE001 - any failure to connect is "unreachable"
            return f"cannot connect to the database {redact(url)}: {_first_line(exc)}"
        if not check_revision:
            conn.close()
            return None
        try:
            revision = ",".join(sorted(conn.execute(text("SELECT version_num FROM alembic_version")).scalars()))
        except Exception:  # noqa: BLE001 - no table: never migrated
            revision = ""
        finally:
            conn.close()
        from settlement.migrate import head as alembic_head
        head = alembic_head()
        if revision != head:
            at = f"at revision {revision}" if revision else "not migrated"
            return f"the database {redact(url)} is {at}, the code needs {head}: run `settlement db upgrade`"
        return None
    finally:
        engine.dispose()


def _database_errors():
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
    return DBAPIError, ArgumentError, NoSuchModuleError


def fail(message: str, code: int = EXIT_USAGE):
    """Print ``error: message`` as one line on stderr and exit with ``code``."""
    click.echo(f"error: {message}", err=True)
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.exit(code)
    sys.exit(code)


@contextmanager
def database_guard(url: str, *, check_revision: bool = False):
    """Run a block that uses the database; if it fails because the database cannot be
    used, say so in one line and exit 2 (any other error goes on as it is)."""
    from alembic.util import CommandError
    try:
        yield
    except _database_errors():
        why = database_problem(url, check_revision=check_revision)
        if why is None:
            raise
        fail(why)
    except CommandError as exc:  # Alembic: an unknown revision (the database is newer than the code?)
        fail(f"cannot migrate the database {redact(url)}: {_first_line(exc)}")


def _app_database_url(ctx: click.Context) -> str | None:
    try:
        return current_app.config["DATABASE_URL"]
    except RuntimeError:  # outside the app context: the command has returned
        info = ctx.find_object(ScriptInfo)
        return info.load_app().config["DATABASE_URL"] if info is not None else None


def guard_database(cmd: click.Command) -> click.Command:
    """Wrap a command (a group: all of its subcommands) so that a database that cannot be
    used (unreachable, not migrated) ends it with one line and exit 2 instead of a traceback."""
    if getattr(cmd, "_database_guarded", False):
        return cmd
    original = cmd.invoke

    def invoke(ctx: click.Context):
        try:
            return original(ctx)
        except _database_errors():
            url = _app_database_url(ctx)
            why = database_problem(url) if url else None
            if why is None:
                raise
            fail(why)

    cmd.invoke = invoke
    cmd._database_guarded = True
    return cmd


# -- settlement serve ------------------------------------------------------------------------------

def _gunicorn_application(options: dict):
    from gunicorn.app.base import BaseApplication

    class Serve(BaseApplication):
        """gunicorn with our settings, then GUNICORN_CMD_ARGS on top; each worker builds its app."""

        def load_config(self):
            for key, value in options.items():
                if key in self.cfg.settings:  # a setting this gunicorn version does not know is skipped
                    self.cfg.set(key, value)
            env_args = self.cfg.get_cmd_args_from_env()
            if env_args:
                parsed = self.cfg.parser().parse_args(env_args)
                for key, value in vars(parsed).items():
                    if value is not None and key != "args":
                        self.cfg.set(key.lower(), value)

        def load(self):
            from settlement import create_app
            return create_app()

    return Serve()


@click.command("serve")
@click.option("--migrate/--no-migrate", "migrate_first", default=True, show_default=True,
              help="run the Alembic migrations to the head first")
@with_appcontext
def serve_command(migrate_first):
    """Migrate the database, then serve the API with gunicorn (production; no demo data).

    Settings: HOST (0.0.0.0), PORT (8000), WORKERS (2), WORKER_TIMEOUT (120),
    LOG_LEVEL (INFO), DATABASE_URL; any other gunicorn option in GUNICORN_CMD_ARGS."""
    from settlement import config, migrate
    from settlement.migrate import head as alembic_head
    try:
        options = config.serve_settings()
    except config.ConfigError as exc:
        fail(str(exc))
    url = current_app.config["DATABASE_URL"]
    if migrate_first:
        with database_guard(url):
            migrate.upgrade(url)
        log.info("database %s at revision %s", redact(url), alembic_head())
    else:
        why = database_problem(url)
        if why is not None:
            fail(why)
    # The workers build their own app and engine; this process keeps no connection.
    current_app.extensions["settlement"]["engine"].dispose()
    _gunicorn_application(options).run()


# -- the console script ----------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> None:
    """The ``settlement`` console script: the flask commands without FLASK_APP or a working directory
    (cron: ``/srv/settlement/.venv/bin/settlement reconcile --month 2026-11``)."""
    from flask.cli import FlaskGroup
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    from settlement import create_app
    from settlement.config import ConfigError
    try:
        FlaskGroup(create_app=create_app, help="Contract settlement and invoicing service.").main(
            args=argv, prog_name="settlement")
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except (ArgumentError, NoSuchModuleError) as exc:
        click.echo(f"error: DATABASE_URL is not a database URL this service can use: {_first_line(exc)}",
                   err=True)
        sys.exit(EXIT_USAGE)
    except ModuleNotFoundError as exc:
        if exc.name not in ("psycopg", "psycopg2", "pymysql"):
            raise
        click.echo(f"error: the database driver {exc.name} is not installed "
                   "(PostgreSQL: pip install 'contract-settlement[postgres]')", err=True)
        sys.exit(EXIT_USAGE)
