"""Operator commands: db, seed, tokens, calendar, journal."""
from __future__ import annotations

import sys
from contextlib import contextmanager
from datetime import date, timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from settlement import clock, migrate, seed
from settlement.db import write_intent
from settlement.models import ApiToken, Contract, Party
from settlement.services import calendar as calendar_svc
from settlement.services import contracts as contracts_svc
from settlement.services import journal
from settlement.services import tokens as tokens_svc
from settlement.services.actors import Actor

CLI = Actor(role="admin", party_code=None, token_id="cli")


@contextmanager
def unit_of_work():
    """A write transaction: commits on success, rolls back on any error."""
    with write_intent():
        s = current_app.extensions["settlement"]["sessions"]()
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()


db_cli = AppGroup("db", help="Database schema (Alembic).")


@db_cli.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision):
    """Run the Alembic migrations up to REVISION (a database that cannot be reached: one line, exit 2)."""
    from settlement.cli import database_guard
    url = current_app.config["DATABASE_URL"]
    with database_guard(url):
        migrate.upgrade(url, revision)
    click.echo(f"database at {revision}")


seed_cli = AppGroup("seed", help="Sample data.")


@seed_cli.command("demo")
def seed_demo():
    """Load the seed contract DS-12345-2026 and its parties; running it twice changes nothing."""
    with unit_of_work() as s:
        for p in seed.PARTIES:
            if s.scalar(select(Party.id).where(Party.code == p["code"])) is None:
                contracts_svc.create_party(s, CLI, p)
        existing = s.scalar(select(Contract).where(Contract.code == seed.CONTRACT["code"]))
        if existing is None:
            existing = contracts_svc.create_contract(s, CLI, seed.CONTRACT, clock.today())
            click.echo(f"loaded contract {existing.code} (id {existing.id})")
        else:
            click.echo(f"contract {existing.code} already loaded (id {existing.id})")


tokens_cli = AppGroup("tokens", help="API bearer tokens.")


@tokens_cli.command("create")
@click.option("--holder", required=True,
              help='who uses the token: a person ("张会计") or a system ("unicom billing")')
@click.option("--party", "party_code", help="party code (required except for admin)")
@click.option("--role", required=True, type=click.Choice(tokens_svc.ROLES))
@click.option("--expires", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="the last day the token is accepted (YYYY-MM-DD, Asia/Shanghai)")
@click.option("--days", type=click.IntRange(min=1, max=3660), help="accepted through today + DAYS (Asia/Shanghai)")
def tokens_create(holder, party_code, role, expires, days):
    """Create a token; the token alone is printed on the last line (shown once)."""
    if expires is not None and days is not None:
        raise click.UsageError("give --expires or --days, not both")
    today = tokens_svc.shanghai_today()
    expires_on = expires.date() if expires is not None else (today + timedelta(days=days) if days else None)
    try:
        with unit_of_work() as s:
            row, plain = tokens_svc.create_token(s, role, party_code, holder=holder, expires_on=expires_on,
                                                 today=today)
            until = f"valid through {expires_on.isoformat()}" if expires_on else "no expiry"
            click.echo(f"token {row.public_id} for {row.holder}: {party_code or '(no party)'} as {role}, {until}",
                       err=True)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(plain)


def _cell_width(text: str) -> int:
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(rows: list[list[str]]) -> list[str]:
    """Columns aligned for a terminal (Chinese characters count double)."""
    widths = [max(_cell_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell + " " * (w - _cell_width(cell)) for cell, w in zip(r, widths)).rstrip()
            for r in rows]


@tokens_cli.command("list")
@click.option("--active", "active_only", is_flag=True, help="only tokens that are neither revoked nor expired")
def tokens_list(active_only):
    """List the tokens: id, holder, party, role, created, expires, revoked (never the secret).

    Times are Asia/Shanghai; EXPIRES is the last day a token is accepted."""
    from zoneinfo import ZoneInfo
    shanghai = ZoneInfo("Asia/Shanghai")
    s = current_app.extensions["settlement"]["sessions"]()
    try:
        tokens = tokens_svc.list_tokens(s)
    finally:
        s.close()
    today = tokens_svc.shanghai_today()
    rows = [["ID", "HOLDER", "PARTY", "ROLE", "CREATED", "EXPIRES", "REVOKED", "STATUS"]]
    for t in tokens:
        status = t.status(today)
        if active_only and status != "active":
            continue
        rows.append([t.public_id, t.holder, t.party_code or "-", t.role,
                     t.created_at.astimezone(shanghai).strftime("%Y-%m-%d %H:%M"),
                     t.expires_on.isoformat() if t.expires_on else "-",
                     t.revoked_at.astimezone(shanghai).strftime("%Y-%m-%d %H:%M") if t.revoked_at else "-",
                     status])
    if len(rows) == 1:
        click.echo("no tokens" + (" active" if active_only else ""), err=True)
        return
    for line in _table(rows):
        click.echo(line)


@tokens_cli.command("bootstrap")
def tokens_bootstrap():
    """Print a new admin token if none exists yet (used by ``make run`` the first time)."""
    with unit_of_work() as s:
        if s.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.role == "admin",
                                                                     ApiToken.revoked_at.is_(None))):
            click.echo("an admin token exists already (flask tokens create --holder NAME --role admin makes another)")
            return
        _, plain = tokens_svc.create_token(s, "admin", None, holder="bootstrap admin (make run)")
    click.echo("admin token (shown once, keep it):")
    click.echo(plain)


@tokens_cli.command("revoke")
@click.argument("token_id")
def tokens_revoke(token_id):
    """Revoke a token by its public id (the part after st_ and before the next _; see tokens list)."""
    with unit_of_work() as s:
        if not tokens_svc.revoke(s, token_id):
            raise click.ClickException(f"no active token {token_id}")
    click.echo(f"revoked {token_id}")


calendar_cli = AppGroup("calendar", help="China's official working-day calendar.")


@calendar_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def calendar_load(path):
    """Load an official schedule (data file: see settlement/data/calendar/README.md)."""
    try:
        with unit_of_work() as s:
            schedule = calendar_svc.load_schedule_file(s, CLI, path)
    except ValueError as exc:
        raise click.ClickException(f"{path}: {exc}") from None
    click.echo(f"loaded {schedule.year}: {len(schedule.holidays)} holidays, "
               f"{len(schedule.workdays)} make-up working days ({schedule.source})")


@calendar_cli.command("show")
@click.argument("year", type=int)
def calendar_show(year):
    """List the rest days on weekdays and the working weekend days of YEAR, and whether it is official."""
    s = current_app.extensions["settlement"]["sessions"]()
    try:
        cal = calendar_svc.current_calendar(s)
    finally:
        s.close()
    provisional = cal.is_provisional(date(year, 1, 1))
    click.echo(f"{year}: {'PROVISIONAL estimate (weekends + statutory holidays, no make-up days)' if provisional else 'official'}")
    for day, working, name in cal.year_days(year):
        weekend = day.weekday() >= 5
        if working == weekend:  # a weekday off, or a working weekend day
            kind = "working (make-up)" if working else "rest"
            click.echo(f"{day.isoformat()} {day.strftime('%a')} {kind:18} {name or ''}")


journal_cli = AppGroup("journal", help="The append-only, hash-chained journal.")


@journal_cli.command("verify")
@click.option("--head", "kept_head", metavar="SEQ:HASH",
              help="the head printed at month end (journal head): entry SEQ must still have HASH")
@click.option("--limit", default=0, type=click.IntRange(min=0), show_default=True,
              help="print at most this many findings (0: all); the count is always printed")
def journal_verify(kept_head, limit):
    """Prove the books: walk the hash chain, then rebuild every money row from the journal and
    compare it with the tables (docs: README "Security and integrity").

    Prints every finding (a broken entry; a row that differs from its journal entry, is missing,
    or has no journal entry) and exits 1; prints the counts and the head and exits 0 when all is well."""
    from settlement.services.ledger_check import BookCheck
    head = None
    if kept_head is not None:
        try:
            head = journal.parse_head(kept_head)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--head") from None
    s = current_app.extensions["settlement"]["sessions"]()
    check = BookCheck(s, head)
    try:
        for n, finding in enumerate(check, start=1):
            if not limit or n <= limit:
                click.echo(str(finding), err=True)
    finally:
        s.rollback()
        s.close()
    tables = ", ".join(f"{label} {n}" for label, n in check.checked.items() if n)
    if check.findings:
        click.echo(f"journal verify FAILED: {check.findings} finding(s); {check.entries} entries read"
                   + (f"; {tables} checked" if tables else "") + f"; head now {check.head}", err=True)
        sys.exit(1)
    kept = f"; entry {head[0]} still has the head's hash" if head else ""
    click.echo(f"journal OK: {check.entries} entries, chain intact{kept}; the books match the journal"
               + (f" ({tables})" if tables else "") + f"; head {check.head}")


def journal_head_line() -> str:
    """``journal head SEQ:HASH`` read now (month close and reconcile print it: keep it offline)."""
    s = current_app.extensions["settlement"]["sessions"]()
    try:
        return f"journal head {journal.head(s)}"
    finally:
        s.close()


@journal_cli.command("head")
def journal_head():
    """Print the chain's head, SEQ:HASH: keep it offline (month end) and check it later with
    `journal verify --head SEQ:HASH`."""
    s = current_app.extensions["settlement"]["sessions"]()
    try:
        click.echo(journal.head(s))
    finally:
        s.close()


@journal_cli.command("attest-tokens")
@click.option("--yes", is_flag=True, help="journal them (without it: only list them)")
def journal_attest_tokens(yes):
    """Journal the tokens that have no journal entry (made before token creation was journaled),
    as they are now; run once after upgrading, after checking the list (`tokens list`)."""
    from settlement.models import JournalEntry
    with unit_of_work() as s:
        known = set(s.scalars(select(JournalEntry.entity_id).where(JournalEntry.entity == "token")))
        rows = [t for t in s.scalars(select(ApiToken).order_by(ApiToken.id)) if t.public_id not in known]
        for t in rows:
            click.echo(f"{'attested' if yes else 'not journaled'}: {t.public_id} {t.holder} "
                       f"{t.party.code if t.party else '-'} {t.role}{' (revoked)' if t.revoked_at else ''}")
            if yes:
                journal.append(s, CLI, "token.attested", "token", t.public_id,
                               {"after": tokens_svc.journal_payload(t)})
        if not yes:
            s.rollback()
    if not rows:
        click.echo("every token has a journal entry")
    elif not yes:
        click.echo(f"{len(rows)} token(s) without a journal entry; `journal attest-tokens --yes` journals them")


settlement_cli = AppGroup("settlement", help="Audit and settlement batch jobs.")


@settlement_cli.command("sweep")
@click.option("--as-of", "as_of", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="business date (YYYY-MM-DD)")
def settlement_sweep(as_of):
    """Record deemed acceptances and rights that arose by AS_OF (idempotent)."""
    from settlement.services.audit import sweep
    with unit_of_work() as s:
        result = sweep(s, as_of.date(), clock.today())
    click.echo(f"sweep {as_of.date().isoformat()}: {result['deemed_accepted']} deemed acceptance(s), "
               f"{result['rights_arisen']} right(s) recorded")


idempotency_cli = AppGroup("idempotency", help="Stored Idempotency-Key responses.")


@idempotency_cli.command("prune")
@click.option("--older-than-hours", default=24, show_default=True, type=click.IntRange(min=24),
              help="keys live at least 24 hours")
def idempotency_prune(older_than_hours):
    """Delete stored Idempotency-Key responses older than the given age."""
    from datetime import timedelta

    from settlement.services.idempotency_keys import prune
    with unit_of_work() as s:
        removed = prune(s, timedelta(hours=older_than_hours))
    click.echo(f"pruned {removed} idempotency key(s) older than {older_than_hours} hours")


GROUPS = [db_cli, seed_cli, tokens_cli, calendar_cli, journal_cli, settlement_cli, idempotency_cli]
